"""The output PlanWise's simulation reads: names and types, read from the database.

The simulation's models read the setup's tables unchanged, so these tests
assert the interface column by column and type by type from DuckDB's own
catalog (never from YAML), check that dbt declares it (public access,
enforced contracts, an exposure), that a DuckDB 1.0 client (the version
PlanWise pins) opens the file, and that the newest PlanWise data shapes build.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from tests.conftest import DbtProject
from tests.integration.test_dbt_project import assert_clean, write_census
from tests.runner.conftest import new_runner_project

# What the simulation reads: table -> column -> DuckDB type. Each table may
# carry more columns (the setup's extras); these must be there, typed so.
GRID_KEYS = {
    "year": "INTEGER",
    "level_id": "INTEGER",
    "tenure_band": "VARCHAR",
    "age_band": "VARCHAR",
}
SIMULATION_CONTRACT: dict[str, dict[str, str]] = {
    "int_baseline_workforce": {
        "employee_id": "VARCHAR",
        "employee_ssn": "VARCHAR",
        "employee_birth_date": "DATE",
        "employee_hire_date": "DATE",
        "current_compensation": "DOUBLE",
        "current_age": "BIGINT",
        "current_tenure": "BIGINT",
        "level_id": "INTEGER",
        "age_band": "VARCHAR",
        "tenure_band": "VARCHAR",
        "employment_status": "VARCHAR",
        "termination_date": "DATE",
        "termination_reason": "VARCHAR",
        "employee_eligibility_date": "DATE",
        "waiting_period_days": "INTEGER",
        "current_eligibility_status": "VARCHAR",
        "employee_enrollment_date": "DATE",
        "simulation_year": "INTEGER",
        "snapshot_created_at": "TIMESTAMP WITH TIME ZONE",
        "is_from_census": "BOOLEAN",
        "is_cold_start": "BOOLEAN",
        "last_completed_year": "INTEGER",
    },
    "int_effective_parameters": {
        "scenario_id": "VARCHAR",
        "fiscal_year": "INTEGER",
        "job_level": "INTEGER",
        "event_type": "VARCHAR",
        "parameter_name": "VARCHAR",
        "parameter_value": "DOUBLE",
        "is_locked": "BOOLEAN",
    },
    "int_hazard_termination": {**GRID_KEYS, "termination_rate": "DOUBLE"},
    "int_hazard_promotion": {**GRID_KEYS, "promotion_rate": "DOUBLE"},
    "int_hazard_merit": {**GRID_KEYS, "merit_raise": "DOUBLE"},
}


def catalog(project: DbtProject) -> dict[str, dict[str, str]]:
    rows = project.query(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'main'"
    )
    tables: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        tables.setdefault(str(table), {})[str(column)] = str(data_type)
    return tables


def test_built_tables_match_the_simulation_contract(built_project: DbtProject) -> None:
    tables = catalog(built_project)
    for table, columns in SIMULATION_CONTRACT.items():
        assert table in tables, f"{table} was not built"
        for column, data_type in columns.items():
            assert tables[table].get(column) == data_type, (
                f"{table}.{column}: {tables[table].get(column)!r}, the simulation needs {data_type}"
            )
    baseline = built_project.query(
        "select count(*), bool_and(is_cold_start), bool_and(is_from_census), "
        "min(last_completed_year), max(last_completed_year), count(termination_reason), "
        "min(waiting_period_days), count(snapshot_created_at) from int_baseline_workforce"
    )[0]
    headcount = baseline[0]
    assert baseline[1:] == (True, True, 2024, 2024, 0, 30, headcount)  # PlanWise's 30-day default


def test_dbt_declares_the_interface(built_project: DbtProject) -> None:
    manifest = json.loads((built_project.root / "target" / "manifest.json").read_text())
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    for table in SIMULATION_CONTRACT:
        node = models[table]
        assert node["access"] == "public", table
        assert node["config"]["contract"]["enforced"], table
        declared = {name: column["data_type"] for name, column in node["columns"].items()}
        assert set(SIMULATION_CONTRACT[table]) <= set(declared), table
    exposure = manifest["exposures"]["exposure.planwise.planwise_simulation"]
    consumed = {uid.split(".")[-1] for uid in exposure["depends_on"]["nodes"]}
    assert set(SIMULATION_CONTRACT) <= consumed
    assert exposure["owner"]["name"]


def test_lookups_by_the_seed_spelling_find_the_levers(built_project: DbtProject) -> None:
    """The bundled levers spell `hire` in lower case, as real files do: a lookup
    by that spelling finds every level and year, and checks use the upper case."""
    assert built_project.query(
        "select count(*), count(distinct job_level), count(distinct fiscal_year) "
        "from int_effective_parameters where event_type = 'hire' "
        "and parameter_name = 'new_hire_salary_adjustment'"
    ) == [(25, 5, 5)]
    assert built_project.query(
        "select distinct event_type_normalized from stg_comp_levers where event_type = 'hire'"
    ) == [("HIRE",)]


@pytest.fixture(scope="session")
def duckdb_10_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway virtual environment with DuckDB 1.0, the version PlanWise pins."""
    venv = tmp_path_factory.mktemp("duckdb10") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "duckdb==1.0.*"],
        capture_output=True,
        text=True,
        check=False,
    )
    if installed.returncode != 0:
        pytest.skip(f"duckdb==1.0.* cannot be installed here: {installed.stderr[-300:]}")
    return python


def test_a_duckdb_10_client_reads_the_database(
    built_project: DbtProject, duckdb_10_python: Path
) -> None:
    script = textwrap.dedent(
        """
        import json, sys, duckdb
        assert duckdb.__version__.startswith("1.0."), duckdb.__version__
        connection = duckdb.connect(sys.argv[1], read_only=True)
        counts = {t: connection.execute(f"select count(*) from {t}").fetchone()[0]
                  for t in sys.argv[2:]}
        counts["_ages"] = connection.execute(
            "select sum(current_age) from int_baseline_workforce").fetchone()[0]
        print(json.dumps(counts))
        """
    )
    tables = sorted(SIMULATION_CONTRACT)
    read = subprocess.run(
        [str(duckdb_10_python), "-c", script, str(built_project.db_path), *tables],
        capture_output=True,
        text=True,
        check=False,
    )
    assert read.returncode == 0, read.stderr
    counts = json.loads(read.stdout)
    expected = {t: built_project.scalar(f"select count(*) from {t}") for t in tables}
    expected["_ages"] = built_project.scalar("select sum(current_age) from int_baseline_workforce")
    assert counts == expected


def test_storage_version_is_configurable(
    project: DbtProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANWISE_DUCKDB_STORAGE_VERSION", "latest")
    outcome = project.dbt("seed", "--select", "config_cola_by_year")
    assert outcome.success, outcome.error_text
    with duckdb.connect(str(project.db_path), read_only=True) as connection:
        tags = connection.execute(
            "select tags['storage_version'] from duckdb_databases() where not internal"
        ).fetchone()
    assert tags is not None and tags[0] != "v1.0.0+"


NEWEST_LEVERS = [
    ("DEFERRAL_ESCALATION", "age_threshold", "25"),
    ("DEFERRAL_ESCALATION", "tenure_threshold", "1"),
    ("DEFERRAL_ESCALATION", "max_escalations", "5"),
    ("deferral_escalation", "compensation_percentile", "50"),
    ("RAISE", "market_adjustment_multiplier", "1.05"),
]


def test_newest_levers_with_new_event_type_and_parameter_kinds_build(project: DbtProject) -> None:
    levers = project.seed("comp_levers")
    lines = levers.read_text().splitlines()
    rows = [
        f"default,{year},{level},{event},{name},{value},0,2024-01-01 00:00:00,planwise"
        for year in range(2025, 2030)
        for level in range(1, 6)
        for event, name, value in NEWEST_LEVERS
    ]
    levers.write_text("\n".join([*lines, *rows]) + "\n")
    outcome = project.dbt("build", "--selector", "setup")
    assert outcome.success, outcome.error_text
    assert_clean(outcome.statuses())
    assert project.query(
        "select event_type_normalized, count(*) from int_effective_parameters "
        "where event_type_normalized = 'DEFERRAL_ESCALATION' group by 1"
    ) == [("DEFERRAL_ESCALATION", 100)]


def test_newest_census_shape_builds_and_keeps_unknown_columns(
    project: DbtProject, tmp_path: Path
) -> None:
    """No SSN and no termination date (terminated rows dropped, as such exports
    hold active employees), the newest optional columns, and a column the
    contract does not know: it builds, the known columns are typed, and the
    unknown one reaches stg_census_data unchanged."""
    census = write_census(
        tmp_path / "newest.parquet",
        "select * exclude (employee_ssn, employee_termination_date), "
        "cast(37.5 as decimal(4, 1)) as scheduled_hours_per_week, "
        "false as auto_escalation_opt_out, 'yes' as eligibility_override_text, "
        "'Sales' as department "
        "from sample where employee_termination_date is null",
    )
    outcome = project.dbt("build", "--selector", "setup", vars={"census_path": str(census)})
    assert outcome.success, outcome.error_text
    assert_clean(outcome.statuses())
    columns = catalog(project)["stg_census_data"]
    assert columns["employee_ssn"] == "VARCHAR"
    assert columns["employee_termination_date"] == "DATE"
    assert columns["scheduled_hours_per_week"] == "DOUBLE"
    assert columns["auto_escalation_opt_out"] == "BOOLEAN"
    assert columns["eligibility_override"] == "BOOLEAN"
    assert columns["department"] == "VARCHAR"
    assert columns["eligibility_override_text"] == "VARCHAR"
    assert project.query(
        "select count(*), count(employee_ssn), min(department), min(scheduled_hours_per_week) "
        "from stg_census_data"
    ) == [(project.scalar("select count(*) from int_baseline_workforce"), 0, "Sales", 37.5)]


def test_report_lists_unknown_census_columns_and_warns_on_near_misses(tmp_path: Path) -> None:
    rp = new_runner_project(tmp_path)
    census = write_census(
        tmp_path / "renamed.parquet",
        "select * exclude (employee_deferral_rate), employee_deferral_rate as deferral_rate, "
        "'Sales' as department from sample",
    )
    result = rp.run("setup", "--census", str(census))
    assert result.exit_code == 0, result.output
    report = rp.report()
    assert report["undeclared_columns"] == {"stg_census_data": ["deferral_rate", "department"]}
    assert "stg_census_data carries columns its contract does not declare" in result.output
    near_miss = [p for p in report["problems"] if p["name"] == "census_raw_column_names_near_miss"]
    assert [(p["status"], p["failures"]) for p in near_miss] == [("warn", 1)]
    with duckdb.connect(str(rp.db), read_only=True) as connection:
        assert connection.execute(
            "select census_column, contract_column "
            "from main_validation_failures.census_raw_column_names_near_miss"
        ).fetchall() == [("deferral_rate", "employee_deferral_rate")]
