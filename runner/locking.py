"""Locks: one setup per database at a time, and who else has the DuckDB file open.

The setup lock is a BSD flock on `<db>.lock`, which names its holder (PID,
command, start) for messages. The kernel drops a flock when its holder dies,
even by SIGKILL, so a leftover lock file never blocks; the holder removes it on
release, while still locked. The lock file is opened without following links and
must be a regular file of this user with no other name, so it can never clobber
another file. DuckDB's own lock is a POSIX lock on the database file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import socket
import stat
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from runner.errors import ExitCode, PlanwiseError

_held_here: set[str] = set()  # lock files this process holds now
_CONFLICT = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")


class DatabaseLocked(PlanwiseError):
    """The database is in use by another setup run or another program (exit 3)."""

    exit_code = ExitCode.LOCKED

    def __init__(self, path: Path, holder: str) -> None:
        self.path, self.holder = path, holder
        hint = "close that program or wait for the other run, then retry (--lock-timeout)"
        super().__init__(f"database {path} is locked by {holder}", hint)

    def __str__(self) -> str:
        return f"{self.message}; close it or wait, then retry"


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def _open(lock_file: Path, flags: int) -> int:
    """The lock file's descriptor: never through a link, only a regular file of this
    user with one name (PlanwiseError otherwise); FileNotFoundError without one."""
    try:
        fd = os.open(lock_file, flags | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, 0o600)
    except (FileNotFoundError, PermissionError):
        raise
    except OSError as exc:  # a link, a directory, a path through a file
        raise PlanwiseError(
            f"{lock_file}: cannot be a lock file ({exc.strerror})",
            "remove or rename it, then retry",
        ) from exc
    info = os.fstat(fd)
    if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid() and info.st_nlink == 1:
        return fd
    os.close(fd)
    raise PlanwiseError(
        f"{lock_file}: is not a plain lock file of yours ({_kind(info)})", "remove it, then retry"
    )


FILE_KINDS = {
    stat.S_ISFIFO: "a FIFO (named pipe)",
    stat.S_ISSOCK: "a socket",
    stat.S_ISCHR: "a device",
    stat.S_ISBLK: "a device",
    stat.S_ISDIR: "a directory",
}


def file_kind(mode: int) -> str | None:
    """What a file that is not a regular one is, in words (None for a regular file)."""
    return next((name for test, name in FILE_KINDS.items() if test(mode)), None)


def _kind(info: os.stat_result) -> str:
    """Why an opened lock file is not a plain one of this user's, in words."""
    found = file_kind(info.st_mode)
    if found:
        return found
    if info.st_uid != os.geteuid():
        return f"owned by user id {info.st_uid}"
    return f"a file with {info.st_nlink} names (a hard link)"


def _describe(lock_file: Path) -> str:
    """The holder a lock file names, for messages."""
    with contextlib.suppress(OSError, ValueError, PlanwiseError):
        fd = _open(lock_file, os.O_RDONLY)
        with os.fdopen(fd, encoding="utf-8") as handle:
            info = json.loads(handle.read(4096) or "null")
        if isinstance(info, dict) and isinstance(info.get("pid"), int):
            details = [str(info["command"])] if info.get("command") else []
            details += [f"started {info['started']}"] if info.get("started") else []
            if info.get("host") not in (None, socket.gethostname()):
                details.append(f"on host {info['host']}")
            return f"PID {info['pid']}" + (f" ({', '.join(details)})" if details else "")
    return f"another process (PID unknown; lock file {lock_file})"


def _same_file(fd: int, path: Path) -> bool:
    with contextlib.suppress(FileNotFoundError):
        on_disk, opened = os.stat(path, follow_symlinks=False), os.fstat(fd)
        return (on_disk.st_dev, on_disk.st_ino) == (opened.st_dev, opened.st_ino)
    return False


def _release(fd: int, lock_file: Path) -> None:
    try:
        if _same_file(fd, lock_file):
            lock_file.unlink(missing_ok=True)  # while still holding the lock
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _try_acquire(lock_file: Path) -> int | None:
    """An fd holding the flock, or None when another holds it."""
    while True:
        fd = _open(lock_file, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        try:
            if _same_file(fd, lock_file):
                return fd
        except BaseException:
            _release(fd, lock_file)
            raise
        os.close(fd)  # the holder removed the file between our open and flock: retry


@contextlib.contextmanager
def setup_lock(db_path: Path, timeout: float) -> Iterator[None]:
    """Hold `<db>.lock` for a `with` block, waiting up to `timeout` seconds, else
    DatabaseLocked naming the holder. Two acquisitions in one process exclude each
    other too. OSError when the lock file cannot be created."""
    lock_file, fd = lock_path(db_path), None
    command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:500]
    started = datetime.now(UTC).isoformat(timespec="seconds")
    host = socket.gethostname()
    record = {"pid": os.getpid(), "command": command, "started": started, "host": host}
    deadline = time.monotonic() + max(timeout, 0.0)
    try:  # acquired inside the try: an interrupt right after it still releases
        while (fd := _try_acquire(lock_file)) is None:
            if time.monotonic() >= deadline:
                raise DatabaseLocked(db_path, _describe(lock_file))
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
        os.ftruncate(fd, 0)  # only now that the lock is held
        os.pwrite(fd, (json.dumps(record) + "\n").encode(), 0)
        _held_here.add(os.path.abspath(lock_file))
        yield
    finally:
        if fd is not None:
            _held_here.discard(os.path.abspath(lock_file))
            _release(fd, lock_file)


def lock_state(db_path: Path) -> str:
    """ "free" (no lock file, or a stale one), "here" (this process) or "other"."""
    lock_file = lock_path(db_path)
    if os.path.abspath(lock_file) in _held_here:
        return "here"
    try:
        fd = _open(lock_file, os.O_RDONLY)
    except FileNotFoundError:
        return "free"
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return "other"
    finally:
        os.close(fd)
    return "free"


def setup_lock_holder(db_path: Path) -> str | None:
    """Who holds the setup lock, when another process does."""
    return _describe(lock_path(db_path)) if lock_state(db_path) == "other" else None


def holder_from_duckdb_error(error: BaseException) -> str | None:
    """The holder a DuckDB lock-conflict error names; None for other errors."""
    text = str(error)
    if match := _CONFLICT.search(text):
        mode = "read-only" if "open this database in read-only mode" in text else "read-write"
        return f"{match['program']} (PID {match['pid']}, {mode} connection)"
    if "Could not set lock on file" in text:
        return "another process (PID unknown)"
    if "different configuration" in text:
        return f"this process (PID {os.getpid()}, already connected)"
    return None


def probe_database(db_path: Path) -> None:
    """Open the DuckDB file read-write and CHECKPOINT, which folds a leftover WAL into
    it: DatabaseLocked when another process has it open, PlanwiseError when it is no
    DuckDB file or cannot be written. Nothing happens when there is no file."""
    if not db_path.exists():
        return
    try:
        with duckdb.connect(str(db_path)) as connection:
            connection.execute("checkpoint")  # its errors raise; those of a close do not
    except duckdb.Error as error:
        holder = holder_from_duckdb_error(error)
        if holder is not None:
            raise DatabaseLocked(db_path, holder) from error
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        hint = "is it a DuckDB file you may write? choose another --db or fix it"
        raise PlanwiseError(f"{db_path}: cannot open the database: {first}", hint) from error
