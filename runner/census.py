"""Deterministic synthetic census generator.

Everything is generated inside DuckDB with set-based SQL: each employee's random
draws are hashes of (employee number, seed, draw number), so the same seed gives
the same file whatever the thread count, and 10 million rows take seconds.
Distributions follow real PlanWise censuses: ages 22-65, tenure exponential with mean 5 years
(capped at 30 and at age 18), gross pay log-normal within 50k-350k, about 13%
terminated during the plan year, about 80% deferring 3-15%.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

_UNIFORM_RESOLUTION = 1_000_000


@dataclass(frozen=True)
class CensusSpec:
    """What to generate."""

    employees: int
    seed: int = 42
    plan_year_end: date = date(2024, 12, 31)
    termination_rate: float = 0.13
    deferral_participation: float = 0.80
    duplicate_rate: float = 0.0


def _uniform(draw: int, seed: int) -> str:
    """SQL for a uniform draw in (0, 1) for employee `i`, stable per (i, seed, draw)."""
    return f"((hash(i, {seed}, {draw}) % {_UNIFORM_RESOLUTION}) + 0.5) / {_UNIFORM_RESOLUTION}.0"


def census_sql(spec: CensusSpec) -> str:
    """The SELECT that produces the census rows for `spec`."""
    if spec.employees < 0:
        raise ValueError("employees must be zero or more")
    s = spec.seed
    end = spec.plan_year_end.isoformat()
    start = date(spec.plan_year_end.year, 1, 1).isoformat()
    duplicates = round(spec.employees * spec.duplicate_rate)
    return f"""
with draws as (
    select
        i,
        {_uniform(1, s)} as u_age,
        {_uniform(2, s)} as u_tenure,
        {_uniform(3, s)} as u_pay_1,
        {_uniform(4, s)} as u_pay_2,
        {_uniform(5, s)} as u_terminated,
        {_uniform(6, s)} as u_termination_day,
        {_uniform(7, s)} as u_defers,
        {_uniform(8, s)} as u_deferral_rate,
        {_uniform(9, s)} as u_birth_day
    from range({spec.employees}) as employees(i)
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
        u_terminated < {spec.termination_rate} as is_terminated,
        u_termination_day,
        u_defers < {spec.deferral_participation} as is_deferring,
        round(0.03 + u_deferral_rate * 0.12, 3) as deferral_rate,
        floor(u_birth_day * 365)::integer as birth_day_offset
    from draws
),
dated as (
    select
        *,
        date '{end}' - to_years(age_years)::interval - to_days(birth_day_offset) as birth_date,
        least(tenure_years_raw, age_years - 18) as tenure_years
    from shaped
),
hired as (
    select
        *,
        (date '{end}' - to_days(floor(tenure_years * 365.25)::integer))::date as hire_date
    from dated
),
employees as (
    select
        printf('EMP_2024_%06d', i + 1) as employee_id,
        'SSN-' || (100000001 + i)::varchar as employee_ssn,
        birth_date::date as employee_birth_date,
        hire_date as employee_hire_date,
        case when is_terminated then
            (greatest(hire_date, date '{start}')
             + to_days(floor(u_termination_day
                 * (date '{end}' - greatest(hire_date, date '{start}')))::integer))::date
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
    limit {duplicates}
)
select * from with_contributions
union all
select * from duplicates
"""


def generate_census(spec: CensusSpec, output: Path) -> int:
    """Write the census for `spec` to `output` (Parquet, or CSV for *.csv); return rows written."""
    output.parent.mkdir(parents=True, exist_ok=True)
    target = str(output).replace("'", "''")
    file_format = "csv, header true" if output.suffix.lower() == ".csv" else "parquet"
    with duckdb.connect() as connection:
        connection.execute("set enable_progress_bar = false")
        connection.execute(f"copy ({census_sql(spec)}) to '{target}' (format {file_format})")
        row = connection.execute(
            f"select count(*) from {'read_csv' if file_format != 'parquet' else 'read_parquet'}"
            f"('{target}')"
        ).fetchone()
    return int(row[0]) if row else 0
