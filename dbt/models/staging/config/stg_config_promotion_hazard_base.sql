with source as (

    select * from {{ ref('config_promotion_hazard_base') }}

),

final as (

    select
        base_rate,
        level_dampener_factor
    from source

)

select * from final
