{#- How messages name the census: its file on DuckDB, its loaded table elsewhere. -#}
{% macro census_description(census_relation) -%}
  {{- "Census file '" ~ planwise_census_path() ~ "'" if target.type == 'duckdb'
      else "Census table " ~ census_relation ~ " (loaded by planwise-run load-census)" -}}
{%- endmacro %}
