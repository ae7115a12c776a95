{#-
  planwise_setup_record(results): the change report against the live database
  (the runner's fact compare_with, see planwise_change_report) and this setup's
  history row, as a planwise_hook_payload for the runner's report. When no node
  failed, the row is also added to the history table (planwise_history_relation)
  of the database being built: on DuckDB that is the candidate copy of the live
  file, so the row is published with it and a rejected candidate takes it
  along. What only the runner knows (its version, start time, the live
  database to compare with, the census file's sha256) comes as JSON in env PLANWISE_RUN_FACTS, read at run time, so
  a new value never costs dbt a parse. The payload also carries the rendered
  planwise_history_query, which the runner stores to read the history of a
  DuckDB file without dbt, with the other statements `rollback` runs on the
  files themselves (planwise_missing_owned_query, planwise_history_statements)
  and the visual report's queries (planwise_report_figure_queries), which
  `planwise-run report` runs on the file.
  Called from on-run-end when var
  planwise_report is true.
-#}
{% macro planwise_setup_record(results) %}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
  {%- set facts = fromjson(env_var('PLANWISE_RUN_FACTS', '{}')) -%}
  {%- set built = [] -%}
  {%- for result in results if result.node.resource_type in ('seed', 'model') -%}
    {%- do built.append(result.node.unique_id) -%}
  {%- endfor -%}
  {%- set changes = planwise_change_report(facts.get('compare_with'), built=built) -%}
  {%- set failed = results | selectattr('status', 'in', ['error', 'fail', 'runtime error']) | list -%}
  {%- set tests = {} -%}
  {%- for result in results if result.node.resource_type in ('test', 'unit_test') -%}
    {%- set tags = result.node.tags or result.node.config.tags -%}
    {%- set category = (tags | reject('equalto', 'validation') | list or ['uncategorised'])[0] -%}
    {%- set counts = tests.setdefault(category, {}) -%}
    {%- do counts.update({result.status | string: counts.get(result.status | string, 0) + 1}) -%}
  {%- endfor -%}
  {%- set built_rows = planwise_built_row_counts(results) -%}
  {%- set seeds = {} -%}
  {%- for node in graph.nodes.values() if node.resource_type == 'seed' and node.package_name == project_name -%}
    {%- do seeds.update({node.name: node.checksum.checksum}) -%}
  {%- endfor -%}
  {%- set user_vars = {} -%}
  {%- for name, value in (invocation_args_dict.get('vars') or {}).items() if not name.startswith('planwise_') -%}
    {%- do user_vars.update({name: value}) -%}
  {%- endfor -%}
  {%- set row = {
    'run_id': invocation_id,
    'kind': 'setup',
    'started_at': facts.get('started_at') or run_started_at.strftime('%Y-%m-%dT%H:%M:%SZ'),
    'finished_at': modules.datetime.datetime.now(modules.pytz.utc).isoformat(),
    'runner_version': facts.get('runner_version'),
    'dbt_version': dbt_version,
    'engine_version': target.type ~ ' ' ~ run_query('select version()').columns[0].values()[0],
    'target_name': target.name,
    'scenario_id': var('scenario_id') | string,
    'plan_year_start': var('plan_year_start_date') | string,
    'plan_year_end': var('plan_year_end_date') | string,
    'vars': user_vars,
    'seed_fingerprints': seeds,
    'census_fingerprint': facts.get('census_sha256'),
    'census_path': planwise_census_identity(),
    'census_rows': planwise_census_rows(built_rows),
    'test_counts': tests,
    'row_counts': built_rows,
    'change_summary': planwise_change_summary(changes),
  } -%}
  {%- set recorded = not failed and planwise_history_in_build() -%}
  {%- if recorded -%}
    {%- do planwise_insert_history(row) -%}
    {%- do adapter.commit() -%}
  {%- endif -%}
  {%- set queries = none -%}
  {%- if recorded -%}
    {%- set statements = planwise_history_statements() -%}
    {%- set queries = {'history': planwise_history_query(planwise_history_relation()),
                       'missing_owned': planwise_missing_owned_query(),
                       'history_prepare': statements.prepare, 'history_insert': statements.insert,
                       'history_columns': statements.columns,
                       'figures': planwise_report_figure_queries(planwise_report_relations(with_database=false))} -%}
  {%- endif -%}
  {{ return(planwise_hook_payload({'changes': changes, 'run': row, 'run_recorded': recorded,
                                   'queries': queries})) }}
{% endmacro %}
