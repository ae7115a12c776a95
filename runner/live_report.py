"""`planwise-run report`: the visual report of the live database, without a build.

The aggregates come from the queries the published setup stored (the
project's macro planwise_report_figure_queries, rendered), run on the DuckDB
file under the setup lock; where none are stored, dbt renders the macro
planwise_report_figures on the live database (`dbt compile --inline`,
runner.dbt_value). The run the database holds comes from its history
(the setup marked live). The page is the one a setup writes,
less what only a build knows (its steps, failing rows and change report).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runner import ledger
from runner.config import Settings
from runner.errors import PlanwiseError
from runner.locking import probe_database, setup_lock
from runner.published import held_rows, stamp
from runner.state import write_private

PAGE = "live-report.html"


def _figures(settings: Settings, level: str) -> dict[str, Any]:
    """The figures as dbt computes them (a database with no stored queries)."""
    from runner.dbt_value import DbtValueFailed, dbt_value  # dbt only when needed

    try:
        figures: dict[str, Any] = dbt_value(settings, "planwise_report_figures()", level)
    except DbtValueFailed as exc:
        raise PlanwiseError(f"cannot read the live database: {exc}") from exc
    return figures


def _categories(test_counts: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """The live run's tests by category, as a setup's report lists them."""
    listed = []
    for name, counts in sorted(test_counts.items()):
        row = {key: counts.get(key, 0) for key in ("pass", "warn", "fail", "error", "skipped")}
        listed.append({"name": name, "tests": sum(counts.values()), **row})
    return listed


def _read(settings: Settings, level: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The live database's figures and the history row of the setup it holds ({}
    when none), read under one setup lock and one probe."""
    live = settings.db_path
    if not live.exists():
        raise PlanwiseError(f"no database at {live}", "run `planwise-run setup` first")
    with setup_lock(live, settings.knobs["lock_timeout_seconds"]):
        probe_database(live)
        stored = ledger.queries(live)
        figures = (ledger.figures(live, stored) if stored else None) or _figures(settings, level)
        run = next((row for row in held_rows(settings, level) if row.get("live")), {})
    return figures, run


def _message(run: dict[str, Any]) -> str:
    if run:
        return f"Drawn from the live database without a build: setup {run['run_id']}"
    return "The live database's history names no setup: it was not built by planwise-run."


def live_report(settings: Settings, level: str) -> dict[str, Any]:
    """The report of the database `settings` names, as the page lays it out."""
    figures, run = _read(settings, level)
    return {
        "command": "report",
        "status": "success" if run else "warn",
        "title": "live database" if run else "live database, no setup recorded",
        "started_at": stamp(run.get("started_at")) or "unknown",
        "elapsed_seconds": None,
        "database": str(settings.db_path),
        "published": bool(run),
        "dry_run": False,
        "kept_candidate": None,
        "census": {"path": run.get("census_path"), "rows": run.get("census_rows"), "change": None},
        "inputs": {"scenario_id": run.get("scenario_id")},
        "steps": [],
        "categories": _categories(run.get("test_counts") or {}),
        "problems": [],
        "messages": [_message(run)],
        "changes": None,
        "figures": figures,
    }


def write_live_report(settings: Settings, level: str, output: Path | None) -> Path:
    """Write the page (default <report dir>/live-report.html); its path."""
    from runner.visual import render_page

    path = (output or settings.report_dir / PAGE).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, render_page(live_report(settings, level)))
    return path
