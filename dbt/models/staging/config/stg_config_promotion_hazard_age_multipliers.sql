with source as (

    select * from {{ ref('config_promotion_hazard_age_multipliers') }}

),

final as (

    select
        trim(age_band) as age_band,
        multiplier
    from source

)

select * from final
