{#-
  planwise_report_figure_queries(relations, sections): the query of each
  section of the visual report (planwise_report_figure_sql) whose relations
  exist, as {section: sql}. `relations`: {node name: relation}, none for this
  database's (planwise_report_relations); `sections`: names, none for all.
  A published setup stores them rendered without the database name, so
  `planwise-run report` runs them on the DuckDB file without dbt.
-#}
{% macro planwise_report_figure_queries(relations=none, sections=none) %}
  {%- if relations is none -%}{%- set relations = planwise_report_relations() -%}{%- endif -%}
  {%- set wanted = {
        'intake': ['stg_census_data', 'stg_census_duplicates_audit'],
        'levels': ['int_baseline_workforce', 'stg_config_job_levels'],
        'age_tenure': ['int_baseline_workforce', 'stg_config_age_bands', 'stg_config_tenure_bands'],
        'eligibility': ['int_baseline_workforce'],
        'grids': ['int_hazard_termination', 'int_hazard_promotion', 'int_hazard_merit',
                  'stg_config_age_bands', 'stg_config_tenure_bands'],
      } -%}
  {%- set queries = {} -%}
  {%- for section, needed in wanted.items()
      if (sections is none or section in sections) and needed | reject('in', relations) | list | length == 0 -%}
    {%- do queries.update({section: planwise_report_figure_sql(section, relations)}) -%}
  {%- endfor -%}
  {{ return(queries) }}
{% endmacro %}
