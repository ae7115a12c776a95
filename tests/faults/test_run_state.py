"""The runner's own files beside the database: its run-state folder, the lock file
and the census path. None is reached through a link the runner did not create,
each wrong kind is named in one line (exit 2), and a path is data, never code."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from runner.locking import lock_path
from runner.publish import kept_failures
from tests.conftest import SAMPLE_CENSUS
from tests.faults.conftest import Case
from tests.faults.test_paths import run


def _user_folders(root: Path) -> list[Path]:
    folders = []
    for name in ("2019-photos", "taxes", "thesis"):
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "keep.txt").write_text(f"{name}\n")
        folders.append(folder)
    return folders


LINKED = ["runs", "<db>", ".planwise", "last-success", "parse-cache"]
COMMANDS = [("clear", "--dry-run"), ("setup",), ("history",)]


@pytest.mark.parametrize(
    ("linked", "command"),
    [(linked, command) for linked in LINKED[:3] for command in COMMANDS]
    + [(linked, ("setup",)) for linked in LINKED[3:]],
)
def test_a_linked_state_folder_is_refused_and_nothing_behind_it_is_touched(
    case: Case, linked: str, command: tuple[str, ...]
) -> None:
    state = case.db.parent / ".planwise"
    target = {
        "runs": state / case.db.name / "runs",
        "<db>": state / case.db.name,
        ".planwise": state,
        "last-success": state / case.db.name / "last-success",
        "parse-cache": state / "parse-cache",
    }[linked]
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    user = case.root / "user"
    folders = _user_folders(user)
    target.symlink_to(user, target_is_directory=True)

    result = run(case, *command)

    assert result.exit_code == 2, result.output
    assert "is a symbolic link" in result.output and "Traceback" not in result.output
    assert sorted(user.iterdir()) == folders
    assert all((folder / "keep.txt").exists() for folder in folders)
    case.assert_unchanged()


@pytest.mark.parametrize("command", ["setup", "clear", "history", "status"])
def test_a_file_where_the_database_state_folder_goes_is_one_line(case: Case, command: str) -> None:
    folder = case.db.parent / ".planwise" / case.db.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("not a folder\n")

    result = run(case, command)

    assert result.exit_code in (1, 2) if command == "status" else result.exit_code == 2
    assert f"{folder}: the run-state folder is a file" in result.output, result.output
    assert "NotADirectoryError" not in result.output and "Traceback" not in result.output
    assert folder.read_text() == "not a folder\n"
    case.assert_unchanged()


def test_a_fifo_lock_file_is_called_a_fifo(case: Case) -> None:
    os.mkfifo(lock_path(case.db))
    result = run(case, "setup")
    assert result.exit_code == 2, result.output
    assert "FIFO" in result.output and "a link or a directory" not in result.output
    case.assert_unchanged()


def test_status_names_a_linked_lock_file_once(case: Case) -> None:
    lock_path(case.db).symlink_to(case.db)
    result = run(case, "status")
    assert result.exit_code == 1, result.output
    assert result.output.count(str(lock_path(case.db))) == 1, result.output


@pytest.mark.slow
def test_a_census_named_with_template_braces_is_read_as_named(case: Case) -> None:
    census = case.root / "census_{{7*7}}_{% if x %}_{x}.parquet"
    shutil.copy2(SAMPLE_CENSUS, census)

    result = case.run(census=census)

    assert result.exit_code == 0, result.output
    assert case.report()["inputs"]["census_path"] == str(census)
    with duckdb.connect(str(case.db), read_only=True) as connection:
        rows = connection.execute("select count(*) from stg_census_data").fetchone()
        expected = connection.execute(
            "select count(distinct employee_id) from read_parquet(?)", [str(SAMPLE_CENSUS)]
        ).fetchone()
    assert rows == expected


def test_a_census_path_holding_template_code_is_never_run(case: Case) -> None:
    census = case.root / "{{ run_query('create table main.pwned as select 1 as x') }}.csv"

    result = case.run(census=census)

    assert result.exit_code == 2, result.output
    assert "census file not found" in result.output
    with duckdb.connect(str(case.db), read_only=True) as connection:
        tables = connection.execute("select table_name from information_schema.tables").fetchall()
    assert ("pwned",) not in tables
    case.assert_unchanged()


@pytest.mark.slow
def test_a_var_refused_at_dbt_start_keeps_no_failed_candidate(case: Case) -> None:
    result = case.run("--vars", "{simulation_start_year: 2030, simulation_end_year: 2025}")

    assert result.exit_code == 2, result.output
    assert "simulation_start_year" in result.output
    assert kept_failures(case.db) == []
    case.assert_unchanged()
    case.assert_no_debris()


@pytest.mark.slow
def test_a_var_of_the_runners_name_never_makes_a_selection_clear(case: Case) -> None:
    result = case.run("--select", "stg_config_cola_by_year", "--vars", "{planwise_clear: true}")

    assert result.exit_code == 0, result.output
    assert case.report()["cleared"] == []
    with duckdb.connect(str(case.db), read_only=True) as connection:
        census = connection.execute("select count(*) from stg_census_data").fetchone()
    assert census is not None and census[0] > 0  # not cleared by the var


@pytest.mark.slow
def test_a_census_path_with_glob_characters_names_one_file(case: Case) -> None:
    shutil.copy2(SAMPLE_CENSUS, case.root / "census1.parquet")  # what census[1] would match
    census = case.root / "census[1].parquet"
    pq.write_table(pq.read_table(SAMPLE_CENSUS).slice(0, 300), census)

    result = case.run(census=census)

    assert result.exit_code == 0, result.output
    with duckdb.connect(str(case.db), read_only=True) as connection:
        rows = connection.execute("select count(*) from stg_census_data").fetchone()
    assert rows == (300,)


@pytest.mark.slow
def test_the_note_of_the_kept_previous_never_writes_through_a_link(case: Case) -> None:
    precious = case.root / "precious.txt"
    precious.write_text("precious\n")
    note = case.db.parent / ".planwise" / case.db.name / "previous.json"
    note.parent.mkdir(parents=True, exist_ok=True)
    note.symlink_to(precious)

    result = case.run()

    assert result.exit_code == 0, result.output
    assert precious.read_text() == "precious\n"
    assert not note.is_symlink()


def test_rollback_on_a_project_dbt_cannot_parse_blames_the_project(case: Case) -> None:
    shutil.copy2(case.db, case.db.with_name(case.db.name + ".previous"))
    model = case.project / "dbt" / "models" / "staging" / "config" / "_config__models.yml"
    model.write_text(model.read_text() + "\n  - name: [broken\n")

    result = run(case, "rollback")

    assert result.exit_code == 2, result.output
    assert "dbt could not run" in result.output and "fix the project" in result.output
    assert "cannot read it as a database" not in result.output
    case.assert_unchanged()
