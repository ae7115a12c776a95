with source as (

    select * from {{ ref('config_cola_by_year') }}

),

final as (

    select
        year as cola_year,
        cola_rate
    from source

)

select * from final
