"""The runner's knobs: Click options, typed, defaulted and resolved by Click.

Each knob is one Click option (flag, environment variable, type, default,
help). A command declares the knobs that mean something to it (`knob(...)`);
every command still needs all of them (a status reads the lock timeout it has
no flag for), so `resolve` lets Click resolve the whole set once more without a
command line, with the configuration file's `runner:` section as the context's
default_map: flag > environment variable > file > default, Click's own order.
Relative paths in the file and in the defaults resolve against the project; in
environment variables and flags, against the current directory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from runner.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])
FILE = click.Path(path_type=Path, dir_okay=False)
DIRECTORY = click.Path(path_type=Path, file_okay=False)


class FileMode(click.ParamType[str]):
    """An octal file mode the owner can read and write, e.g. 0600 (kept as text)."""

    name = "mode"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            mode = int(str(value), 8)
        except ValueError:
            mode = -1
        if not (0 <= mode <= 0o777 and mode & 0o600 == 0o600):
            expected = "an octal mode with owner read and write (e.g. 0600)"
            self.fail(f"expected {expected}, got {value!r}")
        return str(value)


# knob name: Click's option arguments (declarations, then keywords)
SPECS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "db_path": (
        ("--db", "db_path"),
        {"type": FILE, "default": "simulation.duckdb", "envvar": "PLANWISE_DB_PATH"},
    ),
    "target": (("-t", "--target"), {"default": "dev", "envvar": "PLANWISE_TARGET"}),
    "profiles_dir": (
        ("--profiles-dir", "profiles_dir"),
        # not DBT_PROFILES_DIR: exported for other dbt projects, it would move this one
        {"type": DIRECTORY, "envvar": "PLANWISE_PROFILES_DIR"},
    ),
    "threads": (
        ("--threads",),
        {"type": click.IntRange(min=1), "default": 2, "envvar": "PLANWISE_THREADS"},
    ),
    "report_dir": (
        ("--report-dir", "report_dir"),
        {"type": DIRECTORY, "default": "reports", "envvar": "PLANWISE_REPORT_DIR"},
    ),
    "lock_timeout_seconds": (
        ("--lock-timeout", "lock_timeout_seconds"),
        {"type": click.FloatRange(min=0), "default": 60.0, "envvar": "PLANWISE_LOCK_TIMEOUT"},
    ),
    "timeout_seconds": (
        ("--timeout", "timeout_seconds"),
        {"type": click.FloatRange(min=0, min_open=True), "envvar": "PLANWISE_TIMEOUT"},
    ),
    "keep_previous": (
        ("--keep-previous/--no-keep-previous",),
        {"default": True, "envvar": "PLANWISE_KEEP_PREVIOUS"},
    ),
    "report_page": (
        ("--report-page/--no-report-page",),
        {"default": True, "envvar": "PLANWISE_REPORT_PAGE"},
    ),
    "failed_kept": (
        ("--failed-kept",),
        {"type": click.IntRange(min=0), "default": 1, "envvar": "PLANWISE_FAILED_KEPT"},
    ),
    "runs_kept": (
        ("--runs-kept",),
        {"type": click.IntRange(min=1), "default": 5, "envvar": "PLANWISE_RUNS_KEPT"},
    ),
    "db_file_mode": (
        ("--db-file-mode",),
        {"type": FileMode(), "default": "0600", "envvar": "PLANWISE_DB_FILE_MODE"},
    ),
}
PATHS = ("db_path", "report_dir", "profiles_dir")  # profiles_dir unset: the project


def knob(name: str, help: str, shown: str | bool = True) -> Callable[[F], F]:
    """The option of knob `name` on a command, its default (or `shown`, what stands for
    it) and environment variable in its help."""
    declarations, keywords = SPECS[name]
    return click.option(*declarations, show_default=shown, show_envvar=True, help=help, **keywords)


def _options() -> list[click.Parameter]:
    return [click.Option(list(decls), **keywords) for decls, keywords in SPECS.values()]


def _bad(error: click.BadParameter, where: str) -> ConfigError:
    """Click's complaint about one knob, naming where its value came from."""
    option = error.param
    name = option.name if option else "?"
    envvar = getattr(option, "envvar", None)
    source = error.ctx.get_parameter_source(name) if error.ctx and option else None
    from_env = source is ParameterSource.ENVIRONMENT
    place = f"env {envvar}" if from_env else f"{where}: `runner.{name}`"
    return ConfigError(f"{place}: {error.message}", "fix the value")


def resolve(
    section: Mapping[str, Any], where: str, given: Mapping[str, Any], project_dir: Path
) -> dict[str, Any]:
    """Every knob: `given` (what a command line set) > environment > the file's
    `runner:` section (`section`, read from `where`) > default, by Click."""
    unknown = sorted(set(section) - set(SPECS))
    if unknown:
        known = ", ".join(SPECS)
        raise ConfigError(f"{where}: unknown key `runner.{unknown[0]}`", f"known: {known}")
    _refuse_unfit(section, where)
    command = click.Command("planwise", params=_options())
    try:
        context = command.make_context("planwise", [], default_map=dict(section))
        chosen = {name: value for name, value in given.items() if name in SPECS}
        knobs = {**context.params, **_typed(context, chosen)}
    except click.BadParameter as error:
        raise _bad(error, where) from None
    for name in PATHS:  # given here, or in the environment: against the current directory
        from_env = context.get_parameter_source(name) is ParameterSource.ENVIRONMENT
        from_here = name in chosen or from_env
        value = knobs[name] if knobs[name] is not None else project_dir
        knobs[name] = ((Path.cwd() if from_here else project_dir) / value).resolve()
    return knobs


def _expected(name: str) -> tuple[tuple[type, ...], str]:
    """What a YAML value of knob `name` must be, and how to say it: what Click would
    quietly round, count or stringify (threads: 4.5 as 4, a true as 1, 123 as a
    target's name) is refused, and so is null where the knob has a value."""
    decls, keywords = SPECS[name]
    kind = keywords.get("type")
    nullable = (type(None),) if keywords.get("default") is None else ()
    if "/" in decls[0]:
        return (bool, *nullable), "true or false"
    if isinstance(kind, click.IntRange):
        return (int, *nullable), "a whole number"
    if isinstance(kind, click.FloatRange):
        return (int, float, *nullable), "a number"
    return (str, *nullable), "text" if kind is None or isinstance(kind, FileMode) else "a path"


def _refuse_unfit(section: Mapping[str, Any], where: str) -> None:
    """Each of the file's knobs is a value of its kind (runner.knobs SPECS)."""
    for name, value in section.items():
        kinds, said = _expected(name)
        counted_as_number = isinstance(value, bool) and bool not in kinds
        if not isinstance(value, kinds) or counted_as_number or value == "":
            got = "nothing" if value is None else repr(value)
            raise ConfigError(f"{where}: `runner.{name}`: expected {said}, got {got}", "fix it")


def _typed(context: click.Context, given: Mapping[str, Any]) -> dict[str, Any]:
    """Values a caller passed, through their options' types (a CLI's are typed already)."""
    options = {option.name: option for option in context.command.params}
    return {name: options[name].type_cast_value(context, value) for name, value in given.items()}
