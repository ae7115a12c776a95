"""`planwise-run history` and `diff`: the setups a database remembers.

Published setups are rows of the database's history table (written by the
project's on-run-end hook into the candidate, so they are published with it);
setups that were not published (failed, refused, dry runs) exist only in their
run directory's report, and are listed beside them. The table is read straight
from the file with the project's own query (runner/ledger.py), or by dbt
(`run-operation planwise_history`) where no query is stored yet; this only
merges, orders and compares. Exactly one row is the live run: the setup whose
build the file holds (the mark moves with a rollback).
"""

from __future__ import annotations

import json
from typing import Any

from runner.config import Settings
from runner.errors import PlanwiseError
from runner.published import moment, published, stamp
from runner.state import state_folder

ARROW = "\u2192"


def _unpublished(settings: Settings) -> list[dict[str, Any]]:
    """The setups of the kept run directories that published nothing, from their reports."""
    rows = []
    for path in sorted(state_folder(settings.db_path, "runs").glob("*-setup/setup-report.json")):
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if report.get("published"):
            continue
        run = report.get("run") or {}
        status = "dry run" if report.get("dry_run") else str(report.get("status"))
        rows.append(
            {
                **run,
                "run_id": run.get("run_id") or (report.get("dbt") or {}).get("invocation_id"),
                "kind": "setup",
                "started_at": run.get("started_at") or report.get("started_at"),
                "published": False,
                "status": f"not published ({status})",
                "report": str(path),
            }
        )
    return rows


def history(settings: Settings, level: str = "none") -> list[dict[str, Any]]:
    """Every recorded setup, newest first: published ones and those that were not."""
    published_rows = published(settings, level)
    known = {row["run_id"] for row in published_rows}
    rows = published_rows + [row for row in _unpublished(settings) if row["run_id"] not in known]
    rows.sort(key=lambda row: moment(row.get("started_at")), reverse=True)
    for row in rows:  # one spelling everywhere, once the order is taken
        row.update({name: stamp(row.get(name)) for name in ("started_at", "finished_at")})
        row.setdefault("live", False)
    return rows


def find(rows: list[dict[str, Any]], wanted: str) -> dict[str, Any]:
    """The run whose id is `wanted` or starts with it."""
    found = [row for row in rows if str(row.get("run_id") or "").startswith(wanted)]
    if len(found) != 1:
        problem = "matches no run" if not found else f"matches {len(found)} runs"
        hint = "pass a longer prefix of a run id from `planwise-run history`"
        raise PlanwiseError(f"run {wanted!r} {problem}", hint)
    return found[0]


def compare(rows: list[dict[str, Any]], wanted_a: str, wanted_b: str) -> dict[str, Any]:
    """`diff` of two runs of `rows`; a rollback stands for the run it restored (it
    has no inputs of its own), and the comparison says so."""
    chosen, notes = [], []
    for wanted in (wanted_a, wanted_b):
        row = find(rows, wanted)
        restored = (row.get("change_summary") or {}).get("restored_run")
        if row.get("kind") == "rollback" and restored:
            notes.append(f"{row['run_id']} is a rollback: compared as the run it restored")
            row = find(rows, str(restored))
        chosen.append(row)
    return {**diff(chosen[0], chosen[1]), "notes": notes}


def _differences(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields both runs have whose values differ (a rollback has no inputs)."""
    names = sorted(set(old) & set(new))
    both = [name for name in names if old[name] is not None and new[name] is not None]
    return {name: [old[name], new[name]] for name in both if old[name] != new[name]}


def _count_differences(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """Counts that differ, a count one run lacks being 0 (both runs counted something)."""
    if not (old and new):
        return {}
    names = sorted(set(old) | set(new))
    return {
        name: [old.get(name, 0), new.get(name, 0)]
        for name in names
        if old.get(name, 0) != new.get(name, 0)
    }


def _flat(counts: dict[str, Any]) -> dict[str, Any]:
    """Nested counts as one level: {'data_quality': {'pass': 11}} -> {'data_quality pass': 11}."""
    flat: dict[str, Any] = {}
    for name, value in counts.items():
        if isinstance(value, dict):
            flat.update({f"{name} {inner}": count for inner, count in _flat(value).items()})
        else:
            flat[name] = value
    return flat


def diff(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """What changed from run `first` to run `second`: the inputs (seed files, census,
    vars, scenario, plan year, versions) and the outputs (row counts, test counts)."""
    scalar = (
        "census_path",
        "census_fingerprint",
        "census_rows",
        "scenario_id",
        "plan_year_start",
        "plan_year_end",
        "target_name",
    )
    versions = ("runner_version", "dbt_version", "engine_version")

    def pick(row: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
        return {name: row.get(name) for name in names}

    def part(row: dict[str, Any], name: str) -> dict[str, Any]:
        return _flat(row.get(name) or {})

    return {
        "runs": [first.get("run_id"), second.get("run_id")],
        "seeds": _differences(part(first, "seed_fingerprints"), part(second, "seed_fingerprints")),
        "inputs": _differences(pick(first, scalar), pick(second, scalar)),
        "vars": _differences(part(first, "vars"), part(second, "vars")),
        "versions": _differences(pick(first, versions), pick(second, versions)),
        "row_counts": _differences(part(first, "row_counts"), part(second, "row_counts")),
        "test_counts": _count_differences(part(first, "test_counts"), part(second, "test_counts")),
        "changes_of_second": second.get("change_summary"),
    }


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
