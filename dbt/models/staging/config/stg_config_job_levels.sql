with source as (

    select * from {{ ref('config_job_levels') }}

),

final as (

    select
        level_id,
        name as level_name,
        description,
        job_families,
        min_compensation,
        max_compensation,
        comp_base_salary,
        comp_age_factor,
        comp_stochastic_std_dev,
        avg_annual_merit_increase,
        promotion_probability,
        target_bonus_percent,
        created_at,
        updated_at
    from source

)

select * from final
