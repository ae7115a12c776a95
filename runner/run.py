"""One command's run: its context, its dbt invocation, why a build must not be
published, and how the run ends (its reports written, with the visual page).

Shared by the setup of a DuckDB file (runner.setup), of a warehouse schema
(runner.warehouse), `validate` and `rollback`; it imports none of them.
"""

from __future__ import annotations

import contextlib
import json
import shlex
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from runner import state
from runner.config import Settings
from runner.invoke import Invocation, ProgressSink, run_dbt
from runner.report import Context, Record, read_record, report_of
from runner.report_files import render_json, render_junit
from runner.state import new_run_dir, state_dir, write_private

INPUT_VARS = (
    "scenario_id",
    "plan_year_start_date",
    "plan_year_end_date",
    "simulation_effective_date",
)
FULL_BUILD = ("build", "--selector", "setup")  # what setup builds without a selection
# OS-level failures DuckDB reports inside dbt's results: a runtime error, with a hint.
ENVIRONMENT_ERRORS = {
    "No space left on device": "free disk space where the database lives (its .planwise/ "
    "holds run state: lower runner: runs_kept, failed_kept)",
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
    selection: list[str] = field(default_factory=list)  # dbt's selection; [] = the setup selector
    console_level: str = "none"
    full_refresh: bool = False
    dry_run: bool = False  # build and validate the candidate, then discard it


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
    found = (hint for mark, hint in ENVIRONMENT_ERRORS.items() if mark.lower() in message.lower())
    return next(found, None)


def phase(progress: ProgressSink | None, name: str) -> None:
    """Say the run's phase (copy, parse, publish ...) to its progress, if it shows one."""
    if progress:
        progress.phase(name)


def write_reports(
    directory: Path, report: dict[str, Any], copy: Path | None = None, page: bool = True
) -> list[str]:
    """<command>-report.json and -junit.xml (and, `page`, a setup's visual
    -report.html), each replaced atomically; their paths."""
    paths, texts = [], {"report.json": render_json(report), "junit.xml": render_junit(report)}
    if report["command"] == "setup" and page:
        texts["report.html"] = _page(report)
    for folder in (f for f in (directory, copy) if f):
        for suffix, text in texts.items():
            path = folder / f"{report['command']}-{suffix}"
            with contextlib.suppress(OSError):
                write_private(path, text)
                paths += [str(path)] if folder == directory else []
    return paths


def _page(report: dict[str, Any]) -> str:
    """The visual report; a page that cannot be drawn says why instead of stopping the run."""
    from runner.visual import render_page, unavailable

    try:
        return render_page(report)
    except Exception as exc:  # a chart must never cost the user the run's outcome
        return unavailable(report, exc)


class Run:
    """One command's context, its dbt invocation and how it ends (`finish`)."""

    def __init__(self, command: str, settings: Settings, level: str = "none") -> None:
        self.settings, self.level, self.started = settings, level, time.perf_counter()
        self.invocation: Invocation | None = None
        self._record: tuple[Invocation | None, Record] | None = None
        self.started_at = datetime.now(UTC).isoformat()  # to the microsecond: history's order
        self.inputs: dict[str, Any] = {}
        self.remember_last = True  # `status` reads the last setup of the DuckDB file
        inputs = {name: str(settings.var(name)) for name in INPUT_VARS}
        self.ctx = Context(
            command=command,
            started_at=now(),
            database=str(settings.db_path),
            inputs={**inputs, "census_path": str(settings.census_path)},
        )

    def facts(self) -> dict[str, Any]:
        """What every history row needs from the runner: its version and when this run
        started (the project's macros read them from env PLANWISE_RUN_FACTS)."""
        return {"runner_version": metadata.version("planwise-setup"), "started_at": self.started_at}

    def dbt(self, command: list[str], db_path: Path, **options: Any) -> Invocation:
        """One dbt command in this run's directory; Ctrl-C stays an interrupt."""
        ctx = self.ctx
        kept = self.settings.knobs["runs_kept"]
        ctx.run_dir = ctx.run_dir or str(new_run_dir(self.settings.db_path, ctx.command, kept))
        self.invocation = run_dbt(
            self.settings,
            command,
            db_path=db_path,
            run_dir=Path(ctx.run_dir),
            console_level=self.level,
            **options,
        )
        self.ctx.dbt_seconds = self.invocation.seconds
        self.ctx.dbt_parse = self.invocation.parse
        if self.invocation.interrupted:
            raise KeyboardInterrupt
        return self.invocation

    def record(self) -> Record:
        """The record of this run's dbt invocation, read from its artifacts once (an
        empty one before dbt ran, or when it could not)."""
        done = self.invocation
        if self._record is None or self._record[0] is not done:
            artifacts = (done.run_results, done.manifest) if done else (None, None)
            self._record = (done, read_record(*artifacts))
        return self._record[1]

    def finish(self, status: str | None = None, *messages: str) -> Outcome:
        ctx, settings = self.ctx, self.settings
        ctx.status, ctx.messages = status or ctx.status, [*ctx.messages, *filter(None, messages)]
        ctx.elapsed_seconds = time.perf_counter() - self.started
        report = report_of(self.record(), ctx)
        run_dir = Path(ctx.run_dir) if ctx.run_dir else None
        paths = write_reports(settings.report_dir, report, run_dir, settings.knobs["report_page"])
        if not paths:
            report["messages"].append(f"cannot write the reports to {settings.report_dir}")
        if ctx.command == "setup" and not ctx.preflight_problems and self.remember_last:
            keys = ("status", "exit_code", "elapsed_seconds", "published")
            record = {key: report[key] for key in keys}
            with contextlib.suppress(OSError):
                write_private(
                    state_dir(settings.db_path) / "last-run.json",
                    json.dumps({**record, "finished_at": now(), "report": paths[:1]}),
                )
        return Outcome(report, paths)


def _environment_problem(invocation: Invocation) -> str | None:
    """A failed node's message line that names a problem of the machine (a full disk,
    a read-only file system), with what to do."""
    for result in (invocation.run_results or {}).get("results") or []:
        lines = str(result.get("message") or "").splitlines()
        if result.get("status") != "error":
            continue
        for line in (line.strip() for line in lines if environment_hint(line)):
            return f"{line} ({environment_hint(line)})"
    return None


def refusal(run: Run, invocation: Invocation) -> tuple[str | None, str] | None:
    """Why the candidate must not be published: (report status, message), or None."""
    if invocation.timed_out:
        seconds = run.settings.knobs["timeout_seconds"]
        return "error", f"timed out after {seconds:g}s: dbt was stopped"
    if invocation.run_results is None:
        return "error", f"dbt could not run: {invocation.error_summary()}"
    environment = _environment_problem(invocation)
    if environment:
        return "error", environment
    status = run.ctx.status or run.record().status
    if status not in ("success", "warn"):
        return None, ""
    if invocation.success:
        return None
    return "error", f"dbt reported a failure: {invocation.error_summary()}"  # yet no node failed


def run_facts(
    settings: Settings, run: Run, compare_with: dict[str, str] | None, clear: bool = True
) -> dict[str, Any]:
    """What a setup's hooks need that only the runner knows: the run's facts, whether
    to clear and to report, the live database the change report compares with (None:
    a first setup) and the census file's sha256 (none for a census table). Facts,
    not vars: a var that differs between two setups would cost dbt a full parse."""
    known = run.inputs.get("census") or [None, None]
    digest = known[1] if known[0] == str(settings.census_path) else None
    digest = digest or state.file_digest(settings.census_path)
    return {
        **run.facts(),
        "clear": clear,
        "report": True,
        "compare_with": compare_with,
        "census_sha256": digest,
    }


def failing_rows_hint(run: Run, environment: str, where: str) -> list[str]:
    """How to see the first failing check's rows in the candidate kept `where`: its
    stored rows, or (a test that stores none) its query run again with the run's
    vars. A command line ("$ "), never wrapped: it is meant to be pasted."""
    settings = run.settings
    failed = next((p for p in run.record().problems if p["status"] in ("fail", "warn")), None)
    if not failed:
        return []
    show = (
        ["--inline", failed["query"]]
        if failed["query"]
        else ["--select", failed["name"], "--vars", settings.dbt_vars()]
    )
    project, profiles = (
        shlex.quote(str(settings.project_dir)),
        shlex.quote(str(settings.profiles_dir)),
    )
    return [
        f"the failing rows stay queryable in the {where}; for example:",
        f"$ {environment} dbt show --project-dir {project} --profiles-dir {profiles} "
        f"--target {settings.knobs['target']} --limit 100 {shlex.join(show)}",
    ]
