{#-
  planwise_check_built: the relations the selected tests read (or, with
  everything=true, every seed and non-ephemeral model) that are missing from
  the database. With fail=true (the on-run-start hook of `dbt test`) it stops
  the run with one message naming them, instead of one "table does not exist"
  error per test; otherwise it logs one line per missing relation (for
  `planwise-run status`). Relations come from dbt's relation cache.
-#}
{% macro planwise_check_built(fail=true, everything=false) %}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
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
  {%- if missing and fail -%}
    {{ exceptions.raise_compiler_error("The database is not set up yet: " ~ missing | length
      ~ " relation(s) the tests read are missing (" ~ (missing | sort)[:10] | join(', ')
      ~ (', ...' if missing | length > 10 else '') ~ "). Run `planwise-run setup` (or `dbt build --selector setup`) first.") }}
  {%- endif -%}
  {%- for name in missing | sort -%}
    {%- do log("missing: " ~ name, info=true) -%}
  {%- endfor -%}
  {{ return('') }}
{% endmacro %}
