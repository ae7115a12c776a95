"""`planwise-run rollback`: put `<db>.previous` back as the live database, only when
it is a database a setup of this project published.

What needs no SQL is checked here, so that a stray file is refused before dbt
starts: the previous is a regular file (never a link), not empty, with DuckDB's
header. dbt checks the rest (`run-operation planwise_check_restorable`) against a
throwaway database in a temporary directory, attaching the previous and the live
file read-only: the previous holds the project's seeds and models and a history
with the setup it was built by. The macro logs, as JSON lines, the setup each
file holds; the swap (publish.rollback) happens only then, under the setup lock,
and the message names the setup restored and the one replaced.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runner import publish, state
from runner.config import Settings
from runner.errors import PlanwiseError, dbt_message
from runner.invoke import Invocation, run_dbt
from runner.locking import setup_lock
from runner.setup import _Run

DUCKDB_MAGIC = (8, b"DUCK")  # a DuckDB file: an 8-byte checksum, then the magic bytes
MARK = '{"planwise_restorable":'
NOTHING_HINT = "there is nothing to roll back to until a setup has replaced a database"
# What a trusted previous that no setup built holds: the database a first setup replaced.
UNRECORDED = "a database with no recorded setup"


@dataclass(frozen=True)
class Held:
    """The setup whose build a database file holds, from its history table."""

    run_id: str
    started_at: str

    def __str__(self) -> str:
        when = self.started_at
        with contextlib.suppress(ValueError):
            when = datetime.fromisoformat(when).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"setup {self.run_id[:8]} of {when}"


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


def _held(verdict: dict[str, Any] | None) -> Held | None:
    setup = (verdict or {}).get("setup") or {}
    run_id = setup.get("run_id")
    return Held(str(run_id), str(setup.get("started_at"))) if run_id else None


def _reason(invocation: Invocation) -> str:
    """Why the check failed, without dbt's heading and "in macro" trail: the
    macro's own words ("it lacks ..."), or DuckDB's when the file cannot be read."""
    text = invocation.errors[-1] if invocation.errors else ""
    reason = " ".join(dbt_message(text, head=" while running operation")) or (
        invocation.error_summary()
    )
    return reason if reason.startswith("it ") else f"DuckDB cannot read it as a database: {reason}"


def _verdicts(invocation: Invocation) -> dict[str, dict[str, Any]]:
    """The macro's JSON lines, by file ("previous", "live")."""
    found: dict[str, dict[str, Any]] = {}
    for line in invocation.messages:
        if line.startswith(MARK):
            verdict = json.loads(line)["planwise_restorable"]
            found[str(verdict["file"])] = verdict
    return found


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
    arguments = {
        "previous": str(previous.absolute()),
        "live": str(live.absolute()) if live.is_file() else None,
        "trusted": trusted,
    }
    command = ["run-operation", "planwise_check_restorable", "--args", json.dumps(arguments)]
    with tempfile.TemporaryDirectory(prefix="planwise-rollback-") as tmp:
        throwaway = Path(tmp) / "restorable.duckdb"
        invocation = run_dbt(
            settings, command, db_path=throwaway, run_dir=Path(tmp), console_level=level
        )
    if invocation.interrupted:
        raise KeyboardInterrupt
    if invocation.run_results is None:  # dbt never reached the check: the project is at fault
        raise PlanwiseError(
            f"cannot check {previous}: dbt could not run: {invocation.error_summary()}",
            "fix the project so that dbt parses; the live database and its previous are unchanged",
        )
    verdicts = _verdicts(invocation)
    if "previous" not in verdicts:
        raise _refuse(previous, _reason(invocation))
    restored = _held(verdicts["previous"]) or UNRECORDED
    return Checked(restored, _held(verdicts.get("live")), identity, trusted)


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
        run = _Run("rollback", settings)
        arguments = json.dumps({"replaced": str(previous), "facts": run.facts()})
        recorded = run.dbt(["run-operation", "planwise_record_rollback", "--args", arguments], live)
    if not recorded.success:  # the files are swapped: only the history lacks the rollback
        hint = "the rollback itself is done; `planwise-run history` may miss it"
        raise PlanwiseError(f"rolled back, but not recorded: {recorded.error_summary()}", hint)
    replaced = checked.replaced or UNRECORDED
    kept = f"it replaced {replaced}, kept as {previous} (rollback again to undo)"
    return f"rolled back: {live} now holds {checked.restored}; " + (
        kept if existed else "no database was live before"
    )
