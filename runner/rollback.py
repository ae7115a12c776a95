"""`planwise-run rollback`: put `<db>.previous` back as the live database, only when
it is a database a setup of this project published.

What needs no SQL is checked here first: the previous is a regular file (never
a link), not empty, with DuckDB's header. Then the previous must hold the
project's seeds and models and a history with the setup it was built by: checked
with the statements the last setup stored (runner/ledger.py: the project's
macros, rendered), each file opened read-only on its own, without dbt; for a
database no setup of this release published, by dbt (the macro
planwise_restorable, rendered by `dbt compile --inline` against a throwaway
database attaching each file read-only: runner.dbt_value). The swap
(publish.rollback) happens only then, under the setup lock; the rollback's
history row (naming the runs it restored and replaced) is added the same way,
and the message names the setup restored and the one replaced.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from runner import ledger, publish, state
from runner.config import Settings
from runner.dbt_value import DbtValueFailed, dbt_value
from runner.errors import PlanwiseError
from runner.locking import setup_lock
from runner.published import stamp
from runner.run import Run

DUCKDB_MAGIC = (8, b"DUCK")  # a DuckDB file: an 8-byte checksum, then the magic bytes
NOT_PUBLISHED = "it is not a database a setup of this project published"
NOTHING_HINT = "there is nothing to roll back to until a setup has replaced a database"
# What a trusted previous that no setup built holds: the database a first setup replaced.
UNRECORDED = "a database with no recorded setup"


@dataclass(frozen=True)
class Held:
    """The setup whose build a database file holds, from its history table."""

    run_id: str
    started_at: str

    def __str__(self) -> str:
        return f"setup {self.run_id[:8]} of {stamp(self.started_at)}"


def _refuse(previous: Path, reason: str) -> PlanwiseError:
    return PlanwiseError(
        f"cannot roll back to {previous}: {reason}",
        f"the live database is unchanged; move {previous.name} out of the way (or run "
        "`planwise-run setup` to build a new database)",
    )


def _file_problem(previous: Path) -> str | None:
    """Why `previous` cannot be a DuckDB database file, seen without opening it as
    one (never through a link); None when it may be one."""
    try:
        fd = os.open(previous, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if previous.is_symlink():
            return f"it is a symbolic link (to {os.readlink(previous)}), not a database file"
        return f"it cannot be read ({exc.strerror})"
    offset, magic = DUCKDB_MAGIC
    try:
        kind = stat.S_IFMT(os.fstat(fd).st_mode)
        head = os.read(fd, offset + len(magic)) if kind == stat.S_IFREG else b""
    finally:
        os.close(fd)
    if kind == stat.S_IFDIR:
        return "it is a directory, not a database file"
    if kind != stat.S_IFREG:
        return "it is not a regular file (a device, socket or pipe), not a database file"
    if not head:
        return "it is empty"
    return None if head[offset:] == magic else "it is not a DuckDB database (no DuckDB header)"


@dataclass(frozen=True)
class Checked:
    """What the check found: the setups each file holds, and the previous as checked."""

    restored: Held | str
    replaced: Held | None
    identity: list[int]
    trusted: bool  # the very file the last publish or rollback replaced


def _held(setup: dict[str, Any] | None) -> Held | None:
    run_id = (setup or {}).get("run_id")
    return Held(str(run_id), str((setup or {}).get("started_at"))) if run_id else None


def _reason(error: DbtValueFailed) -> str:
    """Why the check failed: the macro's own words ("it lacks ..."), or DuckDB's
    when the file cannot be read."""
    reason = str(error)
    return reason if reason.startswith("it ") else f"DuckDB cannot read it as a database: {reason}"


def _through_dbt(settings: Settings, scratch: Path, path: Path, check: bool, level: str) -> Any:
    """The setup `path` holds as dbt renders planwise_restorable, against a throwaway
    database in `scratch` (DbtValueFailed when the file is refused or cannot be
    read); a second call in the same `scratch` reuses the first's parse."""
    # a JSON string is a Jinja string literal; ensure_ascii=False keeps a character
    # beyond the BMP whole (Jinja would read its \ud83d\ude00 escape as two halves)
    literal = json.dumps(str(path.absolute()), ensure_ascii=False)
    expression = f"planwise_restorable({literal}, {check})"
    throwaway = scratch / "restorable.duckdb"
    try:
        return dbt_value(settings, expression, level, db_path=throwaway, scratch=scratch)
    except DbtValueFailed as error:
        if error.parsed:
            raise
        raise PlanwiseError(  # dbt never reached the check: the project is at fault
            f"cannot check {path}: dbt could not run: {error}",
            "fix the project so that dbt parses; the live database and its previous are unchanged",
        ) from None


def check(settings: Settings, level: str = "none") -> Checked:
    """The setup `<db>.previous` holds and the one the live file holds (None when it
    records none or cannot be read); PlanwiseError when the previous is missing or
    is not a database a setup of this project published. Writes to neither file."""
    live = settings.db_path
    previous = publish.previous_path(live)
    if not os.path.lexists(previous):
        message = f"no previous database to roll back to ({previous} is missing)"
        raise PlanwiseError(message, NOTHING_HINT)
    identity = state.file_identity(previous)
    problem = _file_problem(previous)
    if problem:
        raise _refuse(previous, problem)
    trusted = state.recorded_previous(live) == identity
    stored = ledger.queries(live)
    if stored is not None:  # the project's own statements, run on the files themselves
        return _check_directly(previous, live, identity, trusted, stored)
    with tempfile.TemporaryDirectory(prefix="planwise-rollback-") as tmp:
        try:
            restored = _through_dbt(settings, Path(tmp), previous, not trusted, level)
        except DbtValueFailed as error:
            raise _refuse(previous, _reason(error)) from None
        replaced = None
        if live.is_file():  # it may hold anything, or nothing DuckDB can read
            with contextlib.suppress(DbtValueFailed):
                replaced = _through_dbt(settings, Path(tmp), live, False, level)
    return Checked(_held(restored) or UNRECORDED, _held(replaced), identity, trusted)


def _held_row(rows: list[dict[str, Any]] | None) -> Held | None:
    """The setup a file holds: its history's live row."""
    live = next((row for row in rows or [] if row.get("is_live")), None)
    return Held(str(live["run_id"]), str(live["started_at"])) if live else None


def _not_published(missing: list[str], rows: list[dict[str, Any]] | None) -> str | None:
    """Why a file is not a database a setup of this project published, or None."""
    reason = None
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        reason = f"it lacks {len(missing)} of the project's seeds and models ({shown})"
    elif rows is None:
        reason = "it has no history table of setups"
    elif _held_row(rows) is None:
        reason = "its history table records no setup it was built by"
    return f"{reason}: {NOT_PUBLISHED}" if reason else None


def _check_directly(
    previous: Path, live: Path, identity: list[int], trusted: bool, stored: dict[str, Any]
) -> Checked:
    """check() with the stored statements, each file opened read-only on its own."""
    import duckdb

    try:
        missing = ledger.missing_owned(previous, stored)
        rows = ledger.history_rows(previous, stored)
    except duckdb.Error as exc:
        raise _refuse(previous, f"DuckDB cannot read it as a database: {exc}") from exc
    reason = None if trusted else _not_published(missing, rows)
    if reason:
        raise _refuse(previous, reason)
    replaced = None
    with contextlib.suppress(duckdb.Error):  # the live file may hold anything
        replaced = _held_row(ledger.history_rows(live, stored)) if live.is_file() else None
    return Checked(_held_row(rows) or UNRECORDED, replaced, identity, trusted)


def _record_directly(settings: Settings, checked: Checked, stored: dict[str, Any]) -> None:
    """The rollback's history row, then the rows of the replaced file (now the
    previous) that the restored one lacks, added to the restored (now live) file."""
    import duckdb

    live, previous = settings.db_path, publish.previous_path(settings.db_path)
    known = {row["run_id"] for row in ledger.history_rows(live, stored) or []}
    theirs = ledger.history_rows(previous, stored) or [] if previous.is_file() else []
    restored = checked.restored.run_id if isinstance(checked.restored, Held) else None
    replaced = checked.replaced.run_id if checked.replaced else None
    row = {
        "run_id": str(uuid.uuid4()),
        "kind": "rollback",
        "started_at": datetime.now(UTC).isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "runner_version": metadata.version("planwise-setup"),
        "dbt_version": metadata.version("dbt-core"),
        "engine_version": f"duckdb v{duckdb.__version__}",
        "target_name": settings.knobs["target"],
        "change_summary": {"restored_run": restored, "replaced_run": replaced},
    }
    copied = [r for r in theirs if r["run_id"] not in known]
    ledger.append_history(live, [row, *copied], stored)


def _swap(settings: Settings, checked: Checked) -> None:
    """publish.rollback, when the previous is still the regular file that was checked."""
    live, previous = settings.db_path, publish.previous_path(settings.db_path)
    try:
        unchanged = state.file_identity(previous) == checked.identity
    except OSError:
        unchanged = False
    if not unchanged or checked.identity[0] != stat.S_IFREG:
        raise _refuse(previous, "it changed while it was checked; retry")
    try:
        publish.rollback(live)
    except FileNotFoundError as exc:
        raise PlanwiseError(str(exc), NOTHING_HINT) from exc
    except publish.PublishConflict as exc:
        raise PlanwiseError(str(exc), "the live database is unchanged") from exc


def _record(settings: Settings, checked: Checked, level: str) -> str | None:
    """Record the rollback in the restored file's history: with the stored
    statements, or through dbt (planwise_record_rollback); why it failed, or None."""
    import duckdb

    stored = ledger.queries(settings.db_path)
    if stored is not None:
        try:
            _record_directly(settings, checked, stored)
        except duckdb.Error as exc:
            return str(exc)
        return None
    run = Run("rollback", settings, level)
    previous = publish.previous_path(settings.db_path)
    arguments = json.dumps({"replaced": str(previous), "facts": run.facts()})
    command = ["run-operation", "planwise_record_rollback", "--args", arguments]
    recorded = run.dbt(command, settings.db_path)
    return None if recorded.success else recorded.error_summary()


def run_rollback(settings: Settings, level: str = "none") -> str:
    """Check `<db>.previous`, swap it with the live database and record the
    rollback in the restored file's history, under the setup lock; what happened."""
    live, previous = settings.db_path, publish.previous_path(settings.db_path)
    with setup_lock(live, settings.knobs["lock_timeout_seconds"]):
        checked = check(settings, level)
        existed = live.exists()
        _swap(settings, checked)
        if existed:  # the replaced live file: a rollback may put it back
            state.record_previous(live, previous)
        state.forget(live)
        problem = _record(settings, checked, level)
    if problem:  # the files are swapped: only the history lacks the rollback
        hint = "the rollback itself is done; `planwise-run history` may miss it"
        raise PlanwiseError(f"rolled back, but not recorded: {problem}", hint)
    replaced = checked.replaced or UNRECORDED
    kept = f"it replaced {replaced}, kept as {previous} (rollback again to undo)"
    return f"rolled back: {live} now holds {checked.restored}; " + (
        kept if existed else "no database was live before"
    )
