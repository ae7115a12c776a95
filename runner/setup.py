"""`planwise-run setup`, top to bottom: pre-flight -> setup lock -> candidate copy
of the live database -> ONE `dbt build --selector setup` on the candidate (the
project's on-run-start hook validates the vars and clears owned relations) ->
publish the candidate atomically when nothing failed (warnings allowed), else
discard it (or keep it with --keep-failed) -> report. Returns one Outcome.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runner import preflight, publish
from runner.config import Settings
from runner.errors import PlanwiseError
from runner.invoke import Invocation, ProgressSink, new_run_dir, run_dbt, state_dir
from runner.locking import DatabaseLocked, probe_database, setup_lock, setup_lock_holder
from runner.report import Context, build_report, render_json, render_junit

INPUT_VARS = (
    "scenario_id",
    "plan_year_start_date",
    "plan_year_end_date",
    "simulation_effective_date",
)
LAST_SUCCESS = "last-success"
FULL_BUILD = ("build", "--selector", "setup")  # what setup builds without a selection
# OS-level failures DuckDB reports inside dbt's results: a runtime error, with a hint.
ENVIRONMENT_ERRORS = {
    "No space left on device": "free disk space where the database lives",
    "Disk full": "free disk space where the database lives",
    "Disk quota exceeded": "raise the disk quota or free space where the database lives",
    "File too large": "raise the file-size limit (ulimit -f) or quota for the database file",
    "Read-only file system": "use a writable file system for the file it names",
    "Permission denied": "fix the permissions of the file or directory it names",
    "Out of Memory": "lower --threads or give DuckDB more memory",
}


@dataclass
class Switches:
    no_clear: bool = False
    quick: bool = False
    fail_fast: bool = False
    keep_failed: bool = False
    selection: list[str] = field(default_factory=list)  # dbt's selection; [] = the setup selector
    console_level: str = "none"
    full_refresh: bool = False


@dataclass
class Outcome:
    report: dict[str, Any]
    paths: list[str]

    @property
    def exit_code(self) -> int:
        return int(self.report["exit_code"])


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def environment_hint(message: str) -> str | None:
    lowered = message.lower()
    return next(
        (hint for mark, hint in ENVIRONMENT_ERRORS.items() if mark.lower() in lowered), None
    )


def context_for(command: str, settings: Settings) -> Context:
    inputs = {name: str(settings.var(name)) for name in INPUT_VARS}
    inputs["census_path"] = str(settings.census_path)
    return Context(command=command, started_at=now(), database=str(settings.db_path), inputs=inputs)


def probe(db_path: Path) -> None:
    """DatabaseLocked if another program holds the file; a clear error if it is no DuckDB file."""
    try:
        probe_database(db_path)
    except DatabaseLocked:
        raise
    except Exception as exc:
        if not type(exc).__module__.startswith("duckdb"):
            raise
        raise PlanwiseError(
            f"{db_path}: cannot open the database: {(str(exc).strip().splitlines() or [''])[0]}",
            "is it a DuckDB file? choose another --db or move it away",
        ) from exc


def write_reports(
    directory: Path, report: dict[str, Any], copy_to: Path | None = None
) -> list[str]:
    """<command>-report.json and -junit.xml, each replaced atomically; their paths."""
    paths = []
    texts = {"report.json": render_json(report), "junit.xml": render_junit(report)}
    for folder, (suffix, text) in (
        (f, t) for f in (directory, copy_to) if f for t in texts.items()
    ):
        path = folder / f"{report['command']}-{suffix}"
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, path)
            paths += [str(path)] if folder == directory else []
    return paths


def finish(
    settings: Settings, ctx: Context, started: float, invocation: Invocation | None = None
) -> Outcome:
    ctx.elapsed_seconds = time.perf_counter() - started
    artifacts = (invocation.run_results, invocation.manifest) if invocation else (None, None)
    report = build_report(*artifacts, ctx)
    paths = write_reports(settings.report_dir, report, Path(ctx.run_dir) if ctx.run_dir else None)
    if not paths:
        report["messages"].append(f"cannot write the reports to {settings.report_dir}")
    if ctx.command == "setup" and not ctx.preflight_problems:  # status reads it
        keys = ("status", "exit_code", "elapsed_seconds", "published")
        record = {key: report[key] for key in keys} | {"finished_at": now(), "report": paths[:1]}
        with contextlib.suppress(OSError):
            state_dir(settings.db_path).mkdir(parents=True, exist_ok=True)
            (state_dir(settings.db_path) / "last-run.json").write_text(json.dumps(record))
    return Outcome(report, paths)


def _fingerprint(settings: Settings) -> dict[str, Any]:
    """What dbt's state comparison cannot see: vars, target and the census file."""
    census = settings.census_path
    stat = census.stat() if census.exists() else None
    return {
        "vars": settings.dbt_vars(),
        "target": settings.knobs["target"],
        "census": [str(census), stat.st_size if stat else None, stat.st_mtime_ns if stat else None],
    }


def _remember(settings: Settings, invocation: Invocation | None) -> None:
    """Keep (or, with None, forget) the artifacts of the setup the live file now holds."""
    last = state_dir(settings.db_path) / LAST_SUCCESS
    shutil.rmtree(last, ignore_errors=True)
    if invocation is None or invocation.manifest is None:
        return
    staging = last.with_name(f".{LAST_SUCCESS}.{os.getpid()}")
    shutil.copytree(
        invocation.target_path,
        staging,
        ignore=lambda d, names: [n for n in names if not n.endswith(".json")],
    )
    (staging / "inputs.json").write_text(json.dumps(_fingerprint(settings)))
    os.replace(staging, last)


def _quick_command(settings: Settings, ctx: Context, run_dir: Path, level: str) -> list[str] | None:
    """The build of what changed (None: nothing did), or the full build with a note why."""
    last = state_dir(settings.db_path) / LAST_SUCCESS
    try:
        recorded = json.loads((last / "inputs.json").read_text())
    except (OSError, ValueError):
        ctx.messages.append(
            "--quick: no successful setup recorded for this database; ran the full setup"
        )
        return [*FULL_BUILD]
    changed = [key for key, value in _fingerprint(settings).items() if recorded.get(key) != value]
    if changed or not settings.db_path.exists():
        ctx.messages.append(
            f"--quick: the {', '.join(changed) or 'database'} changed since the last setup; "
            "ran the full setup"
        )
        return [*FULL_BUILD]
    state = ["--select", "state:modified+", "--state", str(last)]
    listing = run_dbt(
        settings,
        ["ls", *state],
        db_path=publish.candidate_path(settings.db_path),
        run_dir=run_dir / "ls",
        console_level=level,
    )
    if listing.interrupted:
        raise KeyboardInterrupt
    if listing.listed is None:
        raise PlanwiseError(
            f"dbt could not compare state: {listing.error_summary()}", "run without --quick"
        )
    return ["build", *state] if listing.listed else None


def run_setup(
    settings: Settings, switches: Switches, progress: ProgressSink | None = None
) -> Outcome:
    """The whole setup; new files (candidate, reports, runs) are private to the owner."""
    previous_umask = os.umask(0o077)
    try:
        return _setup(settings, switches, progress)
    finally:
        os.umask(previous_umask)


def _setup(settings: Settings, switches: Switches, progress: ProgressSink | None) -> Outcome:
    started, live = time.perf_counter(), settings.db_path
    ctx = context_for("setup", settings)
    ctx.clear_note = "--no-clear" if switches.no_clear else ""
    seconds = time.perf_counter()
    ctx.preflight_problems = preflight.problems(
        live, settings.census_path, settings.project_dir, settings.report_dir
    )
    ctx.preflight_seconds = time.perf_counter() - seconds
    if ctx.preflight_problems:
        ctx.status = "error"
        ctx.messages.append("pre-flight failed: nothing was run; the database is unchanged")
        return finish(settings, ctx, started)
    with setup_lock(live, settings.knobs["lock_timeout_seconds"]):
        if live.exists():
            probe(live)
        removed = publish.cleanup_leftovers(live)
        if removed:
            ctx.messages.append(
                "removed leftovers of an interrupted run: " + ", ".join(p.name for p in removed)
            )
        run_dir = new_run_dir(live, "setup")
        ctx.run_dir = str(run_dir)
        command = ["build", *switches.selection] if switches.selection else [*FULL_BUILD]
        command += ["--full-refresh"] if switches.full_refresh else []
        if switches.selection:
            if switches.quick:
                raise PlanwiseError("--quick chooses what to build itself", "drop the selection")
            ctx.clear_note = "a selection keeps the tables it does not build"
        if switches.quick:
            quick = _quick_command(settings, ctx, run_dir, switches.console_level)
            if quick is None:
                ctx.status, ctx.clear_note = "up_to_date", "--quick: nothing changed"
                return finish(settings, ctx, started)
            command = quick
            ctx.clear_note = (
                "--quick keeps unchanged tables" if quick != [*FULL_BUILD] else ctx.clear_note
            )
        clear = not ctx.clear_note
        command += ["--fail-fast"] if switches.fail_fast else []
        return _build_and_publish(settings, switches, ctx, command, clear, progress, started)


def _refusal(
    invocation: Invocation, ctx: Context, timeout: float | None
) -> tuple[str | None, str] | None:
    """Why the candidate must not be published: (report status, message), or None."""
    if invocation.timed_out:
        return "error", f"timed out after {timeout:g}s: dbt was stopped"
    if invocation.run_results is None:
        return "error", f"dbt could not run: {invocation.error_summary()}"
    for result in invocation.run_results.get("results") or []:
        lines = (
            str(result.get("message") or "").splitlines() if result.get("status") == "error" else []
        )
        for line in (line.strip() for line in lines if environment_hint(line)):
            return (
                "error",
                f"{line} ({environment_hint(line)})",
            )
    status = build_report(invocation.run_results, invocation.manifest, ctx)["status"]
    if status in ("success", "warn") and invocation.success:
        return None
    if status in ("success", "warn"):  # every node passed, yet dbt says it failed
        return "error", f"dbt reported a failure: {invocation.error_summary()}"
    return None, ""


def _build_and_publish(
    settings: Settings, switches: Switches, ctx: Context, command: list[str], clear: bool,
    progress: ProgressSink | None, started: float,
) -> Outcome:  # fmt: skip
    live, candidate = settings.db_path, publish.candidate_path(settings.db_path)
    publication, invocation = publish.Publication(), None

    def give_up(status: str | None, message: str) -> Outcome:
        kept = publish.discard(candidate, keep=switches.keep_failed)
        ctx.kept_candidate, ctx.status = (str(kept) if kept else None), status
        ctx.messages += [
            *([message] if message else []),
            "nothing published: the live database is unchanged",
        ]
        return finish(settings, ctx, started, invocation)

    try:
        _prepare(live)
        invocation = run_dbt(
            settings, command, db_path=candidate, run_dir=Path(str(ctx.run_dir)), progress=progress,
            console_level=switches.console_level, timeout=settings.knobs["timeout_seconds"],
            planwise_clear=clear, planwise_report=True,
        )  # fmt: skip
        ctx.dbt_seconds = invocation.seconds
        if invocation.interrupted:
            raise KeyboardInterrupt
        refusal = _refusal(invocation, ctx, settings.knobs["timeout_seconds"])
        if refusal:
            return give_up(*refusal)
        _remember(settings, None)  # the live file is about to change
        mode = int(settings.knobs["db_file_mode"], 8)
        try:
            kept = publish.publish(
                candidate, live, publication, settings.knobs["keep_previous"], mode
            )
        except (publish.PublishConflict, publish.CheckpointFailed, OSError) as exc:
            return give_up("error", f"not published: {exc}")
        except DatabaseLocked as exc:  # a program opened the live file during the build
            ctx.exit_code = 3
            return give_up("error", f"not published: {exc}")
        ctx.published = True
        if kept:
            ctx.messages.append(
                f"the replaced database is kept as {publish.previous_path(live)} "
                "(`planwise-run rollback` puts it back)"
            )
        with contextlib.suppress(OSError):  # a partial build is no state to compare with
            _remember(settings, None if switches.selection else invocation)
        return finish(settings, ctx, started, invocation)
    except KeyboardInterrupt:
        return _interrupted(settings, ctx, publication, started, invocation)
    except BaseException:
        if not publication.is_live(live):
            with contextlib.suppress(Exception):
                publish.discard(candidate, keep=False)
        raise


def _prepare(live: Path) -> None:
    try:
        publish.prepare_candidate(live)
    except (OSError, publish.CheckpointFailed) as exc:
        detail = getattr(exc, "strerror", None) or str(exc)
        raise PlanwiseError(
            f"cannot copy {live} to {publish.candidate_path(live)}: {detail}",
            environment_hint(detail)
            or "free disk space or fix permissions in the database directory",
        ) from exc


def _interrupted(
    settings: Settings, ctx: Context, publication: publish.Publication, started: float,
    invocation: Invocation | None,
) -> Outcome:  # fmt: skip
    """Ctrl-C or SIGTERM: before the atomic rename nothing changed; after it the new
    database is complete and live (finish publishing, remember it)."""
    live = settings.db_path
    ctx.status, ctx.published = "interrupted", publication.is_live(live)
    if ctx.published:
        publish.finalize(live)
        with contextlib.suppress(Exception):
            _remember(settings, invocation)
        ctx.messages.append("interrupted after publishing: the new database is complete and live")
    else:
        with contextlib.suppress(Exception):
            publish.discard(publish.candidate_path(live), keep=False)
        ctx.messages.append("interrupted: nothing published, live database unchanged")
    return finish(settings, ctx, started, invocation)


def _live_database(settings: Settings) -> Path:
    live = settings.db_path
    if not live.exists():
        raise PlanwiseError(
            f"{live}: the database is not set up yet",
            "run `planwise-run setup` first (or pass --db)",
        )
    return live


def _run(
    settings: Settings, command: list[str], db_path: Path, run_dir: Path, **options: Any
) -> Invocation:
    """One dbt command for validate, clear or status; Ctrl-C stays an interrupt."""
    invocation = run_dbt(settings, command, db_path=db_path, run_dir=run_dir, **options)
    if invocation.interrupted:
        raise KeyboardInterrupt
    return invocation


def run_validate(
    settings: Settings, selection: list[str], progress: ProgressSink | None, level: str
) -> Outcome:
    """`dbt test` on the live database, under the setup lock, and its report."""
    started, live = time.perf_counter(), _live_database(settings)
    ctx = context_for("validate", settings)
    ctx.clear_note = "validate changes nothing"
    with setup_lock(live, settings.knobs["lock_timeout_seconds"]):
        probe(live)
        ctx.run_dir = str(new_run_dir(live, "validate"))
        invocation = run_dbt(
            settings, ["test", *selection], db_path=live, run_dir=Path(ctx.run_dir),
            progress=progress, console_level=level, timeout=settings.knobs["timeout_seconds"],
        )  # fmt: skip
    ctx.dbt_seconds = invocation.seconds
    if invocation.timed_out:
        ctx.status = "error"
        ctx.messages.append(f"timed out after {settings.knobs['timeout_seconds']:g}s")
    elif invocation.interrupted:
        ctx.status = "interrupted"
    elif invocation.run_results is None:
        ctx.status = "error"
        ctx.messages.append(f"dbt could not run: {invocation.error_summary()}")
    return finish(settings, ctx, started, invocation)


def run_clear(settings: Settings, dry_run: bool, level: str) -> list[str]:
    """`dbt run-operation planwise_clear_owned` on the live database; its log lines."""
    live = settings.db_path
    if not live.exists():
        return [f"nothing to clear: {live} does not exist yet"]
    with setup_lock(live, settings.knobs["lock_timeout_seconds"]):
        probe(live)
        arguments = json.dumps({"dry_run": dry_run})
        command = ["run-operation", "planwise_clear_owned", "--args", arguments]
        invocation = _run(settings, command, live, new_run_dir(live, "clear"), console_level=level)
    if not dry_run:  # the live database is no longer what the last setup left
        _remember(settings, None)
    if not invocation.success:
        raise PlanwiseError(f"the clear macro failed: {invocation.error_summary()}")
    return [f"  {message}" for message in invocation.messages] or ["nothing to clear"]


def run_rollback(settings: Settings) -> tuple[Path, Path]:
    """Swap `<db>.previous` back in under the setup lock; (live, previous)."""
    live = settings.db_path
    with setup_lock(live, settings.knobs["lock_timeout_seconds"]):
        try:
            publish.rollback(live)
        except FileNotFoundError as exc:
            hint = "there is nothing to roll back to until a setup has replaced a database"
            raise PlanwiseError(str(exc), hint) from exc
        except publish.PublishConflict as exc:
            raise PlanwiseError(str(exc), "the live database is unchanged") from exc
    _remember(settings, None)
    return live, publish.previous_path(live)


def readiness(settings: Settings, level: str) -> list[tuple[bool, str]]:
    """What `status` reports: (ok, text) for configuration, inputs, database, dbt, last run."""
    live = settings.db_path
    checks = [(True, f"configuration: {settings.config_file or 'defaults (no config file)'}")]
    problems = preflight.problems(live, settings.census_path, settings.project_dir, None)
    checks += [(False, problem) for problem in problems]
    holder = setup_lock_holder(live)
    if holder:  # no probe: opening the file now could fail that setup's copy or publish
        checks.append((False, f"database: a setup is running on {live}: {holder}"))
    else:
        checks += _database_checks(live)
    with tempfile.TemporaryDirectory(prefix="planwise-status-") as tmp:
        candidate = publish.candidate_path(live)
        parse = _run(settings, ["parse"], candidate, Path(tmp), console_level=level)
    kinds = [n["resource_type"] for n in (parse.manifest or {}).get("nodes", {}).values()]
    counts = ", ".join(f"{kinds.count(kind)} {kind}s" for kind in ("seed", "model", "test"))
    parsed = f"dbt project parses: {counts}"
    checks.append(
        (
            parse.success,
            parsed if parse.success else f"dbt project: does not parse: {parse.error_summary()}",
        )
    )
    try:
        last = json.loads((state_dir(live) / "last-run.json").read_text())
        when = f"{last['finished_at']} ({last['elapsed_seconds']:.1f}s, exit {last['exit_code']})"
        checks.append((True, f"last setup: {last['status']} at {when}"))
    except (OSError, ValueError, KeyError, TypeError):
        checks.append((True, "last setup: none recorded for this database"))
    return checks


def _database_checks(live: Path) -> list[tuple[bool, str]]:
    debris = publish.leftovers(live) if live.parent.is_dir() else []
    checks = [(True, "leftovers the next setup removes: " + ", ".join(p.name for p in debris))]
    checks = checks if debris else []
    checks += [
        (True, f"kept failed candidate: {path} (delete it)") for path in publish.kept_failures(live)
    ]
    try:
        probe(live)
        state = " (writable, not locked)" if live.exists() else " (not set up yet)"
        checks.append((True, f"database: {live}{state}"))
    except DatabaseLocked as exc:
        checks.append((False, f"database: {live} is locked by {exc.holder}; close that program"))
    except PlanwiseError as exc:
        checks.append((False, f"database: {exc.message}"))
    return checks
