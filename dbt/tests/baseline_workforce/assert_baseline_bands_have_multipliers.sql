{#-
  Every age band and tenure band present in the baseline workforce has a
  multiplier in each of the four hazard multiplier seeds. One failing row per
  (seed, band kind, band label) missing, with the number of employees in that
  band. Defence in depth behind the seeds' band-vocabulary tests: it checks
  the join the simulation will actually make.
-#}

with baseline as (

    select * from {{ ref('int_baseline_workforce') }}

),

baseline_bands as (

    select
        'age' as band_kind,
        age_band as band_label,
        count(*) as employee_count
    from baseline
    group by age_band

    union all

    select
        'tenure' as band_kind,
        tenure_band as band_label,
        count(*) as employee_count
    from baseline
    group by tenure_band

),

multiplier_bands as (

    select
        'config_termination_hazard_age_multipliers' as multiplier_seed,
        age_band as band_label
    from {{ ref('stg_config_termination_hazard_age_multipliers') }}

    union all

    select
        'config_promotion_hazard_age_multipliers' as multiplier_seed,
        age_band as band_label
    from {{ ref('stg_config_promotion_hazard_age_multipliers') }}

    union all

    select
        'config_termination_hazard_tenure_multipliers' as multiplier_seed,
        tenure_band as band_label
    from {{ ref('stg_config_termination_hazard_tenure_multipliers') }}

    union all

    select
        'config_promotion_hazard_tenure_multipliers' as multiplier_seed,
        tenure_band as band_label
    from {{ ref('stg_config_promotion_hazard_tenure_multipliers') }}

),

multiplier_seeds as (

    select
        'config_termination_hazard_age_multipliers' as multiplier_seed,
        'age' as band_kind

    union all

    select
        'config_promotion_hazard_age_multipliers' as multiplier_seed,
        'age' as band_kind

    union all

    select
        'config_termination_hazard_tenure_multipliers' as multiplier_seed,
        'tenure' as band_kind

    union all

    select
        'config_promotion_hazard_tenure_multipliers' as multiplier_seed,
        'tenure' as band_kind

),

final as (

    select
        multiplier_seeds.multiplier_seed,
        baseline_bands.band_kind,
        baseline_bands.band_label,
        baseline_bands.employee_count
    from baseline_bands
    inner join multiplier_seeds
        on baseline_bands.band_kind = multiplier_seeds.band_kind
    left join multiplier_bands
        on
            multiplier_seeds.multiplier_seed = multiplier_bands.multiplier_seed
            and baseline_bands.band_label = multiplier_bands.band_label
    where multiplier_bands.band_label is null

)

select * from final
