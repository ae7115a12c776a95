{#-
  planwise_elapsed_between: fails with every row whose date column lies outside
  a window measured back from an as-of date held in a var: the whole
  `datepart`s elapsed from the column to the as-of date must lie in
  [min_value, max_value] (either bound optional). Ages: datepart year on a
  birth date; "not after the census date": datepart day, min_value 0.
  Written with dbt.dateadd / dbt.datediff so it runs on any adapter; the
  bounds are exact (a birthday on the as-of date counts as completed).
  Failing rows carry `as_of_date` and an approximate `elapsed` for reading.
  Arguments: as_of_var (name of a var holding an ISO date), datepart,
  min_value, max_value.
-#}
{% test planwise_elapsed_between(model, column_name, as_of_var, datepart='year', min_value=none, max_value=none) %}

{%- set as_of = "cast('" ~ var(as_of_var) ~ "' as date)" -%}

with source_rows as (

    select * from {{ model }}

),

final as (

    select
        {{ as_of }} as as_of_date,
        {{ dbt.datediff(column_name, as_of, datepart) }} as elapsed,
        source_rows.*
    from source_rows
    where
        {{ column_name }} is not null
        and (
            1 = 0
            {%- if min_value is not none %}
            or {{ column_name }} > {{ dbt.dateadd(datepart, -1 * (min_value | int), as_of) }}
            {%- endif %}
            {%- if max_value is not none %}
            or {{ column_name }} <= {{ dbt.dateadd(datepart, -1 * ((max_value | int) + 1), as_of) }}
            {%- endif %}
        )

)

select * from final

{% endtest %}
