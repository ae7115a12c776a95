"""The same setup, checks and failures on PostgreSQL and Spark as on DuckDB.

Real servers, real builds: the runner's setup publishes a report of the same
shape with the same row counts as on DuckDB; the validation suite's defective
data fails the same tests with the same failing-row counts; a bad seed and a
bad var give the same messages; a failed setup leaves the live schema as it
was; on PostgreSQL a setup killed mid-build leaves it untouched too.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLE_CENSUS, copy_project
from tests.engines.conftest import EngineProject
from tests.validation.test_mutations import BATCHES, CASES, Case, check_outcome

pytestmark = pytest.mark.slow

# Census defects of the validation suite, replayed on each engine: a loaded
# census table instead of a file, the same tests and failing-row counts.
CENSUS_CASES = (
    "census_id_missing",
    "census_value_not_convertible",
    "census_duplicates",
    "census_terminated_before_hire",
    "census_column_near_miss",
    "census_required_column_missing",
)
BY_ID = {case.id: case for case in CASES}


def without_rows(case: Case) -> Case:
    """The case's expectations without the stored-row checks (those read DuckDB)."""
    return dataclasses.replace(
        case, expect=tuple(dataclasses.replace(e, rows=None) for e in case.expect)
    )


def report_shape(report: dict[str, Any]) -> dict[str, Any]:
    """What must be the same on every engine: keys, steps, categories, exit code."""
    return {
        "keys": sorted(report),
        "steps": sorted(step["name"] for step in report["steps"]),
        "categories": sorted(category["name"] for category in report["categories"]),
        "totals": sorted(report["totals"]),
        "status": report["status"],
        "exit_code": report["exit_code"],
    }


@pytest.fixture(scope="module")
def duckdb_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The report of the same setup on DuckDB, to compare with."""
    from tests.runner.conftest import RunnerProject

    root = tmp_path_factory.mktemp("duckdb")
    runner = RunnerProject(copy_project(root / "project"), root / "reports")
    result = runner.run("setup")
    assert result.exit_code == 0, result.output
    return runner.report()


def test_setup_publishes_the_same_report_and_rows_as_on_duckdb(
    engine_project: EngineProject, duckdb_report: dict[str, Any]
) -> None:
    engine_project.load()
    result = engine_project.run("setup")
    assert result.exit_code == 0, result.output
    assert f"published {engine_project.candidate} as {engine_project.schema}" in result.output
    report = json.loads((engine_project.reports / "setup-report.json").read_text())
    assert report_shape(report) == report_shape(duckdb_report)
    assert report["row_counts"] == duckdb_report["row_counts"]  # every model, same rows
    assert report["totals"] == duckdb_report["totals"]
    assert report["changes"] == {"first_setup": True}  # an empty live schema
    live = engine_project.tables(engine_project.schema)
    assert {"int_baseline_workforce", "int_hazard_merit", "stg_census_data"} <= set(live)
    assert not engine_project.tables(engine_project.candidate)  # published, nothing left


def test_a_second_setup_keeps_your_own_objects_in_the_live_schema(
    engine_project: EngineProject,
) -> None:
    live = engine_project.schema
    engine_project.load()
    assert engine_project.run("setup").exit_code == 0
    engine_project.rows(f"create table {live}.my_notes as select 1 as note")
    if engine_project.engine == "postgres":
        engine_project.rows(
            f"create function {live}.my_rate() returns int language sql as 'select 7'"
        )
        engine_project.rows(f"create view {live}.my_view as select note from {live}.my_notes")
    before = engine_project.content()
    assert engine_project.run("setup").exit_code == 0
    assert engine_project.content() == before  # same inputs: the same tables, and yours
    changes = json.loads((engine_project.reports / "setup-report.json").read_text())["changes"]
    assert changes["first_setup"] is False and changes["relations"] == {}
    assert changes["workforce"] and all(m["old"] == m["new"] for m in changes["workforce"])
    history = engine_project.rows(f"select kind from {live}_history.planwise_setup_runs")
    assert history == [("setup",), ("setup",)]  # one row per published setup
    if engine_project.engine == "postgres":
        assert engine_project.rows(
            f"select {live}.my_rate(), (select note from {live}.my_view)"
        ) == [(7, 1)]
        replaced = engine_project.tables(f"{live}__previous")
        assert "int_baseline_workforce" in replaced and "my_notes" not in replaced


def test_failed_setup_exits_1_and_leaves_the_live_schema_unchanged(
    engine_project: EngineProject,
) -> None:
    engine_project.load()
    assert engine_project.run("setup").exit_code == 0
    engine_project.rows(f"create table {engine_project.schema}.my_notes as select 1 as note")
    before = engine_project.content()
    BY_ID["cola_rate_above_one"].mutate(engine_project.project, engine_project.reports)
    result = engine_project.run("setup")
    assert result.exit_code == 1, result.output
    assert f"the live schema {engine_project.schema} is unchanged" in result.output
    assert f"PLANWISE_BUILD_SCHEMA={engine_project.candidate} dbt show" in result.output
    assert engine_project.content() == before
    # the change report of the refused candidate names the edited value by its key
    changes = json.loads((engine_project.reports / "setup-report.json").read_text())["changes"]
    cola = changes["relations"]["config_cola_by_year"]
    assert (cola["changed"], cola["examples"][0]["key"]) == (1, "year=2025")
    assert (cola["examples"][0]["column"], float(cola["examples"][0]["new"])) == ("cola_rate", 1.25)


@pytest.mark.parametrize("batch", list(BATCHES))
def test_seed_defects_fail_the_same_tests(engine_project: EngineProject, batch: str) -> None:
    engine_project.load()
    cases = [without_rows(case) for case in CASES if case.id in BATCHES[batch]]  # their order
    for case in cases:
        assert case.mutate(engine_project.project, engine_project.reports) is None
    outcome = engine_project.dbt("build", "--selector", "setup", "--quiet")
    check_outcome(engine_project.project, outcome, tuple(e for c in cases for e in c.expect))


@pytest.mark.parametrize("case_id", CENSUS_CASES)
def test_census_defects_fail_the_same_tests(
    engine_project: EngineProject, case_id: str, tmp_path: Path
) -> None:
    case = without_rows(BY_ID[case_id])
    run_vars = case.mutate(engine_project.project, tmp_path) or {}
    engine_project.load(Path(run_vars.pop("census_path")))
    outcome = engine_project.dbt("build", "--selector", "setup", "--quiet", vars=run_vars)
    check_outcome(engine_project.project, outcome, case.expect, case.error_nodes)
    if case.error_message is not None:
        assert case.error_message in outcome.error_text


def test_bad_seed_value_is_named_as_on_duckdb(engine_project: EngineProject) -> None:
    seed = engine_project.project.seed("config_cola_by_year")
    lines = seed.read_text().splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ",abc"
    seed.write_text("\n".join(lines) + "\n")
    outcome = engine_project.dbt("seed", "--select", "config_cola_by_year")
    assert not outcome.success
    assert (
        "dbt/seeds/config_cola_by_year.csv line 3, column cola_rate: 'abc' is not a number"
        in outcome.error_text
    )


def test_wrong_var_is_refused_before_any_node(engine_project: EngineProject) -> None:
    outcome = engine_project.dbt("build", "--selector", "setup", vars={"simulation_year": "soon"})
    assert not outcome.success
    assert "var `simulation_year`" in outcome.error_text
    assert not [
        r
        for r in (outcome.run_results or {}).get("results", [])
        if not r["unique_id"].startswith("operation.")
    ]


KILLED_SETUP = """
import sys
from runner.cli import main
sys.argv = ["planwise-run", "--project-dir", {root!r}, "setup", "--target", "postgres",
            "--census", {census!r}, "--report-dir", {reports!r}]
main()
"""


def test_postgres_setup_killed_mid_build_leaves_the_live_schema_untouched(
    engine_project: EngineProject,
) -> None:
    if engine_project.engine != "postgres":
        pytest.skip("PostgreSQL's publication is the transactional one")
    engine_project.load()
    assert engine_project.run("setup").exit_code == 0
    before = engine_project.content()
    process = _start_setup(engine_project)
    _await(
        lambda: (
            "int_hazard_merit" in engine_project.tables(engine_project.candidate)
            or process.poll() is not None
        )
    )
    assert process.poll() is None, "the setup finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert engine_project.content() == before  # the old schema, whole
    assert engine_project.run("setup").exit_code == 0  # no lock or debris in the way
    assert engine_project.content().keys() == before.keys()


def _start_setup(project: EngineProject) -> subprocess.Popen[bytes]:
    """`planwise-run setup --target postgres` in a process of its own, to be killed."""
    code = KILLED_SETUP.format(
        root=str(project.project.root), census=str(SAMPLE_CENSUS), reports=str(project.reports)
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        env=_env(project),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _env(project: EngineProject) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("PLANWISE_")}, **project.env}


def _await(condition: Callable[[], bool]) -> None:
    """Poll an event on the server (the build's first tables), for at most 5 minutes."""
    deadline = time.monotonic() + 300
    while not condition():
        assert time.monotonic() < deadline, "the awaited state never came"
        time.sleep(0.05)


HOLD_METASTORE = """
import sys, time
from pyspark.sql import SparkSession
root = {root!r}
session = (SparkSession.builder.enableHiveSupport().config("spark.ui.enabled", "false")
           .config("spark.sql.warehouse.dir", root + "/warehouse")
           .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                   "jdbc:derby:;databaseName=" + root + "/metastore_db;create=true")
           .config("spark.driver.extraJavaOptions", "-Dderby.system.home=" + root)
           .getOrCreate())
session.sql("show databases").collect()
print("ready", flush=True)
time.sleep(600)
"""


def test_spark_metastore_held_by_another_process_is_reported_as_locked(
    engine_project: EngineProject, tmp_path: Path
) -> None:
    if engine_project.engine != "spark":
        pytest.skip("the local metastore is Spark's")
    held = tmp_path / "held-spark"
    holder = subprocess.Popen(  # its own process group: its JVM goes with it
        [sys.executable, "-c", HOLD_METASTORE.format(root=str(held))],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        # its own process: this one's Spark session already has a metastore
        command = [
            str(Path(sys.executable).parent / "planwise-run"),
            "--project-dir",
            str(engine_project.project.root),
            "setup",
            "--census",
            str(SAMPLE_CENSUS),
            "--report-dir",
            str(engine_project.reports),
        ]
        env = {**_env(engine_project), "PLANWISE_SPARK_DIR": str(held)}
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()
    assert result.returncode == 3, result.stdout + result.stderr
    assert f"database {held / 'metastore_db'} is locked by another Spark process (PID" in (
        result.stderr
    )
    assert "allows one process at a time" in result.stderr


def test_postgres_setup_killed_inside_its_publish_transaction_changes_nothing(
    engine_project: EngineProject,
) -> None:
    """A reader's lock holds the publication inside its transaction; the setup is
    killed there: PostgreSQL rolls the whole publication back."""
    if engine_project.engine != "postgres":
        pytest.skip("PostgreSQL's publication is the transactional one")
    from tests.engines.conftest import _postgres_connection

    engine_project.load()
    assert engine_project.run("setup").exit_code == 0
    before = engine_project.content()
    reader = _postgres_connection()
    cursor = reader.cursor()
    cursor.execute(f"lock table {engine_project.schema}.int_hazard_merit in access share mode")
    process = _start_setup(engine_project)
    waiting = (
        "select count(*) from pg_stat_activity where wait_event_type = 'Lock' "
        "and query like '%set schema%'"
    )
    try:
        _await(lambda: engine_project.rows(waiting) == [(1,)] or process.poll() is not None)
        assert process.poll() is None, "the setup ended before its publication could be held"
        process.send_signal(signal.SIGKILL)
        process.wait()
    finally:
        reader.rollback()
        reader.close()
    _await(lambda: engine_project.rows(waiting) == [(0,)])
    assert engine_project.content() == before  # nothing of the publication happened
    assert "int_baseline_workforce" in engine_project.tables(engine_project.candidate)
