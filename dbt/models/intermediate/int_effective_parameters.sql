{#-
  Compensation levers for the chosen scenario (var scenario_id), each lever
  falling back to the `default` scenario's value where the chosen scenario does
  not set it. Levers are matched on event_type_normalized (upper case); each row
  keeps the event_type spelling of the lever it came from.
-#}
{%- set scenario = planwise_string_literal(var('scenario_id')) %}

with levers as (

    select * from {{ ref('stg_comp_levers') }}
    where scenario_id in ({{ scenario }}, 'default')

),

ranked as (

    select
        *,
        row_number() over (
            partition by fiscal_year, job_level, event_type_normalized, parameter_name
            order by case when scenario_id = {{ scenario }} then 0 else 1 end
        ) as preference_rank
    from levers

),

final as (

    select
        cast({{ scenario }} as {{ dbt.type_string() }}) as scenario_id,
        fiscal_year,
        job_level,
        event_type,
        event_type_normalized,
        parameter_name,
        parameter_value,
        is_locked,
        scenario_id as source_scenario_id,
        scenario_id <> {{ scenario }} as is_default_fallback
    from ranked
    where preference_rank = 1

)

select * from final
