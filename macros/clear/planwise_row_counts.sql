{#-
  planwise_row_counts(results): row counts of the models this invocation built,
  for the runner's report (dbt-duckdb's adapter_response carries no row counts).
  Called from the on-run-end hook when var planwise_report is true, so the
  counts are taken inside the same dbt invocation, from the database that was
  just built. One portable `count(*) ... union all` query; emits one debug log
  line `planwise_row_counts: {"<model name>": <rows>, ...}` that the runner
  reads from dbt's structured events, and one line
  `planwise_undeclared_columns: {"<model name>": [<column>, ...]}` naming the
  columns of built models their YAML does not declare (census columns the
  contract does not know, carried through stg_census_data).
-#}
{% macro planwise_row_counts(results) %}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
  {%- set selects = [] -%}
  {%- for result in results -%}
    {%- set node = result.node -%}
    {%- if node.resource_type == 'model' and result.status == 'success'
          and node.config.materialized in ('table', 'view', 'incremental') -%}
      {%- do selects.append("select '" ~ node.name ~ "' as model_name, count(*) as row_count from "
                            ~ node.relation_name) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- set counts = {} -%}
  {%- if selects | length > 0 -%}
    {%- set table = run_query(selects | join('\nunion all\n')) -%}
    {%- for row in table.rows -%}
      {%- do counts.update({row[0]: row[1] | int}) -%}
    {%- endfor -%}
  {%- endif -%}
  {%- do log('planwise_row_counts: ' ~ tojson(counts), info=false) -%}
  {%- do log('planwise_undeclared_columns: ' ~ tojson(planwise_undeclared_columns(results)), info=false) -%}
  {{ return('') }}
{% endmacro %}
