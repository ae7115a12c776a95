"""The run report: a pure function of dbt's run_results.json and manifest.json,
plus what the runner knows (Context). The README documents its JSON keys.

Nothing is named here: a node's step is its resource type (seeds, validation) or
a model's first tag (else its folder); a test's category is the tag not every
test carries; stored failures are the test's `relation_name`; the main tables
are the `access: public` models. The project's hooks hand over what the
artifacts lack (relations cleared, row counts, undeclared columns, failing rows)
as JSON in a SQL comment, which dbt records as the hook's compiled code.
"""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from runner.changes import change_lines
from runner.errors import dbt_message

COUNTED = ("pass", "warn", "fail", "error", "skipped")
TESTS = ("test", "unit_test")
NODE_KEYS = ("unique_id", "name", "step", "category", "status", "seconds", "message")
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
TITLES = {
    "success": "succeeded",
    "warn": "succeeded with warnings",
    "failed": "FAILED",
    "error": "could not run",
    "interrupted": "interrupted",
    "up_to_date": "up to date",
}
ICONS = {"pass": "✔ok", "success": "✔ok", "up_to_date": "✔ok", "warn": "⚠!!", "skipped": "○--"}
BAD = ("fail", "failed", "error", "interrupted")
JUNIT_TAGS = {"fail": "failure", "error": "error", "skipped": "skipped", "warn": "system-out"}


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


def _tags(node: dict[str, Any]) -> list[str]:
    return list(node.get("tags") or (node.get("config") or {}).get("tags") or [])


def _step(node: dict[str, Any]) -> str:
    """A model's step: its first tag, else its top folder."""
    return (_tags(node) or [str((node.get("fqn") or ["", "models"])[1])])[0]


def _counts(nodes: list[dict[str, Any]]) -> dict[str, int]:
    return {key: sum(1 for node in nodes if node["status"] == key) for key in COUNTED}


def _word(counts: dict[str, int]) -> str:
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


def _node(result: dict[str, Any], node: dict[str, Any], common: set[str]) -> dict[str, Any]:
    unique_id = str(result.get("unique_id"))
    kind = str(node.get("resource_type") or unique_id.split(".")[0])
    config = node.get("config") or {}
    status = {"success": "pass", "runtime error": "error"}.get(result["status"], result["status"])
    stored = node.get("relation_name") if config.get("store_failures") else None
    return {
        "unique_id": unique_id,
        "name": str(node.get("name") or unique_id.split(".")[-1]),
        "resource_type": kind,
        "step": "validation" if kind in TESTS else "seeds" if kind == "seed" else _step(node),
        "category": next((t for t in _tags(node) if t not in common), "uncategorised")
        if kind in TESTS
        else None,
        "status": status,
        "seconds": round(float(result.get("execution_time") or 0), 3),
        "message": "\n".join(dbt_message(result.get("message"))),
        "failures": result.get("failures") if kind != "seed" else None,
        "severity": str(config.get("severity") or "").lower() or None,
        "checks": str(node.get("attached_node") or "").split(".")[-1] or None,
        "stored_failures": stored,
        "query": f"select * from {stored}" if stored and status != "error" else None,
        "path": node.get("original_file_path"),
        "description": " ".join(str(node.get("description") or "").split()) or None,
        "exit_code": int((config.get("meta") or {}).get("exit_code") or 1),
        "timing": result.get("timing") or [],
    }


def _nodes(run_results: dict[str, Any] | None, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per dbt node that ran (hooks and exposures excluded)."""
    everything = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    tests = [set(_tags(n)) for n in everything.values() if n.get("resource_type") in TESTS]
    common = set.intersection(*tests) if tests else set()
    results = (run_results or {}).get("results") or []
    nodes = [_node(r, everything.get(str(r.get("unique_id")), {}), common) for r in results]
    return [node for node in nodes if node["resource_type"] not in ("operation", "exposure")]


def _status(run_results: dict[str, Any] | None, nodes: list[dict[str, Any]]) -> str:
    """A node dbt could not run, a failing on-run-start hook or a failing test whose
    meta.exit_code is 2 make an error; other failing tests a failure (exit 1)."""
    hooks = [r for r in (run_results or {}).get("results") or [] if r.get("status") == "error"]
    hooks = [r for r in hooks if str(r.get("unique_id")).startswith("operation.")]
    failed = [2 if n["status"] == "error" else n["exit_code"] for n in nodes if n["status"] in BAD]
    if any(n["status"] == "skipped" for n in nodes) and not _counts(nodes)["pass"]:
        failed.append(1)  # nothing ran but skips
    if run_results is None or max(failed, default=0) >= 2:
        return "error"
    if any("on-run-end" not in str(r.get("unique_id")) for r in hooks):  # on-run-end only reports
        return "error"
    return "failed" if failed else "warn" if _counts(nodes)["warn"] else "success"


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
    models = [_step(n) for n in manifest.get("nodes", {}).values() if n["resource_type"] == "model"]
    order = ["seeds", *(n["step"] for n in nodes), *sorted(models)]
    for name in dict.fromkeys([*(name for name in order if name != "validation"), "validation"]):
        members = [node for node in nodes if node["step"] == name]
        steps.append(
            {
                "name": name,
                "status": _word(_counts(members)) if members else "not_run",
                "nodes": len(members),
                **_counts(members),
                "seconds": _seconds(members),
                "detail": "",
            }
        )
    return [{**step, **{key: step.get(key, 0) for key in ("nodes", *COUNTED)}} for step in steps]


def build_report(
    run_results: dict[str, Any] | None, manifest: dict[str, Any] | None, ctx: Context
) -> dict[str, Any]:
    """The report of one run; either artifact may be None (dbt did not run)."""
    manifest, metadata = manifest or {}, (run_results or {}).get("metadata") or {}
    nodes, payload = _nodes(run_results, manifest), hook_payload(run_results)
    cleared = [f"{r['schema']}.{r['name']}" for r in payload.get("cleared") or []]
    ran_clear = "cleared" in payload
    status = ctx.status or _status(run_results, nodes)
    categories = {}
    for name in sorted({str(n["category"]) for n in nodes if n["category"]}):
        members = [node for node in nodes if node["category"] == name]
        categories[name] = {"name": name, "tests": len(members), **_counts(members)}
    rank = {"error": 0, "fail": 1, "warn": 2}
    bad = [n for n in nodes if n["status"] in rank]
    bad.sort(key=lambda n: (rank[n["status"]], n["name"]))
    rows = payload.get("failing_rows") or {}
    row_counts = {str(k): int(v) for k, v in (payload.get("row_counts") or {}).items()}
    public = {n["name"] for n in manifest.get("nodes", {}).values() if n.get("access") == "public"}
    census_rows, elapsed = payload.get("census_rows"), ctx.elapsed_seconds
    hooks = [r for r in (run_results or {}).get("results") or [] if r.get("status") == "error"]
    hook_errors = [r for r in hooks if str(r.get("unique_id")).startswith("operation.")]
    return {
        "schema_version": 1,
        "command": ctx.command,
        "status": status,
        "exit_code": EXIT_CODES.get(status, 2) if ctx.exit_code is None else ctx.exit_code,
        "started_at": ctx.started_at,
        "elapsed_seconds": None if elapsed is None else round(elapsed, 3),
        "dbt_seconds": None if ctx.dbt_seconds is None else round(ctx.dbt_seconds, 3),
        "dbt_parse": ctx.dbt_parse,
        "copy_seconds": None if ctx.copy_seconds is None else round(ctx.copy_seconds, 3),
        "database": ctx.database,
        "published": ctx.published,
        "dry_run": ctx.dry_run,
        "kept_candidate": ctx.kept_candidate,
        "dbt": {
            "version": metadata.get("dbt_version"),
            "invocation_id": metadata.get("invocation_id"),
            "run_dir": ctx.run_dir,
        },
        "totals": {"nodes": len(nodes), **_counts(nodes)},
        "steps": _steps(ctx, nodes, manifest, cleared if ran_clear else None),
        "categories": list(categories.values()),
        "problems": [
            {**{k: n.get(k) for k in PROBLEM_KEYS}, "rows": rows.get(n["unique_id"])} for n in bad
        ],
        "row_counts": row_counts,
        "main_tables": sorted(name for name in row_counts if name in public),
        "census": {
            "path": ctx.inputs.get("census_path"),
            "rows": census_rows,
            "origin": ctx.inputs.get("census_origin"),
            "change": ctx.census_change,
            "seconds": None if elapsed is None else round(elapsed, 3),
            "rows_per_second": round(census_rows / elapsed, 1) if census_rows and elapsed else None,
        },
        "messages": [
            *("\n".join(dbt_message(r.get("message"))) for r in hook_errors),
            *ctx.messages,
            *ctx.preflight_problems,
        ],
        "undeclared_columns": payload.get("undeclared_columns") or {},
        "changes": payload.get("changes"),
        "figures": payload.get("figures") or {},
        "run": payload.get("run"),
        "inputs": ctx.inputs,
        "cleared": cleared,
        "nodes": [{key: node[key] for key in NODE_KEYS} for node in nodes],
    }


# --------------------------------------------------------------------------- text


def _icon(status: str, unicode: bool) -> str:
    pair = ICONS.get(status, "✖XX" if status in BAD else "·  ")
    return pair[0] if unicode else pair[1:]


def _row(
    icon: str, name: str, cells: list[Any], seconds: float | None = None, wide: int = 15
) -> str:
    time = "" if seconds is None else f"{seconds:.1f}s"
    return f"{icon} {name:<{wide}}" + "".join(f"{cell:>6}" for cell in cells) + f"{time:>9}"


def _table(report: dict[str, Any], unicode: bool) -> list[str]:
    lines = ["", _row(" ", "step", ["nodes", "pass", "warn", "fail", "skip"])]
    for step in report["steps"]:
        icon = _icon(step["status"], unicode)
        if step["name"] in ("pre-flight", "clear"):
            detail = step["detail"] or ("ok" if step["status"] == "pass" else step["status"])
            lines.append(_row(icon, f"{step['name']:<15}{detail[:30]:<30}", [], step["seconds"]))
            continue
        cells = [step[k] for k in ("nodes", "pass", "warn")]
        cells += [step["fail"] + step["error"], step["skipped"]]
        lines.append(_row(icon, step["name"], cells, step["seconds"]))
    heads = ["tests", "pass", "warn", "fail", "skip"]
    lines += ["", _row(" ", "validation category", heads, wide=27)]
    for category in report["categories"]:
        cells = [category[k] for k in ("tests", "pass", "warn")]
        cells += [category["fail"] + category["error"], category["skipped"]]
        lines.append(_row(_icon(_word(category), unicode), category["name"], cells, wide=27))
    return lines if report["categories"] else lines[:-2]


def _problem(problem: dict[str, Any], unicode: bool) -> list[str]:
    lines = [f"{_icon(problem['status'], unicode)} {problem['status'].upper()} {problem['name']}"]
    facts = [problem["resource_type"], problem["path"] or ""]
    if problem["resource_type"] in TESTS:
        failures = problem["failures"]
        facts = [
            "" if failures is None else f"{failures:,} failing row(s)",
            f"severity {problem['severity'] or 'error'}",
            str(problem["category"]),
        ]
        facts += [f"checks {problem['checks']}"] if problem["checks"] else []
    lines.append("    " + ", ".join(fact for fact in facts if fact))
    if problem["description"] and problem["resource_type"] != "seed":  # what it checks
        lines.append("    " + problem["description"].split(". ")[0].rstrip(".") + ".")
    rows = problem["rows"] or {"rows": [], "columns": []}
    for row in rows["rows"][:5]:
        pairs = zip(rows["columns"], row, strict=False)
        lines.append("    | " + ", ".join(f"{column}={value}" for column, value in pairs))
    if len(rows["rows"]) > 5:
        more = f"{len(rows['rows']) - 5}{'+' if len(rows['rows']) == 100 else ''}"
        lines.append(f"    | ... {more} more")
    lines += [f"    all rows: {problem['query']}"] if problem["query"] else []
    shown = problem["query"] or rows["rows"]  # then dbt's "Got N results" adds nothing
    if problem["message"] and (problem["status"] == "error" or not shown):
        lines += ["    " + line for line in problem["message"].splitlines()[:21]]
    return lines


def cleared_line(cleared: list[str]) -> str:
    """`schema: name, name` per schema; a schema of many relations as a count."""
    by_schema: dict[str, list[str]] = {}
    for schema, _, name in (qualified.partition(".") for qualified in cleared):
        by_schema.setdefault(schema, []).append(name)
    parts = [
        f"{schema}: {', '.join(names) if len(names) <= 5 else f'{len(names)} relations'}"
        for schema, names in by_schema.items()
    ]
    return "Cleared before the build: " + "; ".join(parts)


def _head(report: dict[str, Any], unicode: bool) -> list[str]:
    total = "" if report["elapsed_seconds"] is None else f"{report['elapsed_seconds']:.1f}s"
    word = TITLES.get(report["status"], report["status"])
    if report["status"] == "error" and report["totals"]["nodes"]:  # dbt ran, no publish
        word = "not published"
    state = "published" if report["published"] else "NOT published (live database unchanged)"
    state = "dry run: not published" if report["dry_run"] else state
    state = "unchanged" if report["status"] == "up_to_date" else state
    lines = [f"{_icon(report['status'], unicode)} PlanWise {report['command']}: {word}  {total}"]
    lines += [f"database: {report['database']}" + (f"  [{state}]" * (report["command"] == "setup"))]
    inputs = report["inputs"]
    if inputs:
        plan_year = f"{inputs.get('plan_year_start_date')}..{inputs.get('plan_year_end_date')}"
        lines += [f"scenario: {inputs.get('scenario_id')}  plan year: {plan_year}"]
        origin = inputs.get("census_origin")
        named = origin in (None, "named")
        lines += [f"census: {inputs.get('census_path')}" + ("" if named else f"  ({origin})")]
    change = report["census"].get("change")
    lines += [f"{_icon('warn', unicode)} {change}"] if change else []
    kept = report["kept_candidate"]
    return lines + ([f"failed candidate kept: {kept}"] if kept else [])


def _tail(report: dict[str, Any]) -> list[str]:
    """Main tables, census throughput, what clearing dropped, undeclared columns."""
    cells = [f"{name} {report['row_counts'][name]:,}" for name in report["main_tables"]]
    lines = ["", "Main tables (rows): " + "; ".join(cells)] if cells else []
    census = report["census"]
    if census["rows_per_second"] and report["status"] in ("success", "warn"):
        rate = f"{round(census['rows_per_second']):,} rows/s end to end"
        whole = f"({census['seconds']:.1f}s for the whole setup)"
        lines += ["", f"Census: {census['rows']:,} employees, {rate} {whole}"]
    lines += ["", cleared_line(report["cleared"])] if report["cleared"] else []
    for model, columns in report["undeclared_columns"].items():
        note = "carries columns its contract does not declare"
        lines += ["", f"{model} {note}: {', '.join(columns)}"]
    return lines


def _wrap(line: str, width: int | None) -> list[str]:
    """`line` wrapped to `width`, continuation lines indented two more; a word longer
    than the width (a path, a query's relation) stays whole, a command ("$ ...") is
    not wrapped at all: both are meant to be copied."""
    if line.startswith("$ "):
        return [line]
    indent = " " * (len(line) - len(line.lstrip(" |")))
    wrapped = textwrap.wrap(
        line,
        width or len(line) + 1,
        subsequent_indent=indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    return wrapped or [""]


def render_text(
    report: dict[str, Any],
    width: int | None = 80,
    unicode: bool = True,
    paths: list[str] | None = None,
    quiet: bool = False,
) -> str:
    """The summary; lines wrapped to `width` (at least 60; None: not wrapped). `quiet`:
    the title, problems, messages and what clearing dropped."""
    head = _head(report, unicode)
    if quiet:
        problems = [
            f"{p['status'].upper()} {p['name']}: {p['message']}" for p in report["problems"]
        ]
        cleared = [cleared_line(report["cleared"])] if report["cleared"] else []
        lines = [head[0], *problems, *report["messages"], *cleared]
    else:
        ran = report["totals"]["nodes"] or report["status"] not in ("error", "up_to_date")
        lines = head + (_table(report, unicode) if ran else [])
        if report["problems"]:
            lines += ["", f"Problems ({len(report['problems'])}):"]
            lines += [line for problem in report["problems"] for line in _problem(problem, unicode)]
        lines += _tail(report) + change_lines(report.get("changes"), unicode)
        if report["status"] == "up_to_date":
            lines += ["", "Nothing changed since the last successful setup; nothing was run."]
        lines += ["", *report["messages"]] if report["messages"] else []
        lines += ["", *(f"report: {path}" for path in paths)] if paths else []
    parts = [part for line in lines for part in line.split("\n")]
    width = max(60, width) if width else None
    return "\n".join(w.rstrip() for part in parts for w in _wrap(part, width)) + "\n"


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, default=str) + "\n"


def render_junit(report: dict[str, Any]) -> str:
    """JUnit XML: one testsuite per step (validation: per category), one testcase per
    node; fail -> failure, error -> error, skipped -> skipped, warn -> system-out."""
    root = ET.Element("testsuites", name=f"planwise-{report['command']}")
    if report["cleared"]:
        properties = ET.SubElement(ET.SubElement(root, "testsuite", name="clear"), "properties")
        for relation in report["cleared"]:
            ET.SubElement(properties, "property", name="dropped", value=relation)
    queries = {p["unique_id"]: p["query"] for p in report["problems"] if p["query"]}
    suites: dict[str, ET.Element] = {}
    for node in report["nodes"]:
        name = f"validation.{node['category']}" if node["category"] else node["step"]
        if name not in suites:
            suites[name] = ET.SubElement(root, "testsuite", name=name)
        case = ET.SubElement(
            suites[name],
            "testcase",
            name=node["name"],
            classname=f"planwise.{name}",
            time=f"{node['seconds']:.3f}",
        )
        query, tag = queries.get(node["unique_id"]), JUNIT_TAGS.get(node["status"])
        if tag:
            text = node["message"] + (f"\nInspect the rows: {query}" if query else "")
            ET.SubElement(case, tag, message=node["message"] or node["status"]).text = text
    if not report["nodes"] and report["status"] in ("error", "interrupted"):
        suite = ET.SubElement(root, "testsuite", name="run")
        case = ET.SubElement(suite, "testcase", name=f"planwise-{report['command']}")
        message = "; ".join(report["messages"]) or report["status"]
        ET.SubElement(case, "error", message=message, type=report["status"]).text = message
    for suite in (suite for suite in root.findall("testsuite") if suite.get("name") != "clear"):
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        for tag, key in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            suite.set(key, str(sum(1 for case in cases if case.find(tag) is not None)))
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(suite.get(key, "0")) for suite in root)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
