{#-
  planwise_run_summary(results): what dbt's artifacts lack for the runner's
  report, as a planwise_hook_payload comment (dbt records it in
  run_results.json as the on-run-end hook's compiled code): the row counts of
  the models this invocation built (one portable `count(*) ... union all`
  query, as dbt-duckdb's adapter_response carries none), the census rows (those
  of stg_census_data), and the built columns their YAML
  does not declare (planwise_undeclared_columns). Called from on-run-end when
  var planwise_report is true.
-#}
{% macro planwise_run_summary(results) %}
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
    {%- for row in run_query(selects | join('\nunion all\n')).rows -%}
      {%- do counts.update({row[0]: row[1] | int}) -%}
    {%- endfor -%}
  {%- endif -%}
  {{ return(planwise_hook_payload({
    'row_counts': counts,
    'census_rows': counts.get('stg_census_data'),
    'undeclared_columns': planwise_undeclared_columns(results),
  })) }}
{% endmacro %}
