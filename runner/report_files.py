"""The run report's files: the JSON written beside the summary, and the JUnit XML a
CI server reads. Each is a function of the report runner.report builds.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

JUNIT_TAGS = {"fail": "failure", "error": "error", "skipped": "skipped", "warn": "system-out"}


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, default=str) + "\n"


def _clear_suite(root: ET.Element, cleared: list[str]) -> None:
    """A suite of no cases whose properties name the relations clearing dropped."""
    properties = ET.SubElement(ET.SubElement(root, "testsuite", name="clear"), "properties")
    for relation in cleared:
        ET.SubElement(properties, "property", name="dropped", value=relation)


def _outcome(case: ET.Element, node: dict[str, Any], query: str | None) -> None:
    """The case's failure, error, skipped or system-out, unless the node passed."""
    tag = JUNIT_TAGS.get(node["status"])
    if tag:
        text = node["message"] + (f"\nInspect the rows: {query}" if query else "")
        ET.SubElement(case, tag, message=node["message"] or node["status"]).text = text


def _node_suites(root: ET.Element, report: dict[str, Any]) -> None:
    """One suite per step (validation: per category), one case per node."""
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
        _outcome(case, node, queries.get(node["unique_id"]))


def _run_suite(root: ET.Element, report: dict[str, Any]) -> None:
    """One erroring case for a run that stopped, or that dbt never ran."""
    suite = ET.SubElement(root, "testsuite", name="run")
    case = ET.SubElement(suite, "testcase", name=f"planwise-{report['command']}")
    message = "; ".join(report["messages"]) or report["status"]
    ET.SubElement(case, "error", message=message, type=report["status"]).text = message


def _count_cases(suite: ET.Element) -> None:
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    for tag, key in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
        suite.set(key, str(sum(1 for case in cases if case.find(tag) is not None)))


def render_junit(report: dict[str, Any]) -> str:
    """JUnit XML: one testsuite per step (validation: per category), one testcase per
    node; fail -> failure, error -> error, skipped -> skipped, warn -> system-out."""
    root = ET.Element("testsuites", name=f"planwise-{report['command']}")
    if report["cleared"]:
        _clear_suite(root, report["cleared"])
    _node_suites(root, report)
    if report["status"] == "interrupted" or (not report["nodes"] and report["status"] == "error"):
        _run_suite(root, report)
    for suite in root.findall("testsuite"):
        if suite.get("name") != "clear":
            _count_cases(suite)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(suite.get(key, "0")) for suite in root)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
