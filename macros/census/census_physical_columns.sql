{#-
  census_physical_columns: the census's columns as the file or table has them,
  [{'name': name, 'type': type}] in file order (empty while parsing). DuckDB
  describes the query (nested types keep their shape: STRUCT(...), VARCHAR[],
  MAP(...)); other engines read the loaded census table's columns.
-#}
{% macro census_physical_columns(census_relation) %}
  {%- if not execute -%}{{ return([]) }}{%- endif -%}
  {{ return(adapter.dispatch('census_physical_columns', 'planwise')(census_relation)) }}
{% endmacro %}

{% macro duckdb__census_physical_columns(census_relation) %}
  {%- set described = run_query('describe (select * from ' ~ census_relation ~ ' limit 0)') -%}
  {%- set columns = [] -%}
  {%- for row in described.rows -%}
    {%- do columns.append({'name': row[0], 'type': row[1] | string}) -%}
  {%- endfor -%}
  {{ return(columns) }}
{% endmacro %}

{% macro default__census_physical_columns(census_relation) %}
  {%- set columns = [] -%}
  {%- for column in adapter.get_columns_in_relation(census_relation) -%}
    {%- do columns.append({'name': column.name, 'type': column.dtype | string}) -%}
  {%- endfor -%}
  {{ return(columns) }}
{% endmacro %}
