{#-
  planwise_ranges_contiguous: rows are ranges [lower_column, upper_column)
  that, ordered by lower_column, must start at `start_value` and follow each
  other with no gap or overlap. Fails with one row per break: the first range
  not starting at start_value (`range_defect` = 'late_start'), or an adjacent
  pair where the next range does not start where the previous one ends
  ('gap' or 'overlap'), naming both ranges by label_column.
  Optional: start_value (default 0).
-#}
{% test planwise_ranges_contiguous(model, lower_column, upper_column, label_column, start_value=0) %}

with source_rows as (

    select * from {{ model }}

),

ordered as (

    select
        {{ label_column }} as range_label,
        {{ lower_column }} as range_start,
        {{ upper_column }} as range_end,
        lag({{ label_column }}) over (order by {{ lower_column }}) as previous_label,
        lag({{ upper_column }}) over (order by {{ lower_column }}) as previous_end,
        row_number() over (order by {{ lower_column }}) as range_position
    from source_rows

),

final as (

    select
        previous_label,
        range_label,
        previous_end,
        range_start,
        case
            when range_position = 1 then 'late_start'
            when range_start > previous_end then 'gap'
            else 'overlap'
        end as range_defect
    from ordered
    where
        (range_position = 1 and range_start <> {{ start_value }})
        or (range_position > 1 and range_start <> previous_end)

)

select * from final

{% endtest %}
