{#-
  planwise_expression_is_true: fails with every row where the SQL boolean
  `expression` is false or NULL; failing rows are the whole offending rows, so
  `failures` is the number of rows breaking the rule.
  Optional: row_condition (SQL predicate restricting the rows checked).
-#}
{% test planwise_expression_is_true(model, expression, row_condition=none) %}

with source_rows as (

    select * from {{ model }}
    {% if row_condition %} where {{ row_condition }} {% endif %}

),

final as (

    select *
    from source_rows
    where not coalesce({{ expression }}, false)

)

select * from final

{% endtest %}
