{#- The history table's columns: JSON documents are text, so every engine (and DuckDB 1.0) reads them. -#}
{% macro planwise_history_columns() %}
  {%- set text = planwise_type('varchar') -%}
  {{ return([
    ('run_id', text), ('kind', text), ('started_at', planwise_type('timestamptz')),
    ('finished_at', planwise_type('timestamptz')), ('runner_version', text), ('dbt_version', text),
    ('engine_version', text), ('target_name', text), ('scenario_id', text), ('plan_year_start', 'date'),
    ('plan_year_end', 'date'), ('vars', text), ('seed_fingerprints', text), ('census_fingerprint', text),
    ('test_counts', text), ('row_counts', text), ('change_summary', text),
    ('census_path', text), ('census_rows', planwise_type('bigint')),
  ]) }}
{% endmacro %}
