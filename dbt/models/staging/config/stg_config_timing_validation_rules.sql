with source as (

    select * from {{ ref('config_timing_validation_rules') }}

),

final as (

    select
        trim(rule_name) as rule_name,
        trim(rule_type) as rule_type,
        target_value,
        tolerance,
        lower(trim(enforcement_level)) as enforcement_level
    from source

)

select * from final
