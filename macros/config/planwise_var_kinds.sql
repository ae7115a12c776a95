{#-
  planwise_var_kinds: the kind of value every var of the project takes (its
  defaults are in dbt_project.yml's `vars:`), for planwise_validate_vars.
  Kinds: text, text_or_null, date (YYYY-MM-DD), year, whole (a whole number
  >= 0), number, whole_or_null, severity (warn or error), boolean, list, mapping,
  date_formats (strptime formats, one as text or a list, each with a %; DuckDB only).
-#}
{% macro planwise_var_kinds() %}
  {{ return({
    'census_path': 'text',
    'census_parquet_path': 'text_or_null',
    'census_csv_delimiter': 'text',
    'census_date_format': 'date_formats',
    'census_schema': 'text',
    'planwise_types': 'mapping',
    'plan_year_start_date': 'date',
    'plan_year_end_date': 'date',
    'simulation_effective_date': 'date',
    'simulation_year': 'year',
    'simulation_start_year': 'year',
    'simulation_end_year': 'year',
    'eligibility_waiting_period_days': 'whole',
    'scenario_id': 'text',
    'clear_keep': 'list',
    'validation_census_min_rows': 'whole',
    'validation_census_min_age': 'number',
    'validation_census_max_age': 'number',
    'validation_census_pay_floor': 'number',
    'validation_census_pay_floor_warn_above': 'whole',
    'validation_census_duplicates_warn_above': 'whole',
    'validation_census_duplicates_error_above': 'whole_or_null',
    'validation_census_active_contradiction_severity': 'severity',
    'validation_lookalike_ids_severity': 'severity',
    'validation_min_active_headcount': 'whole',
    'validation_out_of_band_warn_above': 'whole',
    'validation_out_of_band_error_above': 'whole_or_null',
    'validation_job_level_band_severity': 'severity',
    'validation_job_level_band_tolerance': 'number',
    'validation_max_multiplier': 'number',
    'validation_raise_timing_sum_severity': 'severity',
    'validation_termination_hazard_above_one_severity': 'severity',
    'lever_event_types': 'list',
    'lever_parameter_kinds': 'mapping',
    'validation_required_parameters': 'mapping',
    'planwise_clear': 'boolean',
    'planwise_report': 'boolean',
  }) }}
{% endmacro %}
