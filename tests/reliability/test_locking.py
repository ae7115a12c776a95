"""setup_lock and probe_database against real processes (no mocks)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import duckdb
import pytest

from runner.errors import PlanwiseError
from runner.locking import (
    DatabaseLocked,
    lock_path,
    lock_state,
    probe_database,
    setup_lock,
    setup_lock_holder,
)
from runner.publish import cleanup_leftovers, leftovers
from tests.reliability._processes import duckdb_code, holding, setup_lock_code, start, stop


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "simulation.duckdb"


def make_database(path: Path) -> None:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create table kept as select range as i from range(10)")


def test_lock_records_holder_and_is_removed_on_release(db: Path) -> None:
    with setup_lock(db, timeout=0):
        record = json.loads(lock_path(db).read_text(encoding="utf-8"))
        assert record["pid"] == os.getpid()
        assert record["command"] and record["started"]
        assert lock_state(db) == "here"
        assert setup_lock_holder(db) is None  # only other processes count
    assert not lock_path(db).exists()
    assert lock_state(db) == "free"


def test_second_setup_times_out_naming_the_holder_pid(db: Path) -> None:
    with holding(setup_lock_code(str(db))) as holder:
        assert lock_state(db) == "other"
        assert f"PID {holder.pid}" in (setup_lock_holder(db) or "")
        started = time.monotonic()
        with pytest.raises(DatabaseLocked) as caught, setup_lock(db, timeout=0.6):
            pass
        waited = time.monotonic() - started
    assert 0.6 <= waited < 3.0
    error = caught.value
    assert error.path == db
    assert f"PID {holder.pid}" in error.holder
    assert str(error) == (
        f"database {db} is locked by {error.holder}; close it or wait, then retry"
    )


def test_waiting_setup_gets_the_lock_when_the_holder_finishes(db: Path) -> None:
    holder = start(setup_lock_code(str(db), then="time.sleep(1.0)"))
    try:
        started = time.monotonic()
        with setup_lock(db, timeout=20):
            waited = time.monotonic() - started
            record = json.loads(lock_path(db).read_text(encoding="utf-8"))
            assert record["pid"] == os.getpid()
        assert 0.5 <= waited < 15
    finally:
        stop(holder)


def test_sigkilled_holder_does_not_block(db: Path) -> None:
    holder = start(setup_lock_code(str(db)))
    stop(holder, signal.SIGKILL)
    assert lock_path(db).exists()  # the file stays: only informational
    assert json.loads(lock_path(db).read_text(encoding="utf-8"))["pid"] == holder.pid
    assert lock_state(db) == "free"
    assert leftovers(db) == []  # the next holder takes it over and removes it
    with setup_lock(db, timeout=0):  # timeout 0: taken at once, or DatabaseLocked
        assert json.loads(lock_path(db).read_text(encoding="utf-8"))["pid"] == os.getpid()
    assert not lock_path(db).exists()


def test_held_lock_file_is_not_a_leftover(db: Path) -> None:
    with holding(setup_lock_code(str(db))):
        assert leftovers(db) == []
        assert cleanup_leftovers(db) == []
        assert lock_path(db).exists()


def test_same_process_cannot_take_the_lock_twice(db: Path) -> None:
    with setup_lock(db, timeout=0):
        with pytest.raises(DatabaseLocked) as caught, setup_lock(db, timeout=0.2):
            pass
        assert f"PID {os.getpid()}" in caught.value.holder
    with setup_lock(db, timeout=0):
        pass


def test_lock_in_a_read_only_directory_raises_os_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores directory permissions")
    locked_dir = tmp_path / "ro"
    locked_dir.mkdir()
    locked_dir.chmod(0o500)
    try:
        with pytest.raises(PermissionError), setup_lock(locked_dir / "db.duckdb", timeout=0):
            pass
    finally:
        locked_dir.chmod(0o700)


def test_probe_missing_database_does_nothing_and_creates_nothing(db: Path) -> None:
    probe_database(db)
    assert list(db.parent.iterdir()) == []


def test_probe_free_database_passes_and_leaves_no_handle(db: Path) -> None:
    make_database(db)
    before = db.read_bytes()
    probe_database(db)
    assert db.read_bytes() == before
    open_files = {os.path.realpath(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")}
    assert str(db.resolve()) not in open_files
    # another process can open it read-write right away
    writer = start(duckdb_code(str(db), read_only=False))
    stop(writer)


@pytest.mark.parametrize(("read_only", "mode"), [(False, "read-write"), (True, "read-only")])
def test_probe_reports_the_pid_of_another_program(db: Path, read_only: bool, mode: str) -> None:
    make_database(db)
    with holding(duckdb_code(str(db), read_only=read_only)) as holder:
        with pytest.raises(DatabaseLocked) as caught:
            probe_database(db)
        assert caught.value.path == db
        assert f"(PID {holder.pid}, {mode} connection)" in caught.value.holder
        assert f"database {db} is locked by" in str(caught.value)
    probe_database(db)  # free again once the holder is gone


def test_probe_propagates_other_errors(db: Path) -> None:
    db.write_bytes(b"this is not a duckdb file" * 1000)
    with pytest.raises(PlanwiseError, match="cannot open the database"):
        probe_database(db)
