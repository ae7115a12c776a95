{#-
  The synthetic census of `planwise-run census`, one DuckDB query: each
  employee's random draws are hashes of (employee number, seed, draw number),
  so the same seed gives the same rows whatever the thread count. Rendered by
  runner/census.py with numbers only (employees, seed, rates, duplicates) and
  ISO dates.
-#}
{%- macro uniform(draw) -%}
((hash(i, {{ seed }}, {{ draw }}) % {{ resolution }}) + 0.5) / {{ resolution }}.0
{%- endmacro %}
with draws as (
    select
        i,
        {{ uniform(1) }} as u_age,
        {{ uniform(2) }} as u_tenure,
        {{ uniform(3) }} as u_pay_1,
        {{ uniform(4) }} as u_pay_2,
        {{ uniform(5) }} as u_terminated,
        {{ uniform(6) }} as u_termination_day,
        {{ uniform(7) }} as u_defers,
        {{ uniform(8) }} as u_deferral_rate,
        {{ uniform(9) }} as u_birth_day
    from range({{ employees }}) as employees(i)
),
shaped as (
    select
        i,
        22 + floor(u_age * 44)::integer as age_years,
        least(-5.0 * ln(1 - u_tenure), 30.0) as tenure_years_raw,
        -- log-normal pay around a 95k median, kept inside 50k-350k
        least(greatest(
            exp(ln(95000) + 0.45 * sqrt(-2 * ln(u_pay_1)) * cos(2 * pi() * u_pay_2)),
            50000), 350000) as gross_pay,
        u_terminated < {{ termination_rate }} as is_terminated,
        u_termination_day,
        u_defers < {{ deferral_participation }} as is_deferring,
        round(0.03 + u_deferral_rate * 0.12, 3) as deferral_rate,
        floor(u_birth_day * 365)::integer as birth_day_offset
    from draws
),
dated as (
    select
        *,
        date '{{ plan_year_end }}' - to_years(age_years)::interval - to_days(birth_day_offset) as birth_date,
        least(tenure_years_raw, age_years - 18) as tenure_years
    from shaped
),
hired as (
    select
        *,
        (date '{{ plan_year_end }}' - to_days(floor(tenure_years * 365.25)::integer))::date as hire_date
    from dated
),
employees as (
    select
        printf('EMP_2024_%06d', i + 1) as employee_id,
        'SSN-' || (100000001 + i)::varchar as employee_ssn,
        birth_date::date as employee_birth_date,
        hire_date as employee_hire_date,
        case when is_terminated then
            (greatest(hire_date, date '{{ plan_year_start }}')
             + to_days(floor(u_termination_day
                 * (date '{{ plan_year_end }}' - greatest(hire_date, date '{{ plan_year_start }}')))::integer))::date
        end as employee_termination_date,
        round(gross_pay, 2) as employee_gross_compensation,
        round(least(gross_pay, 345000), 2) as employee_capped_compensation,
        case when is_deferring then deferral_rate else 0.0 end as employee_deferral_rate,
        not is_terminated as active
    from hired
),
with_contributions as (
    select
        *,
        round(employee_capped_compensation * employee_deferral_rate, 2) as employee_contribution,
        round(employee_capped_compensation * employee_deferral_rate, 2) as pre_tax_contribution,
        0.0::double as roth_contribution,
        0.0::double as after_tax_contribution,
        round(employee_capped_compensation * 0.02, 2) as employer_core_contribution,
        round(employee_capped_compensation * least(employee_deferral_rate, 0.06) * 0.5, 2)
            as employer_match_contribution,
        (employee_hire_date + interval 1 year)::date as eligibility_entry_date
    from employees
),
duplicates as (
    -- re-issued records: same id, earlier hire date and lower pay (dropped by staging)
    select * replace (
        (employee_hire_date - interval 400 day)::date as employee_hire_date,
        round(employee_gross_compensation * 0.9, 2) as employee_gross_compensation
    )
    from with_contributions
    limit {{ duplicates }}
)
select * from with_contributions
union all
select * from duplicates
