{#-
  planwise_history_query(relation): the history table's rows, newest first,
  with is_live: whether the row is the setup whose build the database holds
  (on DuckDB planwise_held_setup's rule: the newest row it got from a build,
  never one a rollback copied in; elsewhere the newest setup). The one query
  behind `planwise-run history`, through dbt (planwise_history) or, on DuckDB,
  read straight from the file: setup stores it rendered without the database
  name, which DuckDB takes from the file's name. Columns an older release's
  table lacks are null.
-#}
{% macro planwise_history_query(relation) %}
  {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
  {%- set columns = [] -%}
  {%- for name, type in planwise_history_columns() -%}
    {%- do columns.append(name if name in present else 'cast(null as ' ~ type ~ ') as ' ~ name) -%}
  {%- endfor -%}
  {{ return(adapter.dispatch('planwise_history_query', 'planwise')(relation.include(database=false), columns)) }}
{% endmacro %}


{% macro default__planwise_history_query(relation, columns) %}
  {%- set query -%}
    with runs as (
        select {{ columns | join(', ') }}
        from {{ relation }}
    ),

    held as (
        select run_id
        from runs
        where kind = 'setup'
        order by started_at desc
        limit 1
    ),

    final as (
        select
            runs.*,
            coalesce(runs.run_id = (select held.run_id from held), false) as is_live
        from runs
    )

    select * from final
    order by started_at desc, finished_at desc
  {%- endset -%}
  {{ return(query) }}
{% endmacro %}


{% macro duckdb__planwise_history_query(relation, columns) %}
  {%- set query -%}
    with runs as (
        select
            rowid as position,
            {{ columns | join(', ') }}
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

    held as (
        select run_id
        from runs
        where kind = 'setup' and position not in (select copied.position from copied)
        order by position desc
        limit 1
    ),

    final as (
        select
            runs.* exclude (position),
            coalesce(runs.run_id = (select held.run_id from held), false) as is_live
        from runs
    )

    select * from final
    order by started_at desc, finished_at desc
  {%- endset -%}
  {{ return(query) }}
{% endmacro %}
