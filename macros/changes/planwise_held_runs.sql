{#-
  planwise_held_runs(columns, names): how planwise_history_query finds the
  setup a database holds: {'runs': the select list of its `runs` CTE, 'ctes':
  the CTEs ending in `held` (one run_id), 'final': the row's columns}.
  `columns`: the history columns (null where the table lacks one), `names`:
  the same as runs.<name>. On DuckDB the newest row the file got
  from a build, never one a rollback copied in from the file it replaced
  (planwise_record_rollback): those come after that rollback's row in the table
  (rowid, the insertion order; the table only ever gains rows) yet started
  before it. Elsewhere (no rollback) the newest setup.
-#}
{% macro planwise_held_runs(columns, names) %}
  {{ return(adapter.dispatch('planwise_held_runs', 'planwise')(columns, names)) }}
{% endmacro %}


{% macro default__planwise_held_runs(columns, names) %}
  {%- set ctes -%}
    held as (
        select run_id
        from runs
        where kind = 'setup'
        order by started_at desc
        limit 1
    ),
  {%- endset -%}
  {{ return({'runs': columns | join(', '), 'ctes': ctes, 'final': names | join(', ')}) }}
{% endmacro %}


{#- DuckDB: every column the table has (an older release's lacks some), in rowid order. -#}
{% macro duckdb__planwise_held_runs(columns, names) %}
  {%- set ctes -%}
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

    held as (
        select run_id
        from runs
        where kind = 'setup' and position not in (select copied.position from copied)
        order by position desc
        limit 1
    ),
  {%- endset -%}
  {{ return({'runs': 'rowid as position, *', 'ctes': ctes, 'final': 'runs.* exclude (position)'}) }}
{% endmacro %}
