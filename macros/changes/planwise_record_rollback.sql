{#-
  planwise_record_rollback(replaced, facts): after a rollback, the restored
  database's history gains a row of kind rollback naming the run it restored
  (the setup whose build it holds, planwise_held_setup) and the run it
  replaced (that of `replaced`, the DuckDB file it replaced, attached
  read-only), then the rows of `replaced` that it lacks, so the history stays
  whole and in order. The row names runs, not files: a file's place changes
  with the next rollback, a run's id never does.
-#}
{% macro planwise_record_rollback(replaced, facts={}) %}
  {%- set relation = planwise_history_relation() -%}
  {%- set restored = planwise_held_setup(relation.database) or {} -%}
  {%- set other = planwise_attach_live({'path': replaced}) -%}
  {%- set theirs = api.Relation.create(database=other.database, schema=relation.schema, identifier=relation.identifier) -%}
  {%- set replaced_run = planwise_held_setup(other.database) or {} -%}
  {%- set row = {'run_id': invocation_id, 'kind': 'rollback', 'started_at': facts.get('started_at'),
                 'finished_at': modules.datetime.datetime.now(modules.pytz.utc).isoformat(),
                 'runner_version': facts.get('runner_version'), 'dbt_version': dbt_version,
                 'engine_version': target.type ~ ' ' ~ run_query('select version()').columns[0].values()[0],
                 'target_name': target.name,
                 'change_summary': {'restored_run': restored.get('run_id'), 'replaced_run': replaced_run.get('run_id')}} -%}
  {%- do planwise_insert_history(row) -%}
  {%- set found = adapter.get_relation(theirs.database, theirs.schema, theirs.identifier) -%}
  {%- if found is not none -%}
    {%- set theirs_columns = adapter.get_columns_in_relation(found) | map(attribute='name') | map('lower') | list -%}
    {%- set shared = planwise_history_columns() | map(attribute=0) | select('in', theirs_columns) | list -%}
    {%- call statement('planwise_history_merge') -%}
      insert into {{ relation }} ({{ shared | join(', ') }})
      select {{ shared | join(', ') }} from {{ theirs }}
      where run_id not in (select run_id from {{ relation }})
    {%- endcall -%}
  {%- endif -%}
  {%- do adapter.commit() -%}
  {%- do planwise_detach_live(other) -%}
{% endmacro %}
