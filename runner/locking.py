"""Locks: one setup per database at a time, and "is another program using the file?".

Two different locks are involved:

- The *setup lock* (`setup_lock`) serialises PlanWise runs on one database. It is
  a BSD `flock` on `<db>.lock`; the file holds the holder's PID, command and
  start time as JSON, for messages only. The kernel releases a flock when its
  holder dies (even by SIGKILL), so a lock file left behind by a dead process
  never blocks anyone: the next run simply acquires it. The file is removed on
  a normal release (while still holding the lock, and only if it is still the
  same file, so waiting processes never end up holding a lock on a deleted file).
- DuckDB's own lock: DuckDB takes a POSIX `fcntl` lock on the database file
  itself (shared for read-only connections, exclusive for read-write).
  `probe_database` asks DuckDB for a read-write open, which conflicts with
  both, and turns the error into `DatabaseLocked` naming the PID DuckDB reports.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import socket
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

POLL_INTERVAL = 0.1

# Lock files (absolute paths) whose setup lock this process holds right now.
_held_here: set[str] = set()


class DatabaseLocked(Exception):
    """The database is in use by another setup run or another program."""

    def __init__(self, path: Path, holder: str) -> None:
        self.path = path
        self.holder = holder
        super().__init__(f"database {path} is locked by {holder}; close it or wait, then retry")


def lock_path(db_path: Path) -> Path:
    """The setup lock file of a database: `<db>.lock`."""
    return db_path.with_name(db_path.name + ".lock")


def _key(path: Path) -> str:
    return os.path.abspath(path)


def _describe_holder(lock_file: Path) -> str:
    """A description of the process named in a lock file, for messages."""
    try:
        info: Any = json.loads(lock_file.read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        info = None
    if not isinstance(info, dict) or not isinstance(info.get("pid"), int):
        return f"another process (PID unknown; lock file {lock_file})"
    details = []
    if info.get("command"):
        details.append(str(info["command"]))
    if info.get("started"):
        details.append(f"started {info['started']}")
    host = info.get("host")
    if host and host != socket.gethostname():
        details.append(f"on host {host}")
    suffix = f" ({', '.join(details)})" if details else ""
    return f"PID {info['pid']}{suffix}"


def _holder_record() -> bytes:
    command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else ""
    record = {
        "pid": os.getpid(),
        "command": command[:500],
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": socket.gethostname(),
    }
    return (json.dumps(record) + "\n").encode("utf-8")


def _same_file(fd: int, path: Path) -> bool:
    """True when `path` still names the file open as `fd` (not deleted or replaced)."""
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(fd)
    return (on_disk.st_dev, on_disk.st_ino) == (opened.st_dev, opened.st_ino)


def _try_acquire(lock_file: Path) -> int | None:
    """An fd holding an exclusive flock on `lock_file`, or None if someone else holds it.

    Interrupted (Ctrl-C, SIGTERM) after the file was opened, it removes the file
    again when nobody else holds it, so no unheld lock file is left behind (only
    an interrupt landing inside `os.open` itself still can: the next run takes
    such a file over and removes it).
    """
    while True:
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return None
            if _same_file(fd, lock_file):
                return fd
        except BaseException:
            _abandon(fd, lock_file)
            raise
        # The previous holder removed the file between our open and our flock:
        # this lock is on a deleted file and protects nothing. Try the new one.
        os.close(fd)


def _abandon(fd: int, lock_file: Path) -> None:
    """Close an fd of the lock file after an interrupt; remove the file if this process
    holds (or can take) its flock, i.e. nobody else is using it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # held by another process (or fd already closed)
        with contextlib.suppress(OSError):
            os.close(fd)
        return
    _release(fd, lock_file)


def _release(fd: int, lock_file: Path) -> None:
    try:
        if _same_file(fd, lock_file):
            lock_file.unlink(missing_ok=True)  # while still holding the lock
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@contextlib.contextmanager
def _setup_lock(db_path: Path, timeout: float) -> Iterator[None]:
    lock_file = lock_path(db_path)
    key = _key(lock_file)
    record = _holder_record()
    deadline = time.monotonic() + max(timeout, 0.0)
    fd: int | None = None
    try:  # acquire inside the try: an interrupt right after it still releases
        while True:
            fd = _try_acquire(lock_file)
            if fd is not None:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DatabaseLocked(db_path, _describe_holder(lock_file))
            time.sleep(min(POLL_INTERVAL, remaining))
        os.ftruncate(fd, 0)
        os.pwrite(fd, record, 0)
        _held_here.add(key)
        yield
    finally:
        if fd is not None:
            _held_here.discard(key)
            _release(fd, lock_file)


def setup_lock(db_path: Path, timeout: float) -> contextlib.AbstractContextManager[None]:
    """Hold the setup lock of `db_path` (`<db>.lock`) for the duration of a `with` block.

    Waits up to `timeout` seconds (polling every 0.1 s), then raises
    `DatabaseLocked` naming the holder's PID and command from the lock file. A
    lock file left by a dead process does not block. Two acquisitions in one
    process (other thread, nested `with`) also exclude each other. Raises
    `OSError` (e.g. PermissionError) when the lock file cannot be created.
    """
    return _setup_lock(db_path, timeout)


def lock_state(db_path: Path) -> str:
    """`"free"` (no lock file, or a stale one), `"here"` (this process) or `"other"`."""
    lock_file = lock_path(db_path)
    if _key(lock_file) in _held_here:
        return "here"
    try:
        fd = os.open(lock_file, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return "free"
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return "other"
    finally:
        os.close(fd)  # closing also drops the shared flock if we got it
    return "free"


def setup_lock_holder(db_path: Path) -> str | None:
    """Who holds the setup lock of `db_path` if another process does, else None."""
    if lock_state(db_path) != "other":
        return None
    return _describe_holder(lock_path(db_path))


_CONFLICT_RE = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")


def holder_from_duckdb_error(error: BaseException) -> str | None:
    """The lock holder named in a DuckDB lock-conflict error, or None for other errors."""
    text = str(error)
    match = _CONFLICT_RE.search(text)
    if match:
        mode = "read-only" if "open this database in read-only mode" in text else "read-write"
        return f"{match['program']} (PID {match['pid']}, {mode} connection)"
    if "Could not set lock on file" in text:
        return "another process (PID unknown)"
    if "different configuration" in text:
        return f"this process (PID {os.getpid()}, already connected)"
    return None


def probe_database(db_path: Path) -> None:
    """Raise `DatabaseLocked` if another process has the DuckDB file open.

    Opens the file read-write for an instant (which conflicts with writers and
    read-only readers alike) and closes it at once. Does nothing when the file
    does not exist (and never creates it). Other DuckDB errors (e.g. not a
    DuckDB file) propagate as `duckdb.Error`. Opening read-write does not change
    the file, except that DuckDB folds a leftover `.wal` into it (content unchanged).
    """
    if not db_path.exists():
        return
    try:
        connection = duckdb.connect(str(db_path))
    except duckdb.Error as error:
        holder = holder_from_duckdb_error(error)
        if holder is None:
            raise
        raise DatabaseLocked(db_path, holder) from error
    connection.close()
