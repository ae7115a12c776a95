"""`planwise-run`: the thin Click runner over the PlanWise dbt project.

Commands: setup, status, clear, validate, docs, census. dbt (and DuckDB) are
imported lazily inside the commands, so `planwise-run --help` is instant.

Exit codes: 0 success (warnings allowed), 1 validation failures or model
errors (status: not ready), 2 usage/configuration/runtime error, 3 database
locked by another process, 130 interrupted.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from runner.errors import ExitCode, PlanwiseError

F = TypeVar("F", bound=Callable[..., Any])
LOG_LEVELS = ("debug", "info", "warn", "error", "none")


class Options:
    """Global options and output helpers shared by the commands."""

    def __init__(self, project_dir: Path | None) -> None:
        self.project_dir = project_dir
        self.verbose = False
        self.quiet = False
        self.report_dir: Path | None = None  # known once the settings are loaded

    def out(self, text: str = "") -> None:
        click.echo(text)

    def err(self, text: str) -> None:
        click.echo(text, err=True)


def _verbosity_options(function: F) -> F:
    function = click.option(
        "--log-level",
        type=click.Choice(LOG_LEVELS),
        default=None,
        help="dbt's console log level (default: none, the runner shows progress; "
        "info with -v). dbt's log file is always written to the run directory.",
    )(function)
    function = click.option(
        "-q", "--quiet", is_flag=True, help="Only the result line and problems."
    )(function)
    function = click.option(
        "-v", "--verbose", is_flag=True, help="dbt's console output and tracebacks on errors."
    )(function)
    return function


def _settings_options(function: F) -> F:
    for decorator in reversed(
        [
            click.option(
                "--config",
                "config_file",
                type=click.Path(path_type=Path, dir_okay=False),
                default=None,
                help="Configuration YAML (default: config/planwise.yml; env PLANWISE_CONFIG).",
            ),
            click.option(
                "--db",
                type=click.Path(path_type=Path, dir_okay=False),
                default=None,
                help="DuckDB database file (else env PLANWISE_DB_PATH, else the configuration).",
            ),
            click.option(
                "--target", default=None, help="dbt profile target (env PLANWISE_TARGET)."
            ),
            click.option(
                "--threads",
                type=click.IntRange(min=1),
                default=None,
                help="dbt threads (env PLANWISE_THREADS).",
            ),
            click.option(
                "--vars",
                "vars_text",
                default=None,
                help="dbt vars as YAML/JSON, e.g. '{scenario_id: high_growth}'; only vars "
                "declared in dbt_project.yml.",
            ),
            click.option(
                "--census",
                type=click.Path(path_type=Path, dir_okay=False),
                default=None,
                help="Census file, Parquet or .csv (env PLANWISE_CENSUS_PATH).",
            ),
        ]
    ):
        function = decorator(function)
    return function


def _handle_errors(function: F) -> F:
    """Map exceptions to one clear line and an exit code (traceback with -v)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        context = click.get_current_context()
        options: Options = context.find_object(Options) or Options(None)
        verbose = bool(kwargs.get("verbose")) or options.verbose
        from runner.locking import DatabaseLocked

        message = ""
        try:
            code = function(*args, **kwargs)
        except PlanwiseError as exc:
            if verbose:
                traceback.print_exc()
            message = exc.message
            click.echo(f"error: {exc.message}", err=True)
            if exc.hint:
                click.echo(f"  what to do: {exc.hint}", err=True)
            code = exc.exit_code
        except DatabaseLocked as exc:
            if verbose:
                traceback.print_exc()
            message = f"database {exc.path} is locked by {exc.holder}"
            click.echo(f"error: {message}", err=True)
            click.echo(
                "  what to do: close that program or wait for the other run, then retry "
                "(setup waits --lock-timeout seconds for another setup)",
                err=True,
            )
            code = ExitCode.LOCKED
        except KeyboardInterrupt:
            message = "interrupted"
            click.echo("interrupted", err=True)
            code = ExitCode.INTERRUPTED
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except Exception as exc:  # an unexpected failure is still one line, exit 2
            if verbose:
                traceback.print_exc()
            message = f"{type(exc).__name__}: {exc}"
            click.echo(f"error: {message}", err=True)
            click.echo("  what to do: rerun with -v for the traceback", err=True)
            code = ExitCode.ERROR
        if message:
            _replace_stale_report(context, options, kwargs, int(code), message)
        context.exit(int(code))

    return wrapper  # type: ignore[return-value]


def _console_level(verbose: bool, log_level: str | None) -> str:
    if log_level:
        return log_level
    return "info" if verbose else "none"


def _load(
    options: Options,
    config_file: Path | None,
    **flags: Any,
) -> Any:
    from runner.config import Overrides, find_project_dir, load_settings

    project_dir = find_project_dir(options.project_dir)
    overrides = Overrides(
        db=flags.get("db"),
        target=flags.get("target"),
        threads=flags.get("threads"),
        census=flags.get("census"),
        report_dir=flags.get("report_dir"),
        vars=flags.get("vars_text"),
        timeout=flags.get("timeout"),
        lock_timeout=flags.get("lock_timeout"),
    )
    settings = load_settings(project_dir, config_file, overrides)
    options.report_dir = settings.report_dir
    return settings


REPORTING_COMMANDS = ("setup", "validate")


def _replace_stale_report(
    context: click.Context, options: Options, flags: dict[str, Any], code: int, message: str
) -> None:
    """After an error that stopped a reporting command before its own report."""
    if context.info_name not in REPORTING_COMMANDS:
        return
    report_dir = options.report_dir or flags.get("report_dir")
    if report_dir is None:
        with contextlib.suppress(Exception):
            from runner.config import find_project_dir

            report_dir = find_project_dir(options.project_dir) / "reports"
    if report_dir is not None:
        from runner.commands import write_error_report

        write_error_report(str(context.info_name), Path(report_dir), code, message)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="planwise-setup", prog_name="planwise-run")
@click.option(
    "--project-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="PLANWISE_PROJECT_DIR",
    default=None,
    help="The PlanWise dbt project (env PLANWISE_PROJECT_DIR; default: the current "
    "directory when it holds dbt_project.yml, else the checkout this package came from).",
)
@click.pass_context
def cli(context: click.Context, project_dir: Path | None) -> None:
    """Initialise a PlanWise database with dbt: clear, load seeds, stage the census,
    build the baseline and validate, then report.

    \b
    Exit codes: 0 success (warnings allowed), 1 validation failures or model
    errors, 2 usage/configuration/runtime error, 3 database locked, 130 interrupted.
    """
    context.obj = Options(project_dir)


# --------------------------------------------------------------------------- setup


@cli.command()
@_settings_options
@click.option("--no-clear", is_flag=True, help="Do not drop owned relations before building.")
@click.option(
    "--quick",
    is_flag=True,
    help="Only what changed since the last successful setup (dbt state:modified+).",
)
@click.option("--fail-fast", is_flag=True, help="Stop at the first error (dbt --fail-fast).")
@click.option(
    "--report-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where to write setup-report.json and setup-junit.xml (default: reports/).",
)
@click.option(
    "--keep-failed",
    is_flag=True,
    help="Keep a failed candidate database as <db>.failed-<time> for inspection.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Stop dbt after this many seconds; the live database stays untouched.",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=None,
    help="Wait this long for another setup on the same database (default 60).",
)
@_verbosity_options
@click.pass_obj
@_handle_errors
def setup(options: Options, /, config_file: Path | None, **flags: Any) -> int:
    """Pre-flight checks, clear, `dbt build --selector setup`, report.

    Builds into a candidate copy of the database and replaces the live file
    atomically only when nothing failed (warnings allowed).
    """
    from runner.commands import run_setup

    options.verbose = bool(flags["verbose"])
    options.quiet = bool(flags["quiet"])
    settings = _load(options, config_file, **flags)
    return run_setup(
        options,
        settings,
        no_clear=bool(flags["no_clear"]),
        quick=bool(flags["quick"]),
        fail_fast=bool(flags["fail_fast"]),
        keep_failed=bool(flags["keep_failed"]),
        console_level=_console_level(options.verbose, flags["log_level"]),
    )


# --------------------------------------------------------------------------- rollback


@cli.command()
@_settings_options
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=None,
    help="Wait this long for a running setup on the same database (default 60).",
)
@_verbosity_options
@click.pass_obj
@_handle_errors
def rollback(options: Options, /, config_file: Path | None, **flags: Any) -> int:
    """Put back the database the last setup replaced (<db>.previous), atomically;
    the replaced one becomes <db>.previous, so a second rollback undoes it."""
    from runner.commands import run_rollback

    options.verbose = bool(flags["verbose"])
    options.quiet = bool(flags["quiet"])
    return run_rollback(options, _load(options, config_file, **flags))


# --------------------------------------------------------------------------- status


@cli.command()
@_settings_options
@_verbosity_options
@click.pass_obj
@_handle_errors
def status(options: Options, /, config_file: Path | None, **flags: Any) -> int:
    """Readiness, changing nothing: configuration, census, seeds, database, dbt
    project, last setup. Exit 0 ready, 1 not ready (each problem listed)."""
    from runner.commands import run_status

    options.verbose = bool(flags["verbose"])
    options.quiet = bool(flags["quiet"])
    return run_status(options, config_file, flags)


# --------------------------------------------------------------------------- clear


@cli.command()
@_settings_options
@click.option("--dry-run", is_flag=True, help="Only list what would be dropped.")
@_verbosity_options
@click.pass_obj
@_handle_errors
def clear(options: Options, /, config_file: Path | None, **flags: Any) -> int:
    """Drop the relations the setup owns (stg_/int_/fct_/dim_ tables and views in
    the target schema, and the stored-failures schema), nothing else."""
    from runner.commands import run_clear

    options.verbose = bool(flags["verbose"])
    options.quiet = bool(flags["quiet"])
    settings = _load(options, config_file, **flags)
    return run_clear(
        options,
        settings,
        dry_run=bool(flags["dry_run"]),
        console_level=_console_level(options.verbose, flags["log_level"]),
    )


# --------------------------------------------------------------------------- validate


@cli.command()
@_settings_options
@click.option(
    "--report-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where to write validate-report.json and validate-junit.xml (default: reports/).",
)
@_verbosity_options
@click.pass_obj
@_handle_errors
def validate(options: Options, /, config_file: Path | None, **flags: Any) -> int:
    """Run only the validation tests against the existing database and report."""
    from runner.commands import run_validate

    options.verbose = bool(flags["verbose"])
    options.quiet = bool(flags["quiet"])
    settings = _load(options, config_file, **flags)
    return run_validate(
        options, settings, console_level=_console_level(options.verbose, flags["log_level"])
    )


# --------------------------------------------------------------------------- docs


@cli.command()
@_settings_options
@click.option(
    "--output-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where to write the site (default: <report dir>/docs).",
)
@click.option("--serve", is_flag=True, help="Serve the site over HTTP until Ctrl-C.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, help="Port for --serve.")
@_verbosity_options
@click.pass_obj
@_handle_errors
def docs(options: Options, /, config_file: Path | None, **flags: Any) -> int:
    """`dbt docs generate --static`: one self-contained HTML file with the lineage
    of every seed, model and test; optionally serve it."""
    from runner.commands import run_docs

    options.verbose = bool(flags["verbose"])
    options.quiet = bool(flags["quiet"])
    settings = _load(options, config_file, **flags)
    return run_docs(
        options,
        settings,
        output_dir=flags["output_dir"],
        serve=bool(flags["serve"]),
        port=int(flags["port"]),
        console_level=_console_level(options.verbose, flags["log_level"]),
    )


# --------------------------------------------------------------------------- census


@cli.command()
@click.option("--employees", type=click.IntRange(min=0), required=True, help="Number of rows.")
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed.")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Output file: Parquet, or CSV when it ends in .csv.",
)
@click.option(
    "--duplicate-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Share of extra rows re-using an existing employee_id (to exercise de-duplication).",
)
@click.option("-v", "--verbose", is_flag=True, help="Tracebacks on errors.")
@click.pass_obj
@_handle_errors
def census(
    options: Options, employees: int, seed: int, output: Path, duplicate_rate: float, verbose: bool
) -> int:
    """Generate a deterministic synthetic census (same seed, same file)."""
    from runner.census import CensusSpec, generate_census

    options.verbose = verbose
    if not output.parent.resolve().is_dir():
        raise PlanwiseError(
            f"{output.parent}: directory does not exist", "create it or choose another --output"
        )
    started = time.perf_counter()
    try:
        rows = generate_census(
            CensusSpec(employees=employees, seed=seed, duplicate_rate=duplicate_rate), output
        )
    except OSError as exc:
        raise PlanwiseError(f"{output}: cannot write: {exc.strerror}", "check the path") from exc
    except Exception as exc:
        if type(exc).__module__.startswith("duckdb"):
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise PlanwiseError(f"{output}: cannot write the census: {first}") from exc
        raise
    seconds = time.perf_counter() - started
    rate = rows / seconds if seconds > 0 else float(rows)
    click.echo(f"wrote {rows:,} rows to {output} in {seconds:.2f}s ({rate:,.0f} rows/s)")
    return ExitCode.OK


class _PipeSafe:
    """Standard output that stops writing once its reader has gone (`| head`):
    a broken pipe is not an error of the run, which keeps its exit code."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._broken = False

    def write(self, text: str) -> int:
        if not self._broken:
            try:
                self._stream.write(text)
            except BrokenPipeError:
                self._broken = True
        return len(text)

    def flush(self) -> None:
        if not self._broken:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._broken = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point. SIGTERM is treated like Ctrl-C (clean discard)."""
    import os
    import signal

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    sys.stdout = _PipeSafe(sys.stdout)
    try:
        cli.main(args=argv, prog_name="planwise-run", standalone_mode=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if getattr(sys.stdout, "_broken", False) and sys.__stdout__ is not None:
            # keep the interpreter's final flush of the dead pipe quiet
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.__stdout__.fileno())


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
