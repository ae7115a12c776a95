{#-
  Yearly merit raise rate per simulation year x job level x tenure band x age
  band. As in PlanWise, the rate is the scenario's merit lever: the RAISE /
  merit_base parameter of int_effective_parameters for the year and level (the
  chosen scenario's lever, else the default scenario's), the same in every
  tenure and age band; no bump is added to it. Only a year and level without
  any such lever falls back to config_raises_hazard: merit_base, plus
  merit_tenure_bump_value when the tenure band is listed in
  merit_tenure_bump_bands (a Python-list literal such as ['< 2', '2-4']), plus
  merit_low_level_bump_value for levels at or below merit_low_level_cutoff.
  The year's COLA rate and the promotion raise ride along for the simulation.
  Bands come from the band seeds. Keyed by `year`, `level_id`, `tenure_band`,
  `age_band`: names PlanWise's simulation joins on.
-#}

with simulation_years as (

    {{ planwise_simulation_years() }}

),

job_levels as (

    select * from {{ ref('stg_config_job_levels') }}

),

raises as (

    select * from {{ ref('stg_config_raises_hazard') }}

),

merit_levers as (

    select
        fiscal_year,
        job_level,
        parameter_value as lever_merit_base
    from {{ ref('int_effective_parameters') }}
    where
        event_type_normalized = 'RAISE'
        and parameter_name = 'merit_base'

),

cola as (

    select * from {{ ref('stg_config_cola_by_year') }}

),

tenure_bands as (

    select
        band_label as tenure_band,
        '''' || band_label || '''' as quoted_tenure_band
    from {{ ref('stg_config_tenure_bands') }}

),

age_bands as (

    select band_label as age_band from {{ ref('stg_config_age_bands') }}

),

final as (

    select
        simulation_years.simulation_year as year,
        job_levels.level_id,
        tenure_bands.tenure_band,
        age_bands.age_band,
        coalesce(
            merit_levers.lever_merit_base,
            raises.merit_base
            + case
                when
                    {{ dbt.position('tenure_bands.quoted_tenure_band', 'raises.merit_tenure_bump_bands') }}
                    > 0
                    then raises.merit_tenure_bump_value
                else 0
            end
            + case
                when job_levels.level_id <= raises.merit_low_level_cutoff
                    then raises.merit_low_level_bump_value
                else 0
            end
        ) as merit_raise,
        cola.cola_rate,
        raises.promotion_raise as promotion_raise_rate
    from simulation_years
    cross join job_levels
    cross join raises
    cross join tenure_bands
    cross join age_bands
    left join merit_levers
        on
            simulation_years.simulation_year = merit_levers.fiscal_year
            and job_levels.level_id = merit_levers.job_level
    left join cola
        on simulation_years.simulation_year = cola.cola_year

)

select * from final
