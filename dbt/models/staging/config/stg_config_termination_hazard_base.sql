with source as (

    select * from {{ ref('config_termination_hazard_base') }}

),

final as (

    select
        base_rate_for_new_hire,
        level_discount_factor,
        min_level_discount_multiplier
    from source

)

select * from final
