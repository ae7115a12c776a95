"""Atomic publish: build into `<db>.candidate`, replace the live database only on success.

Beside the live `<db>` (same directory, so renames are atomic): `<db>.candidate`
(+ `.wal`), the database being built; `<db>.candidate.source`, the live file's
identity when copied (publish refuses a live file that changed since);
`<db>.candidate.tmp`, a copy in progress; `<db>.failed-<UTC time>`, a failed
candidate kept; `<db>.previous`, the database the last publish replaced (a hard
link made before the rename), which `rollback` puts back.

The copy first folds a leftover `<db>.wal` into the live file (content unchanged),
then copies it under a shared POSIX lock, so no writer can change it meanwhile.
The live file is replaced by one rename(2) of a complete, fsynced file: a reader
sees the old or the new database, never a mix; a kill before the rename leaves
the live file as it was. Needs a local POSIX filesystem (atomic rename, flock and
fcntl locks); a symlinked live path is replaced by a regular file.
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

from runner.locking import DatabaseLocked, holder_from_duckdb_error, setup_lock_holder
from runner.locking import probe_database as checkpoint

CANDIDATE = ".candidate"


class PublishConflict(RuntimeError):
    """The live database changed while the candidate was built; nothing was published."""


@dataclass
class Publication:
    """How far `publish` got, readable after a Ctrl-C at any instant: the live file
    is the candidate once `replaced`, or once it has the candidate's identity."""

    candidate_identity: tuple[int, int] | None = None
    replaced: bool = False

    def is_live(self, live: Path) -> bool:
        identity = self.candidate_identity
        return self.replaced or (identity is not None and _identity(live) == identity)


def sibling(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def wal_path(db_path: Path) -> Path:
    return sibling(db_path, ".wal")


def candidate_path(live: Path) -> Path:
    return sibling(live, CANDIDATE)


def previous_path(live: Path) -> Path:
    return sibling(live, ".previous")


def _debris(live: Path) -> list[Path]:
    candidate, suffixes = candidate_path(live), (CANDIDATE + ".tmp", ".previous.tmp")
    return [candidate, wal_path(candidate), _stamp(live), *(sibling(live, s) for s in suffixes)]


def _stamp(live: Path) -> Path:
    return sibling(live, CANDIDATE + ".source")


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


@contextlib.contextmanager
def _file_lock(db_path: Path, exclusive: bool) -> Iterator[None]:
    """The POSIX lock DuckDB takes on its file (DatabaseLocked when a client has it
    open; a read-only file gets a shared lock, which still keeps writers out).
    POSIX locks are per process: the caller must not have it open in DuckDB."""
    writable = exclusive and os.access(db_path, os.W_OK)
    fd = os.open(db_path, (os.O_RDWR if writable else os.O_RDONLY) | os.O_CLOEXEC)
    try:
        fcntl.lockf(fd, (fcntl.LOCK_EX if writable else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        try:
            duckdb.connect(str(db_path)).close()
            holder = None
        except duckdb.Error as error:
            holder = holder_from_duckdb_error(error)
        raise DatabaseLocked(db_path, holder or "another program") from None
    try:
        yield
    finally:
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
    cleanup_leftovers(live)
    if not live.exists():
        _stamp(live).write_text(json.dumps(_state(live)) + "\n", encoding="utf-8")
        return candidate_path(live)
    if wal_path(live).exists():
        checkpoint(live)
    tmp = sibling(live, CANDIDATE + ".tmp")
    try:
        with _file_lock(live, exclusive=False):
            if wal_path(live).exists():  # a writer came and went since the checkpoint
                raise PublishConflict(
                    f"database {live} was written to while the setup was starting; retry"
                )
            _stamp(live).write_text(json.dumps(_state(live)) + "\n", encoding="utf-8")
            shutil.copyfile(live, tmp)
        _fsync(tmp)
        os.replace(tmp, candidate_path(live))
    except BaseException:  # disk full, Ctrl-C: no partial candidate stays behind
        cleanup_leftovers(live)
        raise
    return candidate_path(live)


def publish(
    candidate: Path,
    live: Path,
    publication: Publication | None = None,
    keep_previous: bool = True,
    new_mode: int = 0o600,
) -> bool:
    """Replace `live` by the finished, closed `candidate` in one rename: fold its WAL,
    fsync, take the live file's exclusive lock (DatabaseLocked), check it is the file
    the candidate was copied from, with no WAL (PublishConflict), keep it as
    `<live>.previous`, give the new file the live mode and owner (or `new_mode`),
    rename. Everything but an interrupt comes before the rename. Returns whether
    the replaced database was kept."""
    publication = publication or Publication()
    if not candidate.is_file():
        raise FileNotFoundError(f"candidate database {candidate} does not exist")
    if wal_path(candidate).exists():
        checkpoint(candidate)
    _fsync(candidate)
    stamp = _stamp(live)
    expected = json.loads(stamp.read_text(encoding="utf-8")) if stamp.exists() else None
    with _sole_writer(live, "another program wrote to it during the setup; nothing was published"):
        if expected is not None and _state(live) != expected:
            raise PublishConflict(
                f"database {live} changed while the setup ran (another "
                "program wrote to it); nothing was published"
            )
        kept = keep_previous and live.exists() and _keep_previous(live)
        if not keep_previous:
            previous_path(live).unlink(missing_ok=True)
        _take_live_mode(candidate, live, new_mode)
        publication.candidate_identity = _identity(candidate)
        os.replace(candidate, live)
        publication.replaced = True
    finalize(live)
    return kept


def _take_live_mode(candidate: Path, live: Path, new_mode: int) -> None:
    """Give the candidate the live file's mode and owner (a first database: `new_mode`)."""
    info = live.stat() if live.exists() else None
    os.chmod(candidate, stat.S_IMODE(info.st_mode) if info else new_mode)
    with contextlib.suppress(PermissionError):  # only root may give a file away
        if info:
            os.chown(candidate, info.st_uid, info.st_gid)


def _keep_previous(live: Path) -> bool:
    """Hard-link the live file as `<live>.previous`; False without hard links."""
    link = sibling(live, ".previous.tmp")
    try:
        link.unlink(missing_ok=True)
        os.link(live, link)
    except OSError:
        return False
    os.replace(link, previous_path(live))
    return True


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
        replaced = sibling(live, ".previous.tmp")
        replaced.unlink(missing_ok=True)
        if live.exists():
            os.link(live, replaced)
        os.replace(previous, live)
        if replaced.exists():
            os.replace(replaced, previous)
    _fsync(live.parent, directory=True)


def discard(candidate: Path, keep: int = 0) -> Path | None:
    """Remove the candidate, or keep it (with its WAL) as `<live>.failed-<time>`,
    with at most `keep` such files (the newest)."""
    live = candidate.with_name(candidate.name.removesuffix(CANDIDATE))
    kept = None
    if keep and candidate.exists():
        kept = sibling(live, ".failed-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ"))
        if wal_path(candidate).exists():
            os.replace(wal_path(candidate), wal_path(kept))
        os.replace(candidate, kept)
        _fsync(live.parent, directory=True)
        for old in kept_failures(live)[:-keep]:
            old.unlink(missing_ok=True)
            wal_path(old).unlink(missing_ok=True)
    cleanup_leftovers(live)
    return kept


def kept_failures(live: Path) -> list[Path]:
    """Failed candidates `discard` kept, oldest first (not debris)."""
    found = live.parent.glob(live.name + ".failed-*") if live.parent.is_dir() else []
    return sorted(path for path in found if path.suffix != ".wal")


def leftovers(live: Path) -> list[Path]:
    """Debris of interrupted runs; nothing of a setup running now in another process."""
    return [] if setup_lock_holder(live) else [path for path in _debris(live) if path.exists()]


def cleanup_leftovers(live: Path) -> list[Path]:
    """Remove what `leftovers` lists; what was removed."""
    removed = leftovers(live)
    for path in removed:
        path.unlink(missing_ok=True)
    return removed
