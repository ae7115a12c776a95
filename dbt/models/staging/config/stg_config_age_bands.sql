with source as (

    select * from {{ ref('config_age_bands') }}

),

final as (

    select
        band_id,
        trim(band_label) as band_label,
        min_value,
        max_value,
        display_order
    from source

)

select * from final
