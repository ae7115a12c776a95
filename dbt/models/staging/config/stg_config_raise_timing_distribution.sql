with source as (

    select * from {{ ref('config_raise_timing_distribution') }}

),

final as (

    select
        trim(industry_profile) as industry_profile,
        month as month_number,
        percentage as raise_percentage,
        business_justification
    from source

)

select * from final
