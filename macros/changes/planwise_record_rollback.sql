{#-
  planwise_record_rollback(replaced, facts): after a rollback, the restored
  database's history gains the rows of the database it replaced (`replaced`, a
  DuckDB file, attached read-only) that it lacks, then a row of kind rollback,
  so the history stays whole and in order.
-#}
{% macro planwise_record_rollback(replaced, facts={}) %}
  {%- set relation = planwise_history_relation() -%}
  {%- set other = planwise_attach_live({'path': replaced}) -%}
  {%- set theirs = api.Relation.create(database=other.database, schema=relation.schema, identifier=relation.identifier) -%}
  {%- set row = {'run_id': invocation_id, 'kind': 'rollback', 'started_at': facts.get('started_at'),
                 'finished_at': modules.datetime.datetime.now(modules.pytz.utc).isoformat(),
                 'runner_version': facts.get('runner_version'), 'dbt_version': dbt_version,
                 'engine_version': target.type ~ ' ' ~ run_query('select version()').columns[0].values()[0],
                 'target_name': target.name, 'change_summary': {'replaced': replaced}} -%}
  {%- do planwise_insert_history(row) -%}
  {%- if adapter.get_relation(theirs.database, theirs.schema, theirs.identifier) is not none -%}
    {%- call statement('planwise_history_merge') -%}
      insert into {{ relation }}
      select * from {{ theirs }}
      where run_id not in (select run_id from {{ relation }})
    {%- endcall -%}
  {%- endif -%}
  {%- do adapter.commit() -%}
  {%- do planwise_detach_live(other) -%}
{% endmacro %}
