{#-
  One row per employee_id. Census columns the contract does not know are
  carried through unchanged after the contract's columns (an open contract:
  the declared columns are checked by the test
  stg_census_data_declared_columns_typed, extra ones are listed in the report).
-#}
{%- set extra_columns = census_extra_columns(source('census', 'census_raw')) %}

with census as (

    select * from {{ ref('stg_census_typed') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by employee_id
            order by {{ census_duplicate_order() }}
        ) as duplicate_rank
    from census

),

deduplicated as (

    select
        *,
        {{ date_var('plan_year_start_date') }} as plan_year_start_date,
        {{ date_var('plan_year_end_date') }} as plan_year_end_date,
        cast({{ var('eligibility_waiting_period_days') }} as integer) as waiting_period_days
    from ranked
    where duplicate_rank = 1

),

derived as (

    select
        *,
        cast({{ dbt.dateadd('day', 'waiting_period_days', 'employee_hire_date') }} as date)
            as employee_eligibility_date,
        greatest(employee_hire_date, plan_year_start_date) as plan_year_service_start_date,
        least(coalesce(employee_termination_date, plan_year_end_date), plan_year_end_date)
            as plan_year_service_end_date
    from deduplicated

),

service_days as (

    select
        *,
        {{ dbt.datediff('plan_year_service_start_date', 'plan_year_service_end_date', 'day') }}
        + 1 as plan_year_days_employed,
        {{ dbt.datediff('plan_year_start_date', 'plan_year_end_date', 'day') }}
        + 1 as plan_year_days
    from derived

),

final as (

    select
        employee_id,
        employee_ssn,
        employee_birth_date,
        employee_hire_date,
        employee_termination_date,
        employee_gross_compensation,
        active,
        employee_capped_compensation,
        employee_deferral_rate,
        employee_contribution,
        pre_tax_contribution,
        roth_contribution,
        after_tax_contribution,
        employer_core_contribution,
        employer_match_contribution,
        eligibility_entry_date,
        scheduled_hours_per_week,
        auto_escalation_opt_out,
        eligibility_override,
        cast({{ planwise_round(
            'employee_gross_compensation * greatest(plan_year_days_employed, 0) / plan_year_days', 2
        ) }} as {{ planwise_type('double') }}) as employee_plan_year_compensation,
        employee_gross_compensation as employee_annualized_compensation,
        employee_eligibility_date,
        waiting_period_days,
        case
            when employee_eligibility_date <= plan_year_end_date then 'eligible'
            else 'pending'
        end as current_eligibility_status,
        -- PlanWise's rule: a census employee deferring (rate > 0) counts as
        -- enrolled at the plan-year end; the census entry date is not used.
        case
            when employee_deferral_rate > 0 then plan_year_end_date
        end as employee_enrollment_date{% for column in extra_columns %},
        {{ planwise_quote_column(column) }}{% endfor %}
    from service_days

)

select * from final
