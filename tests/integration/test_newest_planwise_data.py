"""The newest PlanWise release's own data, set up through `planwise-run setup`.

tests/fixtures/planwise_newest/seeds/ holds seed files in the release's formats
(its header orders, its IRS table's twelve columns, dates without a time, quoted
text) with the two defects its shipped seeds carry: a termination hazard of
0.42 x 1.6 x 1.8 = 1.2096 (base rate, age 45-54, tenure < 2) and a raise-timing
profile summing to 1.07, plus its other defaults that only warn (job-level bands
with a gap and an overlap, merit bump bands naming tenure bands that do not
exist, a timing rule setup cannot apply). The release's other seed files have
the bundled files' headers, so the bundled ones stand for them. The census is
written here in the release's generator's format: 16 columns, dates as text.

The census is named with `census_parquet_path`, the release's name for the var.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner, Result

from runner.cli import cli
from tests.conftest import REPO_ROOT, DbtProject, copy_project
from tests.runner.conftest import CLEAN_ENV

FIXTURE_SEEDS = REPO_ROOT / "tests" / "fixtures" / "planwise_newest" / "seeds"
ACCEPT = {
    "validation_termination_hazard_above_one_severity": "warn",
    "validation_raise_timing_sum_severity": "warn",
}
# Pay inside the fixture's job-level bands, so no employee is paid outside them.
PAY = (52000, 64000, 78000, 92000, 115000, 138000, 175000, 230000, 320000, 480000)
EMPLOYEES = 120


def write_release_census(path: Path) -> tuple[Path, int]:
    """A census as the release's generator writes it: dates as text, amounts as
    doubles, `active` a boolean, terminated rows with their date. Returns the
    path and the number of active employees."""
    rows: list[tuple[Any, ...]] = []
    for i in range(1, EMPLOYEES + 1):
        pay = float(PAY[i % len(PAY)])
        rate = (0.0, 0.03, 0.06, 0.1)[i % 4]
        capped = min(pay, 345000.0)
        contribution = capped * rate
        born = date(1965 + i % 35, 1 + i % 12, 1 + i % 27)
        hired = date(2004 + i % 21, 1 + i % 12, 1 + i % 28)
        entry = date(hired.year + (hired.month == 12), hired.month % 12 + 1, 1)
        terminated = date(2024, 6, 30) if i % 30 == 0 else None
        rows.append(
            (
                f"EMP_2025_{i:07d}",
                f"SSN-200{i:06d}",
                born.isoformat(),
                hired.isoformat(),
                terminated.isoformat() if terminated else None,
                pay,
                capped,
                rate,
                contribution,
                contribution * 0.7,
                contribution * 0.25,
                contribution * 0.05,
                capped * 0.03,
                min(contribution * 0.5, capped * 0.03),
                entry.isoformat(),
                terminated is None,
            )
        )
    with duckdb.connect() as connection:
        connection.execute(
            "create table census (employee_id varchar, employee_ssn varchar, "
            "employee_birth_date varchar, employee_hire_date varchar, "
            "employee_termination_date varchar, employee_gross_compensation double, "
            "employee_capped_compensation double, employee_deferral_rate double, "
            "employee_contribution double, pre_tax_contribution double, roth_contribution double, "
            "after_tax_contribution double, employer_core_contribution double, "
            "employer_match_contribution double, eligibility_entry_date varchar, active boolean)"
        )
        connection.executemany(f"insert into census values ({', '.join('?' * 16)})", rows)
        connection.execute(f"copy census to '{path}' (format parquet)")
    return path, sum(1 for row in rows if row[-1])


@dataclass
class NewestProject:
    """A project copy holding the release's seed formats, and a census in its format."""

    root: Path
    census: Path
    active: int

    @property
    def db(self) -> Path:
        return self.root / "simulation.duckdb"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def setup(self, **dbt_vars: Any) -> Result:
        """`planwise-run setup`, the census named by census_parquet_path."""
        argv = ["--project-dir", str(self.root), "setup", "--db", str(self.db)]
        argv += ["--report-dir", str(self.reports)]
        argv += ["--vars", json.dumps({"census_parquet_path": str(self.census), **dbt_vars})]
        return CliRunner().invoke(cli, argv, env=dict(CLEAN_ENV), catch_exceptions=False)

    def report(self) -> dict[str, Any]:
        return dict(json.loads((self.reports / "setup-report.json").read_text()))


@pytest.fixture
def newest(tmp_path: Path) -> Iterator[NewestProject]:
    project = copy_project(tmp_path / "project")
    for seed in FIXTURE_SEEDS.glob("*.csv"):
        shutil.copy2(seed, project.root / "dbt" / "seeds" / seed.name)
    census, active = write_release_census(tmp_path / "census_preprocessed.parquet")
    yield NewestProject(project.root, census, active)


def by_status(report: dict[str, Any], *statuses: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in report["problems"] if p["status"] in statuses}


def test_the_release_defects_are_refused_naming_the_var_that_accepts_each(
    newest: NewestProject,
) -> None:
    result = newest.setup()
    assert result.exit_code == 1, result.output
    report = newest.report()
    assert not report["published"]
    failed = by_status(report, "fail", "error")
    assert set(failed) == {
        "int_hazard_termination_rates_are_probabilities",
        "raise_timing_rules_error_level",
    }
    hazard, timing = (
        failed["int_hazard_termination_rates_are_probabilities"],
        failed["raise_timing_rules_error_level"],
    )
    # 2 levels (1.2096, and 1.08864 after level 2's discount) x 5 simulation years
    assert int(hazard["failures"]) == 10
    assert "validation_termination_hazard_above_one_severity" in hazard["description"]
    assert int(timing["failures"]) == 1
    assert "validation_raise_timing_sum_severity" in timing["description"]
    # the console names the var too (each problem's first sentence)
    assert "validation_termination_hazard_above_one_severity is warn" in result.output
    assert "validation_raise_timing_sum_severity set to warn" in result.output
    assert "failing_value=1.2096" in result.output  # the cell as text
    assert "observed_value=1.07" in result.output


def test_the_release_data_publishes_once_its_defects_are_accepted(
    newest: NewestProject,
) -> None:
    result = newest.setup(**ACCEPT)
    assert result.exit_code == 0, result.output
    report = newest.report()
    assert report["published"]
    assert not by_status(report, "fail", "error")
    warned = {name: int(p["failures"]) for name, p in by_status(report, "warn").items()}
    assert warned == {
        "int_hazard_termination_rates_are_probabilities": 10,
        # the accepted sum, and monthly_variance_tolerance, a rule setup cannot apply
        "raise_timing_rules_warning_level": 2,
        "assert_job_level_bands_contiguous": 2,  # a gap (70000-71000), an overlap (240000-260000)
        "assert_merit_bump_bands_name_tenure_bands": 3,  # '<1', '1-3', '3-5'
    }
    with duckdb.connect(str(newest.db), read_only=True) as connection:
        irs = connection.execute(
            "select count(*), count(hce_compensation_threshold), bool_or(is_estimated), "
            "max(super_catch_up_limit) from config_irs_limits"
        ).fetchone()
        assert irs == (7, 7, True, 37750.0)
        assert connection.execute("select count(*) from int_baseline_workforce").fetchone() == (
            newest.active,
        )
        assert connection.execute(
            "select round(max(termination_rate), 4) from int_hazard_termination"
        ).fetchone() == (1.2096,)
    assert report["census"]["path"] == str(newest.census)


def test_plain_dbt_reads_the_census_named_by_census_parquet_path(
    project: DbtProject, tmp_path: Path
) -> None:
    census, _ = write_release_census(tmp_path / "census.parquet")
    outcome = project.dbt(
        "run", "--select", "stg_census_data", vars={"census_parquet_path": str(census)}
    )
    assert outcome.success, outcome.error_text
    assert project.scalar("select count(*) from stg_census_data") == EMPLOYEES
    # both names for the same file are one census
    same = {"census_path": str(census), "census_parquet_path": str(census)}
    assert project.dbt("run", "--select", "stg_census_data", vars=same).success


def test_both_census_names_for_different_files_are_refused(project: DbtProject) -> None:
    both = {"census_path": "a.parquet", "census_parquet_path": "b.parquet"}
    outcome = project.dbt("run", "--select", "stg_census_data", vars=both)
    assert not outcome.success
    assert "census_parquet_path is PlanWise's name for census_path" in outcome.error_text
    assert "'a.parquet'" in outcome.error_text and "'b.parquet'" in outcome.error_text
