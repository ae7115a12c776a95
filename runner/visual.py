"""The visual setup report: one self-contained HTML page per setup.

The page lays out what the report already holds: the run (steps, tests by
category, failing rules and their first rows) and the aggregates the project's
macro planwise_report_figures computed in the database (census intake,
baseline workforce, hazard grids, and the live database's grids and pay for
the change section). Python only arranges them; runner.charts draws them as
inline SVG and the template (runner/templates/setup_report.html) holds the
page's text and style. Nothing on the page points outside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runner.report_text import TITLES

TEMPLATE = "setup_report.html"
FIRST_ROWS = 10


def _environment() -> Any:
    import jinja2

    loader = jinja2.FileSystemLoader(Path(__file__).with_name("templates"))
    return jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)


def _measures(changes: dict[str, Any], measure: str) -> list[dict[str, Any]]:
    found = [m for m in changes.get("workforce") or [] if m["measure"] == measure]
    return sorted(found, key=lambda m: float(m["bucket"]) if str(m["bucket"]).isdigit() else 0.0)


def _grid_changes(new: list[dict[str, Any]], old: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """This setup's rate minus the live database's, per grid cell both hold."""
    keys = ("grid", "level_id", "age_band", "tenure_band")
    before = {tuple(row[k] for k in keys): row["rate"] for row in old}
    moved = []
    for row in new:
        previous = before.get(tuple(row[k] for k in keys))
        if previous is not None and row["rate"] is not None:
            moved.append({**row, "rate": row["rate"] - previous, "at_bound": 0})
    return moved


BEFORE_AFTER = (
    ("by_level", "Baseline headcount by level, before and after", "employees"),
    ("pay_by_level", "Baseline total pay by level, before and after", "total annual pay"),
)


def _before_after(changes: dict[str, Any]) -> list[str]:
    """Headcount and pay by level in the live database and in this setup."""
    from runner import charts

    drawn = []
    for measure, title, axis in BEFORE_AFTER:
        rows = _measures(changes, measure)
        labels = [f"level {m['bucket']}" for m in rows]
        old, new = [m["old"] or 0.0 for m in rows], [m["new"] or 0.0 for m in rows]
        drawn += [charts.before_after(labels, old, new, title, axis)] if rows else []
    return drawn


def _seed_cells(changes: dict[str, Any]) -> list[dict[str, Any]]:
    """The changed cells of every seed, as the change report lists them."""
    relations = changes.get("relations") or {}
    seeds = [
        (name, entry) for name, entry in relations.items() if entry.get("resource_type") == "seed"
    ]
    return [
        {"relation": name, **example}
        for name, entry in sorted(seeds)
        for example in entry.get("examples") or []
    ]


def _difference_grids(report: dict[str, Any], changes: dict[str, Any]) -> list[dict[str, Any]]:
    """Each hazard grid that moved: this setup's rates minus the live database's."""
    old = (changes.get("live_figures") or {}).get("grids") or []
    moved = _grid_changes((report.get("figures") or {}).get("grids") or [], old)
    drawn = []
    for grid, title in GRIDS:
        mine = [row for row in moved if row["grid"] == grid]
        if any(abs(row["rate"]) > 1e-12 for row in mine):
            text = f"{title}: this setup minus the live database (percentage points)"
            drawn.append(_grid(mine, text, diverging=True))
    return drawn


def _change_section(report: dict[str, Any]) -> dict[str, Any]:
    """The change section; empty for a first setup or a run that compared nothing."""
    changes = report.get("changes") or {}
    if not changes or changes.get("first_setup"):
        return {}
    return {
        "compared_with": changes.get("compared_with"),
        "employees": (changes.get("census") or {}).get("employees"),
        "relations": changes.get("relations") or {},
        "charts": _before_after(changes),
        "seed_cells": _seed_cells(changes),
        "grids": _difference_grids(report, changes),
    }


def _workforce_charts(figures: dict[str, Any]) -> list[str]:
    """The baseline's charts: headcount and pay by level, age x tenure, eligibility
    (matplotlib is imported only when there is something to draw)."""
    levels = _level_charts(figures.get("levels") or [])
    heatmap = _heatmap(figures.get("age_tenure") or [])
    return levels + heatmap + _eligibility_chart(figures.get("eligibility") or [])


def _level_charts(levels: list[dict[str, Any]]) -> list[str]:
    if not levels:
        return []
    from runner import charts

    labels = [f"level {row['level_id']:.0f}" for row in levels]
    values = [row["headcount"] for row in levels]
    headcount = charts.bars(labels, values, "Baseline headcount by level", "employees")
    return [headcount, charts.level_pay(levels)]


def _heatmap(cells: list[dict[str, Any]]) -> list[str]:
    if not cells:
        return []
    from runner import charts

    return [charts.headcount_heatmap(cells)]


def _eligibility_chart(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    from runner import charts

    labels = [f"{row['eligibility_status']}, {row['enrollment']}" for row in rows]
    values = [row["headcount"] for row in rows]
    return [charts.bars(labels, values, "Eligibility and enrollment", "employees")]


GRIDS = (
    ("termination", "Termination rate"),
    ("promotion", "Promotion rate"),
    ("merit", "Merit raise"),
)


def _grid(rows: list[dict[str, Any]], title: str, diverging: bool = False) -> dict[str, Any]:
    """One hazard grid as the page's coloured tables: a panel per level, age bands
    down, tenure bands across, each cell's rate in percent on its colour."""
    from runner import charts

    rates = [row["rate"] for row in rows if row["rate"] is not None]
    colour = charts.colour_scale(rates, diverging)
    levels = sorted({row["level_id"] for row in rows})
    top = 100 * max(map(abs, rates), default=0.0)
    return {
        "title": title,
        "panels": [
            _panel([r for r in rows if r["level_id"] == level], colour, diverging)
            for level in levels
        ],
        "gradient": charts.gradient(diverging),
        "low": f"{-top:+.1f}" if diverging else "0",
        "high": f"{top:+.1f}" if diverging else f"{top:.1f}",
    }


def _panel(rows: list[dict[str, Any]], colour: Any, diverging: bool) -> dict[str, Any]:
    """One level's table: age bands down, tenure bands across."""
    from runner.charts import band_grid

    ages, tenures, grid = band_grid(rows)
    lines = [
        {"age": age, "cells": [_cell(row, colour, diverging) for row in line]}
        for age, line in zip(ages, grid, strict=True)
    ]
    return {"level": f"{rows[0]['level_id']:.0f}", "tenures": tenures, "lines": lines}


def _cell(row: dict[str, Any] | None, colour: Any, diverging: bool) -> dict[str, Any]:
    if row is None or row["rate"] is None:
        return {"text": "", "background": "#ffffff", "colour": "black", "marked": False}
    background, text = colour(row["rate"])
    value = f"{100 * row['rate']:+.1f}" if diverging else f"{100 * row['rate']:.1f}"
    value = "·" if diverging and value in ("+0.0", "-0.0") else value  # no change: no figure
    return {
        "text": value,
        "background": background,
        "colour": text,
        "marked": bool(row.get("at_bound")),
    }


def _grids(figures: dict[str, Any]) -> list[dict[str, Any]]:
    rows = figures.get("grids") or []
    year = f" ({rows[0]['year']:.0f})" if rows else ""
    return [
        _grid(
            [r for r in rows if r["grid"] == grid],
            f"{title} by age and tenure band, per level{year}",
        )
        for grid, title in GRIDS
        if any(r["grid"] == grid for r in rows)
    ]


def _intake(figures: dict[str, Any]) -> dict[str, Any]:
    """The census intake: rows read, kept in the baseline, left out and why."""
    outcomes = figures.get("intake") or []
    if not outcomes:
        return {}
    from runner import charts

    labels = [row["outcome"] for row in outcomes]
    values = [row["employees"] for row in outcomes]
    read = sum(values)
    kept = sum(row["employees"] for row in outcomes if row["outcome"] == "in the baseline")
    chart = charts.bars(labels, values, "What became of the census rows", "census rows")
    return {
        "read": read,
        "kept": kept,
        "left_out": read - kept,
        "outcomes": outcomes,
        "chart": chart,
    }


def render_page(report: dict[str, Any]) -> str:
    """The HTML page of one setup's report."""
    figures = report.get("figures") or {}
    problems = [
        {**problem, "rows": _first_rows(problem.get("rows"))}
        for problem in report.get("problems") or []
    ]
    return str(
        _environment()
        .get_template(TEMPLATE)
        .render(
            report=report,
            title=report.get("title")
            or TITLES.get(str(report.get("status")), str(report.get("status"))),
            problems=problems,
            warnings=[p for p in problems if p["status"] == "warn"],
            intake=_intake(figures),
            levels=figures.get("levels") or [],
            workforce=_workforce_charts(figures),
            grids=_grids(figures),
            changes=_change_section(report),
        )
    )


def _first_rows(rows: dict[str, Any] | None) -> dict[str, Any] | None:
    if not rows:
        return None
    return {
        "columns": rows.get("columns") or [],
        "rows": (rows.get("rows") or [])[:FIRST_ROWS],
        "more": max(len(rows.get("rows") or []) - FIRST_ROWS, 0),
    }


def unavailable(report: dict[str, Any], error: BaseException) -> str:
    """A page that says why the visual report could not be drawn."""
    import html

    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>PlanWise setup report</title></head><body>"
        f"<h1>PlanWise setup: {html.escape(str(report.get('status')))}</h1>"
        f"<p>The visual report could not be drawn: {html.escape(str(error))}. "
        f"The run's outcome is in {html.escape(str(report.get('command')))}-report.json.</p>"
        "</body></html>"
    )
