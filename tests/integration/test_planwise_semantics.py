"""The baseline and the merit grid follow PlanWise's own semantics.

One real `dbt build --selector setup` on a hand-made census of a dozen
employees (plan year 2024, effective date 2024-12-31), with three seed
changes: level 2's band starts at 65,000 so it overlaps level 1's
[40,000, 70,000); a scenario `merit_test` with RAISE / merit_base levers of
its own; and the default scenario's merit lever for 2029 level 5 removed (so
that cell falls back to config_raises_hazard; the var
validation_required_parameters then no longer requires RAISE levers).

Every expected value is computed here, from the census rows and the seed
files, with plain Python: eligibility is the hire date plus 30 days, eligible
when that is on or before the plan-year end; enrollment is the plan-year end
for an employee deferring a positive rate, else NULL; pay inside one or more
bands takes the lowest containing level; the merit rate of a year and level is
the chosen scenario's lever, else the default scenario's, else
config_raises_hazard's merit_base plus its bumps.
"""

from __future__ import annotations

import ast
import csv
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import DbtProject, copy_project

pytestmark = pytest.mark.slow

PLAN_YEAR_END = date(2024, 12, 31)
WAITING_DAYS = 30  # PlanWise's default
SCENARIO = "merit_test"
YEARS = range(2025, 2030)  # simulation_start_year .. simulation_end_year

# employee_id, birth, hire, termination, pay, active, deferral rate, census entry date
CENSUS: list[tuple[Any, ...]] = [
    ("E01", date(1980, 5, 5), date(2015, 3, 1), None, 67000.0, True, 0.06, date(2015, 4, 1)),
    ("E02", date(1990, 1, 15), date(2024, 2, 10), None, 72000.0, True, 0.03, None),
    ("E03", date(1995, 7, 7), date(2024, 11, 15), None, 50000.0, True, 0.0, None),
    ("E04", date(1985, 2, 28), date(2024, 12, 1), None, 120000.0, True, None, None),
    ("E05", date(1975, 12, 31), date(2024, 12, 15), None, 160000.0, True, 0.10, date(2025, 1, 1)),
    ("E06", date(1970, 6, 30), date(2000, 1, 1), None, 250000.0, True, 0.02, None),
    ("E07", date(1988, 3, 3), date(2024, 6, 1), None, 30000.0, True, 0.05, date(2024, 7, 1)),
    ("E08", date(1965, 9, 9), date(2010, 10, 10), None, 1200000.0, True, 0.15, None),
    ("E09", date(1992, 4, 4), date(2019, 8, 8), date(2024, 5, 31), 80000.0, False, 0.04, None),
    ("E10", date(1999, 12, 12), date(2023, 12, 20), None, 98000.0, True, 0.08, None),
    ("E11", date(1983, 11, 11), date(2021, 1, 31), None, 150000.0, True, 0.0001, None),
    ("E12", date(1978, 8, 8), date(2024, 12, 31), None, 69999.99, True, None, None),
]
IN_BASELINE = {row[0] for row in CENSUS if row[5] and row[3] is None}

# merit_test's own levers: (fiscal_year, job_level, event_type spelling, merit_base)
SCENARIO_LEVERS = [(2026, 3, "RAISE", "0.0425"), (2027, 1, "raise", "0.05")]
DROPPED_DEFAULT_LEVER = ("2029", "5")


def write_census(path: Path) -> Path:
    columns = list(zip(*CENSUS, strict=True))
    table = pa.table(
        {
            "employee_id": pa.array(columns[0], pa.string()),
            "employee_ssn": pa.array([f"SSN-{i:03d}" for i in range(len(CENSUS))], pa.string()),
            "employee_birth_date": pa.array(columns[1], pa.date32()),
            "employee_hire_date": pa.array(columns[2], pa.date32()),
            "employee_termination_date": pa.array(columns[3], pa.date32()),
            "employee_gross_compensation": pa.array(columns[4], pa.float64()),
            "active": pa.array(columns[5], pa.bool_()),
            "employee_deferral_rate": pa.array(columns[6], pa.float64()),
            "eligibility_entry_date": pa.array(columns[7], pa.date32()),
        }
    )
    pq.write_table(table, path)
    return path


def read_csv(project: DbtProject, name: str) -> list[dict[str, str]]:
    with project.seed(name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(project: DbtProject, name: str, rows: list[dict[str, str]]) -> None:
    with project.seed(name).open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def edit_seeds(project: DbtProject) -> None:
    levels = read_csv(project, "config_job_levels")
    next(r for r in levels if r["level_id"] == "2")["min_compensation"] = "65000"
    write_csv(project, "config_job_levels", levels)

    scenarios = read_csv(project, "scenario_meta")
    scenarios.append({**scenarios[0], "scenario_id": SCENARIO, "base_scenario_id": "default"})
    write_csv(project, "scenario_meta", scenarios)

    levers = read_csv(project, "comp_levers")
    template = next(r for r in levers if r["parameter_name"] == "merit_base")
    kept = [
        r
        for r in levers
        if not (
            r["scenario_id"] == "default"
            and (r["fiscal_year"], r["job_level"]) == DROPPED_DEFAULT_LEVER
            and r["parameter_name"] == "merit_base"
        )
    ]
    assert len(kept) == len(levers) - 1
    for year, level, event_type, value in SCENARIO_LEVERS:
        kept.append(
            {
                **template,
                "scenario_id": SCENARIO,
                "fiscal_year": str(year),
                "job_level": str(level),
                "event_type": event_type,
                "parameter_value": value,
            }
        )
    write_csv(project, "comp_levers", kept)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbtProject]:
    root = tmp_path_factory.mktemp("semantics")
    project = copy_project(root / "project")
    edit_seeds(project)
    census = write_census(root / "census.parquet")
    required = {"PROMOTION": ["promotion_probability", "promotion_raise"]}
    required["HIRE"] = ["new_hire_salary_adjustment"]
    run_vars = {
        "census_path": str(census),
        "scenario_id": SCENARIO,
        "validation_required_parameters": required,
    }
    outcome = project.dbt("build", "--selector", "setup", vars=run_vars)
    assert outcome.success, outcome.error_text
    yield project


def by_id(project: DbtProject, table: str, columns: str) -> dict[str, tuple[Any, ...]]:
    rows = project.query(f"select employee_id, {columns} from {table}")
    return {row[0]: tuple(row[1:]) for row in rows}


def test_eligibility_is_hire_plus_30_days_at_the_plan_year_end(built: DbtProject) -> None:
    expected = {}
    for employee_id, _, hire, *_ in CENSUS:
        eligibility = hire + timedelta(days=WAITING_DAYS)
        status = "eligible" if eligibility <= PLAN_YEAR_END else "pending"
        expected[employee_id] = (eligibility, WAITING_DAYS, status)
    columns = "employee_eligibility_date, waiting_period_days, current_eligibility_status"
    assert by_id(built, "stg_census_data", columns) == expected
    baseline = by_id(built, "int_baseline_workforce", columns)
    assert baseline == {k: v for k, v in expected.items() if k in IN_BASELINE}


def test_enrollment_is_the_plan_year_end_for_deferring_employees(built: DbtProject) -> None:
    expected = {
        row[0]: (PLAN_YEAR_END if row[6] is not None and row[6] > 0 else None,) for row in CENSUS
    }
    assert by_id(built, "stg_census_data", "employee_enrollment_date") == expected
    baseline = by_id(built, "int_baseline_workforce", "employee_enrollment_date")
    assert baseline == {k: v for k, v in expected.items() if k in IN_BASELINE}


def expected_level(pay: float, bands: list[tuple[int, float, float]]) -> int:
    """The lowest level whose band [min, max) holds the pay; outside every band:
    the level below a gap, the top level above, the lowest level below."""
    containing = [level for level, low, high in bands if low <= pay < high]
    if containing:
        return min(containing)
    at_or_below = [level for level, low, _ in bands if low <= pay]
    return max(at_or_below) if at_or_below else min(level for level, _, _ in bands)


def test_overlapping_bands_take_the_lower_level(built: DbtProject) -> None:
    bands = [
        (int(r["level_id"]), float(r["min_compensation"]), float(r["max_compensation"]))
        for r in read_csv(built, "config_job_levels")
    ]
    expected = {row[0]: (expected_level(row[4], bands),) for row in CENSUS if row[0] in IN_BASELINE}
    # E01 (67,000) and E12 (69,999.99) are paid inside both level 1's and level 2's band
    assert by_id(built, "int_baseline_workforce", "level_id") == expected


def test_scenario_merit_lever_reaches_the_merit_grid(built: DbtProject) -> None:
    levers: dict[tuple[str, int, int], float] = {}
    for r in read_csv(built, "comp_levers"):
        if r["event_type"].strip().upper() == "RAISE" and r["parameter_name"] == "merit_base":
            key = (r["scenario_id"], int(r["fiscal_year"]), int(r["job_level"]))
            levers[key] = float(r["parameter_value"])
    (raises,) = read_csv(built, "config_raises_hazard")
    bump_bands = set(ast.literal_eval(raises["merit_tenure_bump_bands"]))
    tenure_bands = [r["band_label"] for r in read_csv(built, "config_tenure_bands")]
    age_bands = [r["band_label"] for r in read_csv(built, "config_age_bands")]
    levels = [int(r["level_id"]) for r in read_csv(built, "config_job_levels")]

    def fallback(level: int, tenure_band: str) -> float:
        rate = float(raises["merit_base"])
        if tenure_band in bump_bands:
            rate += float(raises["merit_tenure_bump_value"])
        if level <= int(raises["merit_low_level_cutoff"]):
            rate += float(raises["merit_low_level_bump_value"])
        return rate

    expected = {}
    for year in YEARS:
        for level in levels:
            for tenure_band in tenure_bands:
                lever = levers.get((SCENARIO, year, level), levers.get(("default", year, level)))
                rate = fallback(level, tenure_band) if lever is None else lever
                for age_band in age_bands:
                    expected[(year, level, tenure_band, age_band)] = round(rate, 9)
    # e.g. 2026 level 3: merit_test's own 0.0425 in every band; 2025 level 3: the
    # default scenario's 0.03; 2029 level 5 (no lever): 0.03, plus 0.005 in bumped bands
    grid = {
        (year, level, tenure, age): round(rate, 9)
        for year, level, tenure, age, rate in built.query(
            "select year, level_id, tenure_band, age_band, merit_raise from int_hazard_merit"
        )
    }
    assert grid == expected
