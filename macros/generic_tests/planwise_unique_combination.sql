{#-
  planwise_unique_combination: fails with one row per combination of the given
  columns that occurs more than once, with its occurrence count.
  Arguments: combination_of_columns (list of column names); optional
  row_condition (SQL predicate restricting the rows checked).
-#}
{% test planwise_unique_combination(model, combination_of_columns, row_condition=none) %}

with source_rows as (

    select * from {{ model }}
    {% if row_condition %} where {{ row_condition }} {% endif %}

),

final as (

    select
        {{ combination_of_columns | join(', ') }},
        count(*) as occurrences
    from source_rows
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1

)

select * from final

{% endtest %}
