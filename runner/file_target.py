"""The DuckDB file a setup publishes (runner.setup's transaction, on DuckDB).

Pre-flight reads the census the setup uses; under the file's setup lock the
candidate is a copy of the live file (`<db>.candidate`), dbt builds into it, and
it replaces the live file in one atomic rename (runner.publish), the replaced
file kept for `rollback`. A candidate that must not be published is discarded
or kept for a look (`runner: failed_kept`). `--quick` is decided here, from the
inputs recorded by the last successful setup (runner.state).
"""

from __future__ import annotations

import contextlib
import shlex
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from runner import census_header, fingerprint, ledger, live_census, preflight, publish, state
from runner.errors import PlanwiseError
from runner.invoke import Invocation, ProgressSink
from runner.locking import DatabaseLocked, setup_lock
from runner.locking import probe_database as probe
from runner.report import hook_payload
from runner.run import (
    FULL_BUILD,
    Outcome,
    Run,
    Switches,
    environment_hint,
    failing_rows_hint,
    phase,
    run_facts,
)

LIVE = "the live database"
PREFLIGHT_FAILED = "pre-flight failed: nothing was run; the database is unchanged"


class FileTarget:
    """A setup of the DuckDB file `settings.db_path` (see the module's text)."""

    preflight_failed = PREFLIGHT_FAILED
    dropped = "discarded"

    def __init__(self, run: Run, switches: Switches) -> None:
        self.run, self.switches = run, switches
        self.live = run.settings.db_path
        self.candidate = publish.candidate_path(self.live)
        self.publication = publish.Publication()
        self.command: list[str] = []
        self.clear = True

    # ----------------------------------------------------------------- before the lock

    def preflight(self) -> bool:
        """The census chosen (it names the file the checks read), then the pre-flight
        checks; False when something failed (the report's pre-flight problems)."""
        run, quick = self.run, self.switches.quick
        settings, ctx, seconds = run.settings, run.ctx, time.perf_counter()
        choice, unreadable, refused = _census_choice(run)
        if refused:
            ctx.preflight_problems = refused
            return False
        if choice:
            ctx.inputs.update(census_path=str(settings.census_path), census_origin=choice.note)
        ctx.preflight_problems = preflight.problems(
            settings.db_path, settings.census_path, settings.project_dir, settings.report_dir
        )
        if not (quick or ctx.preflight_problems):  # a renamed column: named in the first second
            ctx.preflight_problems += _census_columns(settings)
        if choice is None:
            ctx.preflight_problems = ctx.preflight_problems or unreadable
            return False
        ctx.preflight_seconds = time.perf_counter() - seconds
        self.choice = choice
        return not ctx.preflight_problems

    @contextmanager
    def lock(self) -> Iterator[None]:
        with setup_lock(self.live, self.run.settings.knobs["lock_timeout_seconds"]):
            yield

    # ----------------------------------------------------------------- under the lock

    def prepare(self, progress: ProgressSink | None) -> Outcome | None:
        """Leftovers removed, --quick's decision, the census checks that need the lock,
        the command, the candidate copy; an Outcome when the setup ends here."""
        run, switches, ctx, settings = self.run, self.switches, self.run.ctx, self.run.settings
        removed = publish.cleanup_leftovers(self.live)
        if removed:
            names = ", ".join(path.name for path in removed)
            ctx.messages.append(f"removed leftovers of an interrupted run: {names}")
        run.inputs = fingerprint.inputs(settings)  # before anything is built
        unchanged = not fingerprint.changed_since(settings, run.inputs)
        if switches.quick and not switches.full_refresh and unchanged:
            return run.finish("up_to_date")
        ctx.census_change = live_census.change(settings, self.choice, run.inputs["census"][1])
        ctx.preflight_problems += _census_unfit(settings, switches.quick)
        if ctx.preflight_problems:
            return run.finish("error", PREFLIGHT_FAILED)
        if self.live.exists():
            probe(self.live)
        self.command, self.clear = _command(switches, run, self.live)
        self.compare = {"path": str(self.live)} if self.live.exists() else None
        ctx.copy_seconds = copy_candidate(self.live, self.candidate, progress)
        return None

    def build(self, progress: ProgressSink | None) -> Invocation:
        """The one dbt invocation, into the candidate file."""
        run = self.run
        return run.dbt(
            self.command,
            self.candidate,
            progress=progress,
            timeout=run.settings.knobs["timeout_seconds"],
            facts=run_facts(run.settings, run, self.compare, clear=self.clear),
        )

    def discard(self, status: str | None, message: str) -> Outcome:
        """Nothing published: the candidate discarded, or kept for a look when some
        node ran (a candidate refused at dbt's start holds nothing to look at)."""
        run, ctx = self.run, self.run.ctx
        built = bool(((run.invocation and run.invocation.run_results) or {}).get("results"))
        keep = run.settings.knobs["failed_kept"] if built else 0
        kept = publish.discard(self.candidate, keep=keep)
        ctx.kept_candidate = str(kept) if kept else None
        environment = f"PLANWISE_DBT_DB_PATH={shlex.quote(str(kept))}"
        ctx.messages += [
            *([message] if message else []),
            *(failing_rows_hint(run, environment, "kept candidate") if kept else []),
            f"nothing published: {LIVE} is unchanged",
        ]
        return run.finish(status)

    def drop(self) -> str | None:
        """The candidate thrown away (a dry run, a --quick that built nothing)."""
        publish.discard(self.candidate)
        return None

    def publish(self, invocation: Invocation) -> Outcome:
        """The candidate replaces the live file; the replaced one is kept for rollback."""
        run, settings, ctx = self.run, self.run.settings, self.run.ctx
        fingerprint.forget(settings)  # the live file is about to change
        try:
            kept = publish.publish(
                self.candidate,
                self.live,
                self.publication,
                settings.knobs["keep_previous"],
                int(settings.knobs["db_file_mode"], 8),
            )
        except DatabaseLocked as exc:  # a program opened the live file during the build
            ctx.exit_code = exc.exit_code
            return self.discard("error", f"not published: {exc}")
        except (publish.PublishConflict, PlanwiseError, OSError) as exc:
            return self.discard("error", f"not published: {exc}")
        ctx.published = True
        ledger.store_queries(self.live, hook_payload(invocation.run_results).get("queries"))
        if kept:
            previous = publish.previous_path(self.live)
            state.record_previous(self.live, previous)
            ctx.messages.append(
                f"the replaced database is kept as {previous} "
                "(`planwise-run rollback` puts it back)"
            )
        with contextlib.suppress(OSError):  # a partial build is no state to compare with
            fingerprint.remember(
                settings, None if self.switches.selection else invocation, run.inputs
            )
        return run.finish()

    def interrupted(self) -> Outcome:
        """Ctrl-C or SIGTERM: before the atomic rename nothing changed; after it the new
        database is complete and live (finish publishing, remember it)."""
        run = self.run
        run.ctx.published = self.publication.is_live(self.live)
        if not run.ctx.published:
            self.abandon()
            unchanged = "interrupted: nothing published, live database unchanged"
            return run.finish("interrupted", unchanged)
        publish.finalize(self.live)
        with contextlib.suppress(Exception):  # a partial build is no state to compare with
            fingerprint.remember(
                run.settings, None if self.switches.selection else run.invocation, run.inputs
            )
        return run.finish(
            "interrupted", "interrupted after publishing: the new database is complete and live"
        )

    def abandon(self) -> None:
        """An unexpected error: the candidate goes, unless it is already live."""
        if not self.publication.is_live(self.live):
            with contextlib.suppress(Exception):
                publish.discard(self.candidate)


# --------------------------------------------------------------------------- pre-flight


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


def _census_columns(settings: Any) -> list[str]:
    """The census's missing required columns, named with their near misses."""
    delimiter = str(settings.var("census_csv_delimiter"))
    path, project = settings.census_path, settings.project_dir
    problem = census_header.missing_columns_problem(path, project, delimiter)
    return [problem] if problem else []


def _census_unfit(settings: Any, quick: bool) -> list[str]:
    """The census checks worth their time only for a setup that builds: its columns
    (for --quick, whose pre-flight leaves them to here) and a full read of a
    Parquet census."""
    found = _census_columns(settings) if quick else []
    damage = None if found else preflight.census_damage(settings.census_path)
    return found + ([damage] if damage else [])


def _command(switches: Switches, run: Run, live: Path) -> tuple[list[str], bool]:
    """The dbt command setup runs, and whether the on-run-start hook clears."""
    ctx = run.ctx
    if switches.selection and switches.quick:
        raise PlanwiseError("--quick chooses what to build itself", "drop the selection")
    ctx.clear_note = "--no-clear" if switches.no_clear else ""
    if switches.selection:
        ctx.clear_note = "a selection keeps the tables it does not build"
    command = ["build", *switches.selection] if switches.selection else [*FULL_BUILD]
    command = fingerprint.quick_command(run, live) if switches.quick else command
    command += ["--full-refresh"] * switches.full_refresh + ["--fail-fast"] * switches.fail_fast
    return command, not ctx.clear_note


# --------------------------------------------------------------------------- the candidate


def copy_candidate(live: Path, candidate: Path, progress: ProgressSink | None) -> float:
    """The live database copied to the candidate, in seconds; a clear error when it
    cannot be."""
    phase(progress, "copy")
    started = time.perf_counter()
    try:
        publish.prepare_candidate(live)
    except DatabaseLocked:  # another setup or program holds it: exit 3
        raise
    except (OSError, PlanwiseError) as exc:
        detail = getattr(exc, "strerror", None) or str(exc)
        hint = environment_hint(detail) or "free disk space or fix the directory's permissions"
        raise PlanwiseError(f"cannot copy {live} to {candidate}: {detail}", hint) from exc
    phase(progress, "parse")
    return time.perf_counter() - started
