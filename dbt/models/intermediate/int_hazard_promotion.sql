{#-
  Yearly promotion probability per simulation year x job level x tenure band x
  age band: base rate x tenure multiplier x age multiplier x level dampener,
  where the dampener is 1 - level_dampener_factor per level above 1, floored
  at 0. The top level cannot be promoted, so its rate is 0.
  The cells are the bands of the band seeds; a band without a multiplier
  gets a NULL rate, which the grid's column-rules test reports.
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

tenure_bands as (

    select band_label as tenure_band from {{ ref('stg_config_tenure_bands') }}

),

age_bands as (

    select band_label as age_band from {{ ref('stg_config_age_bands') }}

),

tenure_multipliers as (

    select * from {{ ref('stg_config_promotion_hazard_tenure_multipliers') }}

),

age_multipliers as (

    select * from {{ ref('stg_config_promotion_hazard_age_multipliers') }}

),

final as (

    select
        simulation_years.simulation_year as year,
        job_levels.level_id,
        tenure_bands.tenure_band,
        age_bands.age_band,
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
    cross join tenure_bands
    cross join age_bands
    left join tenure_multipliers
        on tenure_bands.tenure_band = tenure_multipliers.tenure_band
    left join age_multipliers
        on age_bands.age_band = age_multipliers.age_band

)

select * from final
