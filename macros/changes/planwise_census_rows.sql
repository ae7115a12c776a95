{#-
  planwise_census_rows(built): the census's employees (rows of
  stg_census_data) after this run: from the row counts of what it built
  (planwise_built_row_counts), or
  counted in the database when it did not rebuild the census (--quick).
-#}
{% macro planwise_census_rows(built) %}
  {%- if 'stg_census_data' in built -%}{{ return(built['stg_census_data']) }}{%- endif -%}
  {%- set node = graph.nodes.get('model.' ~ project_name ~ '.stg_census_data') -%}
  {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) if node else none -%}
  {%- if relation is none -%}{{ return(none) }}{%- endif -%}
  {{ return(run_query('select count(*) from ' ~ relation).columns[0].values()[0] | int) }}
{% endmacro %}
