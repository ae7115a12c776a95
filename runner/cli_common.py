"""What every `planwise-run` command shares: its options, declared once and
shared dbt-core style (dbt's selection flags pass through), its settings, its
output, and how an error becomes one line, what to do and an exit code.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from runner.errors import ExitCode, PlanwiseError
from runner.knobs import DIRECTORY, FILE, knob

F = TypeVar("F", bound=Callable[..., Any])
opt = click.option


def _options(*options: Callable[[F], F]) -> Callable[[F], F]:
    return lambda function: functools.reduce(lambda f, o: o(f), reversed(options), function)


# Each command takes the options that mean something to it, in these groups.
project_dir = opt(
    "--project-dir",
    type=DIRECTORY,
    envvar="PLANWISE_PROJECT_DIR",
    show_envvar=True,
    help="The dbt project.",
    show_default="the current directory if it has dbt_project.yml, else this checkout",
)
place = _options(  # where: every command but census
    project_dir,
    knob("profiles_dir", "Where profiles.yml is.", "the project"),
    opt(
        "--config",
        "config_file",
        type=FILE,
        envvar="PLANWISE_CONFIG",
        show_envvar=True,
        show_default="config/planwise.yml",
        help="Configuration file.",
    ),
    knob("db_path", "DuckDB database file."),
    knob("target", "dbt profile target."),
    opt("-v", "--verbose", is_flag=True, help="dbt's console output; tracebacks on errors."),
    opt(
        "--log-level",
        type=click.Choice(["debug", "info", "warn", "error", "none"]),
        show_default="none; info with -v",
        help="dbt's console log level.",
    ),
)
dbt_vars = opt("--vars", help="dbt vars as YAML, e.g. '{scenario_id: high_growth}'.")
census_file = opt(
    "--census",
    type=FILE,
    envvar="PLANWISE_CENSUS_PATH",
    show_envvar=True,
    show_default="the census the live database was built from, else the bundled sample",
    help="Census file, Parquet or .csv.",
)
inputs = _options(dbt_vars, census_file)  # what a build reads
quiet = opt("-q", "--quiet", is_flag=True, help="Only the result line and problems.")
threads = knob("threads", "dbt threads.")
common = _options(place, inputs, threads, quiet)  # a command that runs dbt's nodes
lock_timeout = knob("lock_timeout_seconds", "Seconds to wait for another setup's lock.")


def examples(*commands: str) -> str:
    """A command's help epilog: examples, kept as written (Click's \\b)."""
    return "\b\nExamples:\n" + "\n".join(f"  {command}" for command in commands)


def selection(selector: str) -> Callable[[F], F]:
    """dbt's selection flags for a command whose default is the `selector` selector."""
    return _options(
        opt(
            "-s", "--select", multiple=True, help=f"dbt --select.  [default: --selector {selector}]"
        ),
        opt("--exclude", multiple=True, help="dbt --exclude."),
        opt("--selector", help=f"dbt --selector.  [default: {selector}]"),
        knob("report_dir", "Where reports go."),
        lock_timeout,
    )


def selection_args(flags: dict[str, Any], default: str) -> list[str]:
    """dbt's selection flags as given; [] for the project's `default` selector.
    dbt ignores --select and --exclude next to --selector, so that is refused."""
    select, exclude, selector = flags.pop("select"), flags.pop("exclude"), flags.pop("selector")
    _refuse_mixed_selection(select, exclude, selector, default)
    args = ["--selector", selector] if selector and selector != default else []
    return args + _repeated("--select", select) + _repeated("--exclude", exclude)


def _refuse_mixed_selection(
    select: tuple[str, ...], exclude: tuple[str, ...], selector: str | None, default: str
) -> None:
    if selector and (select or exclude):
        raise click.UsageError("--selector cannot be combined with --select or --exclude")
    if exclude and not select and default != "setup":
        raise click.UsageError(f"--exclude needs --select here (the default: --selector {default})")


def _repeated(flag: str, values: tuple[str, ...]) -> list[str]:
    """A multiple option as dbt takes it: the flag before each value."""
    return [arg for value in values for arg in (flag, value)]


def level(flags: dict[str, Any]) -> str:
    return str(flags.get("log_level") or ("info" if flags.get("verbose") else "none"))


def _given(context: click.Context) -> dict[str, Any]:
    """What a context's command line set."""
    return {
        name: value
        for name, value in context.params.items()
        if context.get_parameter_source(name) is ParameterSource.COMMANDLINE
    }


def settings_of(flags: dict[str, Any]) -> Any:
    """The command's settings: what its command line set (after the command, or before
    it as dbt allows: `planwise-run -t ci setup`), over the environment, the
    configuration file and the defaults (runner.config, runner.knobs)."""
    from runner.config import find_project_dir, load_settings

    context = click.get_current_context()
    root = context.find_root()
    given = {**_given(root), **{k: v for k, v in _given(context).items() if k in flags}}
    project = given.get("project_dir") or root.params.get("project_dir")
    return load_settings(find_project_dir(project), flags.get("config_file"), given)


def duckdb_settings_of(flags: dict[str, Any]) -> Any:
    """The settings of a command that works on the DuckDB file only."""
    settings = settings_of(flags)
    kind = settings.engine
    if kind != "duckdb":
        name = click.get_current_context().info_name
        raise PlanwiseError(
            f"`{name}` works on the DuckDB target only, not on {kind}",
            f"on {kind}, use dbt directly (e.g. dbt test --target {settings.knobs['target']})",
        )
    return settings


def echo(text: str, err: bool = False) -> None:
    """Print; a reader that went away (`| head`) is not an error of the run."""
    try:
        click.echo(text, nl=False, err=err)
        (sys.stderr if err else sys.stdout).flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), (sys.stderr if err else sys.stdout).fileno())


def echo_result(flags: dict[str, Any], result: Any, words: Callable[[Any], list[str]]) -> int:
    """Print a command's result as JSON (--json) or in words, one line each."""
    echo(
        json.dumps(result, indent=2) + "\n"
        if flags["as_json"]
        else "".join(f"{line}\n" for line in words(result))
    )
    return ExitCode.OK


def with_progress(flags: dict[str, Any], run: Callable[[Any], Any]) -> int:
    """Run a reporting command with live progress; print its summary (a terminal's
    width, else 80 columns)."""
    from runner.progress import live_progress
    from runner.report_text import render_text

    quiet, tty = flags["quiet"], sys.stdout.isatty()
    progress = live_progress(sys.stdout, shown=not quiet and level(flags) == "none")
    try:
        outcome = run(progress)
    finally:
        if progress:
            progress.close()
    width = shutil.get_terminal_size().columns if tty else 80
    unicode = "utf" in (sys.stdout.encoding or "").lower()
    text = render_text(outcome.report, width, unicode, outcome.paths, quiet, whole_messages=not tty)
    echo(text)
    return int(outcome.exit_code)


def _error_report(command: str, flags: dict[str, Any], code: int, message: str) -> None:
    """A setup or validate that stopped before its report still replaces the last one."""
    from runner.report import Context, build_report
    from runner.run import write_reports

    status = "interrupted" if code == ExitCode.INTERRUPTED else "error"
    context = Context(command=command, messages=[message], status=status, exit_code=code)
    given = click.get_current_context().get_parameter_source("report_dir")
    try:  # --report-dir as given, else the settings' (which the error may be about)
        chosen = flags["report_dir"] if given is ParameterSource.COMMANDLINE else None
        write_reports(
            Path(chosen or settings_of(flags).report_dir), build_report(None, None, context)
        )
    except Exception:  # nowhere to write it: the error itself has been said
        return


def handle_errors(function: F) -> F:
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
        echo(f"error: {message}\n" + (f"  what to do: {hint}\n" if hint else ""), err=True)
        if context.info_name in ("setup", "validate"):
            _error_report(str(context.info_name), flags, int(code), message)
        context.exit(int(code))

    return wrapper  # type: ignore[return-value]
