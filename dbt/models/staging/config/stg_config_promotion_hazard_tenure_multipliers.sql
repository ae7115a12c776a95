with source as (

    select * from {{ ref('config_promotion_hazard_tenure_multipliers') }}

),

final as (

    select
        trim(tenure_band) as tenure_band,
        multiplier
    from source

)

select * from final
