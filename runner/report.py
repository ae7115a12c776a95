"""The setup report: a pure function over dbt's run_results.json + manifest.json.

`build_report(run_results, manifest, context)` reads only its arguments (no
database, no files, no clock), so it is unit-tested on checked-in fixtures.
`render_text`, `render_json` and `render_junit` turn a Report into the terminal
summary (readable at 80 columns), the JSON document and JUnit XML.

JSON schema (schema_version 1; keys are only ever added within a version):

    schema_version   int, 1
    command          "setup" | "validate"
    status           "success" | "warn" | "failed" | "up_to_date" | "error" | "interrupted"
    exit_code        int (see runner.errors.ExitCode)
    started_at       ISO-8601 UTC string or null
    elapsed_seconds  float, whole command
    dbt_seconds      float | null, the dbt invocation
    database         path of the live database
    published        bool, the candidate replaced the live database
    kept_candidate   path | null (--keep-failed)
    dbt              {version, invocation_id, run_dir}
    totals           {nodes, pass, warn, fail, error, skipped}
    steps            [{name, status, nodes, pass, warn, fail, error, skipped,
                       seconds, detail}]   name in: pre-flight, clear, seeds,
                     foundation, configuration, models, validation
    categories       [{name, tests, pass, warn, fail, error, skipped}]
                     name in: seed_integrity, census_quality, staging,
                     baseline_workforce, configuration_consistency, uncategorised
    problems         [{unique_id, name, resource_type, status, severity,
                       category, failures, checks, stored_failures, query,
                       message, path}]   every fail/warn/error node (skips counted)
    row_counts       {model name: rows} for the models built in this run
    main_tables      [model name], the subset shown in the summary
    census           {path, rows, seconds, rows_per_second}
    messages         [str], notes and errors outside dbt nodes
    undeclared_columns {model name: [column]}: built columns their YAML does
                     not declare (census columns carried through unchanged)
    inputs           {scenario_id, plan_year_start_date, plan_year_end_date,
                     simulation_effective_date, census_path}: what the run used
    cleared          [schema.name]: every relation clearing dropped (or, for
                     `clear --dry-run`, would drop)
"""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

SCHEMA_VERSION = 1
CATEGORIES = (
    "seed_integrity",
    "census_quality",
    "staging",
    "baseline_workforce",
    "configuration_consistency",
)
UNCATEGORISED = "uncategorised"
STEP_ORDER = ("pre-flight", "clear", "seeds", "foundation", "configuration", "models", "validation")
BAD = ("fail", "error")
CLEAR_HOOK = "planwise-on-run-start"
MAIN_TABLE_PREFIXES = ("int_", "fct_", "dim_")
MAIN_TABLES_EXTRA = ("stg_census_data", "stg_census_duplicates_audit")


@dataclass
class Step:
    name: str
    status: str  # pass | warn | fail | skipped | not_run
    nodes: int = 0
    passed: int = 0
    warned: int = 0
    failed: int = 0
    errored: int = 0
    skipped: int = 0
    seconds: float | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "nodes": self.nodes,
            "pass": self.passed,
            "warn": self.warned,
            "fail": self.failed,
            "error": self.errored,
            "skipped": self.skipped,
            "seconds": None if self.seconds is None else round(self.seconds, 3),
            "detail": self.detail,
        }


@dataclass
class Category:
    name: str
    tests: int = 0
    passed: int = 0
    warned: int = 0
    failed: int = 0
    errored: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "tests": self.tests,
            "pass": self.passed,
            "warn": self.warned,
            "fail": self.failed,
            "error": self.errored,
            "skipped": self.skipped,
        }


@dataclass
class Problem:
    unique_id: str
    name: str
    resource_type: str
    status: str
    severity: str | None
    category: str | None
    failures: int | None
    checks: str | None
    stored_failures: str | None
    query: str | None
    message: str
    path: str | None


@dataclass
class Context:
    """Facts from outside dbt's artifacts (measured by the runner)."""

    command: str = "setup"
    started_at: str | None = None
    elapsed_seconds: float | None = None
    dbt_seconds: float | None = None
    database: str = ""
    published: bool = False
    kept_candidate: str | None = None
    run_dir: str | None = None
    preflight_seconds: float | None = None
    preflight_problems: list[str] = field(default_factory=list)
    clear_enabled: bool = True
    clear_note: str = ""  # why clearing was skipped (--no-clear, --quick)
    payloads: dict[str, Any] = field(default_factory=dict)
    census_path: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)  # scenario, plan year, census
    messages: list[str] = field(default_factory=list)
    status_override: str | None = None  # error | interrupted | up_to_date
    exit_code_override: int | None = None


@dataclass
class Report:
    command: str
    status: str
    exit_code: int
    started_at: str | None
    elapsed_seconds: float | None
    dbt_seconds: float | None
    database: str
    published: bool
    kept_candidate: str | None
    dbt: dict[str, Any]
    totals: dict[str, int]
    steps: list[Step]
    categories: list[Category]
    problems: list[Problem]
    row_counts: dict[str, int]
    main_tables: list[str]
    census: dict[str, Any]
    messages: list[str]
    undeclared_columns: dict[str, list[str]] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    cleared: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "command": self.command,
            "status": self.status,
            "exit_code": self.exit_code,
            "started_at": self.started_at,
            "elapsed_seconds": _round(self.elapsed_seconds),
            "dbt_seconds": _round(self.dbt_seconds),
            "database": self.database,
            "published": self.published,
            "kept_candidate": self.kept_candidate,
            "dbt": self.dbt,
            "totals": self.totals,
            "steps": [step.as_dict() for step in self.steps],
            "categories": [category.as_dict() for category in self.categories],
            "problems": [asdict(problem) for problem in self.problems],
            "row_counts": self.row_counts,
            "main_tables": self.main_tables,
            "census": self.census,
            "messages": self.messages,
            "undeclared_columns": self.undeclared_columns,
            "inputs": self.inputs,
            "cleared": self.cleared,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


# --------------------------------------------------------------------------- #
# building


def _node(manifest: dict[str, Any], unique_id: str) -> dict[str, Any]:
    for key in ("nodes", "unit_tests", "sources"):
        found = manifest.get(key, {}).get(unique_id)
        if found is not None:
            return dict(found)
    return {}


def _short(unique_id: str) -> str:
    parts = unique_id.split(".")
    if parts[0] == "source" and len(parts) >= 4:
        return f"{parts[2]}.{parts[3]}"
    if parts[0] in ("test", "unit_test") and len(parts) >= 3:
        return parts[2] if parts[0] == "test" else parts[-1]
    return parts[-1] if len(parts) > 1 else unique_id


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _wall_seconds(results: list[dict[str, Any]]) -> float | None:
    starts: list[datetime] = []
    ends: list[datetime] = []
    for result in results:
        for timing in result.get("timing") or []:
            start = _parse_time(timing.get("started_at"))
            end = _parse_time(timing.get("completed_at"))
            if start:
                starts.append(start)
            if end:
                ends.append(end)
    if not starts or not ends:
        total = sum(float(r.get("execution_time") or 0.0) for r in results)
        return total if results else None
    return max(0.0, (max(ends) - min(starts)).total_seconds())


def _tags(node: dict[str, Any]) -> list[str]:
    tags = list(node.get("tags") or [])
    tags += list((node.get("config") or {}).get("tags") or [])
    return tags


def _step_of(resource_type: str, node: dict[str, Any], unique_id: str) -> str | None:
    if resource_type == "operation" or unique_id.startswith("operation."):
        return "clear" if CLEAR_HOOK in unique_id else None
    if resource_type == "seed":
        return "seeds"
    if resource_type in ("test", "unit_test"):
        return "validation"
    if resource_type in ("model", "snapshot"):
        tags = _tags(node)
        if "foundation" in tags:
            return "foundation"
        if "configuration" in tags:
            return "configuration"
        return "models"
    if resource_type == "exposure" or unique_id.startswith("exposure."):
        return None  # a consumer of the outputs, not work of the setup
    return "models"


def category_of(node: dict[str, Any]) -> str:
    for tag in _tags(node):
        if tag in CATEGORIES:
            return tag
    return UNCATEGORISED


def _checks(node: dict[str, Any], manifest: dict[str, Any]) -> str | None:
    attached = node.get("attached_node") or node.get("model")
    if attached:
        return _short(str(attached))
    for parent in (node.get("depends_on") or {}).get("nodes") or []:
        if str(parent).split(".")[0] in ("model", "seed", "source", "snapshot"):
            return _short(str(parent))
    return None


def _stored(node: dict[str, Any]) -> tuple[str | None, str | None]:
    config = node.get("config") or {}
    if not config.get("store_failures") or config.get("store_failures_as") == "ephemeral":
        return None, None
    schema, alias = node.get("schema"), node.get("alias") or node.get("name")
    if not schema or not alias:
        return None, None
    relation = f"{schema}.{alias}"
    return relation, f"select * from {relation}"


def _first_lines(message: str | None, limit: int = 3) -> str:
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    # "Runtime Error in model x (path)" repeats what the report already shows.
    if len(lines) > 1 and " in " in lines[0] and lines[0].split(" in ")[0].endswith("Error"):
        lines = lines[1:]
    return " ".join(lines[:limit])


def _status_word(results: list[dict[str, Any]]) -> str:
    statuses = {str(r.get("status")) for r in results}
    if statuses & set(BAD):
        return "fail"
    if "warn" in statuses:
        return "warn"
    if statuses and statuses <= {"skipped"}:
        return "skipped"
    if "skipped" in statuses:
        return "fail"
    return "pass"


def _count(step_or_category: Step | Category, status: str) -> None:
    if status in ("pass", "success"):
        step_or_category.passed += 1
    elif status == "warn":
        step_or_category.warned += 1
    elif status == "fail":
        step_or_category.failed += 1
    elif status in ("error", "runtime error"):
        step_or_category.errored += 1
    elif status == "skipped":
        step_or_category.skipped += 1


def main_tables(row_counts: dict[str, int]) -> list[str]:
    """The tables the summary shows: census staging and every int_/fct_/dim_ model."""
    names = [name for name in MAIN_TABLES_EXTRA if name in row_counts]
    names += sorted(name for name in row_counts if name.startswith(MAIN_TABLE_PREFIXES))
    return names


def build_report(
    run_results: dict[str, Any] | None,
    manifest: dict[str, Any] | None,
    context: Context | None = None,
) -> Report:
    """Build the report from dbt's artifacts (either may be None if dbt did not run)."""
    ctx = context or Context()
    manifest = manifest or {}
    results: list[dict[str, Any]] = list((run_results or {}).get("results") or [])

    by_step: dict[str, list[dict[str, Any]]] = {}
    categories = {name: Category(name) for name in (*CATEGORIES, UNCATEGORISED)}
    problems: list[Problem] = []
    totals = {"nodes": 0, "pass": 0, "warn": 0, "fail": 0, "error": 0, "skipped": 0}

    for result in results:
        unique_id = str(result.get("unique_id", ""))
        node = _node(manifest, unique_id)
        resource_type = str(node.get("resource_type") or unique_id.split(".")[0])
        step = _step_of(resource_type, node, unique_id)
        if step is None:
            continue
        by_step.setdefault(step, []).append(result)
        status = str(result.get("status"))
        if step == "clear":
            continue
        totals["nodes"] += 1
        key = {"success": "pass", "runtime error": "error"}.get(status, status)
        if key in totals:
            totals[key] += 1
        category: str | None = None
        if step == "validation":
            category = category_of(node)
            _count(categories[category], status)
            categories[category].tests += 1
        if status in ("fail", "warn", "error"):
            config = node.get("config") or {}
            severity = config.get("severity")
            stored, query = _stored(node) if resource_type == "test" else (None, None)
            failures = result.get("failures")
            problems.append(
                Problem(
                    unique_id=unique_id,
                    name=str(node.get("name") or _short(unique_id)),
                    resource_type=resource_type,
                    status=status,
                    severity=str(severity).lower() if severity else None,
                    category=category,
                    failures=int(failures) if isinstance(failures, int) else None,
                    checks=_checks(node, manifest) if step == "validation" else None,
                    stored_failures=stored,
                    query=query,
                    message=_first_lines(result.get("message")),
                    path=node.get("original_file_path"),
                )
            )

    steps: list[Step] = []
    preflight = Step("pre-flight", "fail" if ctx.preflight_problems else "pass")
    preflight.seconds = ctx.preflight_seconds
    if ctx.preflight_problems:
        preflight.failed = len(ctx.preflight_problems)
        preflight.detail = f"{len(ctx.preflight_problems)} problem(s)"
    elif ctx.preflight_seconds is None:
        preflight.status = "not_run"
    steps.append(preflight)

    clear_results = by_step.get("clear", [])
    clear = Step("clear", "not_run")
    cleared = cleared_relations(ctx)
    if clear_results:
        clear.status = "fail" if _status_word(clear_results) == "fail" else "pass"
        clear.seconds = _wall_seconds(clear_results)
        if ctx.clear_enabled:
            clear.nodes = len(cleared)
            clear.detail = f"{len(cleared)} relation(s) dropped"

        else:
            clear.status = "not_run"
            clear.detail = f"skipped ({ctx.clear_note or '--no-clear'})"
    elif not ctx.clear_enabled:
        clear.detail = f"skipped ({ctx.clear_note})" if ctx.clear_note else "skipped"
    steps.append(clear)

    for name in ("seeds", "foundation", "configuration", "models", "validation"):
        step_results = by_step.get(name, [])
        if name == "models" and not step_results:
            continue
        built = Step(name, _status_word(step_results) if step_results else "not_run")
        built.nodes = len(step_results)
        for result in step_results:
            _count(built, str(result.get("status")))
        built.seconds = _wall_seconds(step_results) if step_results else None
        steps.append(built)

    # Overall status and exit code.
    if ctx.status_override:
        status = ctx.status_override
    elif not results and run_results is None:
        status = "error"
    elif totals["fail"] or totals["error"] or ctx.preflight_problems:
        status = "failed"
    elif totals["warn"]:
        status = "warn"
    else:
        status = "success"
    if ctx.exit_code_override is not None:
        exit_code = ctx.exit_code_override
    else:
        exit_code = {"success": 0, "warn": 0, "up_to_date": 0, "failed": 1, "interrupted": 130}.get(
            status, 2
        )

    row_counts = {
        str(k): int(v) for k, v in (ctx.payloads.get("planwise_row_counts") or {}).items()
    }
    census_rows = row_counts.get("stg_census_data")
    seconds = ctx.elapsed_seconds
    census = {
        "path": ctx.census_path,
        "rows": census_rows,
        "seconds": _round(seconds),
        "rows_per_second": (
            round(census_rows / seconds, 1) if census_rows is not None and seconds else None
        ),
    }
    metadata = (run_results or {}).get("metadata") or {}
    problems.sort(key=lambda p: ({"error": 0, "fail": 1, "warn": 2}.get(p.status, 3), p.name))
    return Report(
        command=ctx.command,
        status=status,
        exit_code=exit_code,
        started_at=ctx.started_at,
        elapsed_seconds=ctx.elapsed_seconds,
        dbt_seconds=ctx.dbt_seconds,
        database=ctx.database,
        published=ctx.published,
        kept_candidate=ctx.kept_candidate,
        dbt={
            "version": metadata.get("dbt_version"),
            "invocation_id": metadata.get("invocation_id"),
            "run_dir": ctx.run_dir,
        },
        totals=totals,
        steps=sorted(steps, key=lambda s: STEP_ORDER.index(s.name)),
        categories=[c for c in categories.values() if c.tests or c.name != UNCATEGORISED],
        problems=problems,
        row_counts=row_counts,
        main_tables=main_tables(row_counts),
        census=census,
        messages=list(ctx.messages) + list(ctx.preflight_problems),
        undeclared_columns={
            str(model): [str(column) for column in columns]
            for model, columns in (ctx.payloads.get("planwise_undeclared_columns") or {}).items()
        },
        inputs=dict(ctx.inputs),
        cleared=cleared,
    )


def cleared_relations(ctx: Context) -> list[str]:
    """The relations the clear macro dropped, from its payload (none if it did not run)."""
    if not ctx.clear_enabled:
        return []
    relations = (ctx.payloads.get("planwise_clear") or {}).get("relations") or []
    return [f"{relation.get('schema')}.{relation.get('name')}" for relation in relations]


def cleared_lines(cleared: list[str], width: int) -> list[str]:
    """`schema: name, name` per schema; a schema of many relations as a count."""
    by_schema: dict[str, list[str]] = {}
    for qualified in cleared:
        schema, _, name = qualified.partition(".")
        by_schema.setdefault(schema, []).append(name)
    parts = [
        f"{schema}: {', '.join(names)}" if len(names) <= 5 else f"{schema}: {len(names)} relations"
        for schema, names in by_schema.items()
    ]
    return _wrap("Cleared before the build: " + "; ".join(parts), width, "  ", max_lines=6)


# --------------------------------------------------------------------------- #
# rendering

ICONS = {
    "pass": ("✔", "ok"),
    "success": ("✔", "ok"),
    "up_to_date": ("✔", "ok"),
    "warn": ("⚠", "!!"),
    "fail": ("✖", "XX"),
    "failed": ("✖", "XX"),
    "error": ("✖", "XX"),
    "skipped": ("○", "--"),
    "not_run": ("·", "  "),
    "interrupted": ("✖", "XX"),
}
TITLES = {
    "success": "succeeded",
    "warn": "succeeded with warnings",
    "failed": "FAILED",
    "error": "could not run",
    "interrupted": "interrupted",
    "up_to_date": "up to date (nothing changed)",
}


def _icon(status: str, unicode: bool) -> str:
    pair = ICONS.get(status, ("?", "??"))
    return pair[0] if unicode else pair[1]


def _num(value: int) -> str:
    return f"{value:,}"


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "~"


def _wrap(text: str, width: int, indent: str, max_lines: int = 2) -> list[str]:
    wrapped = textwrap.wrap(
        text, width=width - 1, initial_indent=indent, subsequent_indent=indent + "  "
    )
    if len(wrapped) > max_lines:
        wrapped = [*wrapped[: max_lines - 1], _fit(wrapped[max_lines - 1] + " ...", width - 1)]
    return wrapped


def _secs(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}s"


def render_text(
    report: Report,
    width: int = 80,
    unicode: bool = True,
    report_paths: list[str] | None = None,
) -> str:
    """The terminal summary; every line at most `width` (>= 60) characters."""
    width = max(60, width)
    lines: list[str] = []
    title = f"PlanWise {report.command}: {TITLES.get(report.status, report.status)}"
    total = _secs(report.elapsed_seconds)
    lines.append(f"{_icon(report.status, unicode)} {title}".ljust(width - len(total) - 1) + total)
    database = f"database: {report.database}"
    if report.command == "setup":
        state = "published" if report.published else "NOT published (live database unchanged)"
        if report.status == "up_to_date":
            state = "unchanged"
        database += f"  [{state}]"
    lines.append(_fit(database, width))
    if report.inputs:
        inputs = report.inputs
        lines.append(
            _fit(
                f"scenario: {inputs.get('scenario_id')}  plan year: "
                f"{inputs.get('plan_year_start_date')}..{inputs.get('plan_year_end_date')}",
                width,
            )
        )
        lines.append(_fit(f"census: {inputs.get('census_path')}", width))
    if report.kept_candidate:
        lines.append(_fit(f"failed candidate kept: {report.kept_candidate}", width))
    lines.append("")

    if report.status == "up_to_date" or (report.status == "error" and not report.totals["nodes"]):
        if report.status == "up_to_date":
            lines.append("Nothing changed since the last successful setup; nothing was run.")
        for message in report.messages:
            lines.extend(_wrap(message, width, "", max_lines=4))
        if report_paths:
            lines.append("")
            lines.extend(_fit(f"report: {path}", width) for path in report_paths)
        return "\n".join(line.rstrip() for line in lines) + "\n"

    header = f"  {'step':<15}{'nodes':>6}{'pass':>6}{'warn':>6}{'fail':>6}{'skip':>6}{'time':>9}"
    lines.append(header)
    for step in report.steps:
        icon = _icon(step.status, unicode)
        if step.name in ("pre-flight", "clear"):
            detail = step.detail or (
                "ok" if step.status == "pass" else step.status.replace("_", " ")
            )
            row = (
                f"{icon} {step.name:<15}" + _fit(detail, 30).ljust(30) + f"{_secs(step.seconds):>9}"
            )
        else:
            bad = step.failed + step.errored
            row = (
                f"{icon} {step.name:<15}{step.nodes:>6}{step.passed:>6}{step.warned:>6}"
                f"{bad:>6}{step.skipped:>6}{_secs(step.seconds):>9}"
            )
        lines.append(_fit(row, width))

    shown = [c for c in report.categories if c.tests]
    if shown:
        lines.append("")
        lines.append(
            f"  {'validation category':<27}{'tests':>6}{'pass':>6}{'warn':>6}{'fail':>6}{'skip':>6}"
        )
        for category in shown:
            bad = category.failed + category.errored
            status = "fail" if bad else "warn" if category.warned else "pass"
            if category.skipped and not bad and not category.warned:
                status = "skipped"  # a check that did not run is not a pass
            lines.append(
                f"{_icon(status, unicode)} {category.name:<27}{category.tests:>6}"
                f"{category.passed:>6}{category.warned:>6}{bad:>6}{category.skipped:>6}"
            )

    if report.problems:
        lines.append("")
        lines.append(f"Problems ({len(report.problems)}):")
        for problem in report.problems:
            label = problem.status.upper()
            head = f"{_icon(problem.status, unicode)} {label} {problem.name}"
            lines.append(_fit(head, width))
            facts: list[str] = []
            if problem.resource_type in ("test", "unit_test"):
                if problem.failures is not None:
                    facts.append(f"{_num(problem.failures)} failing row(s)")
                if problem.severity:
                    facts.append(f"severity {problem.severity}")
                if problem.category:
                    facts.append(problem.category)
                if problem.checks:
                    facts.append(f"checks {problem.checks}")
            else:
                facts.append(problem.resource_type)
                if problem.path:
                    facts.append(problem.path)
            indent = "    "
            lines.extend(_wrap(", ".join(facts), width, indent))
            if problem.query:
                one_line = f"{indent}rows: {problem.query}"
                if len(one_line) < width:
                    lines.append(one_line)
                else:
                    lines.append(f"{indent}rows:")
                    lines.append(_fit(f"{indent}  {problem.query}", width - 1))
            if problem.message and (problem.status == "error" or not problem.query):
                lines.extend(_wrap(problem.message, width, indent, max_lines=3))

    if report.main_tables:
        lines.append("")
        lines.append("Main tables (rows):")
        cells = [f"{name} {_num(report.row_counts[name])}" for name in report.main_tables]
        column = max(len(cell) for cell in cells) + 3
        per_line = max(1, (width - 2) // column)
        for start in range(0, len(cells), per_line):
            chunk = cells[start : start + per_line]
            lines.append(_fit("  " + "".join(cell.ljust(column) for cell in chunk).rstrip(), width))

    census = report.census
    if census.get("rows") is not None and census.get("rows_per_second"):
        lines.append("")
        lines.append(
            _fit(
                f"Census: {_num(int(census['rows']))} employees, "
                f"{_num(round(census['rows_per_second']))} rows/s end to end "
                f"({census['seconds']:.1f}s for the whole setup)",
                width,
            )
        )
    if report.cleared:
        lines.append("")
        lines.extend(cleared_lines(report.cleared, width))
    for model, columns in report.undeclared_columns.items():
        lines.append("")
        note = f"{model} carries columns its contract does not declare: {', '.join(columns)}"
        lines.extend(_wrap(note, width, "", max_lines=4))
    if report.messages:
        lines.append("")
    for message in report.messages:
        lines.extend(_wrap(message, width, "", max_lines=4))
    if report_paths:
        lines.append("")
        for path in report_paths:
            lines.append(_fit(f"report: {path}", width))
    return "\n".join(line.rstrip() for line in lines) + "\n"


def render_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, sort_keys=False) + "\n"


def render_junit(
    report: Report, run_results: dict[str, Any] | None, manifest: dict[str, Any] | None
) -> str:
    """JUnit XML: one testsuite per step (tests: one per validation category),
    one testcase per dbt node. fail -> <failure>, error -> <error>,
    skipped -> <skipped>, warn -> passed with the warning in <system-out>."""
    manifest = manifest or {}
    problems = {problem.unique_id: problem for problem in report.problems}
    suites: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for result in (run_results or {}).get("results") or []:
        unique_id = str(result.get("unique_id", ""))
        node = _node(manifest, unique_id)
        resource_type = str(node.get("resource_type") or unique_id.split(".")[0])
        step = _step_of(resource_type, node, unique_id)
        if step is None or step == "clear":
            continue
        suite = f"validation.{category_of(node)}" if step == "validation" else step
        suites.setdefault(suite, []).append((result, node))

    root = ET.Element("testsuites", name=f"planwise-{report.command}")
    if report.cleared:
        cleared = ET.SubElement(root, "testsuite", name="clear", tests="0")
        properties = ET.SubElement(cleared, "properties")
        for relation in report.cleared:
            ET.SubElement(properties, "property", name="dropped", value=relation)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_time = 0.0
    for suite_name in sorted(suites, key=lambda s: (STEP_ORDER.index(s.split(".")[0]), s)):
        members = suites[suite_name]
        element = ET.SubElement(root, "testsuite", name=suite_name)
        s_counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        s_time = 0.0
        for result, node in members:
            unique_id = str(result.get("unique_id"))
            seconds = float(result.get("execution_time") or 0.0)
            s_time += seconds
            case = ET.SubElement(
                element,
                "testcase",
                name=str(node.get("name") or _short(unique_id)),
                classname=f"planwise.{suite_name}",
                time=f"{seconds:.3f}",
            )
            s_counts["tests"] += 1
            status = str(result.get("status"))
            problem = problems.get(unique_id)
            message = _first_lines(result.get("message"), 6)
            if status == "fail":
                s_counts["failures"] += 1
                failure = ET.SubElement(case, "failure", message=message, type="fail")
                if problem and problem.query:
                    failure.text = f"{message}\nInspect the failing rows: {problem.query}"
            elif status in ("error", "runtime error"):
                s_counts["errors"] += 1
                ET.SubElement(case, "error", message=message, type="error").text = message
            elif status == "skipped":
                s_counts["skipped"] += 1
                ET.SubElement(case, "skipped", message="skipped: an upstream node failed")
            elif status == "warn":
                out = ET.SubElement(case, "system-out")
                out.text = f"WARN: {message}" + (
                    f"\nInspect the rows: {problem.query}" if problem and problem.query else ""
                )
        for key, value in s_counts.items():
            element.set(key, str(value))
            counts[key] += value
        element.set("time", f"{s_time:.3f}")
        total_time += s_time
    if not suites and report.status in ("error", "interrupted"):
        # Nothing ran: one erroring case, so CI never reads an empty success.
        element = ET.SubElement(root, "testsuite", name="run", tests="1", errors="1")
        case = ET.SubElement(element, "testcase", name=f"planwise-{report.command}")
        message = "; ".join(report.messages) or report.status
        ET.SubElement(case, "error", message=message, type=report.status).text = message
        counts["tests"] += 1
        counts["errors"] += 1
    for key, value in counts.items():
        root.set(key, str(value))
    root.set("time", f"{report.elapsed_seconds or total_time:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
