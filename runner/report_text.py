"""The run report in words: the summary a person reads on the terminal (render_text),
a function of the report runner.report builds; nothing here reads dbt's artifacts
(runner.report_files writes the JSON and JUnit files beside it).
"""

from __future__ import annotations

import textwrap
from typing import Any

from runner.changes import change_lines
from runner.report import BAD
from runner.report_nodes import TESTS, counts_word

TITLES = {
    "success": "succeeded",
    "warn": "succeeded with warnings",
    "failed": "FAILED",
    "error": "could not run",
    "interrupted": "interrupted",
    "up_to_date": "up to date",
}
ICONS = {"pass": "✔ok", "success": "✔ok", "up_to_date": "✔ok", "warn": "⚠!!", "skipped": "○--"}


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


def _facts(problem: dict[str, Any]) -> list[str]:
    """A test's failing rows, severity, category and the model it checks; another
    node's resource type and file."""
    if problem["resource_type"] not in TESTS:
        return [problem["resource_type"], problem["path"] or ""]
    failures = problem["failures"]
    facts = [
        "" if failures is None else f"{failures:,} failing row(s)",
        f"severity {problem['severity'] or 'error'}",
        str(problem["category"]),
    ]
    return facts + ([f"checks {problem['checks']}"] if problem["checks"] else [])


def _what_it_checks(problem: dict[str, Any]) -> list[str]:
    """The description's first sentence (a seed's says what it holds, not checks)."""
    if problem["description"] and problem["resource_type"] != "seed":
        return ["    " + problem["description"].split(". ")[0].rstrip(".") + "."]
    return []


def _row_lines(rows: dict[str, Any]) -> list[str]:
    """The first five failing rows, then how many more (100: dbt's limit, so more)."""
    lines = []
    for row in rows["rows"][:5]:
        pairs = zip(rows["columns"], row, strict=False)
        lines.append("    | " + ", ".join(f"{column}={value}" for column, value in pairs))
    if len(rows["rows"]) > 5:
        more = f"{len(rows['rows']) - 5}{'+' if len(rows['rows']) == 100 else ''}"
        lines.append(f"    | ... {more} more")
    return lines


def _message_lines(problem: dict[str, Any], rows: dict[str, Any]) -> list[str]:
    """dbt's message: always an error's, a failure's only when no rows are shown."""
    shown = problem["query"] or rows["rows"]  # then dbt's "Got N results" adds nothing
    if problem["message"] and (problem["status"] == "error" or not shown):
        return ["    " + line for line in problem["message"].splitlines()[:21]]
    return []


def _problem(problem: dict[str, Any], unicode: bool) -> list[str]:
    title = f"{_icon(problem['status'], unicode)} {problem['status'].upper()} {problem['name']}"
    facts = "    " + ", ".join(fact for fact in _facts(problem) if fact)
    rows = problem["rows"] or {"rows": [], "columns": []}
    lines = [title, facts, *_what_it_checks(problem), *_row_lines(rows)]
    lines += [f"    all rows: {problem['query']}"] if problem["query"] else []
    return lines + _message_lines(problem, rows)


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


def _title(report: dict[str, Any], unicode: bool) -> str:
    total = "" if report["elapsed_seconds"] is None else f"{report['elapsed_seconds']:.1f}s"
    word = TITLES.get(report["status"], report["status"])
    if report["status"] == "error" and report["totals"]["nodes"]:  # dbt ran, no publish
        word = "not published"
    return f"{_icon(report['status'], unicode)} PlanWise {report['command']}: {word}  {total}"


def _state(report: dict[str, Any]) -> str:
    """What became of the live database."""
    if report["status"] == "up_to_date":
        return "unchanged"
    if report["dry_run"]:
        return "dry run: not published"
    return "published" if report["published"] else "NOT published (live database unchanged)"


def _input_lines(inputs: dict[str, Any]) -> list[str]:
    """The scenario, its plan year and the census the run was given."""
    if not inputs:
        return []
    plan_year = f"{inputs.get('plan_year_start_date')}..{inputs.get('plan_year_end_date')}"
    origin = inputs.get("census_origin")
    named = origin in (None, "named")
    return [
        f"scenario: {inputs.get('scenario_id')}  plan year: {plan_year}",
        f"census: {inputs.get('census_path')}" + ("" if named else f"  ({origin})"),
    ]


def _head(report: dict[str, Any], unicode: bool) -> list[str]:
    lines = [_title(report, unicode)]
    state = f"  [{_state(report)}]" if report["command"] == "setup" else ""
    lines += [f"database: {report['database']}{state}", *_input_lines(report["inputs"])]
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


# A summary's parts: the lines before the run's messages, the messages, the lines after.
Parts = tuple[list[str], list[str], list[str]]


def _quiet_parts(report: dict[str, Any], head: list[str]) -> Parts:
    """The title, each problem on one line, the messages, what clearing dropped."""
    problems = [f"{p['status'].upper()} {p['name']}: {p['message']}" for p in report["problems"]]
    cleared = [cleared_line(report["cleared"])] if report["cleared"] else []
    return [head[0], *problems], report["messages"], cleared


def _problem_lines(report: dict[str, Any], unicode: bool) -> list[str]:
    problems = report["problems"]
    if not problems:
        return []
    lines = [line for problem in problems for line in _problem(problem, unicode)]
    return ["", f"Problems ({len(problems)}):", *lines]


def _full_parts(
    report: dict[str, Any], head: list[str], unicode: bool, paths: list[str] | None
) -> Parts:
    """The head, the steps' table, the problems, the tail, the messages, the files."""
    ran = report["totals"]["nodes"] or report["status"] not in ("error", "up_to_date")
    before = head + (_table(report, unicode) if ran else [])
    before += _problem_lines(report, unicode)
    before += _tail(report) + change_lines(report.get("changes"), unicode)
    if report["status"] == "up_to_date":
        before += ["", "Nothing changed since the last successful setup; nothing was run."]
    messages = ["", *report["messages"]] if report["messages"] else []
    after = ["", *(f"report: {path}" for path in paths)] if paths else []
    return before, messages, after


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
    if quiet:
        before, messages, after = _quiet_parts(report, head)
    else:
        before, messages, after = _full_parts(report, head, unicode, paths)
    width = max(60, width) if width else None
    lines = _wrapped(before, width) + _wrapped(messages, None if whole_messages else width)
    return "\n".join(lines + _wrapped(after, width)) + "\n"


def _wrapped(lines: list[str], width: int | None) -> list[str]:
    parts = [part for line in lines for part in line.split("\n")]
    return [wrapped.rstrip() for part in parts for wrapped in _wrap(part, width)]
