with source as (

    select * from {{ ref('scenario_meta') }}

),

final as (

    select
        trim(scenario_id) as scenario_id,
        scenario_name,
        description,
        created_by,
        lower(trim(status)) as status,
        nullif(trim(base_scenario_id), '') as base_scenario_id,
        created_at,
        updated_at
    from source

)

select * from final
