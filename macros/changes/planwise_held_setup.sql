{#-
  planwise_held_setup(database): the setup whose build a DuckDB database
  (attached as `database`) holds, from its history table
  (planwise_history_relation, read by planwise_history_query, whose is_live
  marks it): {'run_id', 'started_at'} (both none when it records no setup of
  its own), or none when it has no history table.
-#}
{% macro planwise_held_setup(database) %}
  {%- set history = planwise_history_relation() -%}
  {%- set tables = [] -%}
  {%- for relation in planwise_schema_relations(history.schema, database)
      if (relation.type | string) == 'table' -%}
    {%- do tables.append(relation.identifier | lower) -%}
  {%- endfor -%}
  {%- if history.identifier | lower not in tables -%}{{ return(none) }}{%- endif -%}
  {%- set relation = api.Relation.create(database=database, schema=history.schema, identifier=history.identifier) -%}
  {%- set held = run_query(planwise_history_query(relation, with_database=true)).rows | selectattr('is_live') | list -%}
  {{ return({'run_id': held[0]['run_id'] if held else none,
             'started_at': held[0]['started_at'] | string if held else none}) }}
{% endmacro %}
