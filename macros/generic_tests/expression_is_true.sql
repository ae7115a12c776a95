{#-
  expression_is_true (dbt-utils' name and arguments): fails with every row where
  the SQL boolean `expression` (applied to `column_name` when given, e.g.
  expression '>= 0') is false; as in dbt-utils, a row where it is NULL passes.
-#}
{% test expression_is_true(model, expression, column_name=none) %}
  {{ return(adapter.dispatch('test_expression_is_true', 'planwise')(model, expression, column_name)) }}
{% endtest %}

{% macro default__test_expression_is_true(model, expression, column_name=none) %}

with source_rows as (

    select * from {{ model }}

),

final as (

    select *
    from source_rows
    where not ({{ column_name ~ ' ' if column_name }}{{ expression }})

)

select * from final

{% endmacro %}
