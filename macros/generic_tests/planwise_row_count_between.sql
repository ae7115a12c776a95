{#-
  planwise_row_count_between: fails with one row (row_count, min_value,
  max_value) when the number of rows is outside [min_value, max_value]
  (either bound optional). Used for "non-empty", "exactly one row", minimum
  census size and minimum headcount.
  Optional: row_condition (count only the rows it selects).
-#}
{% test planwise_row_count_between(model, min_value=none, max_value=none, row_condition=none) %}

with source_rows as (

    select * from {{ model }}
    {% if row_condition %} where {{ row_condition }} {% endif %}

),

counted as (

    select count(*) as row_count from source_rows

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
        or row_count < {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        or row_count > {{ max_value }}
        {%- endif %}

)

select * from final

{% endtest %}
