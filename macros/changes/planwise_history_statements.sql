{#-
  planwise_history_statements(): the statements that add one row to the
  history table of a DuckDB file opened on its own, rendered for setup to
  store (so `planwise-run rollback` records itself without dbt): `prepare`
  creates the schema and table when missing and adds the columns an older
  release's table lacks; `insert` takes one value per planwise_history_columns
  column, in order (`columns`), as parameters (JSON documents as text).
-#}
{% macro planwise_history_statements() %}
  {%- set relation = planwise_history_relation().include(database=false) -%}
  {%- set columns = planwise_history_columns() -%}
  {%- set definitions = [] -%}
  {%- set casts = [] -%}
  {%- set prepare = ['create schema if not exists ' ~ relation.schema] -%}
  {%- for name, type in columns -%}
    {%- do definitions.append(name ~ ' ' ~ type) -%}
    {%- do casts.append('cast(? as ' ~ type ~ ')') -%}
  {%- endfor -%}
  {%- do prepare.append('create table if not exists ' ~ relation ~ ' (' ~ definitions | join(', ') ~ ')') -%}
  {%- for definition in definitions -%}
    {%- do prepare.append('alter table ' ~ relation ~ ' add column if not exists ' ~ definition) -%}
  {%- endfor -%}
  {%- set insert = 'insert into ' ~ relation ~ ' (' ~ columns | map(attribute=0) | join(', ') ~ ') select ' ~ casts | join(', ') -%}
  {{ return({'prepare': prepare, 'insert': insert, 'columns': columns | map(attribute=0) | list}) }}
{% endmacro %}
