"""The run report: a pure function of dbt's run_results.json and manifest.json,
plus what the runner knows (Context); the README documents its JSON keys. The
main tables are the `access: public` models, and the project's hooks hand over
what the artifacts lack (relations cleared, row counts, undeclared columns,
failing rows) as JSON in a SQL comment, which dbt records as the hook's compiled
code; runner.report_nodes makes the nodes and steps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from runner.errors import dbt_message
from runner.report_nodes import COUNTED, NODE_KEYS, node_steps, read_nodes, status_counts

PROBLEM_KEYS = (
    "unique_id",
    "name",
    "resource_type",
    "status",
    "severity",
    "category",
    "failures",
    "checks",
    "stored_failures",
    "query",
    "message",
    "path",
    "description",
    "rows",
)
EXIT_CODES = {"success": 0, "warn": 0, "up_to_date": 0, "failed": 1, "error": 2, "interrupted": 130}
BAD = ("fail", "failed", "error", "interrupted")


@dataclass
class Context:
    """What the runner knows beyond dbt's artifacts."""

    command: str = "setup"
    database: str = ""
    started_at: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    preflight_problems: list[str] = field(default_factory=list)
    preflight_seconds: float | None = None
    clear_note: str = ""  # why clearing did not run, e.g. "--no-clear"
    published: bool = False
    dry_run: bool = False
    kept_candidate: str | None = None
    run_dir: str | None = None
    dbt_seconds: float | None = None
    dbt_parse: dict[str, Any] = field(default_factory=dict)  # how dbt parsed: partial or full
    copy_seconds: float | None = None  # the candidate copy of the live database
    elapsed_seconds: float | None = None
    messages: list[str] = field(default_factory=list)
    census_change: str | None = None  # this census is not the one the live database holds
    status: str | None = None  # decided by the runner (error, interrupted, up_to_date)
    exit_code: int | None = None


def hook_payload(run_results: dict[str, Any] | None) -> dict[str, Any]:
    """The JSON documents the project's hooks left as their compiled SQL comment."""
    payload: dict[str, Any] = {}
    for result in (run_results or {}).get("results") or []:
        code = str(result.get("compiled_code") or "").strip()
        if str(result.get("unique_id")).startswith("operation.") and code.startswith("/*"):
            try:
                payload.update(json.loads(code[2 : code.index("*/")]))
            except ValueError:
                continue
    return payload


def _failing_codes(nodes: list[dict[str, Any]]) -> list[int]:
    """The exit code each failing node asks for (an error: 2, a failing test: its
    meta.exit_code), and 1 when nothing ran but skips."""
    codes = [2 if n["status"] == "error" else n["exit_code"] for n in nodes if n["status"] in BAD]
    if any(n["status"] == "skipped" for n in nodes) and not status_counts(nodes)["pass"]:
        codes.append(1)  # nothing ran but skips
    return codes


def _failed_hooks(run_results: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The results of the hooks that failed."""
    failed = [r for r in (run_results or {}).get("results") or [] if r.get("status") == "error"]
    return [r for r in failed if str(r.get("unique_id")).startswith("operation.")]


def _status(run_results: dict[str, Any] | None, nodes: list[dict[str, Any]]) -> str:
    """A node dbt could not run, a failing on-run-start hook or a failing test whose
    meta.exit_code is 2 make an error; other failing tests a failure (exit 1)."""
    codes = _failing_codes(nodes)
    if run_results is None or max(codes, default=0) >= 2:
        return "error"
    hooks = _failed_hooks(run_results)
    if any("on-run-end" not in str(r.get("unique_id")) for r in hooks):  # on-run-end only reports
        return "error"
    if codes:
        return "failed"
    return "warn" if status_counts(nodes)["warn"] else "success"


def _steps(
    ctx: Context, nodes: list[dict[str, Any]], manifest: dict[str, Any], cleared: list[str] | None
) -> list[dict[str, Any]]:
    """Pre-flight, clear, then one step per model step, seeds first, validation last."""
    preflight = "pass" if ctx.preflight_seconds is not None else "not_run"
    preflight = "fail" if ctx.preflight_problems else preflight
    clear = f"skipped ({ctx.clear_note})" if ctx.clear_note else "not run"
    steps: list[dict[str, Any]] = [
        {
            "name": "pre-flight",
            "status": preflight,
            "seconds": ctx.preflight_seconds,
            "detail": f"{len(ctx.preflight_problems)} problem(s)" if ctx.preflight_problems else "",
        },
        {
            "name": "clear",
            "status": "not_run" if cleared is None else "pass",
            "seconds": None,
            "nodes": len(cleared or []),
            "detail": clear if cleared is None else f"{len(cleared)} relation(s) dropped",
        },
    ]
    steps += node_steps(nodes, manifest, interrupted=ctx.status == "interrupted")
    return [{**step, **{key: step.get(key, 0) for key in ("nodes", *COUNTED)}} for step in steps]


@dataclass(frozen=True)
class Record:
    """One dbt invocation's artifacts, read once: every decision about the run
    (refuse, publish, the failing rows' hint) and its report read this."""

    run_results: dict[str, Any] | None
    manifest: dict[str, Any]
    nodes: list[dict[str, Any]]
    payload: dict[str, Any]

    @property
    def status(self) -> str:
        """The run's status as dbt's results give it (the runner may decide another)."""
        return _status(self.run_results, self.nodes)

    @property
    def problems(self) -> list[dict[str, Any]]:
        """Errors, then failures, then warnings, each with its failing rows."""
        rank = {"error": 0, "fail": 1, "warn": 2}
        bad = sorted(
            (n for n in self.nodes if n["status"] in rank),
            key=lambda n: (rank[n["status"]], n["name"]),
        )
        rows = self.payload.get("failing_rows") or {}
        keys = [key for key in PROBLEM_KEYS if key != "rows"]
        return [{**{k: n.get(k) for k in keys}, "rows": rows.get(n["unique_id"])} for n in bad]


def read_record(run_results: dict[str, Any] | None, manifest: dict[str, Any] | None) -> Record:
    """The record of one invocation; either artifact may be None (dbt did not run)."""
    manifest = manifest or {}
    nodes = read_nodes(run_results, manifest)
    return Record(run_results, manifest, nodes, hook_payload(run_results))


def build_report(
    run_results: dict[str, Any] | None, manifest: dict[str, Any] | None, ctx: Context
) -> dict[str, Any]:
    """The report of one run; either artifact may be None (dbt did not run)."""
    return report_of(read_record(run_results, manifest), ctx)


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


def _categories(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    categories = []
    for name in sorted({str(n["category"]) for n in nodes if n["category"]}):
        members = [node for node in nodes if node["category"] == name]
        categories.append({"name": name, "tests": len(members), **status_counts(members)})
    return categories


def _census(ctx: Context, payload: dict[str, Any]) -> dict[str, Any]:
    rows, elapsed = payload.get("census_rows"), ctx.elapsed_seconds
    return {
        "path": ctx.inputs.get("census_path"),
        "rows": rows,
        "origin": ctx.inputs.get("census_origin"),
        "change": ctx.census_change,
        "seconds": _rounded(elapsed),
        "rows_per_second": round(rows / elapsed, 1) if rows and elapsed else None,
    }


def _hook_errors(run_results: dict[str, Any] | None) -> list[str]:
    """dbt's message of each hook that failed."""
    return ["\n".join(dbt_message(r.get("message"))) for r in _failed_hooks(run_results)]


def _cleared(payload: dict[str, Any]) -> list[str] | None:
    """The relations the on-run-start hook dropped; None when it did not clear."""
    if "cleared" not in payload:
        return None
    return [f"{r['schema']}.{r['name']}" for r in payload["cleared"] or []]


def _dbt_facts(record: Record, ctx: Context) -> dict[str, Any]:
    metadata = (record.run_results or {}).get("metadata") or {}
    return {
        "version": metadata.get("dbt_version"),
        "invocation_id": metadata.get("invocation_id"),
        "run_dir": ctx.run_dir,
    }


def _exit_code(status: str, ctx: Context) -> int:
    """The runner's own exit code (a lock: 3), else the status's."""
    return EXIT_CODES.get(status, 2) if ctx.exit_code is None else ctx.exit_code


def _main_tables(row_counts: dict[str, int], manifest: dict[str, Any]) -> list[str]:
    """The built `access: public` models: what the simulation reads."""
    public = {n["name"] for n in manifest.get("nodes", {}).values() if n.get("access") == "public"}
    return sorted(name for name in row_counts if name in public)


def _messages(record: Record, ctx: Context) -> list[str]:
    """The failed hooks' messages, then the runner's, then pre-flight's problems."""
    return [*_hook_errors(record.run_results), *ctx.messages, *ctx.preflight_problems]


def report_of(record: Record, ctx: Context) -> dict[str, Any]:
    """The report of one run, from its invocation's record and the runner's context."""
    nodes, payload, manifest = record.nodes, record.payload, record.manifest
    cleared = _cleared(payload)
    status = ctx.status or record.status
    row_counts = {str(k): int(v) for k, v in (payload.get("row_counts") or {}).items()}
    return {
        "schema_version": 1,
        "command": ctx.command,
        "status": status,
        "exit_code": _exit_code(status, ctx),
        "started_at": ctx.started_at,
        "elapsed_seconds": _rounded(ctx.elapsed_seconds),
        "dbt_seconds": _rounded(ctx.dbt_seconds),
        "dbt_parse": ctx.dbt_parse,
        "copy_seconds": _rounded(ctx.copy_seconds),
        "database": ctx.database,
        "published": ctx.published,
        "dry_run": ctx.dry_run,
        "kept_candidate": ctx.kept_candidate,
        "dbt": _dbt_facts(record, ctx),
        "totals": {"nodes": len(nodes), **status_counts(nodes)},
        "steps": _steps(ctx, nodes, manifest, cleared),
        "categories": _categories(nodes),
        "problems": record.problems,
        "row_counts": row_counts,
        "main_tables": _main_tables(row_counts, manifest),
        "census": _census(ctx, payload),
        "messages": _messages(record, ctx),
        "undeclared_columns": payload.get("undeclared_columns") or {},
        "changes": payload.get("changes"),
        "figures": payload.get("figures") or {},
        "run": payload.get("run"),
        "inputs": ctx.inputs,
        "cleared": cleared or [],
        "nodes": [{key: node[key] for key in NODE_KEYS} for node in nodes],
    }
