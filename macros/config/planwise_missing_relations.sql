{#-
  planwise_missing_relations(everything=false): the names, sorted, of the
  relations the selected tests read (with everything=true, of every seed and
  non-ephemeral model) that are missing from the database, from dbt's relation
  cache. planwise_check_built stops a `dbt test` on them; `planwise-run status
  --dbt` has dbt render them as JSON:
  dbt compile --inline "{{ tojson(planwise_missing_relations(everything=true)) }}"
-#}
{% macro planwise_missing_relations(everything=false) %}
  {%- if not execute -%}{{ return([]) }}{%- endif -%}
  {%- set wanted = [] -%}
  {%- for unique_id in (graph.nodes if everything else selected_resources) -%}
    {%- set node = graph.nodes.get(unique_id) -%}
    {%- for parent in ([unique_id] if everything else (node.depends_on.nodes if node else [])) -%}
      {%- do wanted.append(parent) if parent not in wanted -%}
    {%- endfor -%}
  {%- endfor -%}
  {%- set missing = [] -%}
  {%- for unique_id in wanted -%}
    {%- set node = graph.nodes.get(unique_id) -%}
    {%- if node and node.resource_type in ('model', 'seed') and node.config.materialized != 'ephemeral'
        and adapter.get_relation(node.database, node.schema, node.alias or node.name) is none -%}
      {%- do missing.append(node.name) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(missing | sort) }}
{% endmacro %}
