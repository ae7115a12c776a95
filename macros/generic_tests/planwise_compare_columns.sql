{#-
  planwise_compare_columns: fails with every row where
  `column_name <operator> other_column` is false (e.g. hire date <= termination
  date, band minimum < band maximum). Rows where either side is NULL pass.
  Arguments: operator (one of <, <=, =, >=, >, <>), other_column.
-#}
{% test planwise_compare_columns(model, column_name, operator, other_column) %}

{%- if operator not in ['<', '<=', '=', '>=', '>', '<>'] -%}
  {{ exceptions.raise_compiler_error("planwise_compare_columns: unsupported operator '" ~ operator ~ "'") }}
{%- endif -%}

with source_rows as (

    select * from {{ model }}

),

final as (

    select *
    from source_rows
    where
        {{ column_name }} is not null
        and {{ other_column }} is not null
        and not ({{ column_name }} {{ operator }} {{ other_column }})

)

select * from final

{% endtest %}
