"""How dbt's results become the report's nodes and steps: one node per result that
ran, named from its manifest node (nothing is named here: a node's step is its
resource type or a model's first tag, else its folder; a test's category is the
tag not every test carries; stored failures are the test's `relation_name`), and
one step per model step, seeds first, validation last.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from runner.errors import dbt_message

COUNTED = ("pass", "warn", "fail", "error", "skipped")
TESTS = ("test", "unit_test")
NODE_KEYS = ("unique_id", "name", "step", "category", "status", "seconds", "message")
STATUSES = {"success": "pass", "runtime error": "error"}  # dbt's words, the report's
KIND_STEPS = {"seed": "seeds", "test": "validation", "unit_test": "validation"}


def _tags(node: dict[str, Any]) -> list[str]:
    return list(node.get("tags") or (node.get("config") or {}).get("tags") or [])


def _step(node: dict[str, Any]) -> str:
    """A model's step: its first tag, else its top folder."""
    return (_tags(node) or [str((node.get("fqn") or ["", "models"])[1])])[0]


def status_counts(nodes: list[dict[str, Any]]) -> dict[str, int]:
    """How many of the nodes have each counted status."""
    return {key: sum(1 for node in nodes if node["status"] == key) for key in COUNTED}


def counts_word(counts: dict[str, int]) -> str:
    if counts["fail"] or counts["error"]:
        return "fail"
    return "warn" if counts["warn"] else "skipped" if counts["skipped"] else "pass"


def _seconds(nodes: list[dict[str, Any]]) -> float | None:
    times = [t for node in nodes for t in node["timing"] if t.get("started_at")]
    if not times:
        return None
    start = min(datetime.fromisoformat(t["started_at"].replace("Z", "+00:00")) for t in times)
    end = max(datetime.fromisoformat(t["completed_at"].replace("Z", "+00:00")) for t in times)
    return round(max(0.0, (end - start).total_seconds()), 3)


def _category(kind: str, node: dict[str, Any], common: set[str]) -> str | None:
    """A test's category: its first tag that not every test carries."""
    if kind not in TESTS:
        return None
    return next((tag for tag in _tags(node) if tag not in common), "uncategorised")


def _test_facts(node: dict[str, Any], config: dict[str, Any], status: str) -> dict[str, Any]:
    """A test's severity, the model it checks and where its failing rows are stored."""
    stored = node.get("relation_name") if config.get("store_failures") else None
    return {
        "severity": str(config.get("severity") or "").lower() or None,
        "checks": str(node.get("attached_node") or "").split(".")[-1] or None,
        "stored_failures": stored,
        "query": f"select * from {stored}" if stored and status != "error" else None,
    }


def _one_line(text: Any) -> str | None:
    """The text's words on one line; None when it has none."""
    return " ".join(str(text or "").split()) or None


def _node(result: dict[str, Any], node: dict[str, Any], common: set[str]) -> dict[str, Any]:
    """The report's node for one dbt result and its manifest node."""
    unique_id = str(result.get("unique_id"))
    kind = str(node.get("resource_type") or unique_id.split(".")[0])
    config = node.get("config") or {}
    status = STATUSES.get(result["status"], result["status"])
    return {
        "unique_id": unique_id,
        "name": str(node.get("name") or unique_id.split(".")[-1]),
        "resource_type": kind,
        "step": KIND_STEPS.get(kind) or _step(node),
        "category": _category(kind, node, common),
        "status": status,
        "seconds": round(float(result.get("execution_time") or 0), 3),
        "message": "\n".join(dbt_message(result.get("message"))),
        "failures": result.get("failures") if kind != "seed" else None,
        **_test_facts(node, config, status),
        "path": node.get("original_file_path"),
        "description": _one_line(node.get("description")),
        "exit_code": int((config.get("meta") or {}).get("exit_code") or 1),
        "timing": result.get("timing") or [],
    }


def read_nodes(
    run_results: dict[str, Any] | None, manifest: dict[str, Any]
) -> list[dict[str, Any]]:
    """One entry per dbt node that ran (hooks and exposures excluded)."""
    everything = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    tests = [set(_tags(n)) for n in everything.values() if n.get("resource_type") in TESTS]
    common = set.intersection(*tests) if tests else set()
    results = (run_results or {}).get("results") or []
    nodes = [_node(r, everything.get(str(r.get("unique_id")), {}), common) for r in results]
    return [node for node in nodes if node["resource_type"] not in ("operation", "exposure")]


def _planned(manifest: dict[str, Any]) -> dict[str, int]:
    """The nodes of each step in the project (what a whole setup runs)."""
    planned: dict[str, int] = {}
    for node in manifest.get("nodes", {}).values():
        kind = node.get("resource_type")
        if kind in ("seed", "model", "test"):
            name = KIND_STEPS.get(kind) or _step(node)
            planned[name] = planned.get(name, 0) + 1
    return planned


def _step_status(members: list[dict[str, Any]], unfinished: bool) -> str:
    if unfinished:  # the run stopped before the step's last node
        return "interrupted"
    return counts_word(status_counts(members)) if members else "not_run"


def node_steps(
    nodes: list[dict[str, Any]], manifest: dict[str, Any], interrupted: bool
) -> list[dict[str, Any]]:
    """One step per model step (a model's first tag), seeds first, validation last;
    `interrupted`: a step with fewer nodes than the project plans is unfinished."""
    models = [_step(n) for n in manifest.get("nodes", {}).values() if n["resource_type"] == "model"]
    order = ["seeds", *(n["step"] for n in nodes), *sorted(models)]
    planned = _planned(manifest) if interrupted else {}
    steps = []
    for name in dict.fromkeys([*(name for name in order if name != "validation"), "validation"]):
        members = [node for node in nodes if node["step"] == name]
        steps.append(
            {
                "name": name,
                "status": _step_status(members, len(members) < planned.get(name, 0)),
                "nodes": len(members),
                **status_counts(members),
                "seconds": _seconds(members),
                "detail": "",
            }
        )
    return steps
