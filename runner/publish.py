"""Atomic publish: build into a candidate file, replace the live database only on success.

Files next to the live database `<db>` (all in the same directory, so renames
are atomic):

- `<db>.candidate` (+ DuckDB's `<db>.candidate.wal`): the database being built.
  DuckDB and dbt-duckdb name the catalog after the first dot-separated part of
  the file name, so `simulation.duckdb.candidate` is catalog `simulation`, the
  same as the live file: relations, views and stored SQL stay valid after the
  rename.
- `<db>.candidate.source`: the identity (inode, size, mtime) of the live file when
  the candidate was copied; `publish` refuses to replace a live file that
  changed since (another program wrote to it during the setup).
- `<db>.candidate.tmp`: a copy in progress.
- `<db>.failed-<UTC timestamp>` (+ `.wal`): a failed candidate kept on request.
- `<db>.previous`: the database a publish replaced, kept (by default) as a
  hard link made before the rename, so publishing stays one atomic rename and
  `rollback` can put it back; `<db>.previous.tmp` while it is being made.

How the copy handles the WAL: a DuckDB file may have committed changes that are
only in `<db>.wal` (a writer that crashed before its checkpoint). Copying the
file alone would lose them. `prepare_candidate` therefore first folds the WAL
into the live file (`CHECKPOINT` through a normal read-write DuckDB open: what
any DuckDB client does on open; table contents are unchanged), then copies the
file while holding a shared POSIX lock on it (DuckDB writers cannot open it
meanwhile). The result: the live file has no WAL while the candidate is built,
and `publish` checks, under an exclusive lock on the live file, that this is
still true, so an old WAL can never be replayed onto the new file.

Intended sequence (all under `runner.locking.setup_lock(live, timeout)`):
`cleanup_leftovers(live)` -> `candidate = prepare_candidate(live)` -> dbt with
PLANWISE_DB_PATH=candidate (its connections closed afterwards) -> on success
`publish(candidate, live, publication)`, otherwise (failure, Ctrl-C, timeout)
`discard(candidate, keep=keep_failed)`. After a Ctrl-C during `publish`,
`publication.is_live(live)` tells whether the live file was already replaced
(then `finalize(live)` finishes the job; nothing must be discarded).

Guarantees and limits:
- The live file is replaced by one `rename(2)` of a complete, fsynced,
  checkpointed file in the same directory: a reader of the path sees the old or
  the new database, never a mix. A crash or kill -9 at any moment before the
  rename leaves the live file as it was (at most with a folded WAL, same
  content); after it, the new one. Power loss after the rename is covered by the
  directory fsync.
- Debris of a killed run is only ever next to the live file, never inside it.
- Not atomic across files: `<db>.wal` of the *live* file is never involved (there
  is none when publishing), and nothing else (target/, reports) is part of the
  swap.
- Only cooperating DuckDB processes are kept out (through DuckDB's own file
  lock). A program that writes the live file and closes it during the build is
  detected (PublishConflict) and nothing is published; its changes are not merged.
- Needs a POSIX filesystem with atomic rename, `flock` and `fcntl` locks (local
  disks; not guaranteed on some network filesystems). A symlinked live path is
  replaced by a regular file. Other engines (a warehouse instead of a DuckDB
  file) need their own mechanism (e.g. build in a schema, then swap schemas).
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

CANDIDATE_SUFFIX = ".candidate"


class PublishConflict(RuntimeError):
    """The live database changed while the candidate was being built; nothing was published."""


class CheckpointFailed(RuntimeError):
    """DuckDB could not fold a WAL into its database file (e.g. disk full, a file-size
    limit or a quota: DuckDB raises a FatalException then). Nothing was published."""


@dataclass
class Publication:
    """What `publish` has done so far, readable after a Ctrl-C at any instant.

    `replaced` is set right after the atomic rename; `is_live` also recognises
    the new live file by its identity (the candidate's device and inode, taken
    just before the rename), so an interrupt landing between the rename and the
    next Python instruction is not mistaken for "nothing published".
    """

    candidate_identity: tuple[int, int] | None = None
    replaced: bool = False

    def is_live(self, live: Path) -> bool:
        """True when `live` is now the published candidate."""
        if self.replaced:
            return True
        return self.candidate_identity is not None and _file_identity(live) == (
            self.candidate_identity
        )


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def wal_path(db_path: Path) -> Path:
    """DuckDB's write-ahead log of a database file: `<db>.wal`."""
    return _sibling(db_path, ".wal")


def candidate_path(live: Path) -> Path:
    """Where setup builds the new database: `<live>.candidate`."""
    return _sibling(live, CANDIDATE_SUFFIX)


def _source_stamp_path(live: Path) -> Path:
    return _sibling(live, CANDIDATE_SUFFIX + ".source")


def _tmp_path(live: Path) -> Path:
    return _sibling(live, CANDIDATE_SUFFIX + ".tmp")


def _live_of(candidate: Path) -> Path:
    if not candidate.name.endswith(CANDIDATE_SUFFIX):
        raise ValueError(f"{candidate} is not a candidate path (no {CANDIDATE_SUFFIX} suffix)")
    return candidate.with_name(candidate.name[: -len(CANDIDATE_SUFFIX)])


def previous_path(live: Path) -> Path:
    """The database the last publish replaced: `<live>.previous`."""
    return _sibling(live, ".previous")


def _debris(live: Path) -> list[Path]:
    candidate = candidate_path(live)
    return [
        candidate,
        wal_path(candidate),
        _tmp_path(live),
        _source_stamp_path(live),
        _sibling(live, ".previous.tmp"),
    ]


def _link_beside(live: Path, suffix: str) -> Path:
    """A new hard link `<live><suffix>` to the live file (an old one replaced)."""
    link = _sibling(live, suffix)
    link.unlink(missing_ok=True)
    os.link(live, link)
    return link


def _keep_as_previous(live: Path) -> bool:
    """Hard-link the live file as `<live>.previous` (replacing an older one);
    False where the filesystem has no hard links (nothing is kept then)."""
    try:
        link = _link_beside(live, ".previous.tmp")
    except OSError:
        return False
    os.replace(link, previous_path(live))
    return True


@contextlib.contextmanager
def _sole_writer(live: Path, what_then: str) -> Iterator[None]:
    """Hold an exclusive lock on the live file (when it exists: DatabaseLocked if a
    DuckDB client has it open) and refuse one with uncheckpointed changes."""
    lock: contextlib.AbstractContextManager[None] = (
        _file_lock(live, exclusive=True) if live.exists() else contextlib.nullcontext()
    )
    with lock:
        if wal_path(live).exists():
            raise PublishConflict(
                f"database {live} has uncheckpointed changes in {wal_path(live)}; {what_then}"
            )
        yield


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return  # some filesystems do not allow opening a directory
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def _stat_identity(path: Path) -> dict[str, Any]:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {"exists": False}
    return {"exists": True, "ino": stat.st_ino, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def checkpoint(db_path: Path) -> None:
    """Fold `<db>.wal` into `<db>` with a read-write DuckDB open + CHECKPOINT, then close.

    Raises DatabaseLocked when another program holds the file, CheckpointFailed
    (naming DuckDB's error, e.g. "File too large") for any other DuckDB error.
    """
    try:
        connection = duckdb.connect(str(db_path))
    except duckdb.Error as error:
        holder = holder_from_duckdb_error(error)
        if holder is None:
            raise CheckpointFailed(f"cannot checkpoint {db_path}: {_first_line(error)}") from error
        raise DatabaseLocked(db_path, holder) from error
    try:
        connection.execute("checkpoint")
    except duckdb.Error as error:
        raise CheckpointFailed(f"cannot checkpoint {db_path}: {_first_line(error)}") from error
    finally:
        with contextlib.suppress(duckdb.Error):
            connection.close()


def _duckdb_holder(db_path: Path) -> str:
    """Who holds DuckDB's lock on `db_path`, asked of DuckDB itself."""
    try:
        duckdb.connect(str(db_path)).close()
    except duckdb.Error as error:
        return holder_from_duckdb_error(error) or "another program"
    return "another program"


@contextlib.contextmanager
def _file_lock(db_path: Path, exclusive: bool) -> Iterator[None]:
    """Hold a POSIX lock on a DuckDB file, the same lock DuckDB takes, so that no DuckDB
    process can open it meanwhile. Raises DatabaseLocked if one has it open.

    POSIX locks belong to the process and are all dropped when any of its
    descriptors of the file closes: the caller must not have the file open in
    DuckDB at the same time.
    """
    try:
        fd = os.open(db_path, (os.O_RDWR if exclusive else os.O_RDONLY) | os.O_CLOEXEC)
    except PermissionError:
        if not exclusive:
            raise
        fd = os.open(db_path, os.O_RDONLY | os.O_CLOEXEC)
        exclusive = False  # a read-only file: a shared lock still keeps writers out
    try:
        try:
            fcntl.lockf(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            fd = -1
            raise DatabaseLocked(db_path, _duckdb_holder(db_path)) from None
        yield
    finally:
        if fd >= 0:
            os.close(fd)


def _refuse_if_other_setup(live: Path) -> None:
    holder = setup_lock_holder(live)
    if holder is not None:
        raise DatabaseLocked(live, f"another setup run, {holder}")


def prepare_candidate(live: Path) -> Path:
    """Remove debris of earlier runs and copy the live database to `<live>.candidate`.

    The copy carries every table, view and other object of the live file
    (including committed changes that were only in its WAL: see the module
    docstring). Returns the candidate path, which does not exist yet when there
    is no live database (dbt creates it). Raises DatabaseLocked when another
    setup run holds the setup lock or another program has the live file open.
    """
    _refuse_if_other_setup(live)
    for path in _debris(live):
        path.unlink(missing_ok=True)
    candidate = candidate_path(live)
    stamp = _source_stamp_path(live)
    if not live.exists():
        stamp.write_text(json.dumps(_stat_identity(live)) + "\n", encoding="utf-8")
        return candidate
    if wal_path(live).exists():
        checkpoint(live)
    tmp = _tmp_path(live)
    try:
        with _file_lock(live, exclusive=False):
            if wal_path(live).exists():  # a writer came and went between checkpoint and lock
                raise PublishConflict(
                    f"database {live} was written to while the setup was starting; retry"
                )
            stamp.write_text(json.dumps(_stat_identity(live)) + "\n", encoding="utf-8")
            shutil.copyfile(live, tmp)
        _fsync_file(tmp)
        os.replace(tmp, candidate)
    except BaseException:
        # e.g. disk full or Ctrl-C during the copy: leave no partial candidate behind
        for path in _debris(live):
            path.unlink(missing_ok=True)
        raise
    return candidate


def _match_access(candidate: Path, live: Path, new_mode: int) -> None:
    """Give the new file the live file's mode and owner (it holds the same SSNs),
    or `new_mode` for a first database."""
    if not live.exists():
        os.chmod(candidate, new_mode)
        return
    info = live.stat()
    os.chmod(candidate, stat.S_IMODE(info.st_mode))
    with contextlib.suppress(PermissionError):  # only root may give a file away
        os.chown(candidate, info.st_uid, info.st_gid)


def publish(
    candidate: Path,
    live: Path,
    publication: Publication | None = None,
    keep_previous: bool = True,
    new_mode: int = 0o600,
) -> bool:
    """Atomically replace `live` with the finished `candidate`.

    Steps: fold any candidate WAL (so the new file is self-contained; a DuckDB
    failure there, e.g. a file-size limit, raises CheckpointFailed); fsync it;
    take an exclusive POSIX lock on the live file (fails with DatabaseLocked if a
    DuckDB client has it open); check the live file is the one the candidate was
    copied from and has no WAL (else PublishConflict, nothing replaced);
    `os.replace`; `finalize` (fsync the directory, remove the source stamp). The
    candidate must not be open (close dbt's connections first).

    Every exception other than an interrupt comes before the rename (the live
    file is unchanged then). `publication` records the progress for a caller
    interrupted meanwhile: see `Publication.is_live`. With `keep_previous`, the
    replaced file stays as `<live>.previous` (a hard link made just before the
    rename); returns whether it was kept. The new file gets the live file's
    mode and owner, or `new_mode` when there is no live database yet.
    """
    if not candidate.is_file():
        raise FileNotFoundError(f"candidate database {candidate} does not exist")
    if wal_path(candidate).exists():
        checkpoint(candidate)
        if wal_path(candidate).exists():
            raise PublishConflict(f"could not fold {wal_path(candidate)} into {candidate}")
    _fsync_file(candidate)
    stamp = _source_stamp_path(live)
    expected: dict[str, Any] | None = None
    if stamp.exists():
        loaded = json.loads(stamp.read_text(encoding="utf-8"))
        expected = loaded if isinstance(loaded, dict) else None
    with _sole_writer(live, "another program wrote to it during the setup; nothing was published"):
        if expected is not None and _stat_identity(live) != expected:
            raise PublishConflict(
                f"database {live} changed while the setup ran (another program wrote to it); "
                "nothing was published"
            )
        kept = keep_previous and live.exists() and _keep_as_previous(live)
        if not keep_previous:
            previous_path(live).unlink(missing_ok=True)
        _match_access(candidate, live, new_mode)
        if publication is not None:
            publication.candidate_identity = _file_identity(candidate)
        os.replace(candidate, live)
        if publication is not None:
            publication.replaced = True
    finalize(live)
    return kept


def rollback(live: Path) -> None:
    """Put `<live>.previous` back as the live database, atomically, and keep the
    database it replaces as the new `<live>.previous` (a second rollback undoes
    the first). Call under the setup lock. Raises FileNotFoundError when there is
    nothing to roll back to, DatabaseLocked when a DuckDB client has the live file
    open, PublishConflict when the live file has uncheckpointed changes."""
    previous = previous_path(live)
    if not previous.is_file():
        raise FileNotFoundError(f"no previous database to roll back to ({previous} is missing)")
    with _sole_writer(live, "open and close it with DuckDB once, then roll back"):
        replaced = _link_beside(live, ".previous.tmp") if live.exists() else None
        os.replace(previous, live)
        if replaced is not None:
            os.replace(replaced, previous)
    _fsync_dir(live.parent)


def finalize(live: Path) -> None:
    """The steps after the atomic rename: fsync the directory (power-loss safety) and
    remove the candidate's source stamp. Idempotent and never raises OSError (a
    stamp that cannot be removed is debris the next setup cleans up); call it
    again after an interrupt that came after the rename."""
    _fsync_dir(live.parent)
    with contextlib.suppress(OSError):
        _source_stamp_path(live).unlink(missing_ok=True)


def discard(candidate: Path, keep: bool) -> Path | None:
    """Throw the candidate away, or keep it as `<live>.failed-<timestamp>` and return that.

    A kept candidate keeps its WAL beside it (`<kept>.wal`), so DuckDB replays it
    when the file is opened for inspection. The kept name is not debris:
    `leftovers` never lists it.
    """
    live = _live_of(candidate)
    kept: Path | None = None
    if keep and candidate.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = _sibling(live, f".failed-{stamp}")
        counter = 1
        while kept.exists():
            counter += 1
            kept = _sibling(live, f".failed-{stamp}-{counter}")
        if wal_path(candidate).exists():
            os.replace(wal_path(candidate), wal_path(kept))
        os.replace(candidate, kept)
        _fsync_dir(live.parent)
    for path in _debris(live):
        path.unlink(missing_ok=True)
    return kept


def kept_failures(live: Path) -> list[Path]:
    """Failed candidates kept with `discard(..., keep=True)` (not debris)."""
    prefix = live.name + ".failed-"
    if not live.parent.is_dir():
        return []
    return sorted(
        path
        for path in live.parent.iterdir()
        if path.name.startswith(prefix) and not path.name.endswith(".wal")
    )


def leftovers(live: Path) -> list[Path]:
    """Debris of interrupted runs: candidate, candidate WAL, partial copy, stale lock file.

    Files of a setup that is running right now in another process (it holds the
    setup lock) are not debris and are not listed; neither is a lock file that
    is held.
    """
    state = lock_state(live)
    if state == "other":
        return []
    found = [path for path in _debris(live) if path.exists()]
    if state == "free" and lock_path(live).exists():
        found.append(lock_path(live))
    return found


def cleanup_leftovers(live: Path) -> list[Path]:
    """Remove what `leftovers` lists; returns the paths removed."""
    removed: list[Path] = []
    state = lock_state(live)
    if state == "other":
        return removed
    for path in _debris(live):
        if path.exists():
            path.unlink(missing_ok=True)
            removed.append(path)
    if state == "free" and lock_path(live).exists() and _remove_stale_lock(lock_path(live)):
        removed.append(lock_path(live))
    return removed


def _remove_stale_lock(lock_file: Path) -> bool:
    """Delete a lock file nobody holds (taking the lock first, so no race)."""
    try:
        fd = os.open(lock_file, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        stat, opened = lock_file.stat(), os.fstat(fd)
        if (stat.st_dev, stat.st_ino) != (opened.st_dev, opened.st_ino):
            return False
        lock_file.unlink()
        return True
    finally:
        os.close(fd)
