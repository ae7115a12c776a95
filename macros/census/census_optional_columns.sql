{% macro census_optional_columns() %}
  {{ return({
    'employee_ssn': dbt.type_string(),
    'employee_termination_date': 'date',
    'employee_capped_compensation': 'double',
    'employee_deferral_rate': 'double',
    'employee_contribution': 'double',
    'pre_tax_contribution': 'double',
    'roth_contribution': 'double',
    'after_tax_contribution': 'double',
    'employer_core_contribution': 'double',
    'employer_match_contribution': 'double',
    'eligibility_entry_date': 'date',
    'scheduled_hours_per_week': 'double',
    'auto_escalation_opt_out': 'boolean',
    'eligibility_override': 'boolean',
  }) }}
{% endmacro %}
