"""Atomic publish: build into `<db>.candidate`, replace the live database only on success.

Beside the live `<db>` (same directory, so renames are atomic): `<db>.candidate`
(+ `.wal`), the database being built (its catalog name is the live file's, as
DuckDB names catalogs by the first dot-separated part); `<db>.candidate.source`,
the live file's identity when copied (publish refuses a live file that changed
since); `<db>.candidate.tmp`, a copy in progress; `<db>.failed-<UTC time>`, a
failed candidate kept on request; `<db>.previous`, the database the last publish
replaced (a hard link made before the rename), which `rollback` puts back.

The copy first folds a leftover `<db>.wal` into the live file (a DuckDB
CHECKPOINT, content unchanged), then copies it under a shared POSIX lock, so no
writer can change it meanwhile and no old WAL can ever be replayed onto the new
file. The live file is replaced by one rename(2) of a complete, fsynced file: a
reader sees the old or the new database, never a mix; a kill before the rename
leaves the live file as it was. Needs a local POSIX filesystem (atomic rename,
flock and fcntl locks); a symlinked live path is replaced by a regular file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from runner.locking import (
    DatabaseLocked,
    holder_from_duckdb_error,
    lock_path,
    lock_state,
    setup_lock_holder,
)

CANDIDATE = ".candidate"


class PublishConflict(RuntimeError):
    """The live database changed while the candidate was built; nothing was published."""


class CheckpointFailed(RuntimeError):
    """DuckDB could not fold a WAL into its file (disk full, file-size limit, quota)."""


@dataclass
class Publication:
    """How far `publish` got, readable after a Ctrl-C at any instant: the live file
    is the candidate once `replaced`, or once it has the candidate's identity."""

    candidate_identity: tuple[int, int] | None = None
    replaced: bool = False

    def is_live(self, live: Path) -> bool:
        identity = self.candidate_identity
        return self.replaced or (identity is not None and _identity(live) == identity)


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def wal_path(db_path: Path) -> Path:
    return _sibling(db_path, ".wal")


def candidate_path(live: Path) -> Path:
    return _sibling(live, CANDIDATE)


def previous_path(live: Path) -> Path:
    return _sibling(live, ".previous")


def _stamp(live: Path) -> Path:
    return _sibling(live, CANDIDATE + ".source")


def _debris(live: Path) -> list[Path]:
    candidate = candidate_path(live)
    suffixes = (CANDIDATE + ".tmp", CANDIDATE + ".source", ".previous.tmp")
    return [candidate, wal_path(candidate), *(_sibling(live, s) for s in suffixes)]


def _identity(path: Path) -> tuple[int, int] | None:
    with contextlib.suppress(OSError):
        info = path.stat()
        return (info.st_dev, info.st_ino)
    return None


def _state(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"exists": False}
    info = path.stat()
    return {"exists": True, "ino": info.st_ino, "size": info.st_size, "mtime_ns": info.st_mtime_ns}


def _fsync(path: Path, directory: bool = False) -> None:
    """fsync a file (errors raise) or a directory (best effort: not every FS allows it)."""
    with contextlib.suppress(OSError) if directory else contextlib.nullcontext():
        fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0) | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def checkpoint(db_path: Path) -> None:
    """Fold `<db>.wal` into `<db>` (a read-write open and CHECKPOINT): DatabaseLocked
    when another program holds the file, CheckpointFailed for other DuckDB errors."""
    try:
        connection = duckdb.connect(str(db_path))
    except duckdb.Error as error:
        holder = holder_from_duckdb_error(error)
        if holder is not None:
            raise DatabaseLocked(db_path, holder) from error
        raise CheckpointFailed(f"cannot checkpoint {db_path}: {_first_line(error)}") from error
    try:
        connection.execute("checkpoint")
    except duckdb.Error as error:
        raise CheckpointFailed(f"cannot checkpoint {db_path}: {_first_line(error)}") from error
    finally:
        with contextlib.suppress(duckdb.Error):
            connection.close()


@contextlib.contextmanager
def _file_lock(db_path: Path, exclusive: bool) -> Iterator[None]:
    """The POSIX lock DuckDB takes on its file (DatabaseLocked when a client has it
    open). POSIX locks are per process: the caller must not have it open in DuckDB."""
    try:
        fd = os.open(db_path, (os.O_RDWR if exclusive else os.O_RDONLY) | os.O_CLOEXEC)
    except PermissionError:
        if not exclusive:
            raise
        fd, exclusive = (
            os.open(db_path, os.O_RDONLY | os.O_CLOEXEC),
            False,
        )  # shared still keeps writers out
    try:
        try:
            fcntl.lockf(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            fd = -1
            try:
                duckdb.connect(str(db_path)).close()
                holder = None
            except duckdb.Error as error:
                holder = holder_from_duckdb_error(error)
            raise DatabaseLocked(db_path, holder or "another program") from None
        yield
    finally:
        if fd >= 0:
            os.close(fd)


@contextlib.contextmanager
def _sole_writer(live: Path, what_then: str) -> Iterator[None]:
    """An exclusive lock on the live file (if any); refuse uncheckpointed changes."""
    with _file_lock(live, exclusive=True) if live.exists() else contextlib.nullcontext():
        if wal_path(live).exists():
            raise PublishConflict(
                f"database {live} has uncheckpointed changes in {wal_path(live)}; {what_then}"
            )
        yield


def prepare_candidate(live: Path) -> Path:
    """Remove debris and copy the live database (WAL folded in) to `<live>.candidate`;
    returns that path, not created when there is no live database (dbt creates it).
    DatabaseLocked when another setup or program holds the database."""
    holder = setup_lock_holder(live)
    if holder is not None:
        raise DatabaseLocked(live, f"another setup run, {holder}")
    for path in _debris(live):
        path.unlink(missing_ok=True)
    candidate, tmp = candidate_path(live), _sibling(live, CANDIDATE + ".tmp")
    if not live.exists():
        _stamp(live).write_text(json.dumps(_state(live)) + "\n", encoding="utf-8")
        return candidate
    if wal_path(live).exists():
        checkpoint(live)
    try:
        with _file_lock(live, exclusive=False):
            if wal_path(live).exists():  # a writer came and went since the checkpoint
                raise PublishConflict(
                    f"database {live} was written to while the setup was starting; retry"
                )
            _stamp(live).write_text(json.dumps(_state(live)) + "\n", encoding="utf-8")
            shutil.copyfile(live, tmp)
        _fsync(tmp)
        os.replace(tmp, candidate)
    except BaseException:  # disk full, Ctrl-C: no partial candidate stays behind
        for path in _debris(live):
            path.unlink(missing_ok=True)
        raise
    return candidate


def publish(
    candidate: Path,
    live: Path,
    publication: Publication | None = None,
    keep_previous: bool = True,
    new_mode: int = 0o600,
) -> bool:
    """Replace `live` by the finished, closed `candidate` in one rename: fold its WAL
    (CheckpointFailed), fsync, take the live file's exclusive lock (DatabaseLocked),
    check it is the file the candidate was copied from, with no WAL (PublishConflict),
    keep it as `<live>.previous`, give the new file the live mode and owner (or
    `new_mode`), rename. Everything but an interrupt comes before the rename.
    Returns whether the replaced database was kept."""
    publication = publication or Publication()
    if not candidate.is_file():
        raise FileNotFoundError(f"candidate database {candidate} does not exist")
    if wal_path(candidate).exists():
        checkpoint(candidate)
    _fsync(candidate)
    expected = (
        json.loads(_stamp(live).read_text(encoding="utf-8")) if _stamp(live).exists() else None
    )
    with _sole_writer(live, "another program wrote to it during the setup; nothing was published"):
        if expected is not None and _state(live) != expected:
            raise PublishConflict(
                f"database {live} changed while the setup ran (another program wrote to it); "
                "nothing was published"
            )
        kept = keep_previous and live.exists() and _keep_previous(live)
        if not keep_previous:
            previous_path(live).unlink(missing_ok=True)
        _match_access(candidate, live, new_mode)
        publication.candidate_identity = _identity(candidate)
        os.replace(candidate, live)
        publication.replaced = True
    finalize(live)
    return kept


def _keep_previous(live: Path) -> bool:
    """Hard-link the live file as `<live>.previous`; False without hard links."""
    link = _sibling(live, ".previous.tmp")
    try:
        link.unlink(missing_ok=True)
        os.link(live, link)
    except OSError:
        return False
    os.replace(link, previous_path(live))
    return True


def _match_access(candidate: Path, live: Path, new_mode: int) -> None:
    """The new file gets the live file's mode and owner (same SSNs), or `new_mode`."""
    if not live.exists():
        os.chmod(candidate, new_mode)
        return
    info = live.stat()
    os.chmod(candidate, stat.S_IMODE(info.st_mode))
    with contextlib.suppress(PermissionError):  # only root may give a file away
        os.chown(candidate, info.st_uid, info.st_gid)


def finalize(live: Path) -> None:
    """After the rename: fsync the directory, remove the source stamp (idempotent)."""
    _fsync(live.parent, directory=True)
    with contextlib.suppress(OSError):
        _stamp(live).unlink(missing_ok=True)


def rollback(live: Path) -> None:
    """Swap `<live>.previous` and the live database atomically (a second rollback
    undoes the first). FileNotFoundError without a previous database."""
    previous = previous_path(live)
    if not previous.is_file():
        raise FileNotFoundError(f"no previous database to roll back to ({previous} is missing)")
    with _sole_writer(live, "open and close it with DuckDB once, then roll back"):
        replaced = _sibling(live, ".previous.tmp")
        replaced.unlink(missing_ok=True)
        if live.exists():
            os.link(live, replaced)
        os.replace(previous, live)
        if replaced.exists():
            os.replace(replaced, previous)
    _fsync(live.parent, directory=True)


def discard(candidate: Path, keep: bool) -> Path | None:
    """Remove the candidate, or keep it (with its WAL) as `<live>.failed-<time>`."""
    live = candidate.with_name(candidate.name.removesuffix(CANDIDATE))
    kept = None
    if keep and candidate.exists():
        kept = _sibling(live, ".failed-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ"))
        if wal_path(candidate).exists():
            os.replace(wal_path(candidate), wal_path(kept))
        os.replace(candidate, kept)
        _fsync(live.parent, directory=True)
    for path in _debris(live):
        path.unlink(missing_ok=True)
    return kept


def kept_failures(live: Path) -> list[Path]:
    """Failed candidates kept by `discard(..., keep=True)` (not debris)."""
    found = live.parent.glob(live.name + ".failed-*") if live.parent.is_dir() else []
    return sorted(path for path in found if path.suffix != ".wal")


def leftovers(live: Path) -> list[Path]:
    """Debris of interrupted runs, and a lock file nobody holds; nothing of a setup
    running now in another process."""
    state = lock_state(live)
    if state == "other":
        return []
    stale = [lock_path(live)] if state == "free" and lock_path(live).exists() else []
    return [path for path in _debris(live) if path.exists()] + stale


def cleanup_leftovers(live: Path) -> list[Path]:
    """Remove what `leftovers` lists (a stale lock file only while holding it)."""
    removed = []
    for path in leftovers(live):
        if path == lock_path(live):
            if not _remove_stale_lock(path):
                continue
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _remove_stale_lock(lock_file: Path) -> bool:
    try:
        fd = os.open(lock_file, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if _identity(lock_file) != (os.fstat(fd).st_dev, os.fstat(fd).st_ino):
            return False
        lock_file.unlink()
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
