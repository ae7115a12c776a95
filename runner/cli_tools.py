"""The `planwise-run` commands beside the setup: history, diff, report, docs,
census and load-census. runner.cli loads this module only when one of them runs
(or `--help` lists them): the setup never imports it.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click

from runner.cli_common import (
    duckdb_settings_of,
    echo,
    echo_result,
    handle_errors,
    inputs,
    level,
    lock_timeout,
    opt,
    place,
    settings_of,
)
from runner.errors import ExitCode, PlanwiseError
from runner.knobs import DIRECTORY, FILE, knob


@click.command(short_help="The setups of this database, newest first, the live one marked.")
@place
@lock_timeout
@opt("--json", "as_json", is_flag=True, help="The runs as JSON.")
@handle_errors
def history(**flags: Any) -> int:
    """The setups of this database, newest first: every published one (from its
    history table) and those that published nothing (from the kept run records)."""
    from runner.history import history as read
    from runner.history_text import history_lines

    rows = read(duckdb_settings_of(flags), level(flags))
    return echo_result(flags, rows, history_lines)


@click.command(short_help="What changed between two runs of history: inputs, then outputs.")
@click.argument("run_a")
@click.argument("run_b")
@place
@lock_timeout
@opt("--json", "as_json", is_flag=True, help="The comparison as JSON.")
@handle_errors
def diff(run_a: str, run_b: str, **flags: Any) -> int:
    """Compare two runs of `history` (ids or unique prefixes): which inputs changed
    (seed files, census, vars, versions) and what the outputs did."""
    from runner.history import compare
    from runner.history import history as read
    from runner.history_text import diff_lines

    rows = read(duckdb_settings_of(flags), level(flags))
    return echo_result(flags, compare(rows, run_a, run_b), diff_lines)


@click.command(
    "load-census", short_help="Load the census file into a warehouse target's census table."
)
@place
@inputs
@handle_errors
def load_census(**flags: Any) -> int:
    """Load the census file into the target's census source table (PostgreSQL:
    COPY; Spark: its Parquet or CSV reader), replacing it in one step. DuckDB
    reads the file in place: nothing to load there."""
    from runner.load_census import load_census as load

    where, rows = load(settings_of(flags))
    echo(f"loaded {rows:,} census rows into {where}\n" if rows else f"{where}\n")
    return ExitCode.OK


@click.command(short_help="dbt's docs site of the project: lineage, models, tests (one file).")
@place
@inputs
@opt("--output-dir", type=DIRECTORY, help="Where to write the site (default: <report dir>/docs).")
@opt("--serve", is_flag=True, help="Then `dbt docs serve` it until Ctrl-C.")
@opt(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Port for --serve.",
)
@handle_errors
def docs(**flags: Any) -> int:
    """`dbt docs generate --static`: one self-contained HTML file with the lineage of
    every seed, model and test (with the database's catalog when there is one)."""
    from runner.invoke import run_dbt
    from runner.locking import probe_database as probe
    from runner.locking import setup_lock

    settings = duckdb_settings_of(flags)
    output = Path(flags["output_dir"] or settings.report_dir / "docs").resolve()
    with tempfile.TemporaryDirectory(prefix="planwise-docs-") as tmp:
        live = settings.db_path.exists()  # its catalog, read under the setup lock
        db_path = settings.db_path if live else Path(tmp) / "docs.duckdb"
        run = functools.partial(run_dbt, settings, db_path=db_path, run_dir=Path(tmp))
        with setup_lock(db_path, settings.knobs["lock_timeout_seconds"]) if live else nullcontext():
            if live:
                probe(db_path)
            invocation = run(["docs", "generate", "--static"], console_level=level(flags))
        _copy_site(invocation, output)
        if flags["serve"]:  # until Ctrl-C
            _serve(run, flags["port"])
    return ExitCode.OK


def _copy_site(invocation: Any, output: Path) -> None:
    """The generated site into `output`, once dbt generated it; say where it is."""
    if invocation.interrupted:
        raise KeyboardInterrupt
    if not invocation.success:
        raise PlanwiseError(f"dbt docs generate failed: {invocation.error_summary()}")
    output.mkdir(parents=True, exist_ok=True)
    for name in ("static_index.html", "manifest.json", "catalog.json"):
        shutil.copy2(invocation.target_path / name, output / name.replace("static_", ""))
    echo(f"docs: {output / 'index.html'}\nopen: {(output / 'index.html').as_uri()}\n")


def _serve(run: Callable[..., Any], port: int) -> None:
    """`dbt docs serve` the site until Ctrl-C."""
    served = run(["docs", "serve", "--port", str(port), "--no-browser"], console_level="info")
    if not served.success and not served.interrupted:
        raise PlanwiseError(f"dbt docs serve failed: {served.error_summary()}")


@click.command(short_help="Draw the live database's visual report (HTML), without a build.")
@place
@lock_timeout
@opt("--output", type=FILE, help="The page to write (default: <report dir>/live-report.html).")
@knob("report_dir", "Where reports go.")
@opt("--open", "open_page", is_flag=True, help="Then open it in the default browser.")
@handle_errors
def report(**flags: Any) -> int:
    """The visual report of the live database, without a build: census intake,
    baseline workforce and hazard grids drawn from the tables the simulation reads,
    as one self-contained HTML page (every setup writes its own, setup-report.html)."""
    from runner.live_report import write_live_report

    page = write_live_report(duckdb_settings_of(flags), level(flags), flags["output"])
    echo(f"report: {page}\nopen: {page.as_uri()}\n")
    if flags["open_page"]:
        click.launch(str(page))
    return ExitCode.OK


@click.command(short_help="Generate a deterministic synthetic census.")
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
@handle_errors
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
    echo(f"wrote {rows:,} rows to {output} in {seconds:.2f}s ({rows / seconds:,.0f} rows/s)\n")
    return ExitCode.OK
