with source as (

    select * from {{ ref('config_cola_by_year') }}

),

final as (

    select
        year as cola_year,
        cola_rate,
        -- the seed's own name, as the newest PlanWise release reads it
        year
    from source

)

select * from final
