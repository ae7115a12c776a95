with source as (

    select * from {{ ref('comp_targets') }}

),

final as (

    select
        trim(scenario_id) as scenario_id,
        fiscal_year,
        trim(metric_name) as metric_name,
        target_value,
        tolerance_pct,
        lower(trim(priority)) as priority,
        description
    from source

)

select * from final
