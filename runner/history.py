"""`planwise-run history` and `diff`: the setups a database remembers.

Published setups are rows of the database's history table (written by the
project's on-run-end hook into the candidate, so they are published with it);
setups that were not published (failed, refused, dry runs) exist only in their
run directory's report, and are listed beside them. The table is read straight
from the file with the project's own query (runner/ledger.py), or by dbt
where no query is stored yet (the macro planwise_history, runner.dbt_value);
this only merges, orders and compares. Exactly one row is the live run: the
setup whose build the file holds (the mark moves with a rollback).
"""

from __future__ import annotations

import json
from typing import Any

from runner.config import Settings
from runner.errors import PlanwiseError
from runner.published import moment, published, stamp
from runner.state import state_folder


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
