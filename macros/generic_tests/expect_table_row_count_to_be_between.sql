{#-
  expect_table_row_count_to_be_between (dbt-expectations' name and arguments,
  rows restricted with dbt's `where` config instead of row_condition; no
  group_by): fails with one row (row_count, min_value, max_value) when the
  number of rows is outside [min_value, max_value], either bound optional
  (`strictly`: both bounds exclusive). Used for "non-empty", "exactly one
  row", minimum census size and minimum headcount.
-#}
{% test expect_table_row_count_to_be_between(model, min_value=none, max_value=none, strictly=false) %}
  {{ return(adapter.dispatch('test_expect_table_row_count_to_be_between', 'planwise')(model, min_value, max_value, strictly)) }}
{% endtest %}

{% macro default__test_expect_table_row_count_to_be_between(model, min_value=none, max_value=none, strictly=false) %}

with counted as (

    select count(*) as row_count from {{ model }}

),

final as (

    select
        row_count,
        cast({{ min_value if min_value is not none else 'null' }} as {{ dbt.type_bigint() }}) as min_value,
        cast({{ max_value if max_value is not none else 'null' }} as {{ dbt.type_bigint() }}) as max_value
    from counted
    where
        1 = 0
        {%- if min_value is not none %}
        or row_count {{ '<=' if strictly else '<' }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        or row_count {{ '>=' if strictly else '>' }} {{ max_value }}
        {%- endif %}

)

select * from final

{% endmacro %}
