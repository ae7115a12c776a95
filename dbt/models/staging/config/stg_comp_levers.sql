with source as (

    select * from {{ ref('comp_levers') }}

),

final as (

    select
        trim(scenario_id) as scenario_id,
        fiscal_year,
        job_level,
        upper(trim(event_type)) as event_type,
        lower(trim(parameter_name)) as parameter_name,
        parameter_value,
        coalesce(is_locked, 0) = 1 as is_locked,
        created_at,
        created_by
    from source

)

select * from final
