{#-
  Active employees at the simulation effective date, with the attributes the
  simulation starts from: `active` is true and there is no termination date on
  or before the effective date (a later one is a scheduled termination). Rows
  where the two disagree are left out and reported by
  assert_census_active_matches_termination.

  Level rule: pay inside one or more bands [min, max) takes the lowest level
  whose band contains it (where bands overlap, the lower level, as PlanWise
  assigns). Pay outside every band keeps a level by this project's rule (where
  PlanWise gives level 1): pay in a gap between bands takes the level below
  the gap (the highest level whose band minimum is at or below the pay), pay at
  or above the top band's maximum takes the top level, and pay below the
  lowest band takes the lowest level.
  `compensation_band_status` says which case applied so validation can count
  employees whose pay falls outside every band.

  Age and tenure bands come from the band seeds (config_age_bands,
  config_tenure_bands): the band [min_value, max_value) holding the completed
  years. This table is read by PlanWise's simulation: its column names and
  types are a public contract (see the model's YAML). Every column is a
  function of the inputs (snapshot_created_at is the effective date, not the
  clock), so identical inputs build identical tables.
-#}

with census as (

    select * from {{ ref('stg_census_data') }}

),

job_levels as (

    select * from {{ ref('stg_config_job_levels') }}

),

age_bands as (

    select * from {{ ref('stg_config_age_bands') }}

),

tenure_bands as (

    select * from {{ ref('stg_config_tenure_bands') }}

),

active_employees as (

    select
        *,
        {{ date_var('simulation_effective_date') }} as effective_date
    from census
    where
        active
        and (
            employee_termination_date is null
            or employee_termination_date > {{ date_var('simulation_effective_date') }}
        )
        and employee_hire_date <= {{ date_var('simulation_effective_date') }}

),

pay_breakpoints as (

    select min_compensation as pay_from from job_levels
    union
    select max_compensation as pay_from from job_levels
    where max_compensation is not null

),

pay_ranges as (

    select
        pay_from,
        lead(pay_from) over (order by pay_from) as pay_to
    from pay_breakpoints

),

range_levels as (

    -- Between two consecutive band edges every pay has the same levels at or
    -- below it and the same bands containing it: one row per such range.
    select
        pay_ranges.pay_from,
        pay_ranges.pay_to,
        max(
            case when job_levels.min_compensation <= pay_ranges.pay_from then job_levels.level_id end
        ) as floor_level_id,
        min(
            case
                when
                    job_levels.min_compensation <= pay_ranges.pay_from
                    and job_levels.max_compensation > pay_ranges.pay_from
                    then job_levels.level_id
            end
        ) as containing_level_id,
        sum(
            case
                when
                    job_levels.min_compensation <= pay_ranges.pay_from
                    and job_levels.max_compensation > pay_ranges.pay_from
                    then 1
                else 0
            end
        ) as containing_band_count
    from pay_ranges
    cross join job_levels
    group by pay_ranges.pay_from, pay_ranges.pay_to

),

band_limits as (

    select
        min(level_id) as lowest_level_id,
        min(min_compensation) as lowest_band_minimum,
        max(max_compensation) as highest_band_maximum
    from job_levels

),

aged as (

    select
        active_employees.*,
        {{ whole_years_between('employee_birth_date', 'effective_date') }} as current_age,
        {{ whole_years_between('employee_hire_date', 'effective_date') }} as current_tenure
    from active_employees

),

ages as (

    select distinct current_age from aged

),

age_lookup as (

    select
        ages.current_age,
        age_bands.band_label
    from ages
    inner join age_bands
        on
            ages.current_age >= age_bands.min_value
            and ages.current_age < age_bands.max_value

),

tenures as (

    select distinct current_tenure from aged

),

tenure_lookup as (

    select
        tenures.current_tenure,
        tenure_bands.band_label
    from tenures
    inner join tenure_bands
        on
            tenures.current_tenure >= tenure_bands.min_value
            and tenures.current_tenure < tenure_bands.max_value

),

final as (

    select
        aged.employee_id,
        aged.employee_ssn,
        aged.employee_birth_date,
        aged.employee_hire_date,
        cast(aged.employee_gross_compensation as {{ planwise_type('double') }}) as current_compensation,
        cast(aged.current_age as bigint) as current_age,
        cast(aged.current_tenure as bigint) as current_tenure,
        age_lookup.band_label as age_band,
        tenure_lookup.band_label as tenure_band,
        cast(
            coalesce(
                range_levels.containing_level_id,
                range_levels.floor_level_id,
                band_limits.lowest_level_id
            ) as integer
        ) as level_id,
        case
            when range_levels.containing_band_count > 0 then 'in_band'
            when aged.employee_gross_compensation < band_limits.lowest_band_minimum
                then 'below_lowest_band'
            when aged.employee_gross_compensation >= band_limits.highest_band_maximum
                then 'above_highest_band'
            else 'between_bands'
        end as compensation_band_status,
        aged.employee_deferral_rate,
        aged.employee_eligibility_date,
        aged.waiting_period_days,
        aged.current_eligibility_status,
        aged.employee_enrollment_date,
        coalesce(aged.employee_deferral_rate, 0) > 0 as is_enrolled,
        -- the newest PlanWise release's names: the same flag, and the census opt-out
        coalesce(aged.employee_deferral_rate, 0) > 0 as is_enrolled_at_census,
        coalesce(aged.auto_escalation_opt_out, false) as auto_escalation_opt_out,
        'active' as employment_status,
        cast(null as date) as termination_date,
        cast(null as {{ dbt.type_string() }}) as termination_reason,
        cast({{ var('simulation_year') }} as integer) as simulation_year,
        aged.effective_date as simulation_effective_date,
        cast(aged.effective_date as {{ planwise_type('timestamptz') }}) as snapshot_created_at,
        true as is_from_census,
        true as is_cold_start,
        cast({{ var('simulation_year') }} - 1 as integer) as last_completed_year
    from aged
    cross join band_limits
    left join age_lookup
        on aged.current_age = age_lookup.current_age
    left join tenure_lookup
        on aged.current_tenure = tenure_lookup.current_tenure
    left join range_levels
        on
            aged.employee_gross_compensation >= range_levels.pay_from
            and (
                aged.employee_gross_compensation < range_levels.pay_to
                or range_levels.pay_to is null
            )

)

select * from final
