"""`planwise-run rollback` installs only a database a setup of this project
published, and says which setups it swaps: real dbt on real DuckDB files.

One setup per module builds the default database; each case copies it as the
live file and plants its own `<db>.previous`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from runner.publish import previous_path
from tests.conftest import copy_runner_project
from tests.runner.conftest import RunnerProject, new_runner_project

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunnerProject, str]]:
    """A project whose database one full setup built, and that setup's run id."""
    rp = new_runner_project(tmp_path_factory.mktemp("rollback"), copy=copy_runner_project)
    result = rp.run("setup")
    assert result.exit_code == 0, result.output
    yield rp, str(rp.report()["run"]["run_id"])


def snapshot(path: Path) -> tuple[object, ...]:
    """A path as it is on disk, never through a link: its kind, inode and content."""
    info = path.lstat()
    if path.is_symlink():
        return "link", info.st_ino, os.readlink(path)
    if path.is_dir():
        return "directory", info.st_ino, sorted(p.name for p in path.iterdir())
    return "file", info.st_ino, hashlib.sha256(path.read_bytes()).hexdigest()


def text_file(previous: Path, database: Path) -> None:
    previous.write_text("id,name\n1,not a database\n")


def random_bytes_with_a_duckdb_header(previous: Path, database: Path) -> None:
    noise = hashlib.sha256(b"noise").digest() * 4096  # 128 KiB, the same every run
    previous.write_bytes(noise[:8] + b"DUCK" + noise[12:])


def unrelated_duckdb_file(previous: Path, database: Path) -> None:
    with duckdb.connect(str(previous)) as connection:
        connection.execute("create table invoices as select range as id from range(10)")


def symlink_to_a_setup_database(previous: Path, database: Path) -> None:
    target = previous.with_name("elsewhere.duckdb")
    shutil.copy2(database, target)
    previous.symlink_to(target)


def setup_database_without_its_history(previous: Path, database: Path) -> None:
    shutil.copy2(database, previous)
    with duckdb.connect(str(previous)) as connection:
        connection.execute("drop table main_history.planwise_setup_runs")


def directory(previous: Path, database: Path) -> None:
    previous.mkdir()
    (previous / "notes.txt").write_text("kept\n")


CASES: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "text_file": (text_file, "not a DuckDB database"),
    "random_bytes": (random_bytes_with_a_duckdb_header, "DuckDB cannot read it"),
    "unrelated_duckdb": (unrelated_duckdb_file, "lacks"),
    "symlink": (symlink_to_a_setup_database, "symbolic link"),
    "no_history": (setup_database_without_its_history, "no history table"),
    "directory": (directory, "is a directory"),
}


def with_statements(rp: RunnerProject, live: Path) -> None:
    """`live` gets the statements setup stored beside the project's database, so
    rollback checks and records without dbt, as it does after any setup."""
    stored = rp.db.parent / ".planwise" / rp.db.name / "queries.json"
    folder = live.parent / ".planwise" / live.name
    folder.mkdir(parents=True)
    shutil.copy2(stored, folder / "queries.json")


@pytest.mark.parametrize(
    ("case", "through"),
    [(case, "statements") for case in CASES]
    + [("unrelated_duckdb", "dbt"), ("no_history", "dbt"), ("random_bytes", "dbt")],
)
def test_rollback_refuses_a_previous_that_is_no_published_setup_database(
    published: tuple[RunnerProject, str], tmp_path: Path, case: str, through: str
) -> None:
    """Refused with the stored statements (after any setup) and through dbt (a
    database no setup of this release has published): the same reasons."""
    rp, _ = published
    plant, reason = CASES[case]
    live = shutil.copy2(rp.db, tmp_path / "simulation.duckdb")
    if through == "statements":
        with_statements(rp, live)
    previous = previous_path(live)
    plant(previous, rp.db)
    live_before, previous_before = snapshot(live), snapshot(previous)
    result = rp.run("rollback", "--db", str(live))
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"error: cannot roll back to {previous}: "), result.output
    assert reason in lines[0] and "the live database is unchanged" in lines[1], result.output
    assert "rolled back" not in result.output
    assert snapshot(live) == live_before and snapshot(previous) == previous_before
    assert not [path for path in tmp_path.iterdir() if ".tmp" in path.name]


def test_a_project_dbt_cannot_parse_is_blamed_not_the_previous(
    published: tuple[RunnerProject, str], tmp_path: Path
) -> None:
    """Through dbt (no stored statements), a project that does not parse stops the
    check before it asks anything: the project is named at fault, not the file."""
    base, _ = published
    rp = base.clone(tmp_path / "project", reports=tmp_path / "reports")
    macro = rp.project.path("macros/changes/planwise_restorable.sql")
    macro.write_text(macro.read_text() + "\n{% macro broken( %}\n")
    live = shutil.copy2(base.db, tmp_path / "simulation.duckdb")
    previous = shutil.copy2(base.db, previous_path(live))
    live_before, previous_before = snapshot(live), snapshot(previous)
    result = rp.run("rollback", "--db", str(live))
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert f"cannot check {previous}: dbt could not run" in said, said
    assert "fix the project so that dbt parses" in said and "Traceback" not in said
    assert snapshot(live) == live_before and snapshot(previous) == previous_before


def test_rollback_after_a_refused_setup_names_the_setups_it_swaps(
    published: tuple[RunnerProject, str], tmp_path: Path
) -> None:
    """Setup A (the module's), B (published), C (refused): rollback restores A,
    not the database before C; a second rollback puts B back."""
    base, first = published
    rp = base.clone(tmp_path / "project", reports=tmp_path / "reports")
    second = rp.run("setup", "-s", "config_cola_by_year")
    assert second.exit_code == 0, second.output
    b = str(rp.report()["run"]["run_id"])
    seed = rp.project.seed("config_cola_by_year")
    lines = seed.read_text().splitlines()
    seed.write_text("\n".join([*lines, lines[-1]]) + "\n")  # a duplicated key: refused
    refused = rp.run("setup", "-s", "config_cola_by_year")
    assert refused.exit_code == 1 and not rp.report()["published"], refused.output
    back = rp.run("rollback")
    assert back.exit_code == 0, back.output
    expected = f"rolled back: {rp.db} now holds setup {first[:8]} of "
    assert back.output.startswith(expected), back.output
    assert f"; it replaced setup {b[:8]} of " in back.output
    assert f"kept as {previous_path(rp.db)} (rollback again to undo)" in back.output
    listed = rp.run("history", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [row["kind"] for row in rows[:2]] == ["rollback", "setup"]
    assert {first, b} <= {row["run_id"] for row in rows if row["published"]}
    undo = rp.run("rollback")  # the file that now holds the rollback's own rows
    assert undo.exit_code == 0, undo.output
    assert f"now holds setup {b[:8]} of " in undo.output
    assert f"; it replaced setup {first[:8]} of " in undo.output


def test_a_rollback_it_cannot_record_still_says_so(
    published: tuple[RunnerProject, str], tmp_path: Path
) -> None:
    """A valid previous, but a live history the rollback cannot copy into the
    restored file's: swapped all the same, and exit 2 saying it was not recorded."""
    rp, _ = published
    live = shutil.copy2(rp.db, tmp_path / "simulation.duckdb")
    with_statements(rp, live)
    shutil.copy2(rp.db, previous_path(live))
    with duckdb.connect(str(live)) as connection:  # a start time the restored table cannot take
        connection.execute(
            "alter table main_history.planwise_setup_runs alter started_at type varchar"
        )
        connection.execute(
            "insert into main_history.planwise_setup_runs (run_id, kind, started_at) "
            "values ('unreadable', 'setup', 'not a time')"
        )
    before = snapshot(live)
    result = rp.run("rollback", "--db", str(live))
    assert result.exit_code == 2, result.output
    assert "rolled back, but not recorded" in result.output
    assert snapshot(previous_path(live))[1] == before[1]  # the swapped-out file is kept


def test_a_previous_an_older_release_built_is_restored_and_records_the_rollback(
    published: tuple[RunnerProject, str], tmp_path: Path
) -> None:
    """A previous whose history lacks the columns this release added (census path
    and rows) is still a published setup database: restored, the rollback row
    added (the table gains the columns), and every row readable."""
    rp, first = published
    live = shutil.copy2(rp.db, tmp_path / "simulation.duckdb")
    with_statements(rp, live)
    previous = shutil.copy2(rp.db, previous_path(live))
    with duckdb.connect(str(previous)) as connection:
        for column in ("census_path", "census_rows"):
            connection.execute(f"alter table main_history.planwise_setup_runs drop column {column}")
    back = rp.run("rollback", "--db", str(live))
    assert back.exit_code == 0, back.output
    rows = json.loads(rp.run("history", "--db", str(live), "--json").output)
    assert [row["kind"] for row in rows if row["published"]] == ["rollback", "setup"]
    assert [row["run_id"] for row in rows if row["live"]] == [first]
    assert rows[0]["change_summary"] == {"restored_run": first, "replaced_run": first}
    assert rows[1]["census_path"] is None  # the older release recorded none


def test_a_rollback_without_stored_statements_checks_and_records_through_dbt(
    published: tuple[RunnerProject, str], tmp_path: Path
) -> None:
    """A database no setup of this release published (no statements beside it):
    dbt checks the previous and records the rollback, with the same row."""
    rp, first = published
    live = shutil.copy2(rp.db, tmp_path / "simulation.duckdb")
    shutil.copy2(rp.db, previous_path(live))
    back = rp.run("rollback", "--db", str(live))
    assert back.exit_code == 0, back.output
    assert not (tmp_path / ".planwise" / live.name / "queries.json").exists()
    rows = json.loads(rp.run("history", "--db", str(live), "--json").output)
    assert rows[0]["kind"] == "rollback" and [r["run_id"] for r in rows if r["live"]] == [first]
    assert rows[0]["change_summary"] == {"restored_run": first, "replaced_run": first}
