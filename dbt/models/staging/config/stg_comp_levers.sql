{#-
  Event types keep the seed's spelling (real files mix `RAISE` with `hire`,
  and PlanWise's simulation looks levers up by that spelling);
  event_type_normalized is the trimmed, upper-cased form that keys, checks
  and the scenario fallback use, so `HIRE` and `hire` are one event type.
-#}

with source as (

    select * from {{ ref('comp_levers') }}

),

final as (

    select
        trim(scenario_id) as scenario_id,
        fiscal_year,
        job_level,
        trim(event_type) as event_type,
        upper(trim(event_type)) as event_type_normalized,
        lower(trim(parameter_name)) as parameter_name,
        parameter_value,
        coalesce(is_locked, 0) = 1 as is_locked,
        created_at,
        created_by
    from source

)

select * from final
