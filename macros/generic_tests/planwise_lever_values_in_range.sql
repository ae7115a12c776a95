{#-
  planwise_lever_values_in_range: every lever value lies in the range of its
  parameter's kind. Kinds come from var lever_parameter_kinds (kind -> list of
  parameter names); a parameter listed under no kind is a rate.
    rate        [0, 1]
    multiplier  > 0 and at most var validation_max_multiplier
    threshold   >= 0
    count       >= 0 and a whole number
  Fails with one row per lever outside its range, with parameter_kind and
  expected_range beside the whole row. NULL values pass (not_null owns them).
-#}
{% test planwise_lever_values_in_range(model, column_name) %}

{%- set kinds = var('lever_parameter_kinds') -%}
{%- set known_kinds = ['multiplier', 'threshold', 'count'] -%}
{%- for kind in kinds if kind not in known_kinds -%}
  {{ exceptions.raise_compiler_error("var lever_parameter_kinds: unknown kind '" ~ kind ~ "'; use " ~ known_kinds | join(', ') ~ " (unlisted parameters are rates)") }}
{%- endfor -%}

with source_rows as (

    select * from {{ model }}

),

classified as (

    select
        case
            {%- for kind, names in kinds.items() if names %}
            when lower(trim(parameter_name)) in (
                {%- for name in names %}'{{ name | lower }}'{{ ", " if not loop.last }}{% endfor -%}
            ) then '{{ kind }}'
            {%- endfor %}
            else 'rate'
        end as parameter_kind,
        source_rows.*
    from source_rows

),

final as (

    select
        case parameter_kind
            when 'multiplier' then '(0, {{ var("validation_max_multiplier") }}]'
            when 'threshold' then '>= 0'
            when 'count' then 'whole number >= 0'
            else '[0, 1]'
        end as expected_range,
        classified.*
    from classified
    where
        {{ column_name }} is not null
        and not (
            case parameter_kind
                when 'multiplier'
                    then {{ column_name }} > 0 and {{ column_name }} <= {{ var("validation_max_multiplier") }}
                when 'threshold' then {{ column_name }} >= 0
                when 'count' then {{ column_name }} >= 0 and {{ column_name }} = floor({{ column_name }})
                else {{ column_name }} >= 0 and {{ column_name }} <= 1
            end
        )

)

select * from final

{% endtest %}
