{#-
  planwise_missing_owned_query(): planwise_missing_owned as one DuckDB query
  on a database file opened on its own (its default catalog): the names of the
  project's seeds and stored models it lacks, sorted. Setup stores it rendered,
  so `planwise-run rollback` checks a previous without dbt.
-#}
{% macro planwise_missing_owned_query() %}
  {%- set rows = [] -%}
  {%- for relation in planwise_owned_wanted() -%}
    {%- do rows.append('(' ~ planwise_string_literal(relation.schema) ~ ', ' ~ planwise_string_literal(relation.name) ~ ')') -%}
  {%- endfor -%}
  {%- set query -%}
    with wanted as (
        select *
        from (values {{ rows | join(', ') }}) as wanted (schema_name, relation_name)
    ),

    present as (
        select
            lower(table_schema) as schema_name,
            lower(table_name) as relation_name
        from information_schema.tables
        where table_catalog = current_database()
    ),

    final as (
        select wanted.relation_name
        from wanted
        left join present
            on wanted.schema_name = present.schema_name
            and wanted.relation_name = present.relation_name
        where present.relation_name is null
    )

    select * from final
    order by relation_name
  {%- endset -%}
  {{ return(query) }}
{% endmacro %}
