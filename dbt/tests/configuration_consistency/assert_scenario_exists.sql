{#-
  The chosen scenario (var scenario_id) must exist in scenario_meta: with an
  unknown id (a typo such as hgih_growth, or Default for default) every lever
  would silently fall back to the default scenario. One failing row naming
  the unknown id, the known ids and the closest one. Fix scenario_id in the
  configuration (or --vars), or add the scenario to scenario_meta.csv.
-#}

with scenarios as (

    select scenario_id from {{ ref('stg_scenario_meta') }}

),

chosen as (

    select {{ planwise_string_literal(var('scenario_id')) }} as scenario_id

),

known as (

    select
        {{ dbt.listagg('scenario_id', "', '", "order by scenario_id") }} as known_scenario_ids
    from scenarios

),

ranked as (

    select
        scenarios.scenario_id,
        row_number() over (
            order by
                {{ planwise_edit_distance('lower(scenarios.scenario_id)', 'lower(chosen.scenario_id)') }},
                scenarios.scenario_id
        ) as closeness_rank
    from scenarios
    cross join chosen

),

final as (

    select
        chosen.scenario_id as unknown_scenario_id,
        known.known_scenario_ids,
        ranked.scenario_id as closest_scenario_id
    from chosen
    cross join known
    left join ranked
        on ranked.closeness_rank = 1
    where not exists (
        select 1 from scenarios
        where scenarios.scenario_id = chosen.scenario_id
    )

)

select * from final
