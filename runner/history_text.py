"""`history` and `diff` in words: one line per run, and what changed between two
runs (runner.history reads and compares them)."""

from __future__ import annotations

from typing import Any

ARROW = "\u2192"


def _value(value: Any) -> str:
    """A value as a person writes it: 0.025, high_growth, a, b; never a Python repr."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return ", ".join(_value(item) for item in value) or "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{key} {_value(item)}" for key, item in value.items()) or "(none)"
    return str(value)


def _census_fact(row: dict[str, Any]) -> list[str]:
    """The census a setup used, with its employees when recorded."""
    if not row.get("census_path"):
        return []
    rows = row.get("census_rows")
    return [f"census {row['census_path']}" + (f" ({rows:,} rows)" if rows else "")]


def _facts(row: dict[str, Any]) -> list[str]:
    """What a history line says of one run after its kind."""
    summary = row.get("change_summary") or {}
    if row.get("kind") == "rollback":
        restored, replaced = summary.get("restored_run"), summary.get("replaced_run")
        return [f"restored run {restored or 'unknown'}, replacing run {replaced or 'unknown'}"]
    scenario = [f"scenario {row['scenario_id']}"] if row.get("scenario_id") else []
    return [str(row.get("status")), *scenario, *_census_fact(row), *_outcome_facts(row)]


def _outcome_facts(row: dict[str, Any]) -> list[str]:
    """How many models a setup built and how many of its tests failed."""
    counts, tests = row.get("row_counts") or {}, row.get("test_counts") or {}
    failing = sum(n for c in tests.values() for s, n in c.items() if s in ("fail", "error"))
    return ([f"{len(counts)} models"] if counts else []) + (
        [f"{failing} failing test(s)"] if failing else []
    )


def history_lines(rows: list[dict[str, Any]]) -> list[str]:
    """One line per run: the live one marked, when, its id, what it was, and its
    headline numbers."""
    if not rows:
        return ["no setup recorded for this database yet"]
    lines = []
    for row in rows:
        mark = "live" if row.get("live") else "    "
        facts = [str(row.get("kind") or "setup"), *_facts(row)]
        lines.append(f"{mark} {row.get('started_at')}  {row.get('run_id')}  " + ", ".join(facts))
    return lines


def _change_lines(label: str, changes: dict[str, list[Any]]) -> list[str]:
    return [
        f"  {label}{name}: {_value(old)} {ARROW} {_value(new)}"
        for name, (old, new) in changes.items()
    ]


def _cell_lines(second: str, changes: dict[str, Any] | None) -> list[str]:
    """The seed cells run `second` changed, against the database it replaced."""
    cells = [
        f"    {name} {cell['key']}: {cell['column']} {_value(cell['old'])} {ARROW} "
        f"{_value(cell['new'])}"
        for name, entry in ((changes or {}).get("relations") or {}).items()
        for cell in entry.get("examples") or []
    ]
    head = f"  seed cells {second} changed (against the database it replaced):"
    return [head, *cells] if cells else []


def diff_lines(result: dict[str, Any]) -> list[str]:
    """The diff in words: inputs first, then what the outputs did."""
    first, second = result["runs"]
    seeds, inputs = result["seeds"], {**result["inputs"], **result["vars"], **result["versions"]}
    lines = [*result.get("notes", []), f"from {first} to {second}:"]
    lines.append(
        f"  seed files changed: {', '.join(seeds)}" if seeds else "  seed files: unchanged"
    )
    lines += _cell_lines(second, result.get("changes_of_second"))
    lines += _change_lines("", inputs)
    if not (seeds or inputs):
        lines.append("  inputs: the same seed files, census, vars and versions")
    outputs = _change_lines("rows of ", result["row_counts"])
    outputs += _change_lines("tests ", result["test_counts"])
    return lines + (outputs or ["  outputs: the same row counts and test results"])
