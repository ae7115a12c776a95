{#-
  planwise_run_summary(results): what dbt's artifacts lack for the runner's
  report, as a planwise_hook_payload comment (dbt records it in
  run_results.json as the on-run-end hook's compiled code): the row counts of
  the models this invocation built (planwise_built_row_counts, as
  dbt-duckdb's adapter_response carries none), the census rows (those
  of stg_census_data), and the built columns their YAML
  does not declare (planwise_undeclared_columns), and the first 100
  failing rows of every failing or warning test (read from its stored
  failures, or its query run again when it stores none). Called from on-run-end when
  var planwise_report is true.
-#}
{% macro planwise_run_summary(results) %}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
  {%- set counts = planwise_built_row_counts(results) -%}
  {%- set failing_rows = {} -%}
  {%- for result in results
      if result.node.resource_type == 'test' and result.status in ('fail', 'warn') -%}
    {#- stored: read back; not stored (a seed or configuration test): run its query again -#}
    {%- set failing = result.node.relation_name if result.node.config.store_failures
                      else '(' ~ result.node.compiled_code ~ '\n) as failing_rows' -%}
    {%- set table = run_query('select * from ' ~ failing ~ ' limit 100') -%}
    {%- set rows = [] -%}
    {%- for row in table.rows -%}
      {%- do rows.append(row.values() | map('string') | list) -%}
    {%- endfor -%}
    {%- do failing_rows.update({result.node.unique_id: {'columns': table.column_names | list, 'rows': rows}}) -%}
  {%- endfor -%}
  {{ return(planwise_hook_payload({
    'failing_rows': failing_rows,
    'row_counts': counts,
    'census_rows': counts.get('stg_census_data'),
    'undeclared_columns': planwise_undeclared_columns(results),
    'figures': planwise_report_figures(),
  })) }}
{% endmacro %}
