{#-
  Add `row` (a dict keyed by planwise_history_columns) to the history table,
  creating it when missing, and adding the columns a table written by an older
  release lacks (as nulls for its rows).
-#}
{% macro planwise_insert_history(row, relation=none) %}
  {%- set relation = relation or planwise_history_relation() -%}
  {%- set columns = planwise_history_columns() -%}
  {%- do adapter.create_schema(relation) -%}
  {%- set existing = adapter.get_relation(relation.database, relation.schema, relation.identifier) -%}
  {%- if existing is none -%}
    {%- call statement('planwise_history_table') -%}
      create table {{ relation }} (
        {%- for name, type in columns %}
        {{ name }} {{ type }}{{ ',' if not loop.last }}
        {%- endfor %}
      ){{ ' using parquet' if target.type == 'spark' }}{#- as the models' +file_format -#}
    {%- endcall -%}
  {%- else -%}
    {%- do planwise_add_history_columns(existing) -%}
  {%- endif -%}
  {%- call statement('planwise_history_row') -%}
    insert into {{ relation }} ({{ columns | map(attribute=0) | join(', ') }})
    select
      {%- for name, type in columns %}
      {%- set value = row.get(name) %}
      {%- set value = tojson(value) if value is mapping else value %}
      cast({{ 'null' if value is none else planwise_string_literal(value) }} as {{ type }}){{ ',' if not loop.last }}
      {%- endfor %}
  {%- endcall -%}
{% endmacro %}
