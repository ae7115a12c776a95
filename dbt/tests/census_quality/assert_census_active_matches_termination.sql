{{ config(severity=planwise_severity_var('validation_census_active_contradiction_severity')) }}

{#-
  `active` and `employee_termination_date` must agree. The baseline takes an
  employee when active is true and there is no termination date on or before
  the simulation effective date; a row where the two disagree is left out of
  the baseline and reported here, one failing row each, with the
  contradiction:
    inactive_without_termination_date  active = false, no termination date
    active_with_termination_date       active = true, terminated on or before
                                       the effective date
  Severity from var validation_census_active_contradiction_severity.
-#}

with census as (

    select * from {{ ref('stg_census_data') }}

),

final as (

    select
        employee_id,
        active,
        employee_termination_date,
        case
            when not active then 'inactive_without_termination_date'
            else 'active_with_termination_date'
        end as contradiction
    from census
    where
        (not active and employee_termination_date is null)
        or (
            active
            and employee_termination_date <= {{ date_var('simulation_effective_date') }}
        )

)

select * from final
