"""`planwise-run`: the thin Click runner over the PlanWise dbt project.

Options are declared once and shared, dbt-core style; dbt's selection flags pass
through. dbt is imported only inside the commands (`--help` is instant). Exit
codes: 0 success (warnings allowed); 1 validation failures (status: not ready);
2 usage, configuration, input or runtime error; 3 database locked; 130 interrupted.
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
from contextlib import nullcontext
from pathlib import Path
from typing import Any, TypeVar

import click

from runner.errors import ExitCode, PlanwiseError

F = TypeVar("F", bound=Callable[..., Any])
FILE = click.Path(path_type=Path, dir_okay=False)
DIRECTORY = click.Path(path_type=Path, file_okay=False)
opt = click.option


def _options(*options: Callable[[F], F]) -> Callable[[F], F]:
    return lambda function: functools.reduce(lambda f, o: o(f), reversed(options), function)


common = _options(
    opt("--config", "config_file", type=FILE, help="Configuration file (config/planwise.yml)."),
    opt("--db", "db_path", type=FILE, help="DuckDB database file (env PLANWISE_DB_PATH)."),
    opt("--target", help="dbt profile target (env PLANWISE_TARGET)."),
    opt("--threads", type=click.IntRange(min=1), help="dbt threads (env PLANWISE_THREADS)."),
    opt("--vars", help="dbt vars as YAML, e.g. '{scenario_id: high_growth}'."),
    opt("--census", type=FILE, help="Census file, Parquet or .csv (env PLANWISE_CENSUS_PATH)."),
    opt("-v", "--verbose", is_flag=True, help="dbt's console output; tracebacks on errors."),
    opt("-q", "--quiet", is_flag=True, help="Only the result line and problems."),
    opt(
        "--log-level",
        type=click.Choice(["debug", "info", "warn", "error", "none"]),
        help="dbt's console log level (default none; info with -v).",
    ),
)
lock_timeout = opt(
    "--lock-timeout",
    "lock_timeout_seconds",
    type=click.FloatRange(min=0),
    help="Wait this long for another setup (default 60 s).",
)
selection = _options(
    opt("-s", "--select", multiple=True, help="dbt --select (default: the setup selector)."),
    opt("--exclude", multiple=True, help="dbt --exclude."),
    opt("--selector", help="dbt --selector."),
    opt("--report-dir", "report_dir", type=DIRECTORY, help="Where reports go (default reports/)."),
    lock_timeout,
)


def _selection(flags: dict[str, Any], default: str) -> list[str]:
    """dbt's selection flags as given; [] for the project's `default` selector.
    dbt ignores --select and --exclude next to --selector, so that is refused."""
    select, exclude, selector = flags.pop("select"), flags.pop("exclude"), flags.pop("selector")
    if selector and (select or exclude):
        raise click.UsageError("--selector cannot be combined with --select or --exclude")
    if exclude and not select and default != "setup":
        raise click.UsageError(f"--exclude needs --select here (the default: --selector {default})")
    args = ["--selector", selector] if selector and selector != default else []
    args += [arg for value in select for arg in ("--select", value)]
    return args + [arg for value in exclude for arg in ("--exclude", value)]


def _level(flags: dict[str, Any]) -> str:
    return str(flags.get("log_level") or ("info" if flags.get("verbose") else "none"))


def _settings(flags: dict[str, Any]) -> Any:
    from runner.config import find_project_dir, load_settings

    project = click.get_current_context().find_root().params.get("project_dir")
    return load_settings(find_project_dir(project), flags.get("config_file"), flags)


def _duckdb_settings(flags: dict[str, Any]) -> Any:
    """The settings of a command that works on the DuckDB file only."""
    settings = _settings(flags)
    kind = settings.engine
    if kind != "duckdb":
        name = click.get_current_context().info_name
        raise PlanwiseError(
            f"`{name}` works on the DuckDB target only, not on {kind}",
            f"on {kind}, use dbt directly (e.g. dbt test --target {settings.knobs['target']})",
        )
    return settings


def _echo(text: str, err: bool = False) -> None:
    """Print; a reader that went away (`| head`) is not an error of the run."""
    try:
        click.echo(text, nl=False, err=err)
        (sys.stderr if err else sys.stdout).flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), (sys.stderr if err else sys.stdout).fileno())


def _echo_result(flags: dict[str, Any], result: Any, words: Callable[[Any], list[str]]) -> int:
    """Print a command's result as JSON (--json) or in words, one line each."""
    _echo(
        json.dumps(result, indent=2) + "\n"
        if flags["as_json"]
        else "".join(f"{line}\n" for line in words(result))
    )
    return ExitCode.OK


def _with_progress(flags: dict[str, Any], run: Callable[[Any], Any]) -> int:
    """Run a reporting command with live progress on a terminal; print its summary."""
    from runner.progress import TerminalProgress
    from runner.report import render_text

    quiet, tty = flags["quiet"], sys.stdout.isatty()
    progress = TerminalProgress(sys.stdout, enabled=tty and not quiet and _level(flags) == "none")
    try:
        outcome = run(progress)
    finally:
        progress.close()
    width = shutil.get_terminal_size().columns if tty else None  # a file gets whole lines
    unicode = "utf" in (sys.stdout.encoding or "").lower()
    _echo(render_text(outcome.report, width, unicode, outcome.paths, quiet))
    return int(outcome.exit_code)


def _error_report(command: str, flags: dict[str, Any], code: int, message: str) -> None:
    """A setup or validate that stopped before its report still replaces the last one."""
    from runner.report import Context, build_report
    from runner.run import write_reports

    status = "interrupted" if code == ExitCode.INTERRUPTED else "error"
    context = Context(command=command, messages=[message], status=status, exit_code=code)
    try:
        write_reports(
            Path(flags.get("report_dir") or _settings(flags).report_dir),
            build_report(None, None, context),
        )
    except Exception:  # nowhere to write it: the error itself has been said
        return


def _handle_errors(function: F) -> F:
    """Exceptions become one line, what to do, and an exit code (tracebacks with -v)."""

    @functools.wraps(function)
    def wrapper(**flags: Any) -> None:
        context, hint, code = click.get_current_context(), "", ExitCode.ERROR
        try:
            context.exit(int(function(**flags)))
        except PlanwiseError as exc:  # a locked database among them: exit 3
            message, hint, code = exc.message, exc.hint, exc.exit_code
        except KeyboardInterrupt:
            message, code = "interrupted", ExitCode.INTERRUPTED
        except (click.ClickException, click.exceptions.Exit):
            raise
        except Exception as exc:
            message, hint = f"{type(exc).__name__}: {exc}", "rerun with -v for the traceback"
        if flags.get("verbose"):
            traceback.print_exc()
        _echo(f"error: {message}\n" + (f"  what to do: {hint}\n" if hint else ""), err=True)
        if context.info_name in ("setup", "validate"):
            _error_report(str(context.info_name), flags, int(code), message)
        context.exit(int(code))

    return wrapper  # type: ignore[return-value]


def _adapters() -> list[str]:
    """The installed dbt adapters, found as `dbt --version` finds them: each package
    under dbt.adapters with a __version__ module (without importing dbt)."""
    import importlib.util

    spec = importlib.util.find_spec("dbt.adapters")
    roots = (spec.submodule_search_locations or []) if spec else []
    found = {path.parent.name for root in roots for path in Path(root).glob("*/__version__.py")}
    return sorted(found - {"core"})


def _versions(context: click.Context, _: click.Parameter, value: bool) -> None:
    """--version: this package, dbt-core, each installed dbt adapter, DuckDB and
    Python, as a bug report wants them (read from the installed distributions)."""
    if not value or context.resilient_parsing:
        return
    from importlib import metadata

    names = ["planwise-setup", "dbt-core", *(f"dbt-{name}" for name in _adapters()), "duckdb"]
    lines = [f"{name} {metadata.version(name)}" for name in names]
    click.echo("\n".join([*lines, f"python {sys.version.split()[0]}"]))
    context.exit()


class _Workflow(click.Group):
    """Commands listed in the order a user meets them, not alphabetically."""

    ORDER = (
        "setup",
        "status",
        "validate",
        "report",
        "history",
        "diff",
        "rollback",
        "clear",
        "docs",
        "census",
        "load-census",
    )

    def list_commands(self, ctx: click.Context) -> list[str]:
        known = [name for name in self.ORDER if name in self.commands]
        return known + sorted(set(self.commands) - set(known))


@click.group(
    cls=_Workflow,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@opt(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_versions,
    help="Show the versions of planwise-setup, dbt-core, each dbt adapter, DuckDB and Python.",
)
@opt(
    "--project-dir",
    type=DIRECTORY,
    envvar="PLANWISE_PROJECT_DIR",
    help="The dbt project (default: the current directory if it has dbt_project.yml, else this "
    "checkout).",
)
def cli(project_dir: Path | None) -> None:
    """Initialise a PlanWise database with dbt: clear, load seeds, stage the census,
    build the baseline and validate, then report.

    \b
    Exit codes: 0 success (warnings allowed), 1 validation failures, 2 usage,
    configuration, input or runtime error, 3 database locked, 130 interrupted.
    """


@cli.command(short_help="Build, check and publish the database: one dbt build into a candidate.")
@common
@selection
@opt("--full-refresh", is_flag=True, help="dbt --full-refresh.")
@opt("--no-clear", is_flag=True, help="Do not drop owned relations before building.")
@opt("--quick", is_flag=True, help="Only what changed since the last successful setup.")
@opt("--fail-fast", is_flag=True, help="Stop at the first error (dbt --fail-fast).")
@opt(
    "--dry-run",
    is_flag=True,
    help="Build and validate the candidate, report, publish nothing (exit 0: it would publish).",
)
@opt(
    "--timeout",
    "timeout_seconds",
    type=click.FloatRange(min=0, min_open=True),
    help="Stop dbt after this many seconds.",
)
@_handle_errors
def setup(**flags: Any) -> int:
    """Pre-flight, `dbt build --selector setup` into a candidate, publish, report.

    The live database is replaced atomically, and only when nothing failed.
    """
    from runner.run import Switches
    from runner.setup import run_setup

    switches = Switches(
        flags["no_clear"],
        flags["quick"],
        flags["fail_fast"],
        _selection(flags, "setup"),
        _level(flags),
        flags["full_refresh"],
        flags["dry_run"],
    )
    settings = _settings(flags)
    return _with_progress(flags, lambda progress: run_setup(settings, switches, progress))


@cli.command(short_help="Run the validation tests on the live database, with a report.")
@common
@selection
@_handle_errors
def validate(**flags: Any) -> int:
    """`dbt test --selector validation` on the existing database, and its report."""
    from runner.setup import run_validate

    chosen = _selection(flags, "validation") or ["--selector", "validation"]
    settings, level = _duckdb_settings(flags), _level(flags)
    return _with_progress(flags, lambda progress: run_validate(settings, chosen, progress, level))


@cli.command(short_help="Put back the database the last setup replaced (<db>.previous).")
@common
@lock_timeout
@_handle_errors
def rollback(**flags: Any) -> int:
    """Put back the database the last published setup replaced (<db>.previous),
    atomically, once it is checked to be a database a setup of this project
    published; the replaced one becomes <db>.previous, so a second rollback undoes it."""
    from runner.rollback import run_rollback

    click.echo(run_rollback(_duckdb_settings(flags), _level(flags)))
    return ExitCode.OK


@cli.command(short_help="Is everything ready for a setup? Changes nothing.")
@common
@opt(
    "--dbt",
    "with_dbt",
    is_flag=True,
    help="Also let dbt parse the project and list the relations a setup builds that "
    "the database lacks (seconds; without it, status reads the file and never starts dbt).",
)
@_handle_errors
def status(with_dbt: bool, **flags: Any) -> int:
    """Readiness, changing nothing: the census the next setup uses, pre-flight, the
    database and who holds it, the setup it holds, the last setup (and with --dbt,
    `dbt parse` and what is missing). Exit 0 ready, 1 not ready (each problem listed)."""
    from runner.errors import ConfigError
    from runner.status import readiness

    try:
        checks = readiness(_duckdb_settings(flags), _level(flags), with_dbt)
    except ConfigError as exc:
        checks = [(False, f"configuration: {exc.message}")]
    problems = [text for ok, text in checks if not ok]
    lines = [f"{'✔' if ok else '✖'} {text}" for ok, text in checks if not ok or not flags["quiet"]]
    ready = "READY: `planwise-run setup` can run"
    lines += [f"NOT READY: {len(problems)} problem(s)" if problems else ready]
    _echo("\n".join(lines) + "\n")
    return ExitCode.FAILED if problems else ExitCode.OK


@cli.command(short_help="The setups of this database, newest first, the live one marked.")
@common
@lock_timeout
@opt("--json", "as_json", is_flag=True, help="The runs as JSON.")
@_handle_errors
def history(**flags: Any) -> int:
    """The setups of this database, newest first: every published one (from its
    history table) and those that published nothing (from the kept run records)."""
    from runner.history import history as read
    from runner.history import history_lines

    rows = read(_duckdb_settings(flags), _level(flags))
    return _echo_result(flags, rows, history_lines)


@cli.command(short_help="What changed between two runs of history: inputs, then outputs.")
@click.argument("run_a")
@click.argument("run_b")
@common
@lock_timeout
@opt("--json", "as_json", is_flag=True, help="The comparison as JSON.")
@_handle_errors
def diff(run_a: str, run_b: str, **flags: Any) -> int:
    """Compare two runs of `history` (ids or unique prefixes): which inputs changed
    (seed files, census, vars, versions) and what the outputs did."""
    from runner.history import compare, diff_lines
    from runner.history import history as read

    rows = read(_duckdb_settings(flags), _level(flags))
    return _echo_result(flags, compare(rows, run_a, run_b), diff_lines)


@cli.command(
    "load-census", short_help="Load the census file into a warehouse target's census table."
)
@common
@_handle_errors
def load_census(**flags: Any) -> int:
    """Load the census file into the target's census source table (PostgreSQL:
    COPY; Spark: its Parquet or CSV reader), replacing it in one step. DuckDB
    reads the file in place: nothing to load there."""
    from runner.load_census import load_census as load

    where, rows = load(_settings(flags))
    _echo(f"loaded {rows:,} census rows into {where}\n" if rows else f"{where}\n")
    return ExitCode.OK


@cli.command(short_help="Drop the relations the setup owns, and nothing else.")
@common
@lock_timeout
@opt("--dry-run", is_flag=True, help="Only list what would be dropped.")
@_handle_errors
def clear(**flags: Any) -> int:
    """`dbt run-operation planwise_clear_owned`: drop the relations the setup owns
    (stg_/int_/fct_/dim_ relations and the stored-failures schema), nothing else."""
    from runner.setup import run_clear

    lines = run_clear(_duckdb_settings(flags), flags["dry_run"], _level(flags))
    _echo("".join(f"{line}\n" for line in lines))
    return ExitCode.OK


@cli.command(short_help="dbt's docs site of the project: lineage, models, tests (one file).")
@common
@opt("--output-dir", type=DIRECTORY, help="Where to write the site (default: <report dir>/docs).")
@opt("--serve", is_flag=True, help="Then `dbt docs serve` it until Ctrl-C.")
@opt(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Port for --serve.",
)
@_handle_errors
def docs(**flags: Any) -> int:
    """`dbt docs generate --static`: one self-contained HTML file with the lineage of
    every seed, model and test (with the database's catalog when there is one)."""
    from runner.invoke import run_dbt
    from runner.locking import probe_database as probe
    from runner.locking import setup_lock

    settings = _duckdb_settings(flags)
    output = Path(flags["output_dir"] or settings.report_dir / "docs").resolve()
    with tempfile.TemporaryDirectory(prefix="planwise-docs-") as tmp:
        live = settings.db_path.exists()  # its catalog, read under the setup lock
        db_path = settings.db_path if live else Path(tmp) / "docs.duckdb"
        run = functools.partial(run_dbt, settings, db_path=db_path, run_dir=Path(tmp))
        with setup_lock(db_path, settings.knobs["lock_timeout_seconds"]) if live else nullcontext():
            if live:
                probe(db_path)
            invocation = run(["docs", "generate", "--static"], console_level=_level(flags))
        if invocation.interrupted:
            raise KeyboardInterrupt
        if not invocation.success:
            raise PlanwiseError(f"dbt docs generate failed: {invocation.error_summary()}")
        output.mkdir(parents=True, exist_ok=True)
        for name in ("static_index.html", "manifest.json", "catalog.json"):
            shutil.copy2(invocation.target_path / name, output / name.replace("static_", ""))
        _echo(f"docs: {output / 'index.html'}\nopen: {(output / 'index.html').as_uri()}\n")
        if flags["serve"]:  # until Ctrl-C
            serve = ["docs", "serve", "--port", str(flags["port"]), "--no-browser"]
            served = run(serve, console_level="info")
            if not served.success and not served.interrupted:
                raise PlanwiseError(f"dbt docs serve failed: {served.error_summary()}")
    return ExitCode.OK


@cli.command(short_help="Draw the live database's visual report (HTML), without a build.")
@common
@lock_timeout
@opt("--output", type=FILE, help="The page to write (default: <report dir>/live-report.html).")
@opt("--report-dir", "report_dir", type=DIRECTORY, help="Where reports go (default reports/).")
@opt("--open", "open_page", is_flag=True, help="Then open it in the default browser.")
@_handle_errors
def report(**flags: Any) -> int:
    """The visual report of the live database, without a build: census intake,
    baseline workforce and hazard grids drawn from the tables the simulation reads,
    as one self-contained HTML page (every setup writes its own, setup-report.html)."""
    from runner.live_report import write_live_report

    page = write_live_report(_duckdb_settings(flags), _level(flags), flags["output"])
    _echo(f"report: {page}\nopen: {page.as_uri()}\n")
    if flags["open_page"]:
        click.launch(str(page))
    return ExitCode.OK


@cli.command(short_help="Generate a deterministic synthetic census.")
@opt("--employees", type=click.IntRange(min=0), required=True, help="Number of rows.")
@opt("--seed", type=int, default=42, show_default=True, help="Random seed.")
@opt("--output", type=FILE, required=True, help="Output: Parquet, or CSV when it ends in .csv.")
@opt(
    "--duplicate-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Share of extra rows reusing an id.",
)
@opt("-v", "--verbose", is_flag=True, help="Tracebacks on errors.")
@_handle_errors
def census(employees: int, seed: int, output: Path, duplicate_rate: float, verbose: bool) -> int:
    """Generate a deterministic synthetic census (same seed, same file)."""
    from runner.census import CensusSpec, generate_census

    if not output.parent.resolve().is_dir():
        hint = "create it or choose another --output"
        raise PlanwiseError(f"{output.parent}: directory does not exist", hint)
    started = time.perf_counter()
    try:
        rows = generate_census(CensusSpec(employees, seed, duplicate_rate=duplicate_rate), output)
    except OSError as exc:
        raise PlanwiseError(f"{output}: cannot write: {exc.strerror}", "check the path") from exc
    seconds = max(time.perf_counter() - started, 1e-9)
    _echo(f"wrote {rows:,} rows to {output} in {seconds:.2f}s ({rows / seconds:,.0f} rows/s)\n")
    return ExitCode.OK


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: SIGTERM is handled like Ctrl-C (clean discard), and
    one that lands before a command started is exit 130 too, not Click's "Aborted!"."""

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        code = cli.main(args=argv, prog_name="planwise-run", standalone_mode=False)
    except click.exceptions.Abort:
        _echo("error: interrupted\n", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)
