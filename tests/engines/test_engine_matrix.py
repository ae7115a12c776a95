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
import re
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
    "census_raw_values",
    "census_staged_errors",
    "census_warnings",
    "census_required_column_missing",
)
# The seed-rule batches replayed on each engine (the others add grid and
# staging cases whose SQL is the same models').
ENGINE_BATCHES = ("seed_rules", "staging_rules")
BY_ID = {case.id: case for case in CASES}


def without_rows(case: Case) -> Case:
    """The case's expectations without the stored-row checks (those read DuckDB):
    failing-row counts per test stay, per column they go."""
    return dataclasses.replace(
        case, expect=tuple(dataclasses.replace(e, rows=None, column=None) for e in case.expect)
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
    # the visual report's figures: computed by the engine, the same numbers as DuckDB's
    assert set(report["figures"]) == {"intake", "levels", "age_tenure", "eligibility", "grids"}
    assert _rounded(report["figures"]) == _rounded(duckdb_report["figures"])
    live = engine_project.tables(engine_project.schema)
    assert {"int_baseline_workforce", "int_hazard_merit", "stg_census_data"} <= set(live)
    assert not engine_project.tables(engine_project.candidate)  # published, nothing left


def _rounded(value: Any) -> Any:
    """Figures with floats to 6 significant digits (engines sum in their own order)."""
    if isinstance(value, float):
        return float(f"{value:.6g}")
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


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
    assert set(changes["live_figures"]) == {"grids", "levels"}  # drawn against this setup's
    history = engine_project.rows(f"select kind from {live}_history.planwise_setup_runs")
    assert history == [("setup",), ("setup",)]  # one row per published setup
    _assert_schemas_derived(engine_project)
    if engine_project.engine == "postgres":
        _assert_your_postgres_objects_stay(engine_project)


def _assert_your_postgres_objects_stay(project: EngineProject) -> None:
    """Your function and view work; the replaced schema holds the setup's tables only."""
    live = project.schema
    assert project.rows(f"select {live}.my_rate(), (select note from {live}.my_view)") == [(7, 1)]
    replaced = project.tables(f"{live}__previous")
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
    _assert_schemas_derived(engine_project)  # the candidate's too
    # the change report of the refused candidate names the edited value by its key
    changes = json.loads((engine_project.reports / "setup-report.json").read_text())["changes"]
    cola = changes["relations"]["config_cola_by_year"]
    assert (cola["changed"], cola["examples"][0]["key"]) == (1, "year=2025")
    assert (cola["examples"][0]["column"], float(cola["examples"][0]["new"])) == ("cola_rate", 1.25)


@pytest.mark.parametrize("batch", ENGINE_BATCHES)
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


def _start_setup(project: EngineProject, log: Path | None = None) -> subprocess.Popen[bytes]:
    """`planwise-run setup --target postgres` in a process of its own (its output
    into `log`, if given)."""
    code = KILLED_SETUP.format(
        root=str(project.project.root), census=str(SAMPLE_CENSUS), reports=str(project.reports)
    )
    output = log.open("wb") if log else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            [sys.executable, "-c", code], env=_env(project), stdout=output, stderr=output
        )
    finally:
        if log and not isinstance(output, int):
            output.close()


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


# --- schema names over PostgreSQL's identifier limit (63 bytes) -----------------
# Every schema a warehouse setup names after the live one; PostgreSQL would cut
# a longer name short (`<63-byte schema>__candidate` is the live schema itself).
LIVE_NAMES: dict[str, Callable[[str], str]] = {
    "63_bytes": lambda prefix: prefix.ljust(63, "a"),
    "candidate_64_bytes": lambda prefix: prefix.ljust(64 - len("__candidate"), "a"),
    # 32 characters: every derived name fits in 63 characters, not in 63 bytes
    "multibyte": lambda prefix: prefix.ljust(32, "ü"),
}
TOO_LONG = re.compile(r"'(?P<name>[^']+)' is (?P<size>\d+) bytes long \(UTF-8\)")


def _postgres_only(project: EngineProject) -> None:
    if project.engine != "postgres":
        pytest.skip("a PostgreSQL test")


@pytest.mark.parametrize("kind", list(LIVE_NAMES))
def test_postgres_schema_names_over_the_identifier_limit_are_refused_before_anything_runs(
    engine_project: EngineProject, kind: str
) -> None:
    _postgres_only(engine_project)
    engine_project.load()
    live = LIVE_NAMES[kind](engine_project.schema)
    before = engine_project.schemas()
    result = engine_project.with_env(PLANWISE_PG_SCHEMA=live).run("setup")
    assert result.exit_code == 2, result.output
    found = TOO_LONG.search(result.output)
    assert found, result.output
    name, size = found["name"], int(found["size"])
    assert name.startswith(live) and size == len(name.encode()) > 63
    if kind == "candidate_64_bytes":
        assert name == f"{live}__candidate" and size == 64
    assert "PostgreSQL's limit of 63 bytes per name" in result.output
    assert "what to do: use a schema of at most 32 bytes for target postgres" in result.output
    assert engine_project.schemas() == before  # nothing built, nothing published


def test_postgres_census_schema_over_the_identifier_limit_is_refused(
    engine_project: EngineProject,
) -> None:
    _postgres_only(engine_project)
    census = f"{engine_project.schema}_census".ljust(64, "c")
    project = engine_project.with_env(PLANWISE_CENSUS_SCHEMA=census)
    before = engine_project.schemas()
    for command in ("load-census", "setup"):
        result = project.run(command)
        assert result.exit_code == 2, result.output
        assert (
            f"var census_schema '{census}' is 64 bytes long (UTF-8), over PostgreSQL's "
            "limit of 63 bytes per name" in result.output
        )
        assert engine_project.schemas() == before


def _assert_schemas_derived(project: EngineProject) -> None:
    """PostgreSQL: every schema the setups built is one the runner checks the length of."""
    from runner.warehouse import DERIVED

    if project.engine != "postgres":
        return
    known = {project.schema + suffix for suffix in DERIVED} | {project.census_schema}
    assert set(project.schemas()) <= known


# --- two setups from two checkouts on one PostgreSQL schema ----------------------
HOLDS_LOCK = (
    "select count(*) from pg_locks l join pg_stat_activity a on a.pid = l.pid"
    " where l.locktype = 'advisory' and l.granted"
    " and a.application_name like 'planwise-run setup (PID {pid},%'"
)


def test_postgres_setups_from_two_checkouts_on_one_schema_take_turns(
    engine_project: EngineProject, tmp_path: Path
) -> None:
    """A holds the server's lock (and waits on the census, held by this test); B, from
    another project directory, is refused at once naming A; A publishes its build."""
    _postgres_only(engine_project)
    from tests.engines.conftest import _postgres_connection

    engine_project.load()
    seed = engine_project.project.seed("config_cola_by_year")  # A's build, recognisable
    seed.write_text(seed.read_text().replace("2025,0.025", "2025,0.0123"))
    other = dataclasses.replace(
        engine_project, project=copy_project(tmp_path / "b"), reports=tmp_path / "b-reports"
    )
    census = f"{engine_project.census_schema}.census_raw"
    blocker = _postgres_connection()
    blocker.cursor().execute(f"lock table {census} in access exclusive mode")
    a = _start_setup(engine_project, tmp_path / "a.log")
    holds = HOLDS_LOCK.format(pid=a.pid)
    try:  # A holds the lock, or (without one) its build already waits on the census
        _await(lambda: _holds_or_waits(engine_project, holds, census) or a.poll() is not None)
        assert a.poll() is None, (tmp_path / "a.log").read_text()
        assert engine_project.rows(holds) == [(1,)], "A builds without the server's lock"
        b = _planwise(other, "setup", "--lock-timeout", "0")
    finally:
        blocker.rollback()
        blocker.close()
    assert a.wait(timeout=600) == 0, (tmp_path / "a.log").read_text()
    assert b.returncode == 3, b.stdout + b.stderr
    assert f"is locked by planwise-run setup (PID {a.pid}, host " in b.stderr
    assert f"schema {engine_project.schema} " in b.stderr and "server PID" in b.stderr
    rate = f"select cola_rate from {engine_project.schema}.config_cola_by_year where year = 2025"
    assert [float(row[0]) for row in engine_project.rows(rate)] == [0.0123]  # A's


def _holds_or_waits(project: EngineProject, holds: str, relation: str) -> bool:
    """Whether `holds` counts a lock, or a session waits for one on `relation`."""
    waits = f"select count(*) from pg_locks where relation = '{relation}'::regclass and not granted"
    return project.rows(holds) != [(0,)] or project.rows(waits) != [(0,)]


def _planwise(project: EngineProject, command: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`planwise-run <command>` on the project's engine in a process of its own."""
    planwise = str(Path(sys.executable).parent / "planwise-run")
    run = [planwise, "--project-dir", str(project.project.root), command, "--target"]
    run += [project.engine, "--census", str(SAMPLE_CENSUS), "--report-dir", str(project.reports)]
    # a bound only for a run the lock does not stop (it would wait on the held census)
    return subprocess.run(
        [*run, *args], env=_env(project), capture_output=True, text=True, timeout=300, check=False
    )


# --- census column names that try to be SQL, on PostgreSQL ------------------------
# Words of a raw failure, not of a refusal: the SQL a name made did not parse or run.
RAW_ERRORS = ("Traceback", "Database Error", "syntax error", "permission denied")


def _hostile_names(live: str) -> list[str]:
    return [
        'x", (select rolname from pg_authid limit 1) as "pwned',
        "r\", (select string_agg(rolname, ',') from pg_roles) as \"roles",
        f'a"; drop table {live}.my_notes; --',
        'b\n-- c", current_user as "leak',
        'q\\\'"\\" , version() as "v\\',
        "*",  # a star, where a name is parsed as an expression
    ]


def _hostile_census(path: Path, names: list[str], rows: int = 200) -> Path:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pq.read_table(SAMPLE_CENSUS).slice(0, rows)
    for number, name in enumerate(names):
        table = table.append_column(name, pa.array([f"value {number}"] * rows))
    if path.suffix == ".csv":
        pacsv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    return path


def _columns(project: EngineProject, schema: str, table: str) -> list[str]:
    found = project.rows(
        "select column_name from information_schema.columns"
        f" where table_schema = '{schema}' and table_name = '{table}' order by ordinal_position"
    )
    return [str(row[0]) for row in found]


def _secrets(project: EngineProject) -> set[str]:
    """What the names' subqueries would put into a column."""
    found = project.rows("select rolname from pg_roles union all select version()")
    roles = [str(row[0]) for row in found]
    return {*roles, ",".join(roles[:-1]), "planwise"}


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_postgres_census_column_names_are_loaded_as_names(
    engine_project: EngineProject, tmp_path: Path, suffix: str
) -> None:
    _postgres_only(engine_project)
    engine_project.rows(f"create schema {engine_project.census_schema}")
    engine_project.rows(f"create table {engine_project.census_schema}.my_notes as select 1 as n")
    names = _hostile_names(engine_project.census_schema)
    engine_project.load(_hostile_census(tmp_path / f"hostile{suffix}", names))
    columns = _columns(engine_project, engine_project.census_schema, "census_raw")
    assert columns[-len(names) - 1 :] == [*names, "_census_file_row"]
    assert engine_project.rows(f"select n from {engine_project.census_schema}.my_notes") == [(1,)]
    assert engine_project.tables(engine_project.census_schema) == ["census_raw", "my_notes"]


def test_postgres_census_column_names_the_server_cannot_hold_are_refused(
    engine_project: EngineProject, tmp_path: Path
) -> None:
    _postgres_only(engine_project)
    census = _hostile_census(tmp_path / "refused.parquet", ["n" * 64, "_census_file_row"])
    result = engine_project.run("load-census", census=census)
    assert result.exit_code == 2, result.output
    assert f"'{'n' * 64}' is 64 bytes long (UTF-8), over the limit of 63" in result.output
    assert "'_census_file_row' is the loader's own column" in result.output
    assert engine_project.schemas() == []  # nothing loaded


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_postgres_census_column_names_are_data_never_sql(
    engine_project: EngineProject, tmp_path: Path, suffix: str
) -> None:
    _postgres_only(engine_project)
    live = engine_project.schema
    engine_project.load()
    assert engine_project.run("setup").exit_code == 0
    engine_project.rows(f"create table {live}.my_notes as select 1 as note")
    before = engine_project.content()
    names = _hostile_names(live)
    census = _hostile_census(tmp_path / f"hostile{suffix}", names)
    engine_project.load(census)
    result = engine_project.run("setup", census=census)
    assert engine_project.rows(f"select note from {live}.my_notes") == [(1,)]
    if result.exit_code == 0:
        _assert_kept_as_names(engine_project, names)
    else:  # a refusal must be a clear one, changing nothing
        assert result.exit_code in (1, 2), result.output
        assert not [raw for raw in RAW_ERRORS if raw in result.output], result.output
        assert "column" in result.output and engine_project.content() == before


def _assert_kept_as_names(project: EngineProject, names: list[str]) -> None:
    """Each name is one column of the published stg_census_data, with its own values;
    nothing a name's SQL would have selected is there."""
    columns = _columns(project, project.schema, "stg_census_data")
    assert all(columns.count(name) == 1 for name in names), columns
    assert not {"pwned", "roles", "leak", "v"} & set(columns)
    secrets = _secrets(project)
    for (row,) in project.rows(f"select to_jsonb(t) from {project.schema}.stg_census_data t"):
        assert not secrets & {str(value) for value in row.values()}, row
        assert [row[name] for name in names] == [f"value {n}" for n in range(len(names))]
