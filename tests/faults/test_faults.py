"""Faults around a real `planwise-run setup`: locks, signals, disk full, read-only
directories, concurrent setups and the overall timeout.

Fault runs use census B (see conftest): if a fault run published anything, the
live database would show it (its checksum would be census B's), so "unchanged"
really means nothing was published.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from runner.cli import cli
from runner.locking import lock_path
from runner.publish import candidate_path, leftovers, wal_path
from runner.state import state_dir
from tests.faults.conftest import (
    PLANWISE_RUN,
    Case,
    Pristine,
    clean_environ,
    finish,
    mounted_tmpfs,
    read_only,
    wait_until,
)
from tests.reliability._processes import duckdb_code, holding, setup_lock_code
from tests.runner.conftest import CLEAN_ENV

# --------------------------------------------------------------------------- locks


def test_a_program_opening_the_live_database_during_the_build_exits_3_with_its_report(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A DuckDB client that opens the live file while dbt builds the candidate: the
    publish refuses (exit 3 naming it), the report says so, the candidate is kept
    (the whole build is not lost), and the live database is unchanged."""
    from runner import publish

    real_publish = publish.publish
    holders: list[int] = []

    def publish_while_held(*args: Any, **kwargs: Any) -> bool:
        with holding(duckdb_code(str(case.db), read_only=True)) as holder:
            holders.append(holder.pid)
            return real_publish(*args, **kwargs)

    monkeypatch.setattr(publish, "publish", publish_while_held)
    result = case.run()

    assert result.exit_code == 3, result.output
    title = next(line for line in result.output.splitlines() if "PlanWise setup:" in line)
    assert "not published" in title  # everything ran
    report = case.report()
    assert (report["status"], report["exit_code"], report["published"]) == ("error", 3, False)
    assert any(f"PID {holders[0]}" in message for message in report["messages"])
    kept = Path(str(report["kept_candidate"]))
    assert kept.is_file() and kept.name.startswith(case.db.name + ".failed-")
    kept.unlink()
    case.assert_unchanged()
    case.assert_no_debris()


@pytest.mark.parametrize("read_only_holder", [False, True], ids=["writer", "reader"])
def test_database_held_by_another_program_exits_3_naming_its_pid(
    case: Case, read_only_holder: bool
) -> None:
    with holding(duckdb_code(str(case.db), read_only=read_only_holder)) as holder:
        started = time.monotonic()
        result = case.run("--lock-timeout", "0")
        elapsed = time.monotonic() - started
    assert result.exit_code == 3, result.output
    assert f"PID {holder.pid}" in result.output
    assert str(case.db) in result.output
    mode = "read-only" if read_only_holder else "read-write"
    assert mode in result.output
    assert "Traceback" not in result.output
    assert elapsed < 10, "a locked database must be reported before dbt runs"
    case.assert_unchanged()
    case.assert_no_debris()


def test_setup_waits_for_another_setup_then_exits_3_naming_it(case: Case) -> None:
    with holding(setup_lock_code(str(case.db))) as other:
        started = time.monotonic()
        result = case.run("--lock-timeout", "1.5")
        waited = time.monotonic() - started
    assert result.exit_code == 3, result.output
    assert f"PID {other.pid}" in result.output
    assert waited >= 1.5
    case.assert_unchanged()
    # only the lock file of the SIGKILLed helper, which the next run removes
    assert case.debris() in ([], [lock_path(case.db)])


def test_interrupt_while_taking_the_setup_lock_leaves_no_lock_file(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C after <db>.lock was created and flocked, before setup_lock's body starts.
    from runner import locking

    real_same_file = locking._same_file
    calls: list[Path] = []

    def interrupted(fd: int, path: Path) -> bool:
        calls.append(path)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return real_same_file(fd, path)

    monkeypatch.setattr(locking, "_same_file", interrupted)
    with pytest.raises(KeyboardInterrupt), locking.setup_lock(case.db, timeout=0):
        pass
    monkeypatch.undo()
    assert not lock_path(case.db).exists()
    assert locking.lock_state(case.db) == "free"


# A setup that is copying the live file into its candidate holds the setup lock
# and a shared POSIX lock on the live file (runner.publish.prepare_candidate); a
# publishing setup holds an exclusive one. A second setup must wait for the
# setup lock (--lock-timeout), not fail at once because DuckDB cannot open the
# live file for that instant.
COPYING_SETUP = """
    import fcntl, os, time
    from pathlib import Path
    from runner.locking import setup_lock
    live = Path({db!r})
    with setup_lock(live, timeout=0):
        fd = os.open(live, os.O_RDONLY)
        fcntl.lockf(fd, fcntl.LOCK_SH)
        print("ready", flush=True)
        time.sleep(2)
        os.close(fd)
    time.sleep(600)
"""


def test_setup_started_while_another_copies_the_live_file_waits(case: Case) -> None:
    with holding(COPYING_SETUP.format(db=str(case.db))):
        result = case.run("--lock-timeout", "30")
    assert result.exit_code == 0, result.output
    case.assert_unchanged()
    case.assert_no_debris()


# --------------------------------------------------------------------------- signals


def _run_files(case: Case, name: str) -> list[Path]:
    runs = state_dir(case.db) / "runs"
    return list(runs.glob(f"*-setup/target/{name}")) if runs.is_dir() else []


def _replaced(case: Case, inode: int) -> bool:
    try:
        return case.db.stat().st_ino != inode
    except FileNotFoundError:
        return False


# Where to hit the setup: wait for the file change that marks that moment.
POINTS: dict[str, Callable[[Case, int], object]] = {
    # the setup lock is taken: cleanup, candidate copy and dbt import are next
    "locked": lambda case, _: lock_path(case.db).exists(),
    # the candidate exists: dbt is importing/parsing
    "candidate": lambda case, _: candidate_path(case.db).exists(),
    # dbt has been writing the candidate for a second (DELAY)
    "building": lambda case, _: wal_path(candidate_path(case.db)).exists(),
    # dbt finished and closed the candidate (its WAL folded): publishing is next
    "publishing": lambda case, _: (
        _run_files(case, "run_results.json") and not wal_path(candidate_path(case.db)).exists()
    ),
    # the live file was just replaced: saving state and writing reports are next
    "published": _replaced,
}
DELAY = {"building": 1.0}

SIGNAL_CASES = [
    ("SIGKILL", "building"),
    ("SIGKILL", "publishing"),
    ("SIGTERM", "locked"),
    ("SIGTERM", "building"),
    ("SIGINT", "candidate"),
    ("SIGINT", "building"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "point"), SIGNAL_CASES, ids=[f"{s}-{p}" for s, p in SIGNAL_CASES])
def test_signal_during_setup_leaves_live_unchanged(
    case: Case, pristine: Pristine, sig: str, point: str
) -> None:
    inode = case.db.stat().st_ino
    process = case.spawn(census=pristine.census_b)
    wait_until(lambda: POINTS[point](case, inode), process, f"the {point} point", interval=0.002)
    time.sleep(DELAY.get(point, 0.0))
    process.send_signal(getattr(signal, sig))
    code, output = finish(process)

    after = case.checksum()
    published = after == pristine.checksum_b
    print(f"observed: exit {code}, published {published}, leftovers {leftovers(case.db)}")
    if point in ("publishing", "published") and published:
        # The signal came after the atomic replace: the new database is complete
        # (user table carried over), and the runner must not claim otherwise.
        # (-SIGINT: the signal came after the runner had finished, during interpreter
        # shutdown; a shell shows it as 130 too)
        assert code in (0, 130, -signal.SIGINT, -signal.SIGKILL), output
        if code == 130:
            assert "interrupted after publishing" in output, output
            assert "not changed" not in output and "unchanged" not in output, output
    else:
        assert point != "published", "the live file was replaced with something else"
        assert not published, f"the fault run published census B (exit {code}):\n{output}"
        case.assert_unchanged()
        if sig == "SIGKILL":
            assert code == -signal.SIGKILL
        else:
            assert code == 130, output
            assert "interrupted" in output and "Traceback" not in output

    debris = leftovers(case.db)
    if sig != "SIGKILL" and not lock_path(case.db).exists():
        case.assert_no_debris()
        return
    # kill -9 cannot clean up, and a Ctrl-C/SIGTERM that lands between the creation
    # of <db>.lock and the start of the locked block leaves that (unheld) file: the
    # next setup takes the leftovers over, reports and removes them.
    nxt = case.run()
    assert nxt.exit_code == 0, nxt.output
    # The dead run's lock file is simply taken over (flock) and removed on release;
    # its candidate files are reported as removed.
    if debris:
        assert "removed leftovers" in nxt.output, nxt.output
        for path in debris:
            assert path.name in nxt.output, nxt.output
    case.assert_unchanged()  # census A again: the pristine content
    case.assert_no_debris()


def test_interrupt_right_after_the_atomic_replace_says_published(
    case: Case, pristine: Pristine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C arriving at the first instruction after os.replace (deterministic stand-in
    # for a SIGINT that lands there; a real one does, under load).
    from runner import publish

    real_fsync = publish._fsync
    calls: list[Path] = []

    def interrupted_fsync(path: Path, directory: bool = False) -> None:
        if directory:
            calls.append(path)
            if len(calls) == 1 and _replaced(case, inode):
                raise KeyboardInterrupt
        real_fsync(path, directory)

    inode = case.db.stat().st_ino
    monkeypatch.setattr(publish, "_fsync", interrupted_fsync)
    result = case.run(census=pristine.census_b)

    assert calls and _replaced(case, inode)
    assert case.checksum() == pristine.checksum_b  # the complete new database is live
    assert result.exit_code == 130, result.output
    assert "interrupted after publishing" in result.output
    assert "not changed" not in result.output and "unchanged" not in result.output
    case.assert_no_debris()


def test_interrupt_as_the_atomic_replace_returns_says_published(
    case: Case, pristine: Pristine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C raised the instant os.replace returns, before publish() can note it: the
    # runner must recognise the new live file itself (by the candidate's inode).
    import os

    from runner import publish

    live = str(case.db)

    class ReplaceThenInterrupt:
        def __getattr__(self, name: str) -> object:
            return getattr(os, name)

        def replace(self, source: object, destination: object) -> None:
            os.replace(source, destination)  # type: ignore[arg-type]
            if str(destination) == live:
                raise KeyboardInterrupt

    inode = case.db.stat().st_ino
    monkeypatch.setattr(publish, "os", ReplaceThenInterrupt())
    result = case.run(census=pristine.census_b)

    assert _replaced(case, inode)
    assert case.checksum() == pristine.checksum_b
    assert result.exit_code == 130, result.output
    assert "interrupted after publishing" in result.output
    assert "not changed" not in result.output and "unchanged" not in result.output
    report = case.report()
    assert (report["status"], report["published"]) == ("interrupted", True)
    case.assert_no_debris()


# --------------------------------------------------------------------------- timeout


@pytest.mark.slow
def test_timeout_stops_dbt_and_leaves_live_unchanged(case: Case, pristine: Pristine) -> None:
    started = time.monotonic()
    process = case.spawn("--timeout", "4", census=pristine.census_b)
    code, output = finish(process)
    elapsed = time.monotonic() - started
    assert code == 2, output
    assert "timed out after 4s" in output and "Traceback" not in output
    assert elapsed < 30, f"setup took {elapsed:.0f}s after a 4 s timeout"
    case.assert_unchanged()
    case.assert_no_debris()


# --------------------------------------------------------------------------- disk full


DISK_FULL = {
    # not even room for the candidate copy
    "copy": lambda live_mb: live_mb + 1,
    # room for the candidate, not for dbt's artifacts (manifest.json) in the run dir
    "artifacts": lambda live_mb: 2 * live_mb + 2,
    # room for the candidate and the parse, not for the artifacts written at the end
    "final-artifacts": lambda live_mb: 2 * live_mb + 4,
    # room for the candidate and the artifacts, not for DuckDB's writes of a big census
    "database": lambda live_mb: 2 * live_mb + 5,
}


@pytest.mark.slow
@pytest.mark.parametrize("where", list(DISK_FULL))
def test_disk_full_leaves_live_unchanged_and_no_debris(
    full_case: Case, full_pristine: Pristine, tmp_path: Path, where: str
) -> None:
    # the points are sized by a real setup's database and artifacts
    case, census = full_case, full_pristine.census_b
    if where == "database":
        from runner.census import CensusSpec, generate_census

        census = tmp_path / "big.parquet"
        generate_census(CensusSpec(employees=60_000, seed=3), census)
    size_mb = DISK_FULL[where](case.db.stat().st_size / 2**20)
    with mounted_tmpfs(case.db.parent, f"{int(size_mb * 1024)}k"):
        result = case.run(census=census)
        print(f"observed: exit {result.exit_code}\n{result.output}")
        assert result.exit_code == 2, result.output
        assert "No space left on device" in result.output
        assert "Traceback" not in result.output
        case.assert_unchanged()
        case.assert_no_debris()


@pytest.mark.slow
def test_file_size_limit_is_a_runtime_error_with_a_report(case: Case, tmp_path: Path) -> None:
    import resource

    from runner.census import CensusSpec, generate_census

    census = tmp_path / "big.parquet"
    generate_census(CensusSpec(employees=40_000, seed=3), census)
    limit = case.db.stat().st_size  # the candidate may not grow beyond the live file

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    process = subprocess.Popen(
        [str(PLANWISE_RUN), *case.argv(census=census)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_environ(),
        preexec_fn=limit_file_size,
    )
    code, output = finish(process)
    print(f"observed: exit {code}\n{output}")
    case.assert_unchanged()
    case.assert_no_debris()
    assert code == 2, output
    assert "File too large" in output and "Traceback" not in output
    report = case.report()
    assert (report["status"], report["published"]) == ("error", False)


def test_file_size_limit_at_the_publish_checkpoint_is_a_runtime_error_with_a_report(
    case: Case, pristine: Pristine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # dbt finished, but the candidate still has a WAL (its close could not fold it) and
    # the file-size limit stops the checkpoint in publish(): DuckDB raises a
    # FatalException ("File too large"), which must be exit 2 with a report.
    import resource

    import duckdb

    from runner import publish

    real_publish, real_checkpoint = publish.publish, publish.checkpoint

    def publish_with_wal(candidate: Path, live: Path, *args: object, **kwargs: object) -> bool:
        with duckdb.connect(str(candidate)) as connection:
            connection.execute("pragma disable_checkpoint_on_shutdown")
            connection.execute("create table main.late_rows (i integer, s varchar)")
            for _ in range(100):
                connection.execute(
                    "insert into main.late_rows select range, md5(range::varchar) from range(500)"
                )
        assert wal_path(candidate).exists()
        return real_publish(candidate, live, *args, **kwargs)  # type: ignore[arg-type]

    def limited_checkpoint(db_path: Path) -> None:
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        # no write beyond the first MiB (the candidate reuses its free blocks otherwise)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2**20, hard))
        try:
            real_checkpoint(db_path)
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))

    monkeypatch.setattr(publish, "publish", publish_with_wal)
    monkeypatch.setattr(publish, "checkpoint", limited_checkpoint)
    result = case.run(census=pristine.census_b)

    print(result.output)
    assert result.exit_code == 2, result.output
    assert "File too large" in result.output, result.output
    assert "Traceback" not in result.output and "rerun with -v" not in result.output
    report = case.report()
    assert (report["status"], report["published"]) == ("error", False)
    assert (case.reports / "setup-junit.xml").is_file()
    last_run = state_dir(case.db) / "last-run.json"
    assert '"status": "error"' in last_run.read_text()
    case.assert_unchanged()
    case.assert_no_debris()


# --------------------------------------------------------------------------- read-only


def test_read_only_database_directory_fails_before_any_work(case: Case, pristine: Pristine) -> None:
    with read_only(case.db.parent):
        started = time.monotonic()
        result = case.run(census=pristine.census_b)
        elapsed = time.monotonic() - started
        assert result.exit_code == 2, result.output
        assert str(case.db.parent) in result.output and "not writable" in result.output
        assert "nothing was run" in result.output
        assert elapsed < 10
        case.assert_unchanged()
        case.assert_no_debris()


def test_missing_database_directory_fails_before_any_work(case: Case) -> None:
    missing = case.root / "no-such-dir" / "simulation.duckdb"
    argv = case.argv()
    argv[argv.index("--db") + 1] = str(missing)
    result = CliRunner().invoke(cli, argv, env=dict(CLEAN_ENV), catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert str(missing.parent) in result.output and "does not exist" in result.output
    assert not missing.parent.exists()
    case.assert_unchanged()
    case.assert_no_debris()


@pytest.mark.slow
def test_read_only_project_directory_still_sets_up(case: Case) -> None:
    with read_only(case.project):
        result = case.run()
    assert result.exit_code == 0, result.output
    assert case.report()["published"] is True
    case.assert_unchanged()  # census A: the same content as before, user table kept
    case.assert_no_debris()


def test_read_only_project_with_default_report_dir_says_so(case: Case) -> None:
    argv = case.argv()
    at = argv.index("--report-dir")
    del argv[at : at + 2]
    with read_only(case.project):
        result = CliRunner().invoke(cli, argv, env=dict(CLEAN_ENV), catch_exceptions=False)
    if result.exit_code != 0:
        assert result.exit_code == 2, result.output
        assert str(case.project) in result.output and "not writable" in result.output
        assert "Traceback" not in result.output
    case.assert_unchanged()
    case.assert_no_debris()


# --------------------------------------------------------------------------- concurrency


@pytest.mark.slow
def test_two_setups_started_together_serialise(case: Case, pristine: Pristine) -> None:
    first = case.spawn()
    second = case.spawn(census=pristine.census_b)
    results = [finish(first), finish(second)]
    assert [code for code, _ in results] == [0, 0], results
    final = case.checksum()
    assert final in (pristine.checksum, pristine.checksum_b), "mixed database"
    case.assert_no_debris()
    # each run kept its own dbt artifacts (per-run target/log directories)
    runs = sorted((state_dir(case.db) / "runs").glob("*-setup"))
    assert {run.name.split("-")[1] for run in runs} == {str(first.pid), str(second.pid)}
    for run in runs:
        assert (run / "target" / "run_results.json").is_file()
        assert (run / "logs" / "dbt.log").is_file()


@pytest.mark.slow
def test_two_setups_with_no_lock_wait_one_wins_the_other_names_it(
    case: Case, pristine: Pristine
) -> None:
    processes = [
        case.spawn("--lock-timeout", "0"),
        case.spawn("--lock-timeout", "0", census=pristine.census_b),
    ]
    results = [finish(p) for p in processes]
    codes = [code for code, _ in results]
    assert sorted(codes) == [0, 3], results
    winner = processes[codes.index(0)]
    loser_output = results[codes.index(3)][1]
    assert f"PID {winner.pid}" in loser_output, loser_output
    expected = pristine.checksum if winner is processes[0] else pristine.checksum_b
    assert case.checksum() == expected, "mixed database"
    case.assert_no_debris()


def test_a_reader_that_goes_away_is_not_an_error_of_the_run(
    make_case: Callable[[str], Case],
) -> None:
    """`planwise-run setup -v | head -3`: the setup publishes and keeps exit 0,
    with no BrokenPipeError traceback."""
    case = make_case("broken-pipe")
    process = subprocess.Popen(
        [str(PLANWISE_RUN), *case.argv("-v")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_environ(),
    )
    assert process.stdout is not None and process.stderr is not None
    for _ in range(3):
        assert process.stdout.readline()
    process.stdout.close()  # as `head -3` does
    errors = process.stderr.read()
    assert process.wait(timeout=300) == 0, errors
    assert "Traceback" not in errors and "BrokenPipe" not in errors
    assert case.report()["published"] is True
