"""The run report: a pure function of dbt's run_results.json and manifest.json.

Everything comes from the project, nothing is named here: a node's step is its
resource type (seeds, validation) or, for models, its first tag (else its
folder); a test's category is its tag that not every test carries; stored
failures are the test's `relation_name`; the main tables are the models with
`access: public`. The project's hooks hand over what the artifacts lack (the
relations cleared, row counts, undeclared columns) as a JSON document in a
SQL comment, which dbt records as the hook's compiled code in run_results.json.

JSON (schema_version 1; keys are only added): schema_version, command, status
(success | warn | failed | up_to_date | error | interrupted), exit_code,
started_at, elapsed_seconds, dbt_seconds, database, published, kept_candidate,
dbt {version, invocation_id, run_dir}, totals {nodes, pass, warn, fail, error,
skipped}, steps [{name, status, nodes, pass, warn, fail, error, skipped,
seconds, detail}], categories [{name, tests, pass, warn, fail, error,
skipped}], problems [{unique_id, name, resource_type, status, severity,
category, failures, checks, stored_failures, query, message, path}],
row_counts {model: rows}, main_tables [model], census {path, rows, seconds,
rows_per_second}, messages [str], undeclared_columns {model: [column]},
inputs {...}, cleared [schema.name], nodes [{unique_id, name, step, category,
status, seconds, message}].
"""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from runner.errors import dbt_message

COUNTED = ("pass", "warn", "fail", "error", "skipped")
HEADS = ("pass", "warn", "fail", "skip")
NODE_KEYS = ("unique_id", "name", "step", "category", "status", "seconds", "message")
EXIT_CODES = {"success": 0, "warn": 0, "up_to_date": 0, "failed": 1, "error": 2, "interrupted": 130}
TITLES = {
    "success": "succeeded",
    "warn": "succeeded with warnings",
    "failed": "FAILED",
    "error": "could not run",
    "interrupted": "interrupted",
    "up_to_date": "up to date (nothing changed)",
}
ICONS = {"pass": "✔ok", "success": "✔ok", "up_to_date": "✔ok", "warn": "⚠!!", "skipped": "○--"}


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
    kept_candidate: str | None = None
    run_dir: str | None = None
    dbt_seconds: float | None = None
    elapsed_seconds: float | None = None
    messages: list[str] = field(default_factory=list)
    status: str | None = None  # decided by the runner (error, interrupted, up_to_date)
    exit_code: int | None = None


def _status(result: dict[str, Any]) -> str:
    status = str(result.get("status"))
    return {"success": "pass", "runtime error": "error"}.get(status, status)


def hook_payload(run_results: dict[str, Any] | None) -> dict[str, Any]:
    """The JSON documents the project's hooks left as their compiled SQL comment."""
    payload: dict[str, Any] = {}
    for result in (run_results or {}).get("results") or []:
        code = str(result.get("compiled_code") or "").strip()
        if str(result.get("unique_id")).startswith("operation.") and code.startswith("/*"):
            try:
                payload.update(json.loads(code[2:-2]))
            except ValueError:
                continue
    return payload


def _seconds(results: list[dict[str, Any]]) -> float | None:
    times = [t for r in results for t in r.get("timing") or [] if t.get("started_at")]
    if not times:
        return None
    start = min(datetime.fromisoformat(t["started_at"].replace("Z", "+00:00")) for t in times)
    end = max(datetime.fromisoformat(t["completed_at"].replace("Z", "+00:00")) for t in times)
    return round(max(0.0, (end - start).total_seconds()), 3)


def _counts(statuses: list[str]) -> dict[str, int]:
    return {key: statuses.count(key) for key in COUNTED}


def _word(counts: dict[str, int]) -> str:
    if counts["fail"] or counts["error"]:
        return "fail"
    if counts["warn"]:
        return "warn"
    return "skipped" if counts["skipped"] else "pass"


def _message(text: Any) -> str:
    """dbt's message, one line per line, without the heading the report shows already."""
    return "\n".join(dbt_message(text))


def _step(node: dict[str, Any]) -> str:
    """A model's step: its first tag, else its top folder."""
    tags = _tags(node)
    return tags[0] if tags else str((node.get("fqn") or ["", "models"])[1])


def _tags(node: dict[str, Any]) -> list[str]:
    return list(node.get("tags") or (node.get("config") or {}).get("tags") or [])


def _nodes(run_results: dict[str, Any] | None, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per dbt node that ran (hooks excluded), with its step and category."""
    everything = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    tests = [
        _tags(n) for n in everything.values() if n.get("resource_type") in ("test", "unit_test")
    ]
    common = set.intersection(*map(set, tests)) if tests else set()
    nodes = []
    for result in (run_results or {}).get("results") or []:
        unique_id = str(result.get("unique_id"))
        node = everything.get(unique_id, {})
        kind = str(node.get("resource_type") or unique_id.split(".")[0])
        if kind in ("operation", "exposure"):
            continue
        tags = _tags(node)
        category = None
        if kind in ("test", "unit_test"):
            step = "validation"
            category = next((tag for tag in tags if tag not in common), "uncategorised")
        else:
            step = "seeds" if kind == "seed" else _step(node)
        config = node.get("config") or {}
        stored = node.get("relation_name") if config.get("store_failures") else None
        nodes.append(
            {
                "unique_id": unique_id,
                "name": str(node.get("name") or unique_id.split(".")[-1]),
                "resource_type": kind,
                "step": step,
                "category": category,
                "status": _status(result),
                "seconds": round(float(result.get("execution_time") or 0), 3),
                "message": _message(result.get("message")),
                "failures": result.get("failures") if kind != "seed" else None,
                "severity": str(config.get("severity") or "").lower() or None,
                "checks": str(node.get("attached_node") or "").split(".")[-1] or None,
                "stored_failures": stored,
                "path": node.get("original_file_path"),
                "description": " ".join(str(node.get("description") or "").split()) or None,
                "exit_code": int((config.get("meta") or {}).get("exit_code") or 1),
                "timing": result.get("timing") or [],
            }
        )
    return nodes


def _problem(node: dict[str, Any], failing_rows: dict[str, Any]) -> dict[str, Any]:
    stored = node["stored_failures"]
    keys = ("unique_id", "name", "resource_type", "status", "severity", "category", "failures")
    return {
        **{key: node[key] for key in keys},
        "checks": node["checks"],
        "stored_failures": stored,
        "query": f"select * from {stored}" if stored and node["status"] != "error" else None,
        "message": node["message"],
        "path": node["path"],
        "description": node["description"],
        "rows": failing_rows.get(node["unique_id"]),
    }


def build_report(
    run_results: dict[str, Any] | None, manifest: dict[str, Any] | None, ctx: Context
) -> dict[str, Any]:
    """The report of one run; either artifact may be None (dbt did not run)."""
    manifest = manifest or {}
    nodes = _nodes(run_results, manifest)
    payload = hook_payload(run_results)
    cleared = [f"{r['schema']}.{r['name']}" for r in payload.get("cleared") or []]
    hooks = [r for r in (run_results or {}).get("results") or [] if _status(r) == "error"]
    hooks = [r for r in hooks if str(r.get("unique_id")).startswith("operation.")]
    hook_errors = [_message(r.get("message")) for r in hooks]
    # on-run-start (the var check, clearing) gates the build; on-run-end only reports
    hooks_failed = any("on-run-end" not in str(r.get("unique_id")) for r in hooks)
    totals = {"nodes": len(nodes), **_counts([n["status"] for n in nodes])}
    # A node dbt could not run is an error (2); a failing test is a validation
    # failure (1) unless its meta.exit_code says its input cannot be used (2).
    failed = [
        2 if n["status"] == "error" else n["exit_code"]
        for n in nodes
        if n["status"] in ("fail", "error")
    ]
    if totals["skipped"] and not totals["pass"]:
        failed.append(1)
    status = ctx.status or (
        "error"
        if run_results is None or hooks_failed or max(failed, default=0) >= 2
        else "failed"
        if failed
        else "warn"
        if totals["warn"]
        else "success"
    )
    preflight = {"name": "pre-flight", "status": "fail" if ctx.preflight_problems else "pass"}
    preflight["detail"] = (
        f"{len(ctx.preflight_problems)} problem(s)" if ctx.preflight_problems else ""
    )
    if ctx.preflight_seconds is None and not ctx.preflight_problems:
        preflight["status"] = "not_run"
    clear_ran = "cleared" in payload
    steps: list[dict[str, Any]] = [
        {**preflight, "seconds": ctx.preflight_seconds},
        {
            "name": "clear",
            "status": "pass" if clear_ran else "not_run",
            "nodes": len(cleared),
            "detail": f"{len(cleared)} relation(s) dropped"
            if clear_ran
            else f"skipped ({ctx.clear_note})"
            if ctx.clear_note
            else "not run",
            "seconds": None,
        },
    ]
    models = [
        _step(n) for n in manifest.get("nodes", {}).values() if n.get("resource_type") == "model"
    ]
    order = ["seeds", *(n["step"] for n in nodes), *sorted(models)]
    for name in dict.fromkeys([name for name in order if name != "validation"] + ["validation"]):
        members = [n for n in nodes if n["step"] == name]
        counts = _counts([n["status"] for n in members])
        steps.append(
            {
                "name": name,
                "status": _word(counts) if members else "not_run",
                "nodes": len(members),
                **counts,
                "seconds": _seconds([{"timing": n["timing"]} for n in members]),
                "detail": "",
            }
        )
    for step in steps:
        step.update({key: step.get(key, 0) for key in ("nodes", *COUNTED)})
    categories: dict[str, dict[str, Any]] = {}
    for node in nodes:
        if node["category"]:
            category = categories.setdefault(
                node["category"], {"name": node["category"], "tests": 0, **_counts([])}
            )
            category["tests"] += 1
            category[node["status"]] = category.get(node["status"], 0) + 1
    order_of = {"error": 0, "fail": 1, "warn": 2}
    bad = sorted(
        (n for n in nodes if n["status"] in order_of),
        key=lambda n: (order_of[n["status"]], n["name"]),
    )
    row_counts = {str(k): int(v) for k, v in (payload.get("row_counts") or {}).items()}
    public = {n["name"] for n in manifest.get("nodes", {}).values() if n.get("access") == "public"}
    census_rows = payload.get("census_rows")
    elapsed = ctx.elapsed_seconds
    metadata = (run_results or {}).get("metadata") or {}
    return {
        "schema_version": 1,
        "command": ctx.command,
        "status": status,
        "exit_code": EXIT_CODES.get(status, 2) if ctx.exit_code is None else ctx.exit_code,
        "started_at": ctx.started_at,
        "elapsed_seconds": None if elapsed is None else round(elapsed, 3),
        "dbt_seconds": None if ctx.dbt_seconds is None else round(ctx.dbt_seconds, 3),
        "database": ctx.database,
        "published": ctx.published,
        "kept_candidate": ctx.kept_candidate,
        "dbt": {
            "version": metadata.get("dbt_version"),
            "invocation_id": metadata.get("invocation_id"),
            "run_dir": ctx.run_dir,
        },
        "totals": totals,
        "steps": steps,
        "categories": sorted(categories.values(), key=lambda c: str(c["name"])),
        "problems": [_problem(n, payload.get("failing_rows") or {}) for n in bad],
        "row_counts": row_counts,
        "main_tables": sorted(name for name in row_counts if name in public),
        "census": {
            "path": ctx.inputs.get("census_path"),
            "rows": census_rows,
            "seconds": None if elapsed is None else round(elapsed, 3),
            "rows_per_second": round(census_rows / elapsed, 1) if census_rows and elapsed else None,
        },
        "messages": [*hook_errors, *ctx.messages, *ctx.preflight_problems],
        "undeclared_columns": payload.get("undeclared_columns") or {},
        "inputs": ctx.inputs,
        "cleared": cleared,
        "nodes": [{k: n[k] for k in NODE_KEYS} for n in nodes],
    }


# --------------------------------------------------------------------------- rendering


def _icon(status: str, unicode: bool) -> str:
    pair = ICONS.get(
        status, "✖XX" if status in ("fail", "failed", "error", "interrupted") else "·  "
    )
    return pair[0] if unicode else pair[1:]


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "~"


def _wrap(
    text: str, width: int, indent: str = "", lines: int = 4, whole: bool = False
) -> list[str]:
    """`text` wrapped to `width`, at most `lines` lines; `whole` keeps long words (paths) whole."""
    wrapped = textwrap.wrap(
        text, width - 1, initial_indent=indent, subsequent_indent=indent + "  ",
        break_long_words=not whole, break_on_hyphens=not whole,
    )  # fmt: skip
    if len(wrapped) > lines:
        return [*wrapped[: lines - 1], _fit(" ".join(wrapped[lines - 1 :]), width - 1)]
    return wrapped


def _table(report: dict[str, Any], unicode: bool, width: int) -> list[str]:
    lines = [f"  {'step':<15}" + "".join(f"{h:>6}" for h in ("nodes", *HEADS)) + f"{'time':>9}"]
    for step in report["steps"]:
        seconds = "" if step["seconds"] is None else f"{step['seconds']:.1f}s"
        head = f"{_icon(step['status'], unicode)} {step['name']:<15}"
        if step["name"] in ("pre-flight", "clear"):
            detail = step["detail"] or ("ok" if step["status"] == "pass" else step["status"])
            lines.append(_fit(head + _fit(detail, 30).ljust(30) + f"{seconds:>9}", width))
        else:
            bad = step["fail"] + step["error"]
            counts = (
                f"{step['nodes']:>6}{step['pass']:>6}{step['warn']:>6}{bad:>6}{step['skipped']:>6}"
            )
            lines.append(_fit(head + counts + f"{seconds:>9}", width))
    if report["categories"]:
        lines += [
            "",
            f"  {'validation category':<27}" + "".join(f"{h:>6}" for h in ("tests", *HEADS)),
        ]
    for category in report["categories"]:
        bad = category["fail"] + category["error"]
        status = _word(category)
        lines.append(
            f"{_icon(status, unicode)} {category['name']:<27}{category['tests']:>6}"
            f"{category['pass']:>6}{category['warn']:>6}{bad:>6}{category['skipped']:>6}"
        )
    return lines


def _problems(report: dict[str, Any], unicode: bool, width: int) -> list[str]:
    lines = ["", f"Problems ({len(report['problems'])}):"]
    for problem in report["problems"]:
        lines.append(
            _fit(
                f"{_icon(problem['status'], unicode)} {problem['status'].upper()} "
                + problem["name"],
                width,
            )
        )
        facts = [problem["resource_type"], problem["path"] or ""]
        if problem["resource_type"] in ("test", "unit_test"):
            rows = (
                f"{problem['failures']:,} failing row(s)" if problem["failures"] is not None else ""
            )
            facts = [rows, f"severity {problem['severity'] or 'error'}", str(problem["category"])]
            facts += [f"checks {problem['checks']}"] if problem["checks"] else []
        lines += _wrap(", ".join(fact for fact in facts if fact), width, "    ", 2)
        if problem["description"] and problem["resource_type"] != "seed":  # what it checks
            lines += _wrap(
                problem["description"].split(". ")[0].rstrip(".") + ".", width, "    ", 3
            )
        lines += _rows(problem["rows"], width)
        if problem["query"]:
            lines += _wrap(f"all rows: {problem['query']}", width, "    ", 2)
        if problem["message"] and (problem["status"] == "error" or not problem["query"]):
            for line in problem["message"].splitlines()[:21]:  # a seed: one line per problem
                lines += _wrap(line, width, "    ", 4)
    return lines


def _rows(rows: dict[str, Any] | None, width: int, shown: int = 5) -> list[str]:
    """The first failing rows as `column=value` lines."""
    if not rows or not rows["rows"]:
        return []
    lines = [
        _fit(
            "    | " + ", ".join(f"{c}={v}" for c, v in zip(rows["columns"], row, strict=False)),
            width,
        )
        for row in rows["rows"][:shown]
    ]
    more = len(rows["rows"]) - shown
    return lines + (
        [f"    | ... {more}{'+' if len(rows['rows']) == 100 else ''} more"] if more > 0 else []
    )


def _head(report: dict[str, Any], unicode: bool, width: int) -> list[str]:
    total = "" if report["elapsed_seconds"] is None else f"{report['elapsed_seconds']:.1f}s"
    word = TITLES.get(report["status"], report["status"])
    title = f"{_icon(report['status'], unicode)} PlanWise {report['command']}: {word}"
    state = "published" if report["published"] else "NOT published (live database unchanged)"
    state = "unchanged" if report["status"] == "up_to_date" else state
    database = f"database: {report['database']}"
    lines = [title.ljust(width - len(total) - 1) + total]
    lines.append(_fit(database + (f"  [{state}]" if report["command"] == "setup" else ""), width))
    inputs = report["inputs"]
    if inputs:
        plan_year = f"{inputs.get('plan_year_start_date')}..{inputs.get('plan_year_end_date')}"
        lines += [_fit(f"scenario: {inputs.get('scenario_id')}  plan year: {plan_year}", width)]
        lines += [_fit(f"census: {inputs.get('census_path')}", width)]
    if report["kept_candidate"]:
        lines.append(_fit(f"failed candidate kept: {report['kept_candidate']}", width))
    return lines


def _tail(report: dict[str, Any], width: int) -> list[str]:
    """Main tables, census throughput, what clearing dropped, undeclared columns."""
    lines: list[str] = []
    cells = [f"{name} {report['row_counts'][name]:,}" for name in report["main_tables"]]
    column = max((len(cell) for cell in cells), default=0) + 3
    per_line = max(1, (width - 2) // column)
    lines += ["", "Main tables (rows):"] if cells else []
    for start in range(0, len(cells), per_line):
        row = "".join(cell.ljust(column) for cell in cells[start : start + per_line])
        lines.append(_fit("  " + row.rstrip(), width))
    census = report["census"]
    if census["rows_per_second"] and report["status"] in ("success", "warn"):
        rate = f"{round(census['rows_per_second']):,} rows/s end to end"
        whole = f"({census['seconds']:.1f}s for the whole setup)"
        lines += ["", _fit(f"Census: {census['rows']:,} employees, {rate} {whole}", width)]
    if report["cleared"]:
        lines += ["", *cleared_lines(report["cleared"], width)]
    for model, columns in report["undeclared_columns"].items():
        note = f"{model} carries columns its contract does not declare: {', '.join(columns)}"
        lines += ["", *_wrap(note, width)]
    return lines


def render_text(
    report: dict[str, Any], width: int = 80, unicode: bool = True, paths: list[str] | None = None
) -> str:
    """The terminal summary; every line at most `width` (>= 60) characters."""
    width = max(60, width)
    lines = _head(report, unicode, width)
    if report["totals"]["nodes"] or report["status"] not in ("error", "up_to_date"):
        lines += ["", *_table(report, unicode, width)]
    lines += _problems(report, unicode, width) if report["problems"] else []
    lines += _tail(report, width)
    if report["status"] == "up_to_date":
        lines += ["", "Nothing changed since the last successful setup; nothing was run."]
    lines += [""] if report["messages"] else []
    for message in report["messages"]:
        lines += _wrap(message, width, lines=8, whole=True)
    lines += ["", *(_fit(f"report: {path}", width) for path in paths)] if paths else []
    return "\n".join(line.rstrip() for line in lines) + "\n"


def cleared_lines(cleared: list[str], width: int) -> list[str]:
    """`schema: name, name` per schema; a schema of many relations as a count."""
    by_schema: dict[str, list[str]] = {}
    for qualified in cleared:
        schema, _, name = qualified.partition(".")
        by_schema.setdefault(schema, []).append(name)
    parts = [
        f"{s}: {', '.join(n)}" if len(n) <= 5 else f"{s}: {len(n)} relations"
        for s, n in by_schema.items()
    ]
    return _wrap("Cleared before the build: " + "; ".join(parts), width, "", 6)


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
    suites: dict[str, ET.Element] = {}
    queries = {p["unique_id"]: p["query"] for p in report["problems"] if p["query"]}
    for node in report["nodes"]:
        name = f"validation.{node['category']}" if node["category"] else node["step"]
        suite = suites.get(name)
        if suite is None:
            suite = suites[name] = ET.SubElement(root, "testsuite", name=name)
        case = ET.SubElement(
            suite,
            "testcase",
            name=node["name"],
            classname=f"planwise.{name}",
            time=f"{node['seconds']:.3f}",
        )
        message = node["message"] + (
            f"\nInspect the rows: {queries[node['unique_id']]}"
            if node["unique_id"] in queries
            else ""
        )
        tag = {"fail": "failure", "error": "error", "skipped": "skipped", "warn": "system-out"}.get(
            node["status"]
        )
        if tag:
            ET.SubElement(case, tag, message=node["message"] or node["status"]).text = message
    if not report["nodes"] and report["status"] in ("error", "interrupted"):
        suite = ET.SubElement(root, "testsuite", name="run")
        case = ET.SubElement(suite, "testcase", name=f"planwise-{report['command']}")
        message = "; ".join(report["messages"]) or report["status"]
        ET.SubElement(case, "error", message=message, type=report["status"]).text = message
    for element in [*suites.values(), *root.findall("testsuite[@name='run']")]:
        cases = element.findall("testcase")
        element.set("tests", str(len(cases)))
        for tag, key in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            element.set(key, str(sum(1 for c in cases if c.find(tag) is not None)))
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in root)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
