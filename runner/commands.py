"""The bodies of the `planwise-run` commands (imported lazily by runner.cli).

Setup flow (atomic publish): pre-flight -> setup lock -> clean leftovers
-> candidate copy of the live database -> ONE `dbt build --selector setup`
against the candidate (clearing inside it, through the on-run-start hook) ->
publish the candidate only when nothing failed (warnings allowed), else discard
it (or keep it with --keep-failed) -> report.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import yaml

from runner.config import Settings
from runner.errors import ConfigError, DbtCouldNotRun, ExitCode, PlanwiseError
from runner.invoke import Invocation, new_run_dir, run_dbt, state_dir
from runner.progress import TerminalProgress
from runner.report import (
    Context,
    Report,
    build_report,
    cleared_lines,
    render_json,
    render_junit,
    render_text,
)

if TYPE_CHECKING:
    from runner.cli import Options

KEEP_RUN_DIRS = 20
LAST_SUCCESS = "last-success"
LAST_RUN = "last-run.json"


# --------------------------------------------------------------------------- helpers


INPUT_VARS = (
    "scenario_id",
    "plan_year_start_date",
    "plan_year_end_date",
    "simulation_effective_date",
)


def run_inputs(settings: Settings) -> dict[str, Any]:
    """What a run is about, for its report: scenario, plan year, census."""
    inputs = {name: settings.vars.get(name) for name in INPUT_VARS}
    return {**inputs, "census_path": str(settings.census_path)}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _width() -> int:
    return shutil.get_terminal_size((80, 24)).columns


def _unicode() -> bool:
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower()
    return "utf" in encoding


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _directory_problem(path: Path, what: str, must_exist: bool) -> str | None:
    """None when `path` (a directory) is usable for writing; else one line."""
    if path.exists():
        if not path.is_dir():
            return f"{path}: {what} is not a directory; choose another path"
        if not os.access(path, os.W_OK | os.X_OK):
            return f"{path}: {what} is not writable; fix its permissions or choose another path"
        return None
    if must_exist:
        return f"{path}: {what} does not exist; create it or choose another path"
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{path}: cannot create {what}: {existing} is not writable"
    return None


def preflight(settings: Settings, report_dir: bool = True) -> tuple[list[str], float]:
    """Every problem found before dbt runs (all of them, not just the first)."""
    from runner.guards import check_census, check_seeds

    started = time.perf_counter()
    problems: list[str] = []
    db_dir = settings.db_path.parent
    problem = _directory_problem(db_dir, "database directory", must_exist=True)
    if problem:
        problems.append(problem)
    if settings.db_path.exists() and not settings.db_path.is_file():
        problems.append(f"{settings.db_path}: the database path is not a file; choose a file path")
    if report_dir:
        problem = _directory_problem(settings.report_dir, "report directory", must_exist=False)
        if problem:
            problems.append(problem)
    problems += [str(p) for p in check_census(settings.census_path)]
    problems += [str(p) for p in check_seeds(settings.project_dir)]
    return problems, time.perf_counter() - started


def _probe(db_path: Path) -> None:
    """Raise DatabaseLocked if another program holds the file; other DuckDB errors
    (not a database file) become a one-line error."""
    from runner.locking import probe_database

    try:
        probe_database(db_path)
    except Exception as exc:
        if type(exc).__module__.startswith("duckdb"):
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise PlanwiseError(
                f"{db_path}: cannot open the database: {first}",
                "is it a DuckDB file? choose another --db or move it away",
            ) from exc
        raise


def _prune_runs(db_path: Path, keep: int = KEEP_RUN_DIRS) -> None:
    runs = state_dir(db_path) / "runs"
    if not runs.is_dir():
        return
    directories = sorted(path for path in runs.iterdir() if path.is_dir())
    for old in directories[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def _progress(options: Options, console_level: str) -> TerminalProgress:
    enabled = sys.stdout.isatty() and not options.quiet and console_level == "none"
    return TerminalProgress(sys.stdout, enabled=enabled)


def _inputs_fingerprint(settings: Settings) -> dict[str, Any]:
    """What dbt's state comparison cannot see: vars, target and the census file."""
    census = settings.census_path
    stat = census.stat() if census.exists() else None
    return {
        "vars": settings.dbt_vars(),
        "target": settings.target,
        "census": [str(census), stat.st_size if stat else None, stat.st_mtime_ns if stat else None],
    }


def _save_success(settings: Settings, invocation: Invocation) -> None:
    """Copy the artifacts of a successful setup to a stable place (for --quick and status)."""
    if invocation.manifest is None:
        return
    destination = state_dir(settings.db_path) / LAST_SUCCESS
    staging = destination.with_name(f".{LAST_SUCCESS}.{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in ("manifest.json", "run_results.json"):
        source = invocation.target_path / name
        if source.is_file():
            shutil.copy2(source, staging / name)
    (staging / "inputs.json").write_text(json.dumps(_inputs_fingerprint(settings)) + "\n")
    old = destination.with_name(f".{LAST_SUCCESS}.old.{os.getpid()}")
    if destination.exists():
        os.replace(destination, old)
    os.replace(staging, destination)
    shutil.rmtree(old, ignore_errors=True)


def _forget_success(settings: Settings) -> None:
    """Remove the recorded successful setup (before the live database changes)."""
    destination = state_dir(settings.db_path) / LAST_SUCCESS
    if not destination.exists():
        return
    old = destination.with_name(f".{LAST_SUCCESS}.old.{os.getpid()}")
    with contextlib.suppress(OSError):
        os.replace(destination, old)
    shutil.rmtree(old, ignore_errors=True)


def _quick_blocker(settings: Settings) -> str | None:
    """Why --quick cannot compare state (so a full setup runs), or None."""
    last = state_dir(settings.db_path) / LAST_SUCCESS
    if not settings.db_path.exists():
        return "the database does not exist yet"
    if not (last / "manifest.json").is_file():
        return "no successful setup recorded for this database"
    try:
        recorded = json.loads((last / "inputs.json").read_text())
    except (OSError, ValueError):
        return "the last setup's inputs are not recorded"
    current = _inputs_fingerprint(settings)
    for key, label in (("vars", "vars"), ("target", "target"), ("census", "census file")):
        if recorded.get(key) != current[key]:
            return f"the {label} changed since the last setup"
    return None


def write_error_report(command: str, report_dir: Path, code: int, message: str) -> None:
    """A run that stopped before its report (bad configuration, locked database,
    an unexpected error) still replaces the previous run's report with one
    carrying its real exit code, so CI never reads a stale success."""
    status = "interrupted" if code == int(ExitCode.INTERRUPTED) else "error"
    context = Context(
        command=command, status_override=status, exit_code_override=code, messages=[message]
    )
    report = build_report(None, None, context)
    try:
        junit = render_junit(report, None, None)
        _write_report_files(report_dir, report, render_json(report), junit)
    except OSError:  # no report directory to write to: at least drop the stale ones
        for path in _report_files(report_dir, command):
            with contextlib.suppress(OSError):
                path.unlink()


def _report_files(directory: Path, command: str) -> tuple[Path, Path]:
    return directory / f"{command}-report.json", directory / f"{command}-junit.xml"


def _write_report_files(
    directory: Path, report: Report, json_text: str, junit_text: str
) -> list[str]:
    """The JSON and JUnit files of `report` in `directory`; their paths."""
    json_path, junit_path = _report_files(directory, report.command)
    _write_atomic(json_path, json_text)
    _write_atomic(junit_path, junit_text)
    return [str(json_path), str(junit_path)]


def _write_reports(
    settings: Settings,
    report: Report,
    invocation: Invocation | None,
    run_dir: Path | None,
) -> list[str]:
    """JSON + JUnit into the report dir (and a copy into the run dir). Returns paths."""
    run_results = invocation.run_results if invocation else None
    manifest = invocation.manifest if invocation else None
    json_text = render_json(report)
    junit_text = render_junit(report, run_results, manifest)
    paths: list[str] = []
    try:
        paths = _write_report_files(settings.report_dir, report, json_text, junit_text)
    except OSError as exc:
        click.echo(f"warning: cannot write reports to {settings.report_dir}: {exc}", err=True)
    if run_dir is not None:
        with contextlib.suppress(OSError):
            _write_report_files(run_dir, report, json_text, junit_text)
    return paths


def _record_last_run(settings: Settings, report: Report, report_paths: list[str]) -> None:
    record = {
        "command": report.command,
        "status": report.status,
        "exit_code": report.exit_code,
        "finished_at": _now(),
        "elapsed_seconds": report.elapsed_seconds,
        "published": report.published,
        "report": report_paths[0] if report_paths else None,
        "run_dir": report.dbt.get("run_dir"),
    }
    with contextlib.suppress(OSError):
        _write_atomic(
            _existing_state_dir(settings.db_path) / LAST_RUN, json.dumps(record, indent=1) + "\n"
        )


def _existing_state_dir(db_path: Path) -> Path:
    """`state_dir(db_path)`, creating its two levels below the database directory but
    never the database directory itself (FileNotFoundError when it is missing)."""
    state = state_dir(db_path)
    for level in (state.parent, state):
        level.mkdir(exist_ok=True)
    return state


def _emit(options: Options, report: Report, paths: list[str]) -> None:
    text = render_text(report, width=_width(), unicode=_unicode(), report_paths=paths)
    if options.quiet:
        lines = text.splitlines()
        keep = [lines[0]]
        if report.problems or report.messages:
            start = next((i for i, line in enumerate(lines) if line.startswith("Problems")), None)
            if start is not None:
                block = []
                for line in lines[start:]:
                    if not line.strip():
                        break
                    block.append(line)
                keep += block
            keep += report.messages
        if report.cleared:  # dropped relations are always said, even with -q
            keep += cleared_lines(report.cleared, _width())
        text = "\n".join(keep) + "\n"
    click.echo(text, nl=False)


def _finish(
    options: Options,
    settings: Settings,
    context: Context,
    invocation: Invocation | None,
    run_dir: Path | None,
    started: float,
) -> int:
    context.elapsed_seconds = time.perf_counter() - started
    report = build_report(
        invocation.run_results if invocation else None,
        invocation.manifest if invocation else None,
        context,
    )
    paths = _write_reports(settings, report, invocation, run_dir)
    if report.command == "setup" and not context.preflight_problems:
        # A failed pre-flight creates nothing next to the database (whose directory
        # may be the very problem it reported).
        _record_last_run(settings, report, paths)
    _emit(options, report, paths)
    return report.exit_code


# --------------------------------------------------------------------------- setup


def run_setup(options: Options, settings: Settings, **switches: Any) -> int:
    """A setup whose new files (candidate, reports, run directories) are private:
    they hold the census's SSNs and failing rows. The published database then
    gets the live file's mode (publish.publish)."""
    previous_umask = os.umask(0o077)
    try:
        return _run_setup(options, settings, **switches)
    finally:
        os.umask(previous_umask)


def _run_setup(
    options: Options,
    settings: Settings,
    *,
    no_clear: bool,
    quick: bool,
    fail_fast: bool,
    keep_failed: bool,
    console_level: str,
) -> int:
    from runner import publish
    from runner.locking import setup_lock

    started = time.perf_counter()
    live = settings.db_path
    context = Context(
        command="setup",
        started_at=_now(),
        database=str(live),
        clear_enabled=not no_clear and not quick,
        clear_note="--no-clear" if no_clear else "--quick keeps unchanged tables" if quick else "",
        census_path=str(settings.census_path),
        inputs=run_inputs(settings),
    )

    problems, seconds = preflight(settings)
    context.preflight_seconds = seconds
    if problems:
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        context.preflight_problems = problems
        context.status_override = "error"
        context.exit_code_override = int(ExitCode.ERROR)
        context.messages.append("pre-flight failed: nothing was run; the database is unchanged")
        return _finish(options, settings, context, None, None, started)
    # The setup lock first (another setup may be copying or publishing the live
    # file: wait for it), then the probe for other programs holding the file.
    with setup_lock(live, settings.lock_timeout):
        if live.exists():
            _probe(live)
        removed = publish.cleanup_leftovers(live)
        if removed:
            context.messages.append(
                "removed leftovers of an interrupted run: " + ", ".join(p.name for p in removed)
            )
        _prune_runs(live)
        run_dir = new_run_dir(live, "setup")
        context.run_dir = str(run_dir)
        last = state_dir(live) / LAST_SUCCESS
        command = ["build", "--selector", "setup"]
        if quick:
            blocker = _quick_blocker(settings)
            if blocker:
                context.messages.append(f"--quick: {blocker}; ran the full setup")
                context.clear_enabled = not no_clear
                context.clear_note = "--no-clear" if no_clear else ""
            else:
                listing = run_dbt(
                    settings,
                    ["ls", "--select", "state:modified+", "--state", str(last)],
                    db_path=publish.candidate_path(live),
                    run_dir=run_dir / "ls",
                    console_level=console_level,
                )
                if listing.listed is None:
                    raise DbtCouldNotRun(
                        f"dbt could not compare state: {listing.error_summary()}",
                        f"run without --quick; dbt log: {listing.log_path / 'dbt.log'}",
                    )
                if not listing.listed:
                    context.status_override = "up_to_date"
                    context.dbt_seconds = listing.seconds
                    context.clear_enabled = False
                    return _finish(options, settings, context, None, run_dir, started)
                command = ["build", "--select", "state:modified+", "--state", str(last)]
        if fail_fast:
            command.append("--fail-fast")

        progress = _progress(options, console_level)
        progress.started("copying the database, parsing the dbt project")
        state = _SetupState()
        try:
            return _build_and_publish(
                options, settings, context, state, command, run_dir, progress,
                keep_failed=keep_failed, console_level=console_level, started=started,
            )  # fmt: skip
        except KeyboardInterrupt:
            progress.close()
            if state.published_now(live):
                return _interrupted_after_publishing(
                    options, settings, context, state, run_dir, started
                )
            if state.candidate is not None:
                with contextlib.suppress(Exception):
                    publish.discard(state.candidate, keep=False)
            click.echo("interrupted: the live database was not changed", err=True)
            context.status_override = "interrupted"
            context.exit_code_override = int(ExitCode.INTERRUPTED)
            context.messages.append("interrupted: nothing published, live database unchanged")
            with contextlib.suppress(Exception):
                _finish(options, settings, context, None, run_dir, started)
            return int(ExitCode.INTERRUPTED)
        except BaseException:
            progress.close()
            if state.candidate is not None and not state.published_now(live):
                with contextlib.suppress(Exception):
                    publish.discard(state.candidate, keep=False)
            raise


def _interrupted_after_publishing(
    options: Options,
    settings: Settings,
    context: Context,
    state: _SetupState,
    run_dir: Path,
    started: float,
) -> int:
    """Ctrl-C/SIGTERM after the atomic replace: the new database is complete and live.
    Finish what publishing left (directory fsync, source stamp), record the success
    for --quick, then report the interrupt truthfully."""
    from runner import publish

    with contextlib.suppress(Exception):
        publish.finalize(settings.db_path)
    click.echo("interrupted after publishing: the new database is complete and live", err=True)
    context.published = True
    context.status_override = "interrupted"
    context.exit_code_override = int(ExitCode.INTERRUPTED)
    context.messages.append("interrupted after publishing: the new database is complete and live")
    if state.invocation is not None:
        with contextlib.suppress(Exception):
            _save_success(settings, state.invocation)
    with contextlib.suppress(Exception):
        _finish(options, settings, context, state.invocation, run_dir, started)
    return int(ExitCode.INTERRUPTED)


# OS-level failures reported by DuckDB inside dbt results (or by its checkpoint at
# publish): a runtime error (exit 2), not a validation failure. Each with a hint.
_ENVIRONMENT_ERRORS = {
    "No space left on device": "free disk space where the database lives",
    "Disk full": "free disk space where the database lives",
    "Disk quota exceeded": "raise the disk quota or free space where the database lives",
    "File too large": "raise the file-size limit (ulimit -f) or quota for the database file",
    "Read-only file system": "use a writable file system for the file it names",
    "Permission denied": "fix the permissions of the file or directory it names",
    "Out of Memory": "lower --threads or give DuckDB more memory",
}


def _environment_hint(message: str) -> str | None:
    """The hint for an OS-level failure named in `message`, or None."""
    lowered = message.lower()
    for marker, hint in _ENVIRONMENT_ERRORS.items():
        if marker.lower() in lowered:
            return hint
    return None


def _environment_failure(run_results: dict[str, Any] | None) -> str | None:
    for result in (run_results or {}).get("results") or []:
        if result.get("status") != "error":
            continue
        message = str(result.get("message") or "")
        for marker in _ENVIRONMENT_ERRORS:
            if marker.lower() in message.lower():
                line = next((x for x in message.splitlines() if marker.lower() in x.lower()), "")
                return f"{result.get('unique_id', '?').split('.')[-1]}: {line.strip()}"
    return None


class _SetupState:
    """What a setup has done so far (for clean handling of Ctrl-C at any point)."""

    def __init__(self) -> None:
        from runner.publish import Publication

        self.candidate: Path | None = None
        self.invocation: Invocation | None = None
        self.publication = Publication()

    def published_now(self, live: Path) -> bool:
        """Whether the live file is the new database, even when the interrupt came
        between the atomic rename and its bookkeeping."""
        return self.publication.is_live(live)


def _build_and_publish(
    options: Options,
    settings: Settings,
    context: Context,
    state: _SetupState,
    command: list[str],
    run_dir: Path,
    progress: TerminalProgress,
    *,
    keep_failed: bool,
    console_level: str,
    started: float,
) -> int:
    from runner import publish
    from runner.locking import DatabaseLocked

    live = settings.db_path
    candidate_target = publish.candidate_path(live)
    try:
        state.candidate = candidate_target
        candidate = publish.prepare_candidate(live)
    except (OSError, publish.CheckpointFailed) as exc:
        state.candidate = None
        detail = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
        raise PlanwiseError(
            f"cannot copy {live} to {candidate_target}: {detail}",
            _environment_hint(detail)
            or "free disk space or fix permissions in the database directory",
        ) from exc
    invocation = run_dbt(
        settings,
        command,
        db_path=candidate,
        run_dir=run_dir,
        runner_vars={"planwise_clear": context.clear_enabled, "planwise_report": True},
        progress=progress,
        console_level=console_level,
        timeout=settings.timeout,
    )
    progress.close()
    state.invocation = invocation
    context.dbt_seconds = invocation.seconds
    context.payloads = invocation.payloads

    def give_up(status: str, code: ExitCode, message: str) -> int:
        kept = publish.discard(candidate, keep=keep_failed)
        state.candidate = None
        context.kept_candidate = str(kept) if kept else None
        context.status_override = status
        context.exit_code_override = int(code)
        if message:
            context.messages.append(message)
        return _finish(options, settings, context, invocation, run_dir, started)

    if invocation.timed_out:
        click.echo(f"error: the setup timed out after {settings.timeout:g}s", err=True)
        return give_up(
            "error",
            ExitCode.ERROR,
            f"timed out after {settings.timeout:g}s: dbt was stopped; live database unchanged",
        )
    if invocation.interrupted:
        raise KeyboardInterrupt
    if not invocation.produced_results:
        summary = invocation.error_summary()
        click.echo(f"error: dbt could not run: {summary}", err=True)
        click.echo(f"  dbt log: {invocation.log_path / 'dbt.log'}", err=True)
        return give_up("error", ExitCode.ERROR, f"dbt could not run: {summary}")
    environment = _environment_failure(invocation.run_results)
    if environment:
        click.echo(f"error: {environment}", err=True)
        click.echo(f"  what to do: {_environment_hint(environment)}", err=True)
        return give_up(
            "error", ExitCode.ERROR, f"{environment}; nothing published, live database unchanged"
        )

    preview = build_report(invocation.run_results, invocation.manifest, context)
    if preview.status == "failed" or not invocation.success:
        if preview.status != "failed":
            context.messages.append(f"dbt reported failure: {invocation.error_summary()}")
        return give_up(
            "failed", ExitCode.FAILED, "nothing published: the live database is unchanged"
        )
    # The live file is about to change: the recorded success no longer describes it
    # (a kill after the rename must not let --quick call the new database up to date).
    _forget_success(settings)
    try:
        kept_previous = publish.publish(
            candidate,
            live,
            state.publication,
            keep_previous=settings.keep_previous,
            new_mode=settings.db_file_mode,
        )
    except DatabaseLocked:
        publish.discard(candidate, keep=keep_failed)
        state.candidate = None
        raise
    except (publish.PublishConflict, publish.CheckpointFailed, OSError) as exc:
        if state.published_now(live):  # publish() raises nothing after the rename; still
            context.messages.append(f"published; then: {exc}")
        else:
            click.echo(f"error: not published: {exc}", err=True)
            hint = _environment_hint(str(exc))
            if hint:
                click.echo(f"  what to do: {hint}", err=True)
            return give_up(
                "error", ExitCode.ERROR, f"not published: {exc}; the live database is unchanged"
            )
    else:
        if kept_previous:
            context.messages.append(
                f"the replaced database is kept as {publish.previous_path(live)} "
                "(`planwise-run rollback` puts it back)"
            )
    state.candidate = None
    context.published = True
    with contextlib.suppress(OSError):
        _save_success(settings, invocation)
    return _finish(options, settings, context, invocation, run_dir, started)


# --------------------------------------------------------------------------- rollback


def run_rollback(options: Options, settings: Settings) -> int:
    """Put `<db>.previous` back as the live database, under the setup lock."""
    from runner import publish
    from runner.locking import setup_lock

    live = settings.db_path
    with setup_lock(live, settings.lock_timeout):
        try:
            publish.rollback(live)
        except FileNotFoundError as exc:
            raise PlanwiseError(
                str(exc), "there is nothing to roll back to until a setup has replaced a database"
            ) from exc
        except publish.PublishConflict as exc:
            raise PlanwiseError(str(exc), "the live database is unchanged") from exc
    _forget_success(settings)
    click.echo(
        f"rolled back: {live} is the database before the last setup; "
        f"the one it replaced is now {publish.previous_path(live)}"
    )
    return int(ExitCode.OK)


# --------------------------------------------------------------------------- status


def run_status(options: Options, config_file: Path | None, flags: dict[str, Any]) -> int:
    from runner.cli import _load
    from runner.guards import check_census, check_seeds
    from runner.locking import DatabaseLocked, setup_lock_holder
    from runner.publish import candidate_path, kept_failures, leftovers

    unicode = _unicode()
    ok_mark, bad_mark, info_mark = ("✔", "✖", "·") if unicode else ("ok", "XX", "--")
    problems: list[str] = []

    def good(text: str) -> None:
        if not options.quiet:
            click.echo(f"{ok_mark} {text}")

    def bad(text: str) -> None:
        problems.append(text)
        click.echo(f"{bad_mark} {text}")

    def info(text: str) -> None:
        if not options.quiet:
            click.echo(f"{info_mark} {text}")

    try:
        settings = _load(options, config_file, **flags)
    except ConfigError as exc:
        bad(f"configuration: {exc}")
        click.echo(f"NOT READY: {len(problems)} problem(s)")
        return int(ExitCode.FAILED)
    good(f"configuration: {settings.config_file or 'defaults (no config file)'}")

    census_problems = check_census(settings.census_path)
    if census_problems:
        for problem in census_problems:
            bad(f"census: {problem}")
    else:
        good(f"census: {settings.census_path}")
    seed_problems = check_seeds(settings.project_dir)
    if seed_problems:
        for problem in seed_problems:
            bad(f"seeds: {problem}")
    else:
        good("seeds: every declared seed file is readable and typed as declared")

    live = settings.db_path
    directory = _directory_problem(live.parent, "database directory", must_exist=True)
    if directory:
        bad(f"database: {directory}")
    holder = setup_lock_holder(live)
    if holder:
        bad(f"database: a setup is running on {live}: {holder}")
    if live.exists():
        try:
            _probe(live)
            good(f"database: {live} (writable, not locked)")
        except DatabaseLocked as exc:
            bad(f"database: {live} is locked by {exc.holder}; close that program")
        except PlanwiseError as exc:
            bad(f"database: {exc}")
    elif not directory:
        good(f"database: {live} (does not exist yet; setup will create it)")
    debris = leftovers(live) if live.parent.is_dir() else []
    if debris:
        info(
            "leftovers of an interrupted run (the next setup removes them): "
            + ", ".join(p.name for p in debris)
        )
    for kept in kept_failures(live) if live.parent.is_dir() else []:
        info(f"kept failed candidate: {kept} (delete it when done)")

    with tempfile.TemporaryDirectory(prefix="planwise-status-") as tmp:
        parse = run_dbt(
            settings,
            ["parse"],
            db_path=candidate_path(live),
            run_dir=Path(tmp),
            console_level=_console_level_for(options),
        )
        if parse.manifest is None or not parse.success:
            bad(f"dbt project: does not parse: {parse.error_summary()}")
        else:
            nodes = parse.manifest.get("nodes", {}).values()
            kinds: dict[str, int] = {}
            for node in nodes:
                kinds[node["resource_type"]] = kinds.get(node["resource_type"], 0) + 1
            unit = len(parse.manifest.get("unit_tests", {}))
            version = parse.manifest.get("metadata", {}).get("dbt_version", "?")
            good(
                f"dbt project parses (dbt {version}): {kinds.get('seed', 0)} seeds, "
                f"{kinds.get('model', 0)} models, {kinds.get('test', 0)} data tests, "
                f"{unit} unit tests"
            )

    last_run = state_dir(live) / LAST_RUN
    try:
        record = json.loads(last_run.read_text())
        when = record.get("finished_at")
        seconds = record.get("elapsed_seconds")
        info(
            f"last setup: {record.get('status')} at {when} "
            f"({seconds:.1f}s, exit {record.get('exit_code')})"
            + (f", report {record['report']}" if record.get("report") else "")
        )
    except (OSError, ValueError, TypeError):
        info("last setup: none recorded for this database")

    if problems:
        click.echo(f"NOT READY: {len(problems)} problem(s)")
        return int(ExitCode.FAILED)
    click.echo("READY: `planwise-run setup` can run")
    return int(ExitCode.OK)


def _console_level_for(options: Options) -> str:
    return "info" if options.verbose else "none"


# --------------------------------------------------------------------------- clear


def run_clear(options: Options, settings: Settings, *, dry_run: bool, console_level: str) -> int:
    from runner.locking import setup_lock

    live = settings.db_path
    if not live.exists():
        click.echo(f"nothing to clear: {live} does not exist yet")
        return int(ExitCode.OK)
    with setup_lock(live, settings.lock_timeout):
        _probe(live)
        run_dir = new_run_dir(live, "clear")
        invocation = run_dbt(
            settings,
            ["run-operation", "planwise_clear_owned", "--args", json.dumps({"dry_run": dry_run})],
            db_path=live,
            run_dir=run_dir,
            console_level=console_level,
        )
    payload = invocation.payloads.get("planwise_clear")
    if not invocation.success or payload is None:
        raise DbtCouldNotRun(
            f"the clear macro failed: {invocation.error_summary()}",
            f"dbt log: {invocation.log_path / 'dbt.log'}",
        )
    relations = payload.get("relations") or []
    verb = "would drop" if dry_run else "dropped"
    click.echo(f"{verb} {len(relations)} relation(s) in {live}:")
    by_schema: dict[str, list[dict[str, str]]] = {}
    for relation in relations:
        by_schema.setdefault(str(relation["schema"]), []).append(relation)
    for schema, members in by_schema.items():
        if schema.endswith("_validation_failures") and not options.verbose:
            click.echo(
                f"  {len(members)} stored-failure table(s) in schema {schema} (-v lists them)"
            )
            continue
        for relation in members:
            click.echo(f"  {relation['type']:<5} {schema}.{relation['name']}")
    return int(ExitCode.OK)


# --------------------------------------------------------------------------- validate


def _validation_selector(project_dir: Path) -> str:
    try:
        data = yaml.safe_load((project_dir / "selectors.yml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        return "setup"
    names = {item.get("name") for item in data.get("selectors") or [] if isinstance(item, dict)}
    return "validation" if "validation" in names else "setup"


def run_validate(options: Options, settings: Settings, *, console_level: str) -> int:
    from runner.locking import setup_lock

    started = time.perf_counter()
    live = settings.db_path
    if not live.exists():
        raise PlanwiseError(
            f"{live}: database does not exist", "run `planwise-run setup` first (or pass --db)"
        )
    problem = _directory_problem(settings.report_dir, "report directory", must_exist=False)
    if problem:
        raise PlanwiseError(problem)
    context = Context(
        command="validate", started_at=_now(), database=str(live), inputs=run_inputs(settings)
    )
    context.clear_enabled = False
    selector = _validation_selector(settings.project_dir)
    if selector != "validation":
        context.messages.append("no `validation` selector yet: ran every test of `setup`")
    with setup_lock(live, settings.lock_timeout):
        _probe(live)
        run_dir = new_run_dir(live, "validate")
        context.run_dir = str(run_dir)
        progress = _progress(options, console_level)
        try:
            invocation = run_dbt(
                settings,
                ["test", "--selector", selector],
                db_path=live,
                run_dir=run_dir,
                progress=progress,
                console_level=console_level,
                timeout=settings.timeout,
            )
        finally:
            progress.close()
    context.dbt_seconds = invocation.seconds
    if invocation.interrupted:
        context.status_override = "interrupted"
    elif not invocation.produced_results:
        click.echo(f"error: dbt could not run: {invocation.error_summary()}", err=True)
        context.status_override = "error"
        context.messages.append(f"dbt could not run: {invocation.error_summary()}")
    return _finish(options, settings, context, invocation, run_dir, started)


# --------------------------------------------------------------------------- docs


def run_docs(
    options: Options,
    settings: Settings,
    *,
    output_dir: Path | None,
    serve: bool,
    port: int,
    console_level: str,
) -> int:
    from runner.locking import setup_lock

    output = (output_dir or settings.report_dir / "docs").resolve()
    problem = _directory_problem(output, "docs directory", must_exist=False)
    if problem:
        raise PlanwiseError(problem)
    live = settings.db_path
    with tempfile.TemporaryDirectory(prefix="planwise-docs-") as tmp:
        if live.exists():
            lock: contextlib.AbstractContextManager[None] = setup_lock(live, settings.lock_timeout)
            db_path = live
        else:  # no database yet: the catalog is empty, the lineage is complete
            lock = contextlib.nullcontext()
            db_path = Path(tmp) / "docs.duckdb"
        with lock:
            if live.exists():
                _probe(live)
            invocation = run_dbt(
                settings,
                ["docs", "generate", "--static"],
                db_path=db_path,
                run_dir=Path(tmp) / "run",
                console_level=console_level,
            )
        site = invocation.target_path / "static_index.html"
        if not invocation.success or not site.is_file():
            raise DbtCouldNotRun(f"dbt docs generate failed: {invocation.error_summary()}")
        output.mkdir(parents=True, exist_ok=True)
        shutil.copy2(site, output / "index.html")
        for name in ("manifest.json", "catalog.json"):
            if (invocation.target_path / name).is_file():
                shutil.copy2(invocation.target_path / name, output / name)
    index = output / "index.html"
    click.echo(f"docs: {index}")
    click.echo(f"open: {index.as_uri()}")
    if serve:
        import functools
        import http.server

        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(output))
        with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
            bound = server.server_address[1]
            click.echo(f"serving: http://127.0.0.1:{bound}/index.html  (Ctrl-C to stop)")
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                click.echo("stopped")
    return int(ExitCode.OK)
