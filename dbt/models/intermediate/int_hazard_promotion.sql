{#-
  Yearly promotion probability per simulation year x job level x tenure band x
  age band: base rate x tenure multiplier x age multiplier x level dampener,
  where the dampener is 1 - level_dampener_factor per level above 1, floored
  at 0. The top level cannot be promoted, so its rate is 0.
-#}

with simulation_years as (

    {{ planwise_simulation_years() }}

),

job_levels as (

    select * from {{ ref('stg_config_job_levels') }}

),

top_level as (

    select max(level_id) as top_level_id from job_levels

),

hazard_base as (

    select * from {{ ref('stg_config_promotion_hazard_base') }}

),

tenure_multipliers as (

    select * from {{ ref('stg_config_promotion_hazard_tenure_multipliers') }}

),

age_multipliers as (

    select * from {{ ref('stg_config_promotion_hazard_age_multipliers') }}

),

final as (

    select
        simulation_years.simulation_year,
        job_levels.level_id,
        tenure_multipliers.tenure_band,
        age_multipliers.age_band,
        case
            when job_levels.level_id = top_level.top_level_id then 0
            else
                hazard_base.base_rate * tenure_multipliers.multiplier
                * age_multipliers.multiplier
                * greatest(0, 1 - hazard_base.level_dampener_factor * (job_levels.level_id - 1))
        end as promotion_rate
    from simulation_years
    cross join job_levels
    cross join top_level
    cross join hazard_base
    cross join tenure_multipliers
    cross join age_multipliers

)

select * from final
