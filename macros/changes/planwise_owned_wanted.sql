{#- The project's seeds and stored models (ephemeral models have no relation), from dbt's graph: [{'schema', 'name'}], lower case. -#}
{% macro planwise_owned_wanted() %}
  {%- set wanted = [] -%}
  {%- for node in graph.nodes.values()
      if node.resource_type in ('seed', 'model') and node.package_name == project_name
      and node.config.materialized != 'ephemeral' -%}
    {%- do wanted.append({'schema': node.schema | lower, 'name': (node.alias or node.name) | lower}) -%}
  {%- endfor -%}
  {{ return(wanted) }}
{% endmacro %}
