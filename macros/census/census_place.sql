{#-
  census_place(columns): a census row's place as a person finds it in the
  file: 'line N' for a CSV (its header is line 1, as seed problems count), 'row
  N' for Parquet or a loaded census table (1 = the first row). `row`: the
  expression of the row's position (census_file_row, or a column holding it).
-#}
{% macro census_place(row) -%}
  {%- set path = (planwise_census_path() | string | lower | trim) -%}
  {%- set csv = target.type == 'duckdb' and path.endswith(('.csv', '.csv.gz')) -%}
  {%- set number = '(' ~ row ~ ' + 1)' if csv else row -%}
  {{- dbt.concat(["'" ~ ('line ' if csv else 'row ') ~ "'", 'cast(' ~ number ~ ' as ' ~ dbt.type_string() ~ ')']) -}}
{%- endmacro %}
