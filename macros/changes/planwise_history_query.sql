{#-
  planwise_history_query(relation, with_database=false): the history table's
  rows, newest first, with is_live: whether the row is the setup whose build
  the database holds (planwise_held_runs). The one query behind `planwise-run
  history`, through dbt (planwise_history) or, on DuckDB, read straight from
  the file: setup stores it rendered without the database name, which DuckDB
  takes from the file's name (with_database: keep it, for a file attached
  beside another). Columns an older release's table lacks are null (on
  DuckDB absent: the stored query reads any release's table).
-#}
{% macro planwise_history_query(relation, with_database=false) %}
  {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
  {%- set columns = [] -%}
  {%- set names = [] -%}
  {%- for name, type in planwise_history_columns() -%}
    {%- do columns.append(name if name in present else 'cast(null as ' ~ type ~ ') as ' ~ name) -%}
    {%- do names.append('runs.' ~ name) -%}
  {%- endfor -%}
  {%- set held = planwise_held_runs(columns, names) -%}
  {%- set query -%}
    with runs as (
        select {{ held.runs }}
        from {{ relation if with_database else relation.include(database=false) }}
    ),

    {{ held.ctes }}

    final as (
        select
            {{ held.final }},
            coalesce(runs.run_id = (select held.run_id from held), false) as is_live
        from runs
    )

    select * from final
    order by started_at desc, finished_at desc
  {%- endset -%}
  {{ return(query) }}
{% endmacro %}
