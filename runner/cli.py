"""`planwise-run`: the thin Click runner over the PlanWise dbt project.

The setup and the commands around the live database (validate, status,
rollback, clear) live here; the others (runner.cli_tools) are loaded only when
they run. dbt is imported only inside the commands (`--help` is instant). Exit
codes: 0 success (warnings allowed); 1 validation failures (status: not ready);
2 usage, configuration, input or runtime error; 3 database locked; 130 interrupted.
"""

from __future__ import annotations

import importlib
import signal
import sys
from pathlib import Path
from typing import Any, ClassVar

import click

from runner.cli_common import (
    common,
    dbt_vars,
    duckdb_settings_of,
    echo,
    examples,
    handle_errors,
    inputs,
    level,
    lock_timeout,
    opt,
    place,
    project_dir,
    quiet,
    selection,
    selection_args,
    settings_of,
    with_progress,
)
from runner.errors import ExitCode
from runner.knobs import knob


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
    """Commands listed in the order a user meets them, not alphabetically; those of
    runner.cli_tools are imported only when asked for (Click's lazy loading)."""

    ORDER: ClassVar[tuple[str, ...]] = (
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
    LAZY: ClassVar[dict[str, str]] = {
        "report": "report",
        "history": "history",
        "diff": "diff",
        "docs": "docs",
        "census": "census",
        "load-census": "load_census",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(self.commands) | set(self.LAZY)
        known = [name for name in self.ORDER if name in names]
        return known + sorted(names - set(known))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            command: click.Command = getattr(
                importlib.import_module("runner.cli_tools"), self.LAZY[cmd_name]
            )
            return command
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=_Workflow,
    context_settings={
        "help_option_names": ["-h", "--help"],
        "max_content_width": 100,
        "show_default": True,
    },
)
@opt(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_versions,
    help="Show the versions of planwise-setup, dbt-core, each dbt adapter, DuckDB and Python.",
)
@project_dir
@knob("profiles_dir", "Where profiles.yml is.", "the project")
@knob("target", "dbt profile target.")
@dbt_vars
def cli(**options: Any) -> None:
    """Initialise a PlanWise database with dbt: clear, load seeds, stage the census,
    build the baseline and validate, then report.

    \b
    Exit codes: 0 success (warnings allowed), 1 validation failures, 2 usage,
    configuration, input or runtime error, 3 database locked, 130 interrupted.

    As with dbt, --project-dir, --profiles-dir, -t/--target and --vars go before or
    after the command (after it wins).
    """


@cli.command(
    short_help="Build, check and publish the database: one dbt build into a candidate.",
    epilog=examples(
        "planwise-run setup --census data/census_2025.parquet",
        "planwise-run setup --quick               # only what changed since the last setup",
        "planwise-run setup --dry-run -t ci       # validate a candidate, publish nothing",
        "planwise-run setup -s stg_census_data+   # dbt selection syntax",
    ),
)
@common
@selection("setup")
@opt("--full-refresh", is_flag=True, help="dbt --full-refresh.")
@opt("--no-clear", is_flag=True, help="Do not drop owned relations before building.")
@opt("--quick", is_flag=True, help="Only what changed since the last successful setup.")
@opt("-x", "--fail-fast", is_flag=True, help="Stop at the first error (dbt --fail-fast).")
@opt(
    "--dry-run",
    is_flag=True,
    help="Build and validate the candidate, report, publish nothing (exit 0: it would publish).",
)
@knob("timeout_seconds", "Stop dbt after this many seconds.", "none")
@knob("keep_previous", "Keep the replaced database as <db>.previous (for rollback).")
@knob("report_page", "Write the visual report page (setup-report.html, about 1 s).")
@knob("failed_kept", "How many refused candidates to keep as <db>.failed-<time>.")
@knob("runs_kept", "How many run directories (dbt's artifacts and logs) to keep.")
@knob("db_file_mode", "The mode of a first database (a published one keeps the live file's).")
@handle_errors
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
        selection_args(flags, "setup"),
        level(flags),
        flags["full_refresh"],
        flags["dry_run"],
    )
    settings = settings_of(flags)
    return with_progress(flags, lambda progress: run_setup(settings, switches, progress))


@cli.command(
    short_help="Run the validation tests on the live database, with a report.",
    epilog=examples("planwise-run validate", "planwise-run validate -s tag:census_quality"),
)
@common
@selection("validation")
@handle_errors
def validate(**flags: Any) -> int:
    """`dbt test --selector validation` on the existing database, and its report."""
    from runner.setup import run_validate

    chosen = selection_args(flags, "validation") or ["--selector", "validation"]
    settings, console = duckdb_settings_of(flags), level(flags)
    return with_progress(flags, lambda progress: run_validate(settings, chosen, progress, console))


@cli.command(
    short_help="Put back the database the last setup replaced (<db>.previous).",
    epilog=examples("planwise-run rollback", "planwise-run rollback --db /data/simulation.duckdb"),
)
@place
@lock_timeout
@handle_errors
def rollback(**flags: Any) -> int:
    """Put back the database the last published setup replaced (<db>.previous),
    atomically, once it is checked to be a database a setup of this project
    published; the replaced one becomes <db>.previous, so a second rollback undoes it."""
    from runner.rollback import run_rollback

    click.echo(run_rollback(duckdb_settings_of(flags), level(flags)))
    return ExitCode.OK


@cli.command(
    short_help="Is everything ready for a setup? Changes nothing.",
    epilog=examples(
        "planwise-run status", "planwise-run status --dbt --census data/census_2025.parquet"
    ),
)
@place
@inputs
@quiet
@opt(
    "--dbt",
    "with_dbt",
    is_flag=True,
    help="Also let dbt parse the project and list the relations a setup builds that "
    "the database lacks (seconds; without it, status reads the file and never starts dbt).",
)
@handle_errors
def status(with_dbt: bool, **flags: Any) -> int:
    """Readiness, changing nothing: the census the next setup uses, pre-flight, the
    database and who holds it, the setup it holds, the last setup (and with --dbt,
    `dbt parse` and what is missing). Exit 0 ready, 1 not ready (each problem listed)."""
    from runner.errors import ConfigError
    from runner.status import readiness, readiness_lines

    try:
        checks = readiness(duckdb_settings_of(flags), level(flags), with_dbt)
    except ConfigError as exc:
        checks = [(False, f"configuration: {exc.message}")]
    echo("".join(f"{line}\n" for line in readiness_lines(checks, flags["quiet"])))
    return ExitCode.FAILED if any(ok is False for ok, _ in checks) else ExitCode.OK


@cli.command(
    short_help="Drop the relations the setup owns, and nothing else.",
    epilog=examples(
        "planwise-run clear --dry-run            # list what would be dropped", "planwise-run clear"
    ),
)
@place
@dbt_vars
@lock_timeout
@opt("--dry-run", is_flag=True, help="Only list what would be dropped.")
@handle_errors
def clear(**flags: Any) -> int:
    """`dbt run-operation planwise_clear_owned`: drop the relations the setup owns
    (stg_/int_/fct_/dim_ relations and the stored-failures schema), nothing else."""
    from runner.setup import run_clear

    lines = run_clear(duckdb_settings_of(flags), flags["dry_run"], level(flags))
    echo("".join(f"{line}\n" for line in lines))
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
        echo("error: interrupted\n", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)
