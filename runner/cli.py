"""`planwise-run`: the thin Click runner over the PlanWise dbt project.

Commands: setup, rollback, status, clear, validate, docs, census. Options are
declared once below and shared, dbt-core style; dbt's selection flags pass
through to dbt. dbt is imported only inside the commands (`--help` is instant).

Exit codes: 0 success (warnings allowed), 1 validation failures (status: not
ready), 2 usage, configuration, input or runtime error (a seed, census or model
dbt could not build), 3 database locked by another process, 130 interrupted.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from runner.errors import ExitCode, PlanwiseError

F = TypeVar("F", bound=Callable[..., Any])


def _options(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def apply(function: F) -> F:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


_path = functools.partial(click.Path, path_type=Path)
config = click.option(
    "--config",
    "config_file",
    type=_path(dir_okay=False),
    help="Configuration YAML (default config/planwise.yml; env PLANWISE_CONFIG).",
)
db = click.option(
    "--db",
    "db_path",
    type=_path(dir_okay=False),
    help="DuckDB database file (env PLANWISE_DB_PATH).",
)
target = click.option("--target", help="dbt profile target (env PLANWISE_TARGET).")
threads = click.option(
    "--threads", type=click.IntRange(min=1), help="dbt threads (env PLANWISE_THREADS)."
)
dbt_vars = click.option(
    "--vars", "vars", help="dbt vars as YAML/JSON, e.g. '{scenario_id: high_growth}'."
)
census_file = click.option(
    "--census",
    type=_path(dir_okay=False),
    help="Census file, Parquet or .csv (env PLANWISE_CENSUS_PATH).",
)
report_dir = click.option(
    "--report-dir",
    "report_dir",
    type=_path(file_okay=False),
    help="Where reports go (default reports/; env PLANWISE_REPORT_DIR).",
)
lock_timeout = click.option(
    "--lock-timeout",
    "lock_timeout_seconds",
    type=click.FloatRange(min=0),
    help="Wait this long for another setup on the database (default 60).",
)
verbose = click.option(
    "-v", "--verbose", is_flag=True, help="dbt's console output and tracebacks on errors."
)
quiet = click.option("-q", "--quiet", is_flag=True, help="Only the result line and problems.")
log_level = click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warn", "error", "none"]),
    help="dbt's console log level (default none; info with -v).",
)
settings_options = _options(
    config, db, target, threads, dbt_vars, census_file, verbose, quiet, log_level
)
select = click.option(
    "-s", "--select", multiple=True, help="dbt --select, instead of the setup selector."
)
exclude = click.option("--exclude", multiple=True, help="dbt --exclude.")
selector = click.option("--selector", help="dbt --selector (default: setup).")
full_refresh = click.option("--full-refresh", is_flag=True, help="dbt --full-refresh.")


def _selection(flags: dict[str, Any]) -> list[str]:
    args = [arg for value in flags.pop("select") for arg in ("--select", value)]
    args += [arg for value in flags.pop("exclude") for arg in ("--exclude", value)]
    args += ["--selector", flags.pop("selector")] if flags.get("selector") else []
    flags.pop("selector", None)
    if args and not any(a in args for a in ("--select", "--selector")):
        args = ["--selector", "setup", *args]
    return args + (["--full-refresh"] if flags.pop("full_refresh", False) else [])


def _level(flags: dict[str, Any]) -> str:
    return str(flags.get("log_level") or ("info" if flags.get("verbose") else "none"))


def _settings(flags: dict[str, Any]) -> Any:
    from runner.config import find_project_dir, load_settings

    project = click.get_current_context().find_root().params.get("project_dir")
    return load_settings(find_project_dir(project), flags.get("config_file"), flags)


def _print_outcome(outcome: Any, quiet: bool) -> int:
    """The summary on standard output (with -q: the result line, problems, messages
    and what clearing dropped); a reader that went away (`| head`) is no error."""
    from runner.report import cleared_lines, render_text

    report = outcome.report
    width = shutil.get_terminal_size((80, 24)).columns
    unicode = "utf" in (getattr(sys.stdout, "encoding", None) or "").lower()
    text = render_text(report, width, unicode, outcome.paths)
    if quiet:
        problems = [
            f"{p['status'].upper()} {p['name']}: {p['message']}" for p in report["problems"]
        ]
        cleared = cleared_lines(report["cleared"], width) if report["cleared"] else []
        text = "\n".join([text.splitlines()[0], *problems, *report["messages"], *cleared]) + "\n"
    try:
        click.echo(text, nl=False)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return int(outcome.exit_code)


def _error_report(command: str, flags: dict[str, Any], code: int, message: str) -> None:
    """A setup or validate that stopped before its report still replaces the last one."""
    if command not in ("setup", "validate"):
        return
    from runner.report import Context, build_report
    from runner.setup import write_reports

    status = "interrupted" if code == ExitCode.INTERRUPTED else "error"
    report = build_report(
        None, None, Context(command=command, messages=[message], status=status, exit_code=code)
    )
    try:
        directory = Path(flags.get("report_dir") or _settings(flags).report_dir)
    except Exception:
        return
    write_reports(directory, report)


def _handle_errors(function: F) -> F:
    """Exceptions become one line, a hint and an exit code (tracebacks with -v)."""

    @functools.wraps(function)
    def wrapper(**flags: Any) -> None:
        from runner.locking import DatabaseLocked

        context = click.get_current_context()
        message, hint, code = "", "", ExitCode.ERROR
        try:
            context.exit(int(function(**flags)))
        except PlanwiseError as exc:
            message, hint = exc.message, exc.hint
        except DatabaseLocked as exc:
            message, code = f"database {exc.path} is locked by {exc.holder}", ExitCode.LOCKED
            hint = "close that program or wait for the other run, then retry (--lock-timeout)"
        except KeyboardInterrupt:
            message, code = "interrupted", ExitCode.INTERRUPTED
        except (click.exceptions.Exit, click.ClickException):
            raise
        except Exception as exc:
            message, hint = f"{type(exc).__name__}: {exc}", "rerun with -v for the traceback"
        if flags.get("verbose"):
            traceback.print_exc()
        click.echo(f"error: {message}" + (f"\n  what to do: {hint}" if hint else ""), err=True)
        _error_report(str(context.info_name), flags, int(code), message)
        context.exit(int(code))

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="planwise-setup", prog_name="planwise-run")
@click.option(
    "--project-dir",
    type=_path(file_okay=False),
    envvar="PLANWISE_PROJECT_DIR",
    help="The PlanWise dbt project (env PLANWISE_PROJECT_DIR; default: the current directory when it holds dbt_project.yml, else this checkout).",
)
def cli(project_dir: Path | None) -> None:
    """Initialise a PlanWise database with dbt: clear, load seeds, stage the census,
    build the baseline and validate, then report.

    \b
    Exit codes: 0 success (warnings allowed), 1 validation failures, 2 usage,
    configuration, input or runtime error, 3 database locked, 130 interrupted.
    """


@cli.command()
@settings_options
@_options(select, exclude, selector, full_refresh, report_dir, lock_timeout)
@click.option("--no-clear", is_flag=True, help="Do not drop owned relations before building.")
@click.option(
    "--quick",
    is_flag=True,
    help="Only what changed since the last successful setup (dbt state:modified+).",
)
@click.option("--fail-fast", is_flag=True, help="Stop at the first error (dbt --fail-fast).")
@click.option(
    "--keep-failed",
    is_flag=True,
    help="Keep a failed candidate as <db>.failed-<time> for inspection.",
)
@click.option(
    "--timeout",
    "timeout_seconds",
    type=click.FloatRange(min=0, min_open=True),
    help="Stop dbt after this many seconds; the live database stays untouched.",
)
@_handle_errors
def setup(**flags: Any) -> int:
    """Pre-flight, clear, `dbt build --selector setup` into a candidate, publish, report.

    The live database is replaced atomically, and only when nothing failed.
    """
    from runner.progress import TerminalProgress
    from runner.setup import Switches, run_setup

    selection = _selection(flags)
    settings = _settings(flags)
    switches = Switches(
        flags["no_clear"],
        flags["quick"],
        flags["fail_fast"],
        flags["keep_failed"],
        selection,
        _level(flags),
    )
    progress = TerminalProgress(
        sys.stdout,
        enabled=sys.stdout.isatty() and not flags["quiet"] and switches.console_level == "none",
    )
    try:
        outcome = run_setup(settings, switches, progress)
    finally:
        progress.close()
    return _print_outcome(outcome, flags["quiet"])


@cli.command()
@settings_options
@lock_timeout
@_handle_errors
def rollback(**flags: Any) -> int:
    """Put back the database the last setup replaced (<db>.previous), atomically;
    the replaced one becomes <db>.previous, so a second rollback undoes it."""
    from runner import publish
    from runner.locking import setup_lock

    settings = _settings(flags)
    live = settings.db_path
    with setup_lock(live, settings.knobs["lock_timeout_seconds"]):
        try:
            publish.rollback(live)
        except FileNotFoundError as exc:
            raise PlanwiseError(
                str(exc), "there is nothing to roll back to until a setup has replaced a database"
            ) from exc
        except publish.PublishConflict as exc:
            raise PlanwiseError(str(exc), "the live database is unchanged") from exc
    shutil.rmtree(live.parent / ".planwise" / live.name / "last-success", ignore_errors=True)
    click.echo(
        f"rolled back: {live} is the database before the last setup; the one it replaced is now {publish.previous_path(live)}"
    )
    return ExitCode.OK


@cli.command()
@settings_options
@_handle_errors
def status(**flags: Any) -> int:
    """Readiness, changing nothing: pre-flight, the database and its lock holder,
    `dbt parse`, the last setup. Exit 0 ready, 1 not ready (each problem listed)."""
    from runner import preflight
    from runner.errors import ConfigError
    from runner.invoke import run_dbt, state_dir
    from runner.locking import DatabaseLocked, setup_lock_holder
    from runner.publish import candidate_path
    from runner.setup import probe

    problems: list[str] = []

    def say(ok: bool, text: str) -> None:
        problems.extend([] if ok else [text])
        if not ok or not flags["quiet"]:
            click.echo(f"{'✔' if ok else '✖'} {text}")

    try:
        settings = _settings(flags)
    except ConfigError as exc:
        say(False, f"configuration: {exc.message}")
        return _verdict(problems)
    say(True, f"configuration: {settings.config_file or 'defaults (no config file)'}")
    live = settings.db_path
    for problem in preflight.problems(live, settings.census_path, settings.project_dir, None):
        say(False, problem)
    holder = setup_lock_holder(live)
    if holder:
        say(False, f"database: a setup is running on {live}: {holder}")
    try:
        probe(live)
        say(
            True,
            f"database: {live}"
            + (
                " (writable, not locked)"
                if live.exists()
                else " (does not exist yet; setup creates it)"
            ),
        )
    except DatabaseLocked as exc:
        say(False, f"database: {live} is locked by {exc.holder}; close that program")
    except PlanwiseError as exc:
        say(False, f"database: {exc.message}")
    with tempfile.TemporaryDirectory(prefix="planwise-status-") as tmp:
        parse = run_dbt(
            settings,
            ["parse"],
            db_path=candidate_path(live),
            run_dir=Path(tmp),
            console_level=_level(flags),
        )
        nodes = [n["resource_type"] for n in (parse.manifest or {}).get("nodes", {}).values()]
        say(
            parse.success,
            f"dbt project parses: {nodes.count('seed')} seeds, {nodes.count('model')} models, {nodes.count('test')} data tests"
            if parse.success
            else f"dbt project: does not parse: {parse.error_summary()}",
        )
    try:
        last = json.loads((state_dir(live) / "last-run.json").read_text())
        say(
            True,
            f"last setup: {last['status']} at {last['finished_at']} ({last['elapsed_seconds']:.1f}s, exit {last['exit_code']})",
        )
    except (OSError, ValueError, KeyError, TypeError):
        say(True, "last setup: none recorded for this database")
    return _verdict(problems)


def _verdict(problems: list[str]) -> int:
    click.echo(
        f"NOT READY: {len(problems)} problem(s)"
        if problems
        else "READY: `planwise-run setup` can run"
    )
    return ExitCode.FAILED if problems else ExitCode.OK


@cli.command()
@settings_options
@lock_timeout
@click.option("--dry-run", is_flag=True, help="Only list what would be dropped.")
@_handle_errors
def clear(**flags: Any) -> int:
    """`dbt run-operation planwise_clear_owned`: drop the relations the setup owns
    (stg_/int_/fct_/dim_ relations and the stored-failures schema), nothing else."""
    from runner.invoke import new_run_dir, run_dbt
    from runner.locking import setup_lock
    from runner.setup import probe

    settings = _settings(flags)
    live = settings.db_path
    if not live.exists():
        click.echo(f"nothing to clear: {live} does not exist yet")
        return ExitCode.OK
    with setup_lock(live, settings.knobs["lock_timeout_seconds"]):
        probe(live)
        arguments = json.dumps({"dry_run": flags["dry_run"]})
        invocation = run_dbt(
            settings,
            ["run-operation", "planwise_clear_owned", "--args", arguments],
            db_path=live,
            run_dir=new_run_dir(live, "clear"),
            console_level=_level(flags),
        )
    if not invocation.success:
        raise PlanwiseError(f"the clear macro failed: {invocation.error_summary()}")
    for message in invocation.messages:
        click.echo(f"  {message}")
    return ExitCode.OK


@cli.command()
@settings_options
@_options(select, exclude, selector, report_dir, lock_timeout)
@_handle_errors
def validate(**flags: Any) -> int:
    """`dbt test --selector validation` on the existing database, and its report."""
    from runner.invoke import new_run_dir, run_dbt
    from runner.locking import setup_lock
    from runner.progress import TerminalProgress
    from runner.setup import context_for, finish, probe

    started, selection = time.perf_counter(), _selection(flags) or ["--selector", "validation"]
    settings = _settings(flags)
    live = settings.db_path
    if not live.exists():
        raise PlanwiseError(
            f"{live}: the database is not set up yet",
            "run `planwise-run setup` first (or pass --db)",
        )
    ctx = context_for("validate", settings)
    ctx.clear_note = "validate changes nothing"
    progress = TerminalProgress(
        sys.stdout, enabled=sys.stdout.isatty() and not flags["quiet"] and _level(flags) == "none"
    )
    with setup_lock(live, settings.knobs["lock_timeout_seconds"]):
        probe(live)
        run_dir = new_run_dir(live, "validate")
        ctx.run_dir = str(run_dir)
        try:
            invocation = run_dbt(
                settings,
                ["test", *selection],
                db_path=live,
                run_dir=run_dir,
                progress=progress,
                console_level=_level(flags),
            )
        finally:
            progress.close()
    ctx.dbt_seconds = invocation.seconds
    if invocation.interrupted:
        ctx.status = "interrupted"
    elif invocation.run_results is None:
        ctx.status = "error"
        ctx.messages.append(f"dbt could not run: {invocation.error_summary()}")
    return _print_outcome(finish(settings, ctx, started, invocation), flags["quiet"])


@cli.command()
@settings_options
@click.option(
    "--output-dir",
    type=_path(file_okay=False),
    help="Where to write the site (default: <report dir>/docs).",
)
@click.option("--serve", is_flag=True, help="Then `dbt docs serve` it until Ctrl-C.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Port for --serve.",
)
@_handle_errors
def docs(**flags: Any) -> int:
    """`dbt docs generate --static`: one self-contained HTML file with the lineage
    of every seed, model and test (its catalog from the database when there is one)."""
    from runner.invoke import run_dbt

    settings = _settings(flags)
    output = Path(flags["output_dir"] or settings.report_dir / "docs").resolve()
    with tempfile.TemporaryDirectory(prefix="planwise-docs-") as tmp:
        db_path = settings.db_path if settings.db_path.exists() else Path(tmp) / "docs.duckdb"
        invocation = run_dbt(
            settings,
            ["docs", "generate", "--static"],
            db_path=db_path,
            run_dir=Path(tmp),
            console_level=_level(flags),
        )
        if not invocation.success:
            raise PlanwiseError(f"dbt docs generate failed: {invocation.error_summary()}")
        output.mkdir(parents=True, exist_ok=True)
        shutil.copy2(invocation.target_path / "static_index.html", output / "index.html")
        for name in ("manifest.json", "catalog.json"):
            shutil.copy2(invocation.target_path / name, output / name)
        click.echo(f"docs: {output / 'index.html'}\nopen: {(output / 'index.html').as_uri()}")
        if flags["serve"]:
            click.echo(f"serving on http://127.0.0.1:{flags['port']}/ (Ctrl-C to stop)")
            run_dbt(
                settings,
                ["docs", "serve", "--port", str(flags["port"]), "--no-browser"],
                db_path=db_path,
                run_dir=Path(tmp),
                console_level="info",
            )
    return ExitCode.OK


@cli.command()
@click.option("--employees", type=click.IntRange(min=0), required=True, help="Number of rows.")
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed.")
@click.option(
    "--output",
    type=_path(dir_okay=False),
    required=True,
    help="Output file: Parquet, or CSV when it ends in .csv.",
)
@click.option(
    "--duplicate-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Share of extra rows re-using an employee_id.",
)
@verbose
@_handle_errors
def census(employees: int, seed: int, output: Path, duplicate_rate: float, verbose: bool) -> int:
    """Generate a deterministic synthetic census (same seed, same file)."""
    from runner.census import CensusSpec, generate_census

    if not output.parent.resolve().is_dir():
        raise PlanwiseError(
            f"{output.parent}: directory does not exist", "create it or choose another --output"
        )
    started = time.perf_counter()
    try:
        rows = generate_census(CensusSpec(employees, seed, duplicate_rate=duplicate_rate), output)
    except OSError as exc:
        raise PlanwiseError(f"{output}: cannot write: {exc.strerror}", "check the path") from exc
    seconds = time.perf_counter() - started
    click.echo(
        f"wrote {rows:,} rows to {output} in {seconds:.2f}s ({rows / max(seconds, 1e-9):,.0f} rows/s)"
    )
    return ExitCode.OK


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: SIGTERM is handled like Ctrl-C (clean discard)."""

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    cli.main(args=argv, prog_name="planwise-run")
