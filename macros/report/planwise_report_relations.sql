{#-
  planwise_report_relations(with_database): the project's seeds and models this
  database holds, as {node name: relation}; `with_database` false renders
  them without the database name (for statements run on the file itself).
-#}
{% macro planwise_report_relations(with_database=true) %}
  {%- set relations = {} -%}
  {%- for node in graph.nodes.values()
      if node.package_name == project_name and node.resource_type in ('model', 'seed')
        and node.config.materialized != 'ephemeral' -%}
    {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) -%}
    {%- if relation is not none -%}
      {%- do relations.update({node.name: relation if with_database else relation.include(database=false)}) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(relations) }}
{% endmacro %}
