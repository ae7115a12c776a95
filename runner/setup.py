"""`planwise-run setup`, top to bottom, on any engine: pre-flight -> setup lock ->
the target prepares its candidate -> ONE `dbt build` into it (the project's
on-run-start hook checks the vars and clears owned relations) -> publish the
candidate when nothing failed (warnings allowed), else discard or keep it ->
report. What differs by engine is the Target's (runner.file_target: a DuckDB file
copied and renamed; runner.schema_target: a warehouse schema built and swapped);
this module never asks which one it is. Also validate and clear, under the same
lock (rollback is runner/rollback.py; the run state, runner/state.py).
"""

from __future__ import annotations

import json
import os
from contextlib import AbstractContextManager
from typing import Protocol

from runner.config import Settings
from runner.errors import PlanwiseError
from runner.file_target import FileTarget
from runner.fingerprint import forget
from runner.invoke import Invocation, ProgressSink
from runner.locking import probe_database as probe
from runner.locking import setup_lock
from runner.run import Outcome, Run, Switches, phase, refusal
from runner.schema_target import SchemaTarget

# --------------------------------------------------------------------------- setup


class Target(Protocol):
    """Where a setup builds and publishes: everything that differs by engine."""

    preflight_failed: str  # the message of a setup stopped in pre-flight
    dropped: str  # what happens to a candidate that is not kept ("discarded", "dropped")

    def preflight(self) -> bool: ...  # the checks; False: stopped (the report says why)
    def lock(self) -> AbstractContextManager[None]: ...  # one setup of the target at a time
    def prepare(self, progress: ProgressSink | None) -> Outcome | None: ...  # an end, or None
    def build(self, progress: ProgressSink | None) -> Invocation: ...  # the one dbt build
    def discard(self, status: str | None, message: str) -> Outcome: ...  # nothing published
    def drop(self) -> str | None: ...  # the candidate thrown away; None, or why it was not
    def publish(self, invocation: Invocation) -> Outcome: ...  # the candidate goes live
    def interrupted(self) -> Outcome: ...  # Ctrl-C or SIGTERM at any instant
    def abandon(self) -> None: ...  # an unexpected error: clean up what is not live


def run_setup(settings: Settings, switches: Switches, progress: ProgressSink | None) -> Outcome:
    """The whole setup; new files (candidate, reports, runs) are private to the owner."""
    previous_umask = os.umask(0o077)
    try:
        run = Run("setup", settings, switches.console_level)
        kind = FileTarget if settings.engine == "duckdb" else SchemaTarget
        target: Target = kind(run, switches)
        return _transaction(run, target, switches, progress)
    finally:
        os.umask(previous_umask)


def _transaction(
    run: Run, target: Target, switches: Switches, progress: ProgressSink | None
) -> Outcome:
    if not target.preflight():
        return run.finish("error", target.preflight_failed)
    with target.lock():
        try:
            return target.prepare(progress) or _build_and_decide(run, target, switches, progress)
        except KeyboardInterrupt:
            return target.interrupted()
        except BaseException:
            target.abandon()
            raise


def _build_and_decide(
    run: Run, target: Target, switches: Switches, progress: ProgressSink | None
) -> Outcome:
    """The build, then one decision from its run record: refuse, drop or publish."""
    invocation = target.build(progress)
    phase(progress, "publish")
    reason = refusal(run, invocation)
    if reason:
        return target.discard(*reason)
    if switches.quick and not _nodes_run(run):
        target.drop()
        return run.finish("up_to_date")
    if switches.dry_run:
        run.ctx.dry_run = True
        failure = target.drop()
        if failure:
            message = f"dry run: the candidate was not {target.dropped}: {failure}"
            return run.finish("error", message)
        return run.finish(
            None,
            f"dry run: the candidate passed and was {target.dropped}; without "
            "--dry-run it would be published",
        )
    return target.publish(invocation)


def _nodes_run(run: Run) -> int:
    """How many nodes the build ran (a --quick with nothing changed in dbt's eyes: 0)."""
    return len(run.record().nodes)


# --------------------------------------------------------------------------- the other commands


def run_validate(
    settings: Settings, selection: list[str], progress: ProgressSink | None, level: str
) -> Outcome:
    """`dbt test` on the live database, under the setup lock, and its report."""
    run, live = Run("validate", settings, level), settings.db_path
    if not live.exists():
        hint = "run `planwise-run setup` first (or pass --db)"
        raise PlanwiseError(f"{live}: the database is not set up yet", hint)
    run.ctx.clear_note = "validate changes nothing"
    try:
        with setup_lock(live, settings.knobs["lock_timeout_seconds"]):
            probe(live)
            phase(progress, "parse")
            invocation = run.dbt(
                ["test", *selection],
                live,
                progress=progress,
                timeout=settings.knobs["timeout_seconds"],
            )
    except KeyboardInterrupt:
        return run.finish("interrupted")
    if invocation.timed_out:
        return run.finish("error", f"timed out after {settings.knobs['timeout_seconds']:g}s")
    if invocation.run_results is None:
        return run.finish("error", f"dbt could not run: {invocation.error_summary()}")
    return run.finish()


def run_clear(settings: Settings, dry_run: bool, level: str) -> list[str]:
    """`dbt run-operation planwise_clear_owned` on the live database; its log lines."""
    live = settings.db_path
    if not live.exists():
        return [f"nothing to clear: {live} does not exist yet"]
    with setup_lock(live, settings.knobs["lock_timeout_seconds"]):
        probe(live)
        arguments = json.dumps({"dry_run": dry_run})
        command = ["run-operation", "planwise_clear_owned", "--args", arguments]
        invocation = Run("clear", settings, level).dbt(command, live)
    if not dry_run:  # the live database is no longer what the last setup left
        forget(settings)
    if not invocation.success:
        raise PlanwiseError(f"the clear macro failed: {invocation.error_summary()}")
    return [f"  {message}" for message in invocation.messages] or ["nothing to clear"]
