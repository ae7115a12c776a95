{#-
  planwise_in_range: fails with one row per value outside [min_value, max_value]
  (either bound optional; `min_inclusive` / `max_inclusive` make a bound
  strict). Checks `column_name` (when attached to a column) or every column of
  `column_names` (model-level), so one test can cover all the rate columns of a
  seed. Failing rows carry `failing_column`, `failing_value` and the whole
  offending row. NULLs pass (not_null tests own them).
-#}
{% test planwise_in_range(model, column_name=none, column_names=none, min_value=none, max_value=none, min_inclusive=true, max_inclusive=true) %}

{%- set columns = column_names if column_names else [column_name] -%}

with source_rows as (

    select * from {{ model }}

),

{% for column in columns %}
violations_{{ loop.index }} as (

    select
        cast('{{ column }}' as {{ dbt.type_string() }}) as failing_column,
        cast({{ column }} as {{ dbt.type_numeric() }}) as failing_value,
        source_rows.*
    from source_rows
    where
        {{ column }} is not null
        and (
            1 = 0
            {%- if min_value is not none %}
            or {{ column }} {{ '<' if min_inclusive else '<=' }} {{ min_value }}
            {%- endif %}
            {%- if max_value is not none %}
            or {{ column }} {{ '>' if max_inclusive else '>=' }} {{ max_value }}
            {%- endif %}
        )

),

{% endfor %}
final as (

    {% for column in columns %}
    select * from violations_{{ loop.index }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final

{% endtest %}
