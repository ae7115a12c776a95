{#-
  unique_combination_of_columns (dbt-utils' name and arguments): fails with one
  row per combination of `combination_of_columns` that occurs more than once,
  with its number of `occurrences`. NULLs form a combination like any value.
  quote_columns: quote the column names (default false).
-#}
{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}
  {{ return(adapter.dispatch('test_unique_combination_of_columns', 'planwise')(model, combination_of_columns, quote_columns)) }}
{% endtest %}

{% macro default__test_unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}

{%- set columns = [] -%}
{%- for column in combination_of_columns -%}
  {%- do columns.append(planwise_quote_column(column) if quote_columns else column) -%}
{%- endfor -%}

with source_rows as (

    select * from {{ model }}

),

final as (

    select
        {{ columns | join(', ') }},
        count(*) as occurrences
    from source_rows
    group by {{ columns | join(', ') }}
    having count(*) > 1

)

select * from final

{% endmacro %}
