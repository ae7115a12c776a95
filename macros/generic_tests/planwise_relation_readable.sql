{#-
  planwise_relation_readable: reads every value of every row of the relation
  (a digest of each whole row), so a damaged file (a corrupt Parquet page, a
  failed decompression, invalid UTF-8) stops the run with the reader's error
  here, under a name that says so, before any model uses the data. Passes with
  no rows. Engines without a row digest fall back to counting rows.
-#}
{% test planwise_relation_readable(model) %}
  {{ return(adapter.dispatch('test_planwise_relation_readable', 'planwise')(model)) }}
{% endtest %}

{% macro default__test_planwise_relation_readable(model) %}

select row_count from (select count(*) as row_count from {{ model }}) as counted
where row_count < 0

{% endmacro %}

{% macro duckdb__test_planwise_relation_readable(model) %}

with scanned as (

    select
        count(*) as row_count,
        max(hash(source_row)) as digest
    from {{ model }} as source_row

),

final as (

    select row_count from scanned
    where row_count > 0 and digest is null

)

select * from final

{% endmacro %}
