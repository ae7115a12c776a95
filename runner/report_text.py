"""The run report in words: the summary a person reads on the terminal (render_text),
and the JSON and JUnit files written beside it. Each is a function of the report
runner.report builds; nothing here reads dbt's artifacts.
"""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from typing import Any

from runner.changes import change_lines
from runner.report import BAD, TESTS, counts_word

TITLES = {
    "success": "succeeded",
    "warn": "succeeded with warnings",
    "failed": "FAILED",
    "error": "could not run",
    "interrupted": "interrupted",
    "up_to_date": "up to date",
}
ICONS = {"pass": "✔ok", "success": "✔ok", "up_to_date": "✔ok", "warn": "⚠!!", "skipped": "○--"}
JUNIT_TAGS = {"fail": "failure", "error": "error", "skipped": "skipped", "warn": "system-out"}


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
            detail = detail.replace("_", " ")  # not_run: words, not the JSON's value
            lines.append(_row(icon, f"{step['name']:<15}{detail:<30}", [], step["seconds"]))
            continue
        cells = [step[k] for k in ("nodes", "pass", "warn")]
        cells += [step["fail"] + step["error"], step["skipped"]]
        lines.append(_row(icon, step["name"], cells, step["seconds"]))
    heads = ["tests", "pass", "warn", "fail", "skip"]
    lines += ["", _row(" ", "validation category", heads, wide=27)]
    for category in report["categories"]:
        cells = [category[k] for k in ("tests", "pass", "warn")]
        cells += [category["fail"] + category["error"], category["skipped"]]
        lines.append(_row(_icon(counts_word(category), unicode), category["name"], cells, wide=27))
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
    """Main tables, the census's size, what clearing dropped, undeclared columns."""
    cells = [f"{name} {report['row_counts'][name]:,}" for name in report["main_tables"]]
    lines = ["", "Main tables (rows): " + "; ".join(cells)] if cells else []
    census = report["census"]
    if census["rows"] and report["status"] in ("success", "warn"):
        # no rows/s here: a setup's seconds are mostly dbt's fixed cost, so a small
        # census would show a rate that says nothing of it (the JSON keeps the rate)
        lines += ["", f"Census: {census['rows']:,} employees staged"]
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
    whole_messages: bool = False,
) -> str:
    """The summary; lines wrapped to `width` (at least 60; None: not wrapped). `quiet`:
    the title, problems, messages and what clearing dropped. `whole_messages`: the
    run's messages stay one line each (a log is searched for them)."""
    head = _head(report, unicode)
    messages = report["messages"]
    if quiet:
        problems = [
            f"{p['status'].upper()} {p['name']}: {p['message']}" for p in report["problems"]
        ]
        cleared = [cleared_line(report["cleared"])] if report["cleared"] else []
        before, after = [head[0], *problems], cleared
    else:
        ran = report["totals"]["nodes"] or report["status"] not in ("error", "up_to_date")
        before = head + (_table(report, unicode) if ran else [])
        if report["problems"]:
            before += ["", f"Problems ({len(report['problems'])}):"]
            before += [
                line for problem in report["problems"] for line in _problem(problem, unicode)
            ]
        before += _tail(report) + change_lines(report.get("changes"), unicode)
        if report["status"] == "up_to_date":
            before += ["", "Nothing changed since the last successful setup; nothing was run."]
        messages = ["", *messages] if messages else []
        after = ["", *(f"report: {path}" for path in paths)] if paths else []
    width = max(60, width) if width else None
    lines = _wrapped(before, width) + _wrapped(messages, None if whole_messages else width)
    return "\n".join(lines + _wrapped(after, width)) + "\n"


def _wrapped(lines: list[str], width: int | None) -> list[str]:
    parts = [part for line in lines for part in line.split("\n")]
    return [wrapped.rstrip() for part in parts for wrapped in _wrap(part, width)]


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
    if report["status"] == "interrupted" or (not report["nodes"] and report["status"] == "error"):
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
