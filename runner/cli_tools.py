"""The `planwise-run` commands beside the setup: history, diff, report, docs,
census and load-census. runner.cli loads this module only when one of them runs
(or `--help` lists them): the setup never imports it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from runner.cli_common import (
    duckdb_settings_of,
    echo,
    echo_result,
    examples,
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


@click.command(
    short_help="The setups of this database, newest first, the live one marked.",
    epilog=examples("planwise-run history", "planwise-run history --json"),
)
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


@click.command(
    short_help="What changed between two runs of history: inputs, then outputs.",
    epilog=examples("planwise-run diff 3f2a 9c41             # run id prefixes from `history`"),
)
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
    "load-census",
    short_help="Load the census file into a warehouse target's census table.",
    epilog=examples(
        "planwise-run load-census -t postgres --census data/census_2025.parquet",
        "planwise-run load-census -t spark",
    ),
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


@click.command(
    short_help="dbt's docs site of the project: lineage, models, tests (one file).",
    epilog=examples("planwise-run docs", "planwise-run docs --serve --port 8081"),
)
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
    from runner.docs_site import write_site

    settings = duckdb_settings_of(flags)
    output = Path(flags["output_dir"] or settings.report_dir / "docs").resolve()
    port = flags["port"] if flags["serve"] else None
    write_site(settings, output, level(flags), port, echo)
    return ExitCode.OK


@click.command(
    short_help="Draw the live database's visual report (HTML), without a build.",
    epilog=examples("planwise-run report --open"),
)
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


@click.command(
    short_help="Generate a deterministic synthetic census.",
    epilog=examples("planwise-run census --employees 100000 --output data/census_100k.parquet"),
)
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
