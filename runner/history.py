"""`planwise-run history` and `diff`: the setups a database remembers.

Published setups are rows of the database's history table (written by the
project's on-run-end hook into the candidate, so they are published with it);
setups that were not published (failed, refused, dry runs) exist only in their
run directory's report, and are listed beside them. dbt reads the table
(`run-operation planwise_history`); this only merges, orders and compares.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from runner.config import Settings
from runner.errors import PlanwiseError
from runner.invoke import run_dbt
from runner.locking import probe_database as probe
from runner.locking import setup_lock
from runner.state import state_folder

JSON_FIELDS = ("vars", "seed_fingerprints", "test_counts", "row_counts", "change_summary")
MARK = '{"planwise_history":'


def _published(settings: Settings, level: str) -> list[dict[str, Any]]:
    """The history table's rows, read by dbt under the setup lock (a running setup
    attaches the live file to compare with it)."""
    live = settings.db_path
    if not live.exists():
        return []
    with (
        setup_lock(live, settings.knobs["lock_timeout_seconds"]),
        tempfile.TemporaryDirectory(prefix="planwise-history-") as tmp,
    ):
        probe(live)
        command = ["run-operation", "planwise_history"]
        invocation = run_dbt(
            settings, command, db_path=live, run_dir=Path(tmp), console_level=level
        )
    if invocation.interrupted:
        raise KeyboardInterrupt
    found = [line for line in invocation.messages if line.startswith(MARK)]
    if not invocation.success or not found:
        raise PlanwiseError(f"cannot read the history: {invocation.error_summary()}")
    rows: list[dict[str, Any]] = json.loads(found[-1])["planwise_history"]
    for row in rows:
        row.update({name: json.loads(row[name]) for name in JSON_FIELDS if row.get(name)})
        row.update(published=True, status="published")
    return rows


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
    published = _published(settings, level)
    known = {row["run_id"] for row in published}
    rows = published + [row for row in _unpublished(settings) if row["run_id"] not in known]
    for row in rows:  # one spelling: the table's timestamps and the reports' ISO text
        with contextlib.suppress(TypeError, ValueError):
            row["started_at"] = datetime.fromisoformat(row["started_at"]).isoformat()
    return sorted(rows, key=lambda row: str(row.get("started_at") or ""), reverse=True)


def find(rows: list[dict[str, Any]], wanted: str) -> dict[str, Any]:
    """The run whose id is `wanted` or starts with it."""
    found = [row for row in rows if str(row.get("run_id") or "").startswith(wanted)]
    if len(found) != 1:
        problem = "matches no run" if not found else f"matches {len(found)} runs"
        hint = "pass a longer prefix of a run id from `planwise-run history`"
        raise PlanwiseError(f"run {wanted!r} {problem}", hint)
    return found[0]


def _differences(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    names = sorted(set(old) | set(new))
    return {
        name: [old.get(name), new.get(name)] for name in names if old.get(name) != new.get(name)
    }


def diff(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """What changed from run `first` to run `second`: the inputs (seed files, census,
    vars, scenario, plan year, versions) and the outputs (row counts, test counts)."""
    scalar = (
        "census_fingerprint",
        "scenario_id",
        "plan_year_start",
        "plan_year_end",
        "target_name",
    )
    versions = ("runner_version", "dbt_version", "engine_version")
    old_rows, new_rows = first.get("row_counts") or {}, second.get("row_counts") or {}
    return {
        "runs": [first.get("run_id"), second.get("run_id")],
        "seeds": _differences(
            first.get("seed_fingerprints") or {}, second.get("seed_fingerprints") or {}
        ),
        "inputs": _differences(
            {k: first.get(k) for k in scalar}, {k: second.get(k) for k in scalar}
        ),
        "vars": _differences(first.get("vars") or {}, second.get("vars") or {}),
        "versions": _differences(
            {k: first.get(k) for k in versions}, {k: second.get(k) for k in versions}
        ),
        "row_counts": _differences(old_rows, new_rows),
        "test_counts": _differences(
            first.get("test_counts") or {}, second.get("test_counts") or {}
        ),
        "changes_of_second": second.get("change_summary"),
    }


def history_lines(rows: list[dict[str, Any]]) -> list[str]:
    """One line per run: when, its id, what it was, and its headline numbers."""
    if not rows:
        return ["no setup recorded for this database yet"]
    lines = []
    for row in rows:
        counts = row.get("row_counts") or {}
        tests = row.get("test_counts") or {}
        failing = sum(n for c in tests.values() for s, n in c.items() if s in ("fail", "error"))
        facts = [f"{row.get('kind') or 'setup'}", str(row.get("status"))]
        if row.get("kind") == "rollback":  # what it put aside
            replaced = (row.get("change_summary") or {}).get("replaced")
            facts[1] = f"the database it replaced is now {replaced}" if replaced else facts[1]
        if row.get("scenario_id"):
            facts.append(f"scenario {row['scenario_id']}")
        if counts:
            facts.append(f"{len(counts)} models")
        facts += [f"{failing} failing test(s)"] if failing else []
        lines.append(f"{row.get('started_at')}  {row.get('run_id')}  " + ", ".join(facts))
    return lines


def diff_lines(result: dict[str, Any]) -> list[str]:
    """The diff in words: inputs first, then what the outputs did."""
    first, second = result["runs"]
    lines = [f"from {first} to {second}:"]
    seeds = result["seeds"]
    lines.append(
        f"  seed files changed: {', '.join(seeds)}" if seeds else "  seed files: unchanged"
    )
    for name, (old, new) in {**result["inputs"], **result["vars"], **result["versions"]}.items():
        lines.append(f"  {name}: {old} -> {new}")
    if not (seeds or result["inputs"] or result["vars"] or result["versions"]):
        lines.append("  inputs: the same seed files, census, vars and versions")
    for name, (old, new) in result["row_counts"].items():
        lines.append(f"  rows of {name}: {old} -> {new}")
    for category, (old, new) in result["test_counts"].items():
        lines.append(f"  tests {category}: {old} -> {new}")
    if not (result["row_counts"] or result["test_counts"]):
        lines.append("  outputs: the same row counts and test results")
    return lines
