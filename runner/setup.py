"""`planwise-run setup`, top to bottom: pre-flight -> setup lock -> candidate copy
of the live database -> ONE `dbt build` on the candidate (the project's
on-run-start hook checks the vars and clears owned relations) -> publish the
candidate atomically when nothing failed (warnings allowed), else discard or keep
it -> report. Also validate, clear and status, under the same lock (rollback is
runner/rollback.py; the run state and --quick's fingerprint, runner/state.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from runner import census_header, ledger, live_census, preflight, publish, state, warehouse
from runner.config import Settings
from runner.errors import PlanwiseError
from runner.invoke import Invocation, ProgressSink
from runner.locking import DatabaseLocked, setup_lock
from runner.locking import probe_database as probe
from runner.report import Context, build_report, hook_payload
from runner.run import (
    FULL_BUILD,
    Outcome,
    Run,
    Switches,
    environment_hint,
    failing_rows_hint,
    refusal,
    run_facts,
)

PREFLIGHT_FAILED = "pre-flight failed: nothing was run; the database is unchanged"


# --------------------------------------------------------------------------- setup


def _inputs(settings: Settings) -> dict[str, Any]:
    """What a setup's result depends on: vars, target, the census file's content, the
    project's files and the versions that run them (read before and after a build)."""
    census = settings.census_path
    versions = [metadata.version(name) for name in ("planwise-setup", "dbt-core", "dbt-duckdb")]
    return {
        "vars": settings.dbt_vars(),
        "target": settings.knobs["target"],
        "census": [str(census), state.file_digest(census)],
        "versions": versions,
        "project": state.project_digest(settings.project_dir),
    }


def _remember(
    settings: Settings, invocation: Invocation | None, inputs: dict[str, Any] | None = None
) -> None:
    """Record (or, with None, forget) the setup the live file now holds: its manifest,
    and its inputs as they were before the build unless they changed while it ran."""
    if invocation is None or invocation.manifest is None or inputs is None:
        state.forget(settings.db_path)
        return
    after = _inputs(settings)
    state.remember(
        settings.db_path, invocation.target_path / "manifest.json", state.settled(inputs, after)
    )


def _changed(settings: Settings, inputs: dict[str, Any]) -> bool:
    """Whether anything changed since the last successful setup: decided without dbt."""
    changed = state.changed_inputs(settings.db_path, inputs)
    return changed is None or bool(changed)


def _quick(settings: Settings, ctx: Context, inputs: dict[str, Any]) -> list[str]:
    """The build of what changed since the last successful setup (dbt's state
    comparison sees the project's changes), or the full build with a note why."""
    changed = state.changed_inputs(settings.db_path, inputs)
    if changed is None:
        ctx.messages.append(
            "--quick: no successful setup recorded for this database; ran the full setup"
        )
        return [*FULL_BUILD]
    changed = [key for key in changed if key != "project"]
    if changed:
        ctx.messages.append(
            f"--quick: the {', '.join(changed)} changed since the last setup; ran the full setup"
        )
        return [*FULL_BUILD]
    ctx.clear_note = "--quick keeps unchanged tables"
    last = state.last_manifest_dir(settings.db_path)
    return ["build", "--select", "state:modified+", "--state", str(last)]


def _command(
    switches: Switches, ctx: Context, settings: Settings, inputs: dict[str, Any]
) -> tuple[list[str], bool]:
    """The dbt command setup runs, and whether the on-run-start hook clears."""
    if switches.selection and switches.quick:
        raise PlanwiseError("--quick chooses what to build itself", "drop the selection")
    ctx.clear_note = "--no-clear" if switches.no_clear else ""
    if switches.selection:
        ctx.clear_note = "a selection keeps the tables it does not build"
    command = ["build", *switches.selection] if switches.selection else [*FULL_BUILD]
    command = _quick(settings, ctx, inputs) if switches.quick else command
    command += ["--full-refresh"] * switches.full_refresh + ["--fail-fast"] * switches.fail_fast
    return command, not ctx.clear_note


def run_setup(settings: Settings, switches: Switches, progress: ProgressSink | None) -> Outcome:
    """The whole setup; new files (candidate, reports, runs) are private to the owner."""
    previous_umask = os.umask(0o077)
    try:
        return _setup(Run("setup", settings, switches.console_level), switches, progress)
    finally:
        os.umask(previous_umask)


def _census_choice(run: Run) -> tuple[live_census.CensusChoice | None, list[str], list[str]]:
    """The census the setup uses, else why not: (None, the live database could not
    be read, []) lets pre-flight's own checks say more; (None, [], refusal) stops.
    A locked database goes on up (exit 3, not a pre-flight problem)."""
    try:
        return live_census.choose(run.settings, run.level), [], []
    except live_census.LiveUnreadable as exc:
        return None, [exc.message], []
    except DatabaseLocked:
        raise
    except PlanwiseError as exc:
        return None, [], [f"{exc.message} ({exc.hint})" if exc.hint else exc.message]


def _preflight(run: Run, quick: bool) -> live_census.CensusChoice | None:
    """The census chosen (it names the file the checks read), then the pre-flight
    checks; None when something failed (listed as the report's pre-flight problems)."""
    settings, ctx, seconds = run.settings, run.ctx, time.perf_counter()
    choice, unreadable, refused = _census_choice(run)
    if refused:
        ctx.preflight_problems = refused
        return None
    if choice:
        ctx.inputs.update(census_path=str(settings.census_path), census_origin=choice.note)
    ctx.preflight_problems = preflight.problems(
        settings.db_path, settings.census_path, settings.project_dir, settings.report_dir
    )
    if not (quick or ctx.preflight_problems):  # a renamed column: named in the first second
        ctx.preflight_problems += _census_columns(settings)
    if choice is None:
        ctx.preflight_problems = ctx.preflight_problems or unreadable
        return None
    ctx.preflight_seconds = time.perf_counter() - seconds
    return None if ctx.preflight_problems else choice


def _census_columns(settings: Settings) -> list[str]:
    """The census's missing required columns, named with their near misses."""
    delimiter = str(settings.var("census_csv_delimiter"))
    path, project = settings.census_path, settings.project_dir
    problem = census_header.missing_columns_problem(path, project, delimiter)
    return [problem] if problem else []


def _census_unfit(settings: Settings, quick: bool) -> list[str]:
    """The census checks worth their time only for a setup that builds: its columns
    (for --quick, whose pre-flight leaves them to here) and a full read of a
    Parquet census."""
    found = _census_columns(settings) if quick else []
    damage = None if found else preflight.census_damage(settings.census_path)
    return found + ([damage] if damage else [])


def _setup(run: Run, switches: Switches, progress: ProgressSink | None) -> Outcome:
    settings, ctx, live = run.settings, run.ctx, run.settings.db_path
    if settings.engine != "duckdb":
        return warehouse.setup_in_warehouse(run, switches, progress)
    choice = _preflight(run, switches.quick)
    if choice is None:
        return run.finish("error", PREFLIGHT_FAILED)
    with setup_lock(live, settings.knobs["lock_timeout_seconds"]):
        removed = publish.cleanup_leftovers(live)
        if removed:
            names = ", ".join(path.name for path in removed)
            ctx.messages.append(f"removed leftovers of an interrupted run: {names}")
        run.inputs = _inputs(settings)  # before anything is built
        if switches.quick and not switches.full_refresh and not _changed(settings, run.inputs):
            return run.finish("up_to_date")
        ctx.census_change = live_census.change(settings, choice, run.inputs["census"][1])
        ctx.preflight_problems += _census_unfit(settings, switches.quick)
        if ctx.preflight_problems:
            return run.finish("error", PREFLIGHT_FAILED)
        if live.exists():
            probe(live)
        command, clear = _command(switches, ctx, settings, run.inputs)
        publication = publish.Publication()
        try:
            return _build_and_publish(run, switches, command, clear, progress, publication)
        except KeyboardInterrupt:
            return _interrupted(run, publication, remember=not switches.selection)
        except BaseException:
            if not publication.is_live(live):
                with contextlib.suppress(Exception):
                    publish.discard(publish.candidate_path(live))
            raise


def _build_and_publish(
    run: Run,
    switches: Switches,
    command: list[str],
    clear: bool,
    progress: ProgressSink | None,
    publication: publish.Publication,
) -> Outcome:
    settings, ctx, live = run.settings, run.ctx, run.settings.db_path
    candidate = publish.candidate_path(live)

    def give_up(status: str | None, message: str) -> Outcome:
        # a candidate in which no node ran (a var or the configuration was refused
        # at dbt's start) holds nothing to look at: it is not kept
        built = bool(((run.invocation and run.invocation.run_results) or {}).get("results"))
        kept = publish.discard(candidate, keep=settings.knobs["failed_kept"] if built else 0)
        ctx.kept_candidate = str(kept) if kept else None
        ctx.messages += [
            *([message] if message else []),
            *(
                failing_rows_hint(
                    run, f"PLANWISE_DBT_DB_PATH={shlex.quote(str(kept))}", "kept candidate"
                )
                if kept
                else []
            ),
            "nothing published: the live database is unchanged",
        ]
        return run.finish(status)

    compare = {"path": str(live)} if live.exists() else None  # what the change report reads
    ctx.copy_seconds = _copy(live, candidate, progress)
    invocation = run.dbt(
        command,
        candidate,
        progress=progress,
        timeout=settings.knobs["timeout_seconds"],
        facts=run_facts(settings, run, compare, clear=clear),
    )
    _phase(progress, "publish")
    reason = refusal(run, invocation)
    if reason:
        return give_up(*reason)
    if switches.quick and not build_report(invocation.run_results, None, ctx)["totals"]["nodes"]:
        publish.discard(candidate)
        return run.finish("up_to_date")
    if switches.dry_run:
        ctx.dry_run = True
        publish.discard(candidate)
        return run.finish(
            None,
            "dry run: the candidate passed and was discarded; without "
            "--dry-run it would be published",
        )
    _remember(settings, None)  # the live file is about to change
    try:
        kept = publish.publish(
            candidate,
            live,
            publication,
            settings.knobs["keep_previous"],
            int(settings.knobs["db_file_mode"], 8),
        )
    except DatabaseLocked as exc:  # a program opened the live file during the build
        ctx.exit_code = exc.exit_code
        return give_up("error", f"not published: {exc}")
    except (publish.PublishConflict, PlanwiseError, OSError) as exc:
        return give_up("error", f"not published: {exc}")
    ctx.published = True
    ledger.store_queries(live, hook_payload(invocation.run_results).get("queries"))
    if kept:
        state.record_previous(live, publish.previous_path(live))
        ctx.messages.append(
            f"the replaced database is kept as {publish.previous_path(live)} "
            "(`planwise-run rollback` puts it back)"
        )
    with contextlib.suppress(OSError):  # a partial build is no state to compare with
        _remember(settings, None if switches.selection else invocation, run.inputs)
    return run.finish()


def _phase(progress: ProgressSink | None, name: str) -> None:
    if progress:
        progress.phase(name)


def _copy(live: Path, candidate: Path, progress: ProgressSink | None) -> float:
    """The live database copied to the candidate, in seconds; a clear error when it
    cannot be."""
    _phase(progress, "copy")
    started = time.perf_counter()
    try:
        publish.prepare_candidate(live)
    except DatabaseLocked:  # another setup or program holds it: exit 3
        raise
    except (OSError, PlanwiseError) as exc:
        detail = getattr(exc, "strerror", None) or str(exc)
        hint = environment_hint(detail) or "free disk space or fix the directory's permissions"
        raise PlanwiseError(f"cannot copy {live} to {candidate}: {detail}", hint) from exc
    _phase(progress, "parse")
    return time.perf_counter() - started


def _interrupted(run: Run, publication: publish.Publication, remember: bool) -> Outcome:
    """Ctrl-C or SIGTERM: before the atomic rename nothing changed; after it the new
    database is complete and live (finish publishing, remember it)."""
    live = run.settings.db_path
    run.ctx.published = publication.is_live(live)
    if not run.ctx.published:
        with contextlib.suppress(Exception):
            publish.discard(publish.candidate_path(live))
        return run.finish("interrupted", "interrupted: nothing published, live database unchanged")
    publish.finalize(live)
    with contextlib.suppress(Exception):  # a partial build is no state to compare with
        _remember(run.settings, run.invocation if remember else None, run.inputs)
    return run.finish(
        "interrupted", "interrupted after publishing: the new database is complete and live"
    )


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
            _phase(progress, "parse")
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
        _remember(settings, None)
    if not invocation.success:
        raise PlanwiseError(f"the clear macro failed: {invocation.error_summary()}")
    return [f"  {message}" for message in invocation.messages] or ["nothing to clear"]
