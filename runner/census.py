"""Deterministic synthetic census generator.

Everything is generated inside DuckDB by one set-based query
(runner/sql/census_generator.sql): each employee's random draws are hashes of
(employee number, seed, draw number), so the same seed gives the same file
whatever the thread count, and 10 million rows take seconds.
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


def census_sql(spec: CensusSpec) -> str:
    """The SELECT that produces the census rows for `spec` (runner/sql/census_generator.sql,
    rendered with its numbers and dates only)."""
    import jinja2

    if spec.employees < 0:
        raise ValueError("employees must be zero or more")
    template = (Path(__file__).with_name("sql") / "census_generator.sql").read_text(
        encoding="utf-8"
    )
    return jinja2.Template(template, keep_trailing_newline=True).render(
        employees=int(spec.employees),
        seed=int(spec.seed),
        resolution=_UNIFORM_RESOLUTION,
        termination_rate=float(spec.termination_rate),
        deferral_participation=float(spec.deferral_participation),
        plan_year_end=spec.plan_year_end.isoformat(),
        plan_year_start=date(spec.plan_year_end.year, 1, 1).isoformat(),
        duplicates=round(spec.employees * spec.duplicate_rate),
    )


def generate_census(spec: CensusSpec, output: Path) -> int:
    """Write the census for `spec` to `output` (Parquet, or CSV for *.csv); return rows written."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as connection:
        rows = connection.sql(census_sql(spec))
        if output.suffix.lower() == ".csv":
            rows.write_csv(str(output), header=True)
            written = connection.read_csv(str(output))
        else:
            rows.write_parquet(str(output))
            written = connection.read_parquet(str(output))
        return int(written.shape[0])
