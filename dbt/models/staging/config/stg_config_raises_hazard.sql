with source as (

    select * from {{ ref('config_raises_hazard') }}

),

final as (

    select
        merit_base,
        merit_tenure_bump_bands,
        merit_tenure_bump_value,
        merit_low_level_cutoff,
        merit_low_level_bump_value,
        promotion_raise
    from source

)

select * from final
