{#-
  planwise_held_setup(database): the setup whose build a DuckDB database
  (attached as `database`) holds, from its history table
  (planwise_history_relation): {'run_id', 'started_at', 'setups'}, or none
  when it has no history table. It is the newest setup row the file got from
  a build, never one a rollback copied in from the file it replaced
  (planwise_record_rollback): those come after that rollback's row in the
  table (rowid, the insertion order; the table only ever gains rows) yet
  started before it. `setups` counts the rows it got from builds (run_id is
  none without one).
-#}
{% macro planwise_held_setup(database) %}
  {%- set history = planwise_history_relation() -%}
  {%- set tables = [] -%}
  {%- for relation in planwise_schema_relations(history.schema, database)
      if (relation.type | string) == 'table' -%}
    {%- do tables.append(relation.identifier | lower) -%}
  {%- endfor -%}
  {%- if history.identifier | lower not in tables -%}{{ return(none) }}{%- endif -%}
  {%- set relation = api.Relation.create(database=database, schema=history.schema, identifier=history.identifier) -%}
  {%- set query -%}
    with runs as (
        select
            rowid as position,
            run_id,
            kind,
            started_at
        from {{ relation }}
    ),

    rollbacks as (
        select
            position,
            started_at
        from runs
        where kind = 'rollback'
    ),

    copied as (
        select runs.position
        from runs
        inner join rollbacks
            on runs.position > rollbacks.position and runs.started_at < rollbacks.started_at
    ),

    built as (
        select
            run_id,
            started_at,
            position
        from runs
        where kind = 'setup' and position not in (select copied.position from copied)
    ),

    newest as (
        select
            run_id,
            started_at
        from built
        order by position desc
        limit 1
    )

    select
        (select count(*) from built) as setups,
        (select newest.run_id from newest) as run_id,
        (select newest.started_at from newest) as started_at
  {%- endset -%}
  {%- set row = run_query(query).rows[0] -%}
  {{ return({'setups': row['setups'] | int, 'run_id': row['run_id'],
             'started_at': none if row['started_at'] is none else row['started_at'] | string}) }}
{% endmacro %}
