"""`planwise-run` end to end: real dbt, real DuckDB files, Click's CliRunner.

One module-scoped setup (`set_up`) is shared by the read-only checks; tests
that change a database work on a copy of it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from runner.publish import candidate_path, kept_failures, wal_path
from tests.checksums import content_checksum
from tests.conftest import SAMPLE_CENSUS, SETUP_STEPS, as_from_a_shell
from tests.reliability._processes import duckdb_code, holding, setup_lock_code
from tests.runner.conftest import RunnerProject, new_runner_project

OWNED_MODELS = {"main.stg_census_data", "main.int_baseline_workforce", "main.int_hazard_merit"}


# --------------------------------------------------------------------------- --help


def test_help_is_instant_and_does_not_import_dbt() -> None:
    code = (
        "import sys, runner.cli; "
        "print(any(m == 'dbt' or m.startswith('dbt.') for m in sys.modules))"
    )
    imported = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert imported == "False"
    script = Path(sys.executable).with_name("planwise-run")
    started = time.perf_counter()
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    assert result.returncode == 0
    for command in ("setup", "status", "clear", "validate", "docs", "census"):
        assert command in result.stdout
    assert seconds < 1.5, f"--help took {seconds:.2f}s"


WORKFLOW = ("setup", "status", "validate", "report", "history", "diff", "rollback", "clear")
WORKFLOW += ("docs", "census", "load-census")


def test_commands_are_listed_in_workflow_order_with_whole_summaries() -> None:
    from click.testing import CliRunner

    from runner.cli import cli

    shown = CliRunner().invoke(cli, ["--help"], terminal_width=80).output
    listing = shown[shown.index("Commands:") :].splitlines()[1:]
    names = [line.split()[0] for line in listing if line.startswith("  ") and line[2] != " "]
    assert names == list(WORKFLOW)
    assert "..." not in "\n".join(listing)  # every summary whole (wrapped, never cut)
    for name, command in cli.commands.items():
        assert command.short_help and command.short_help.endswith("."), name


def test_version_names_every_part_a_bug_report_needs() -> None:
    """planwise-setup, dbt-core, every dbt adapter dbt itself finds installed, DuckDB
    and Python, each with its installed version, without loading dbt's CLI."""
    from importlib import metadata

    from dbt.version import _get_dbt_plugins_info

    code = (
        "import sys; from runner.cli import main; sys.argv = ['planwise-run', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(any(m.startswith('dbt.cli') for m in sys.modules))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    adapters = [f"dbt-{name} {version}" for name, version in sorted(_get_dbt_plugins_info())]
    names = ["planwise-setup", "dbt-core"]
    assert shown[:2] == [f"{name} {metadata.version(name)}" for name in names]
    assert shown[2:-3] == adapters and "dbt-duckdb" in " ".join(adapters)
    assert shown[-3:] == [
        f"duckdb {metadata.version('duckdb')}",
        f"python {sys.version.split()[0]}",
        "False",  # dbt's CLI never loaded
    ]


def test_setup_help_lists_every_option(runner_project: RunnerProject) -> None:
    result = runner_project.run("setup", "--help")
    for option in (
        "--config",
        "--db",
        "--target",
        "--threads",
        "--vars",
        "--census",
        "--no-clear",
        "--quick",
        "--fail-fast",
        "--report-dir",
        "--verbose",
        "--quiet",
        "--log-level",
        "--timeout",
        "--dry-run",
    ):
        assert option in result.output, option


def test_every_option_shows_its_default_and_variable_and_every_command_examples() -> None:
    """What a user reads in `--help`: each option's default (or what stands for it)
    and environment variable as Click renders them, and examples that run."""
    import click
    from click.testing import CliRunner

    from runner.cli import cli

    root = click.Context(cli, **cli.context_settings)
    for name in cli.list_commands(root):
        command = cli.get_command(root, name)
        assert command is not None
        context = click.Context(command, parent=root, info_name=name)
        for option in (p for p in command.params if isinstance(p, click.Option)):
            record = option.get_help_record(context)
            if record is None or (option.is_flag and not option.secondary_opts):
                continue
            envvars = [option.envvar] if isinstance(option.envvar, str) else option.envvar or []
            if envvars:
                assert f"env var: {', '.join(envvars)}" in record[1], (name, option.name)
            default = option.get_default(context, call=False)
            given = default not in (None, ()) and not str(default).startswith("Sentinel.")
            if given or isinstance(option.show_default, str):
                assert "default:" in record[1] or "required" in record[1], (name, option.name)
        shown = CliRunner().invoke(cli, [name, "--help"], terminal_width=100).output
        examples = shown[shown.index("Examples:") :].splitlines()[1:]
        assert examples and all(line.split()[:2] == ["planwise-run", name] for line in examples)


def test_dbt_s_global_options_go_before_or_after_the_command(tmp_path: Path) -> None:
    """--project-dir, --profiles-dir, -t/--target and --vars, as dbt takes them: before
    the command or after it (after wins). PLANWISE_PROFILES_DIR moves profiles.yml;
    DBT_PROFILES_DIR, exported for a user's other dbt projects, does not."""
    from click.testing import CliRunner

    from runner.cli import cli

    project = new_runner_project(tmp_path).root
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    text = (project / "profiles.yml").read_text().replace("    dev:", "    elsewhere:", 1)
    (profiles / "profiles.yml").write_text(text)
    clean = {name: None for name in os.environ if name.startswith(("PLANWISE_", "DBT_PROFILES"))}

    def run(*args: str, **env: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, list(args), env={**clean, **env})
        return result.exit_code, " ".join(result.output.split())

    here = ("--project-dir", str(project))
    for args in (
        ("-t", "nosuch", *here, "load-census"),
        (*here, "load-census", "-t", "nosuch"),
        ("-t", "dev", "load-census", *here, "-t", "nosuch"),
    ):
        code, said = run(*args)
        assert code == 2 and "no target 'nosuch'" in said, (args, said)
    code, said = run("--profiles-dir", str(profiles), "-t", "elsewhere", *here, "load-census")
    assert code == 0 and "nothing to load" in said, said
    code, said = run("load-census", *here, "-t", "elsewhere", PLANWISE_PROFILES_DIR=str(profiles))
    assert code == 0 and "nothing to load" in said, said
    code, said = run("load-census", *here, "-t", "elsewhere", DBT_PROFILES_DIR=str(profiles))
    assert code == 2 and "no target 'elsewhere'" in said, said
    empty = tmp_path / "empty"
    empty.mkdir()
    code, said = run("--profiles-dir", str(empty), *here, "load-census")
    assert code == 2 and f"{empty / 'profiles.yml'}: does not exist" in said, said
    code, said = run(*here, "-t", "elsewhere", "load-census")  # the project's profiles.yml
    assert code == 2 and "no target 'elsewhere'" in said, said
    missing = tmp_path / "nope.parquet"
    code, said = run("--vars", f"{{census_path: {missing}}}", "load-census", *here)
    assert code == 2 and f"{missing}: the census file does not exist" in said, said


def test_each_command_takes_only_the_options_that_mean_something_to_it() -> None:
    """`history --census x --threads 8` was accepted and ignored: an option a
    command does not use is refused (exit 2, named), and its help leaves it out."""
    from click.testing import CliRunner

    from runner.cli import cli

    meaningless = {
        "history": ["--census", "--threads", "--vars", "--quiet"],
        "diff": ["--census", "--threads", "--vars"],
        "rollback": ["--census", "--threads", "--vars"],
        "report": ["--census", "--threads"],
        "clear": ["--census", "--threads"],
        "status": ["--threads"],
    }
    for command, options in meaningless.items():
        shown = CliRunner().invoke(cli, [command, "--help"])
        assert shown.exit_code == 0 and "--db" in shown.output, shown.output
        for option in options:
            assert option not in shown.output, (command, option)
            refused = CliRunner().invoke(cli, [command, option, "x"])
            assert refused.exit_code == 2 and f"No such option '{option}'" in refused.output
    for command in ("setup", "validate"):  # a build reads all of them
        shown = CliRunner().invoke(cli, [command, "--help"]).output
        assert all(option in shown for option in ("--census", "--threads", "--vars", "--quiet"))


# --------------------------------------------------------------------------- setup


def test_setup_publishes_reports_and_keeps_user_tables(set_up: RunnerProject) -> None:
    tables = set_up.tables()
    assert OWNED_MODELS <= tables
    # Tables the setup does not own are carried over; stale owned ones are cleared.
    assert {"main.my_notes", "main.xstg_foo"} <= tables
    assert "main.stg_stale_leftover" not in tables
    assert not [p for p in set_up.db.parent.iterdir() if ".candidate" in p.name]

    report = set_up.report(directory=set_up.first_reports)
    assert report["schema_version"] == 1
    assert (report["status"], report["exit_code"], report["published"]) == ("success", 0, True)
    # runner: report_page false (env PLANWISE_REPORT_PAGE, as the suite sets it): no page
    written = {path.name for path in set_up.first_reports.iterdir()}
    assert written == {"setup-report.json", "setup-junit.xml"}
    assert report["figures"]["levels"]  # the figures are the build's, page or not
    steps = {step["name"]: step for step in report["steps"]}
    assert list(steps)[:3] == ["pre-flight", "clear", "seeds"] and list(steps)[-1] == "validation"
    assert set(steps) == SETUP_STEPS
    assert steps["seeds"]["nodes"] == 20 and steps["seeds"]["pass"] == 20
    assert steps["clear"]["nodes"] >= 1  # stg_stale_leftover
    assert steps["validation"]["fail"] == 0 and steps["validation"]["nodes"] > 50
    assert sum(c["tests"] for c in report["categories"]) == steps["validation"]["nodes"]
    with duckdb.connect(str(set_up.db), read_only=True) as connection:
        census_rows = connection.execute("select count(*) from stg_census_data").fetchone()
    assert census_rows is not None
    assert report["row_counts"]["stg_census_data"] == census_rows[0] == 5000
    assert report["census"]["rows_per_second"] > 0
    assert report["inputs"] == {
        "scenario_id": "default",
        "plan_year_start_date": "2024-01-01",
        "plan_year_end_date": "2024-12-31",
        "simulation_effective_date": "2024-12-31",
        "census_path": str(SAMPLE_CENSUS),
        "census_origin": "named",
    }

    junit = ET.parse(set_up.first_reports / "setup-junit.xml").getroot()
    assert junit.get("failures") == "0" and int(junit.get("tests", "0")) > 100
    # every dropped relation is named: JSON, JUnit properties
    assert report["cleared"] == ["main.stg_stale_leftover"]
    dropped = [p.get("value") for p in junit.iter("property") if p.get("name") == "dropped"]
    assert dropped == ["main.stg_stale_leftover"]


def test_setup_summary_fits_80_columns(set_up: RunnerProject) -> None:
    from runner.report import Context, build_report
    from runner.report_text import render_text

    run_dir = Path(set_up.report()["dbt"]["run_dir"])
    run_results = json.loads((run_dir / "target" / "run_results.json").read_text())
    manifest = json.loads((run_dir / "target" / "manifest.json").read_text())
    text = render_text(build_report(run_results, manifest, Context(database=str(set_up.db))))
    assert all(len(line) <= 80 or " " not in line.strip() for line in text.splitlines())
    assert "seeds" in text and "census_quality" in text


def test_database_can_be_renamed_and_reopened_right_after_setup(
    set_up: RunnerProject, tmp_path: Path
) -> None:
    # dbt ran in this process (CliRunner): nothing may still hold the file.
    moved = tmp_path / "moved.duckdb"
    shutil.copy2(set_up.db, tmp_path / "copy.duckdb")
    os.rename(tmp_path / "copy.duckdb", moved)
    with duckdb.connect(str(moved)) as connection:
        assert connection.execute("select answer from my_notes").fetchone() == (42,)
    with duckdb.connect(str(set_up.db)) as connection:  # read-write: no lock held here
        assert connection.execute("select count(*) from int_baseline_workforce").fetchone()


def test_status_says_ready_after_setup(set_up: RunnerProject) -> None:
    result = set_up.run("status")
    assert result.exit_code == 0, result.output
    assert "READY" in result.output and "NOT READY" not in result.output
    assert "last setup: success" in result.output and "holds: setup " in result.output
    assert "dbt project parses" not in result.output  # no dbt without --dbt
    checked = set_up.run("status", "--dbt")
    assert checked.exit_code == 0 and "dbt project parses: 20 seeds" in checked.output


def test_dry_run_reports_what_it_would_change_and_publishes_nothing(
    set_up: RunnerProject, tmp_path: Path
) -> None:
    assert set_up.report(directory=set_up.first_reports)["changes"] == {"first_setup": True}
    root = tmp_path / "dry"
    rp = set_up.clone(root, reports=tmp_path)
    seed = rp.project.seed("config_cola_by_year")  # one value edited
    seed.write_text(seed.read_text().replace("2025,0.025", "2025,0.031"))
    before, checksum = rp.db.stat().st_mtime_ns, content_checksum(rp.db)
    result = rp.run("setup", "--dry-run")
    assert result.exit_code == 0, result.output
    report = rp.report()
    assert (report["status"], report["published"], report["dry_run"]) == ("success", False, True)
    assert report["totals"]["nodes"] > 150 and "[dry run: not published]" in result.output
    assert rp.db.stat().st_mtime_ns == before and content_checksum(rp.db) == checksum
    # the change report names the seed, the key and old -> new, and what it fed
    changes = report["changes"]
    assert changes["first_setup"] is False and changes["compared_with"] == str(rp.db)
    cola = changes["relations"]["config_cola_by_year"]
    assert (cola["added"], cola["removed"], cola["changed"], cola["key"]) == (0, 0, 1, ["year"])
    edited = {"key": "year=2025", "column": "cola_rate", "old": "0.025", "new": "0.031"}
    assert cola["examples"] == [{"change": "changed", **edited}]
    merit = changes["relations"]["int_hazard_merit"]  # the grid the COLA feeds
    assert merit["changed"] > 0 and {e["column"] for e in merit["examples"]} == {"cola_rate"}
    assert set(changes["relations"]) == {"config_cola_by_year", "int_hazard_merit"}
    assert all(m["old"] == m["new"] for m in changes["workforce"])  # the census is the same
    assert "year=2025: cola_rate 0.025 → 0.031" in result.output
    assert "census: no change" in result.output
    assert not list(root.glob(f"{rp.db.name}.candidate*")) and not kept_failures(rp.db)
    # a candidate that fails validation: exit 1, as the real setup would
    seed = rp.project.seed("scenario_meta")
    lines = seed.read_text().splitlines()
    seed.write_text("\n".join([*lines, lines[-1]]) + "\n")
    refused = rp.run("setup", "--dry-run")
    assert refused.exit_code == 1 and rp.report()["status"] == "failed", refused.output
    assert rp.db.stat().st_mtime_ns == before


def test_quick_with_nothing_changed_is_up_to_date(set_up: RunnerProject) -> None:
    before = set_up.db.stat().st_mtime_ns
    result = set_up.run("setup", "--quick")
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    report = set_up.report()
    assert report["status"] == "up_to_date"
    assert set_up.db.stat().st_mtime_ns == before
    # decided from the recorded inputs alone: dbt never started, nothing was copied
    assert report["dbt"]["invocation_id"] is None and report["copy_seconds"] is None


def test_quick_rebuilds_only_what_changed(set_up: RunnerProject, tmp_path: Path) -> None:
    root = tmp_path / "quick"
    rp = set_up.clone(root, reports=tmp_path)
    model = root / "dbt" / "models" / "intermediate" / "int_hazard_merit.sql"
    model.write_text(model.read_text() + "\n-- changed\n")
    result = rp.run("setup", "--quick")
    assert result.exit_code == 0, result.output
    report = rp.report()
    assert report["status"] == "success" and report["published"] is True
    steps = {step["name"]: step for step in report["steps"]}
    assert steps["seeds"]["nodes"] == 0 and steps["foundation"]["nodes"] == 0
    assert steps["configuration"]["nodes"] == 1  # int_hazard_merit only
    assert 0 < steps["validation"]["nodes"] < 20  # its tests only
    assert list(report["row_counts"]) == ["int_hazard_merit"]
    assert "main.my_notes" in rp.tables()
    again = rp.run("setup", "--quick")
    assert again.exit_code == 0 and rp.report()["status"] == "up_to_date"


def test_quick_falls_back_to_full_setup_when_inputs_change(
    set_up: RunnerProject, tmp_path: Path
) -> None:
    root = tmp_path / "quick"
    rp = set_up.clone(root, reports=tmp_path)
    # Also a table dropped since the last setup: --quick must not call a database it
    # did not build "up to date" (its size and mtime are part of the fingerprint).
    with duckdb.connect(str(rp.db)) as connection:
        connection.execute("drop table int_hazard_merit")
    size = rp.db.stat().st_size
    result = rp.run("setup", "--quick", "--vars", "{simulation_end_year: 2028}")
    assert result.exit_code == 0, result.output
    # The cleared tables' space is reused (a checkpoint after clearing): a rebuild
    # does not grow the file by its data's size (without it: about 2x here).
    assert rp.db.stat().st_size < 1.6 * size
    report = rp.report()
    assert any("vars, database changed" in message for message in report["messages"]), report
    assert {step["name"]: step for step in report["steps"]}["seeds"]["nodes"] == 20
    assert "main.int_hazard_merit" in rp.tables()


def test_validate_runs_tests_only(set_up: RunnerProject) -> None:
    result = set_up.run("validate")
    assert result.exit_code == 0, result.output
    report = set_up.report("validate")
    steps = {step["name"]: step for step in report["steps"]}
    assert steps["seeds"]["nodes"] == 0 and steps["foundation"]["nodes"] == 0
    assert steps["validation"]["nodes"] > 50 and steps["validation"]["fail"] == 0


def test_clear_dry_run_lists_only_owned_relations(set_up: RunnerProject) -> None:
    before = set_up.tables()
    result = set_up.run("clear", "--dry-run", "-v")
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines() if line.startswith("  would drop")]
    listed = {words[-1] for words in lines if words[2] in ("table", "view")}
    assert any("stored-failure" in " ".join(words) for words in lines)
    assert OWNED_MODELS <= listed
    assert not {"main.my_notes", "main.xstg_foo", "main.scenario_meta"} & listed
    assert all(
        name.split(".")[1].startswith(("stg_", "int_", "fct_", "dim_"))
        or name.startswith("main_validation_failures.")
        for name in listed
    )
    assert set_up.tables() == before  # dry run changed nothing


def test_clear_drops_owned_relations_and_nothing_else(
    set_up: RunnerProject, tmp_path: Path
) -> None:
    db = tmp_path / "cleared.duckdb"
    shutil.copy2(set_up.db, db)
    result = set_up.run("clear", "--db", str(db))
    assert result.exit_code == 0, result.output
    left = set_up.tables(db)
    assert {"main.my_notes", "main.xstg_foo", "main.scenario_meta"} <= left
    assert not [t for t in left if t.split(".")[1].startswith(("stg_", "int_", "fct_", "dim_"))]
    assert not [t for t in left if t.startswith("main_validation_failures.")]


def test_clear_on_missing_database_creates_nothing(runner_project: RunnerProject) -> None:
    result = runner_project.run("clear", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "does not exist yet" in result.output
    assert not runner_project.db.exists()


# --------------------------------------------------------------------------- exit codes


def stale_success(reports: Path) -> None:
    """What a previous successful setup left in the report directory."""
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "setup-report.json").write_text('{"status": "success", "exit_code": 0}')
    (reports / "setup-junit.xml").write_text('<testsuites tests="1" failures="0"/>')


def assert_reports_say(reports: Path, status: str, exit_code: int, text: str) -> None:
    report = json.loads((reports / "setup-report.json").read_text())
    assert (report["status"], report["exit_code"]) == (status, exit_code)
    assert any(text in message for message in report["messages"]), report["messages"]
    junit = ET.parse(reports / "setup-junit.xml").getroot()
    assert junit.get("errors") == "1", ET.tostring(junit)


def test_locked_database_exits_3_naming_the_process(set_up: RunnerProject, tmp_path: Path) -> None:
    stale_success(tmp_path / "reports")
    with holding(duckdb_code(str(set_up.db), read_only=False)) as holder:
        result = set_up.run(
            "setup", "--lock-timeout", "0", "--report-dir", str(tmp_path / "reports")
        )
        status = set_up.run("status")
    assert result.exit_code == 3, result.output
    assert f"PID {holder.pid}" in result.output
    assert "Traceback" not in result.output
    assert status.exit_code == 1 and f"PID {holder.pid}" in status.output
    assert_reports_say(tmp_path / "reports", "error", 3, f"PID {holder.pid}")


def test_locked_database_exits_3_when_setup_reads_its_census_from_it(
    set_up: RunnerProject, tmp_path: Path
) -> None:
    """A setup that names no census reads the live database's own in pre-flight: a
    program holding that database is a lock (exit 3, naming it), not a pre-flight
    problem (exit 2)."""
    with holding(duckdb_code(str(set_up.db), read_only=False)) as holder:
        result = set_up.run(
            "setup", "--lock-timeout", "0", "--report-dir", str(tmp_path), census=False
        )
    assert result.exit_code == 3, result.output
    assert f"PID {holder.pid}" in result.output and "Traceback" not in result.output


def test_a_program_opening_the_database_as_it_is_copied_is_a_lock(tmp_path: Path) -> None:
    """Between pre-flight's probe and the candidate copy a program may open the live
    file: the copy says it is locked (exit 3, naming it), not that it cannot copy."""
    from runner.file_target import copy_candidate
    from runner.locking import DatabaseLocked

    live = tmp_path / "simulation.duckdb"
    duckdb.connect(str(live)).close()
    holder_code = duckdb_code(str(live), read_only=False)
    with holding(holder_code) as holder, pytest.raises(DatabaseLocked) as raised:
        copy_candidate(live, candidate_path(live), None)
    assert raised.value.exit_code == 3 and f"PID {holder.pid}" in raised.value.message
    assert not candidate_path(live).exists()


def test_configuration_error_replaces_a_stale_success_report(
    runner_project: RunnerProject, tmp_path: Path
) -> None:
    stale_success(runner_project.reports)
    config = tmp_path / "bad.yml"
    config.write_text("runner:\n  db_pth: x.duckdb\n")
    result = runner_project.run("setup", "--config", str(config))
    assert result.exit_code == 2, result.output
    assert_reports_say(runner_project.reports, "error", 2, "runner.db_pth")
    assert not runner_project.db.exists()


def test_an_early_error_s_report_never_lands_in_the_current_directory(
    runner_project: RunnerProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A setup stopped before its run writes its error report where the settings
    say, or nowhere when the settings are what is wrong: never into ./reports of
    wherever the user stands (Click's default for --report-dir)."""
    from click.testing import CliRunner

    from runner.cli import cli

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    args = ["--project-dir", str(runner_project.root), "setup", "--db", str(runner_project.db)]
    result = CliRunner().invoke(cli, [*args, "--vars", "{scenario_id: [}"])
    assert result.exit_code == 2 and "--vars" in result.output, result.output
    assert not (elsewhere / "reports").exists()


def test_running_setup_lock_exits_3_after_the_lock_timeout(
    set_up: RunnerProject, tmp_path: Path
) -> None:
    with holding(setup_lock_code(str(set_up.db))) as holder:
        started = time.perf_counter()
        result = set_up.run("setup", "--lock-timeout", "1", "--report-dir", str(tmp_path))
        waited = time.perf_counter() - started
        status = set_up.run("status")
    assert result.exit_code == 3, result.output
    assert f"PID {holder.pid}" in result.output and waited >= 1
    assert status.exit_code == 1 and "a setup is running" in status.output


def test_dbt_that_cannot_parse_exits_2(tmp_path: Path) -> None:
    rp = new_runner_project(tmp_path)
    model = rp.root / "dbt" / "models" / "intermediate" / "int_hazard_merit.sql"
    model.write_text("select {{ ref( }} as broken\n")
    result = rp.run("setup")
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())  # the summary wraps long messages
    assert "dbt could not run" in said and "int_hazard_merit" in said, said
    assert "Traceback" not in result.output
    assert not rp.db.exists()
    assert not [p for p in rp.db.parent.iterdir() if ".candidate" in p.name]
    status = rp.run("status", "--dbt")
    assert status.exit_code == 1 and "does not parse" in status.output


def test_missing_census_exits_2_before_dbt(runner_project: RunnerProject) -> None:
    missing = runner_project.root / "nope.parquet"
    result = runner_project.run("setup", "--census", str(missing))
    assert result.exit_code == 2, result.output
    assert str(missing) in result.output and "Traceback" not in result.output
    assert not runner_project.db.exists()
    assert runner_project.report()["status"] == "error"
    status = runner_project.run("status", "--census", str(missing))
    assert status.exit_code == 1 and "NOT READY" in status.output


@pytest.mark.parametrize(
    ("name", "change", "said"),
    [
        ("broken.parquet", "* exclude (employee_hire_date)", "employee_hire_date;"),
        (
            "renamed.csv",
            "* rename (employee_birth_date as birth_date)",
            "employee_birth_date (the file has 'birth_date': rename it);",
        ),
    ],
)
def test_census_missing_required_column_is_named_in_preflight(
    runner_project: RunnerProject, tmp_path: Path, name: str, change: str, said: str
) -> None:
    """A missing or renamed required column stops setup in pre-flight, before dbt
    starts, naming the file, the column and the one that looks like it, in full."""
    broken = tmp_path / name
    kind = "csv, header true" if name.endswith(".csv") else "parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select {change} from read_parquet('{SAMPLE_CENSUS}'))"
            f" to '{broken}' (format {kind})"
        )
    result = runner_project.run("setup", "--census", str(broken))
    assert result.exit_code == 2, result.output
    report = runner_project.report()
    assert report["dbt"]["invocation_id"] is None and report["totals"]["nodes"] == 0
    [problem] = [m for m in report["messages"] if "lacks required" in m]
    assert problem.startswith(f"{broken}: the census lacks required column(s) {said}")
    assert problem.endswith("or point census_path (--census) at the right file")
    assert not runner_project.db.exists()


def test_unknown_config_key_exits_2_naming_it(runner_project: RunnerProject) -> None:
    """Runner keys are checked by the runner; vars by dbt, before any node is built."""
    config = runner_project.root / "bad.yml"
    config.write_text("vars:\n  simulation_start_yaer: 2025\n  simulation_year: next\n")
    result = runner_project.run("setup", "--config", str(config))
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())  # the summary wraps long messages
    assert "unknown var `simulation_start_yaer` (did you mean `simulation_start_year`?)" in said
    assert "var `simulation_year` must be a year" in said
    assert "Traceback" not in result.output and not runner_project.db.exists()
    wrong_type = runner_project.root / "wrong.yml"
    wrong_type.write_text("runner:\n  threads: four\n")
    result = runner_project.run("setup", "--config", str(wrong_type))
    assert result.exit_code == 2 and "runner.threads" in result.output


def test_a_selection_builds_only_it_and_clears_nothing(
    set_up: RunnerProject, tmp_path: Path, copy_db: Callable[[Path, Path], Path]
) -> None:
    rp = new_runner_project(tmp_path)
    copy_db(set_up.db, rp.db)
    result = rp.run("setup", "-s", "stg_config_cola_by_year", "--exclude", "config_cola_by_year")
    assert result.exit_code == 0, result.output
    report = rp.report()
    built = [n["name"] for n in report["nodes"] if n["step"] != "validation"]
    assert built == ["stg_config_cola_by_year"]
    assert report["cleared"] == [] and "a selection keeps" in report["steps"][1]["detail"]
    assert OWNED_MODELS <= rp.tables()  # everything else is still there
    refused = rp.run("setup", "--selector", "setup", "-s", "stg_config_cola_by_year")
    assert refused.exit_code == 2 and "cannot be combined" in refused.output
    quick = rp.run("setup", "--quick", "-s", "stg_config_cola_by_year")
    assert quick.exit_code == 2 and "--quick chooses what to build itself" in quick.output


def test_unknown_var_exits_2(runner_project: RunnerProject) -> None:
    result = runner_project.run("setup", "--vars", "{simulaton_year: 2026}")
    assert result.exit_code == 2 and "simulaton_year" in result.output


def test_census_command_is_deterministic(runner_project: RunnerProject, tmp_path: Path) -> None:
    first, second = tmp_path / "a.parquet", tmp_path / "b.csv"
    for output in (first, second):
        result = runner_project.run(
            "census", "--employees", "300", "--seed", "7", "--output", str(output)
        )
        assert result.exit_code == 0, result.output
        assert "wrote 300 rows" in result.output
    with duckdb.connect() as connection:
        difference = connection.execute(
            f"select count(*) from (select * from read_parquet('{first}') except "
            f"select * from read_csv('{second}', header=true, types="
            f"{{'employee_id': 'varchar'}}))"
        ).fetchone()
    assert difference is not None
    result = runner_project.run(
        "census", "--employees", "5", "--output", str(tmp_path / "missing" / "x.parquet")
    )
    assert result.exit_code == 2 and "does not exist" in result.output


# The docs page opened in a frame of the same origin: once dbt's lineage graph is
# drawn, the frame's cytoscape instance (kept on its container as _cyreg) lists it.
LINEAGE_PROBE = """<!doctype html><html><body>
<iframe id="docs" width="1600" height="1000" src="%s"></iframe><pre id="nodes"></pre>
<script>
function poll() {
  var doc = document.getElementById("docs").contentDocument;
  var box = doc && Array.prototype.find.call(doc.querySelectorAll("div"),
                                             function (e) { return e._cyreg; });
  var ids = box ? box._cyreg.cy.nodes().map(function (n) { return n.data("id"); }) : [];
  if (ids.length) { document.getElementById("nodes").textContent = JSON.stringify(ids); }
  else { setTimeout(poll, 250); }
}
poll();
</script></body></html>"""


def test_docs_site_shows_the_baseline_lineage_in_a_browser(
    set_up: RunnerProject, tmp_path: Path
) -> None:
    """`planwise-run docs` writes dbt's static site; headless Chromium opens it and
    the lineage graph of int_baseline_workforce holds its upstream seeds, staging
    models and the census source. A screenshot of it stays in the test's output."""
    import functools
    import http.server
    import re
    import threading

    out = tmp_path / "site"
    result = set_up.run("docs", "--output-dir", str(out))
    assert result.exit_code == 0, result.output
    index = out / "index.html"
    assert index.is_file() and str(index) in result.output
    chromium = shutil.which("chromium")
    if chromium is None:
        assert not os.environ.get("CI"), "CI must install chromium (Debian package chromium)"
        pytest.skip("chromium is not installed (Debian package chromium)")
    # dbt docs' own URL state: the model's page, the graph shown (g_v), its upstream (g_i)
    page = (
        "index.html#!/model/model.planwise.int_baseline_workforce"
        "?g_v=1&g_i=%2Bint_baseline_workforce"
    )
    (out / "probe.html").write_text(LINEAGE_PROBE % page)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(out))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    browser = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--window-size=1600,1000",
        "--virtual-time-budget=30000",
    ]
    try:
        dom = subprocess.run(
            [*browser, "--dump-dom", f"{base}/probe.html"],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        ).stdout
        screenshot = tmp_path / "int_baseline_workforce_lineage.png"
        subprocess.run(
            [*browser, f"--screenshot={screenshot}", f"{base}/{page}"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    finally:
        server.shutdown()
    found = re.search(r'<pre id="nodes">(.*?)</pre>', dom)
    nodes = set(json.loads(found.group(1))) if found and found.group(1) else set()
    assert {
        "model.planwise.int_baseline_workforce",
        "source.planwise.census.census_raw",
        "seed.planwise.config_job_levels",
        "seed.planwise.config_age_bands",
        "seed.planwise.config_tenure_bands",
        "model.planwise.stg_census_data",
    } <= nodes, dom
    assert not any(node.startswith("test.") for node in nodes)
    assert screenshot.stat().st_size > 20_000  # a drawn graph, not a blank page
    print(f"lineage screenshot: {screenshot}")


# --------------------------------------------------------------------------- in-process dbt


def test_dbt_invocations_in_threads_run_one_after_another(set_up: RunnerProject) -> None:
    import threading

    from runner.config import load_settings
    from runner.invoke import Invocation, run_dbt

    settings = load_settings(set_up.root)
    outcomes: list[Invocation] = []

    def parse(index: int) -> None:
        run_dir = set_up.root / f"parse-{index}"
        outcomes.append(
            run_dbt(settings, ["parse"], db_path=set_up.root / "p.duckdb", run_dir=run_dir)
        )

    threads = [threading.Thread(target=parse, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [o.success for o in outcomes] == [True, True]
    assert all(o.manifest for o in outcomes)


def test_database_file_is_released_when_invoke_returns(
    set_up: RunnerProject, tmp_path: Path
) -> None:
    from runner.config import load_settings
    from runner.invoke import run_dbt

    settings = load_settings(set_up.root)
    db = tmp_path / "fresh.duckdb"
    outcome = run_dbt(
        settings,
        ["seed", "--select", "config_cola_by_year"],
        db_path=db,
        run_dir=tmp_path / "run",
    )
    assert outcome.success, outcome.error_summary()
    # Right away: rename, reopen read-write from this process, copy.
    renamed = db.rename(tmp_path / "renamed.duckdb")
    with duckdb.connect(str(renamed)) as connection:
        rows = connection.execute("select count(*) from config_cola_by_year").fetchone()
    assert rows is not None and rows[0] > 0
    shutil.copy2(renamed, tmp_path / "copied.duckdb")
    assert not (tmp_path / "fresh.duckdb.wal").exists()


@pytest.mark.parametrize("fault", ["timeout", "sigint"])
def test_timeout_and_interrupt_leave_live_database_untouched(
    tmp_path: Path, copy_db: Callable[[Path, Path], Path], set_up: RunnerProject, fault: str
) -> None:
    rp = new_runner_project(tmp_path, fault)
    copy_db(set_up.db, rp.db)
    mtime = rp.db.stat().st_mtime_ns
    script = Path(sys.executable).with_name("planwise-run")
    args = [
        str(script),
        "--project-dir",
        str(rp.root),
        "setup",
        "--db",
        str(rp.db),
        "--census",
        str(SAMPLE_CENSUS),
        "--report-dir",
        str(rp.reports),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANWISE_")}
    if fault == "timeout":
        result = subprocess.run([*args, "--timeout", "3"], capture_output=True, text=True, env=env)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "timed out" in result.stdout
    else:
        process = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            preexec_fn=as_from_a_shell,
        )
        # dbt is writing the candidate: the build is under way
        building = wal_path(candidate_path(rp.db))
        deadline = time.monotonic() + 120  # a hung setup fails the test, not the suite
        while not building.exists():
            assert process.poll() is None, "the setup ended before it was interrupted"
            assert time.monotonic() < deadline, "dbt never started writing the candidate"
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        stdout, _ = process.communicate(timeout=60)
        assert process.returncode == 130
        # said at once; the steps it did not finish are not ticked; CI sees an error
        output = stdout.decode()
        assert "stopping… (dbt cancels what runs; nothing is published)" in output, output
        steps = [line for line in output.splitlines() if line.startswith(("✔ ", "✖ "))]
        assert steps[0].startswith("✖ PlanWise setup: interrupted") and "✖ validation" in output
        junit = ET.parse(rp.reports / "setup-junit.xml").getroot()
        interrupted = junit.find(".//error[@type='interrupted']")
        assert int(junit.get("errors", "0")) >= 1 and interrupted is not None
    assert rp.db.stat().st_mtime_ns == mtime
    assert not [p for p in rp.db.parent.iterdir() if ".candidate" in p.name]


# --------------------------------------------------------------------------- rollback


def test_an_unlucky_user_gets_clear_answers_and_loses_nothing(
    runner_project: RunnerProject, tmp_path: Path
) -> None:
    """A new user's first hour, end to end: a typo'd scenario, the fix, a table of
    their own kept by clear_keep, a broken seed whose failing rows are in the report
    and queryable from the kept candidate, a rollback, and status."""
    rp = runner_project
    nothing = rp.run("rollback")
    assert nothing.exit_code == 2 and "no previous database" in nothing.output
    with duckdb.connect(str(rp.db)) as connection:
        connection.execute("create table stg_my_analysis as select 1 as x")
        connection.execute("create table stg_stale as select 1 as x")
    rp.db.chmod(0o640)
    own = rp.tables()

    # 1. A typo'd scenario: exit 1, nothing published, the closest known id named.
    typo = rp.run("setup", "--vars", "{scenario_id: hgih_growth}")
    assert typo.exit_code == 1, typo.output
    assert "scenario: hgih_growth" in typo.output
    report = rp.report()
    assert report["inputs"]["scenario_id"] == "hgih_growth" and not report["published"]
    failed = [p for p in report["problems"] if p["name"] == "assert_scenario_exists"]
    assert [(p["status"], p["failures"]) for p in failed] == [("fail", 1)]
    assert "high_growth" in json.dumps(failed[0]["rows"]) and "high_growth" in typo.output
    assert rp.tables() == own

    # 2. Fixed, with a pattern of the user's tables in clear_keep (said even with -q).
    config = tmp_path / "planwise.yml"
    config.write_text("vars:\n  clear_keep: ['stg_my_*']\n")
    fixed = rp.run("setup", "--config", str(config), "-q")
    assert fixed.exit_code == 0, fixed.output
    tables = rp.tables()
    assert "main.stg_my_analysis" in tables and "main.stg_stale" not in tables
    assert rp.report()["cleared"] == ["main.stg_stale"]
    assert "Cleared before the build: main: stg_stale" in fixed.output
    assert rp.db.stat().st_mode & 0o777 == 0o640  # the live file's mode is kept
    for written in rp.reports.iterdir():  # they can hold failing rows
        assert written.stat().st_mode & 0o077 == 0, written
    built, mtime = rp.tables(), rp.db.stat().st_mtime_ns

    # 3. A broken seed: exit 1, the live database untouched, the failing rows in the
    # report, and queryable from the kept candidate with the command it prints.
    seed = rp.project.seed("scenario_meta")
    lines = seed.read_text().splitlines()
    seed.write_text("\n".join([*lines, lines[-1]]) + "\n")  # a duplicated key
    broken = rp.run("setup", "--config", str(config))
    assert broken.exit_code == 1, broken.output
    report = rp.report()
    assert (report["status"], report["published"]) == ("failed", False)
    unique = [p for p in report["problems"] if p["name"] == "scenario_meta_primary_key"]
    # both rows that share the key
    assert unique and (unique[0]["failures"], unique[0]["checks"]) == (2, "scenario_meta")
    assert (unique[0]["category"], unique[0]["severity"]) == ("seed_integrity", "error")
    # a seed test stores no failures (a few rows): the hook ran its query for the report
    assert unique[0]["query"] is None and unique[0]["stored_failures"] is None
    assert "cost_control" in json.dumps(unique[0]["rows"]) and "cost_control" in broken.output
    assert rp.db.stat().st_mtime_ns == mtime and rp.tables() == built
    kept = Path(report["kept_candidate"])
    assert kept_failures(rp.db) == [kept]  # the newest only (runner: failed_kept 1)
    assert int(ET.parse(rp.reports / "setup-junit.xml").getroot().get("failures", "0")) >= 1
    command = next(m for m in report["messages"] if m.startswith("$ "))
    assert command in broken.output.splitlines()  # one line, not wrapped
    shown = subprocess.run(
        ["bash", "-c", command[2:]],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"},
    )
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "--select scenario_meta_primary_key" in command and "cost_control" in shown.stdout

    # 4. Rollback puts back the database before the last publish; a second undoes it.
    back = rp.run("rollback")
    assert back.exit_code == 0, back.output
    assert rp.tables() == own | {"main_history.planwise_setup_runs"}  # it records itself
    again = rp.run("rollback")
    assert again.exit_code == 0 and rp.tables() == built

    # 5. Status: ready, with the last setup's outcome and the kept candidate named.
    status = rp.run("status")
    assert status.exit_code == 0, status.output
    assert "last setup: failed" in status.output
    # something to act on, not a check that passed: no ✔ beside "(delete it)"
    assert f"· kept failed candidate: {kept} (delete it)" in status.output.splitlines()


def test_validate_and_status_on_an_empty_database_say_not_set_up_yet(
    runner_project: RunnerProject,
) -> None:
    duckdb.connect(str(runner_project.db)).close()  # exists, holds nothing
    result = runner_project.run("validate")
    assert result.exit_code == 2, result.output
    assert "not set up yet" in result.output and "planwise-run setup" in result.output
    assert result.output.count("does not exist") == 0  # one message, not one per test
    status = runner_project.run("status", "--dbt")
    assert status.exit_code == 1, status.output
    assert "NOT READY" in status.output
    assert "not set up yet" in status.output and "relation(s) missing" in status.output


def test_status_during_a_setup_says_so_once_and_leaves_the_file_alone(
    set_up: RunnerProject,
) -> None:
    """While another setup holds the lock, status names it and does not open the
    database (that could fail the setup's copy or publish) nor call it 'not locked'."""
    with holding(setup_lock_code(str(set_up.db))) as holder:
        result = set_up.run("status")
    assert result.exit_code == 1, result.output
    assert f"a setup is running on {set_up.db}: PID {holder.pid}" in result.output
    assert "not locked" not in result.output and "NOT READY" in result.output


def test_docs_help_shows_the_port_default() -> None:
    from click.testing import CliRunner

    from runner.cli import cli

    assert "default: 8080" in CliRunner().invoke(cli, ["docs", "--help"]).output


def test_an_interrupt_before_a_command_starts_is_exit_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A SIGTERM while Click still parses the arguments: exit 130 and "interrupted",
    not Click's "Aborted!" with exit 1."""
    import signal as signals

    from runner import cli as cli_module

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(signals, "signal", lambda *args: None)  # keep pytest's handlers
    monkeypatch.setattr(cli_module.cli, "parse_args", interrupted)
    with pytest.raises(SystemExit) as caught:
        cli_module.main(["setup"])
    assert caught.value.code == 130
    assert "interrupted" in capsys.readouterr().err
