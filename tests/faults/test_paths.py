"""Paths of the wrong kind: links planted where setup writes, directories where files
belong, database names DuckDB cannot attach. Each is refused with exit 2 and one
clear line, before anything is written, and the live database keeps its content."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from runner.cli import cli
from runner.locking import lock_path
from tests.faults.conftest import Case
from tests.runner.conftest import CLEAN_ENV


def run(case: Case, command: str, *args: str, db: Path | None = None) -> Result:
    argv = ["--project-dir", str(case.project), command, "--db", str(db or case.db), *args]
    return CliRunner().invoke(cli, argv, env=dict(CLEAN_ENV), catch_exceptions=False)


LINKS: dict[str, Callable[[Path, Path], None]] = {
    "symlink": lambda target, link: link.symlink_to(target),
    "hard link": lambda target, link: os.link(target, link),
}


@pytest.mark.parametrize("kind", list(LINKS))
@pytest.mark.parametrize("command", ["setup", "clear", "validate", "docs"])
def test_a_lock_file_linked_to_the_database_is_refused_and_nothing_is_written(
    case: Case, kind: str, command: str
) -> None:
    before = case.db.read_bytes()
    LINKS[kind](case.db, lock_path(case.db))
    result = run(case, command)
    assert result.exit_code == 2, result.output
    assert str(lock_path(case.db)) in result.output and "lock file" in result.output
    assert "Traceback" not in result.output
    assert case.db.read_bytes() == before  # not truncated to the lock's JSON
    case.assert_unchanged()


def test_a_lock_file_linked_to_another_file_leaves_that_file_alone(case: Case) -> None:
    other = case.root / "precious.txt"
    other.write_text("precious\n")
    lock_path(case.db).symlink_to(other)
    assert run(case, "setup").exit_code == 2
    assert other.read_text() == "precious\n"


def test_a_directory_where_the_lock_file_goes_is_a_clear_error(case: Case) -> None:
    lock_path(case.db).mkdir()
    result = run(case, "setup")
    assert result.exit_code == 2, result.output
    assert "lock file" in result.output and "Traceback" not in result.output
    case.assert_unchanged()


def test_a_file_where_the_run_state_directory_goes_is_found_in_pre_flight(case: Case) -> None:
    (case.db.parent / ".planwise").write_text("not a directory\n")
    result = run(case, "setup")
    assert result.exit_code == 2, result.output
    assert ".planwise" in result.output and "nothing was run" in result.output
    assert "Traceback" not in result.output
    case.assert_unchanged()


@pytest.mark.parametrize("name", ["system.duckdb", "temp.duckdb", "o'brien.duckdb", 'a"b.duckdb'])
def test_database_names_duckdb_cannot_attach_are_found_in_pre_flight(case: Case, name: str) -> None:
    result = run(case, "setup", db=case.db.parent / name)
    assert result.exit_code == 2, result.output
    assert name in result.output and "nothing was run" in result.output
    assert not (case.db.parent / name).exists()


@pytest.mark.parametrize(
    ("content", "said"),
    [(b"this is not a duckdb file" * 1000, "cannot open the database"), (b"", "is empty")],
)
def test_a_live_file_that_is_no_duckdb_database_is_a_clear_error_with_a_report(
    case: Case, content: bytes, said: str
) -> None:
    case.db.write_bytes(content)
    result = run(case, "setup", "--report-dir", str(case.reports))
    assert result.exit_code == 2, result.output
    assert said in result.output and str(case.db) in result.output
    assert "Traceback" not in result.output
    assert case.db.read_bytes() == content
    assert case.report()["exit_code"] == 2


def test_reports_and_run_state_replace_a_planted_link_instead_of_writing_through_it(
    case: Case,
) -> None:
    precious = case.root / "precious.txt"
    precious.write_text("precious\n")
    case.reports.mkdir(parents=True, exist_ok=True)
    (case.reports / "setup-report.json").symlink_to(precious)
    state = case.db.parent / ".planwise" / case.db.name
    state.mkdir(parents=True)
    (state / "last-run.json").symlink_to(case.db)  # would truncate the live database
    # A run that stops at the var check: it writes both files, quickly.
    result = run(case, "setup", "--report-dir", str(case.reports), "--vars", "{nope: 1}")
    assert result.exit_code == 2, result.output
    assert precious.read_text() == "precious\n"
    assert not (case.reports / "setup-report.json").is_symlink()
    assert case.report()["exit_code"] == 2
    assert not (state / "last-run.json").is_symlink()
    case.assert_unchanged()


def test_status_lists_a_linked_lock_file_instead_of_failing(case: Case) -> None:
    lock_path(case.db).symlink_to(case.db)
    result = run(case, "status", "--dbt")
    assert result.exit_code == 1, result.output  # not ready, every check listed
    assert "lock file" in result.output and "NOT READY" in result.output
    assert "Traceback" not in result.output and "dbt project parses" in result.output
    case.assert_unchanged()
