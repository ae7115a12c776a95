"""The project's conventions, checked over dbt's manifest (in the style of
dbt-project-evaluator). A CI gate (.ci/gates) and a pre-commit hook, not a test:

    .venv/bin/python gates/conventions.py [--manifest target/manifest.json]

parses the project (into a temporary target path) unless given a manifest,
prints every problem grouped by convention and exits 1 if there is any.

- every stored model has a primary-key test: `planwise_primary_key` (its
  `columns`, or an empty list for a one-row table);
- keys are declared with planwise_primary_key, the project's primary-key test:
  no `unique`, `not_null` or `unique_combination_of_columns` test remains on a
  seed or model;
- every model, seed, test, source table, exposure, selector and macro is
  described (a test: what its failure means and how to fix the data), and so is
  every column of a model, seed or source, and every argument of a macro
  (adapter implementations such as default__x take x's arguments);
- every macro sits in a file named after it (generic tests: test_<file>);
- no model or test hard-codes a schema or database name;
- a model's name starts with its folder's prefix (staging stg_, intermediate int_);
- every data test and unit test carries `validation` and exactly one category tag;
- every var of dbt_project.yml (and the runner's own two) has exactly one known
  kind in planwise_var_kinds, which planwise_validate_vars checks it against.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

Manifest = dict[str, Any]
Node = dict[str, Any]

CATEGORIES = {
    "seed_integrity",
    "census_quality",
    "staging",
    "baseline_workforce",
    "configuration_consistency",
}
FOLDER_PREFIX: dict[str, str | tuple[str, ...]] = {
    "staging": "stg_",
    "intermediate": "int_",
    "marts": ("fct_", "dim_"),
}
PRIMARY_KEY_TEST = "planwise_primary_key"
REPLACED_KEY_TESTS = {"unique", "not_null", "unique_combination_of_columns"}
COMMENTS = re.compile(r"\{#.*?#\}|--[^\n]*", re.S)
HARD_CODED = re.compile(r"\b(main|simulation)\.\w|\"(main|simulation)\"")
SIGNATURE = re.compile(r"\{%-?\s*(?:macro|test)\s+\w+\((.*?)\)\s*-?%\}", re.S)
IMPLICIT_ARGUMENTS = {"", "model", "column_name"}  # what dbt passes a generic test itself
RUNNER_VARS = {"planwise_clear", "planwise_report"}
VAR_KIND = re.compile(r"^\s+'(\w+)': '(\w+)',$", re.M)
KNOWN_KINDS = {
    "text",
    "text_or_null",
    "date",
    "year",
    "whole",
    "whole_or_null",
    "number",
    "severity",
    "boolean",
    "list",
    "mapping",
    "date_formats",
}


def own(manifest: Manifest, kind: str = "nodes") -> dict[str, Node]:
    """The project's own entries of one section of the manifest."""
    return {uid: n for uid, n in manifest[kind].items() if n.get("package_name") == "planwise"}


def stored_models(manifest: Manifest) -> dict[str, Node]:
    return {
        uid: n
        for uid, n in own(manifest).items()
        if n["resource_type"] == "model" and n["config"]["materialized"] != "ephemeral"
    }


def data_tests(manifest: Manifest) -> list[Node]:
    return [n for n in own(manifest).values() if n["resource_type"] == "test"]


def generic_test_name(node: Node) -> str | None:
    """The generic test a test node instantiates (None for a singular test)."""
    name = (node.get("test_metadata") or {}).get("name")
    return str(name) if name else None


def models_without_primary_key(manifest: Manifest) -> list[str]:
    keyed = {
        node.get("attached_node")
        for node in data_tests(manifest)
        if generic_test_name(node) == PRIMARY_KEY_TEST
    }
    models = sorted(set(stored_models(manifest)) - keyed)
    return [f"{uid} has no {PRIMARY_KEY_TEST} test" for uid in models]


def replaced_key_tests(manifest: Manifest) -> list[str]:
    nodes = own(manifest)
    return sorted(
        f"{node['unique_id']} ({generic_test_name(node)} on {node['attached_node']}): "
        f"declare the key with {PRIMARY_KEY_TEST}"
        for node in data_tests(manifest)
        if generic_test_name(node) in REPLACED_KEY_TESTS
        and nodes.get(node.get("attached_node") or "", {}).get("resource_type") in ("model", "seed")
    )


def undescribed_columns(uid: str, node: Node) -> list[str]:
    return [
        f"{uid}.{name}"
        for name, column in node.get("columns", {}).items()
        if not column.get("description")
    ]


def undescribed_nodes(manifest: Manifest) -> list[str]:
    """Models, seeds, tests (what a failure means, what to fix) and sources."""
    entries = [
        (uid, node)
        for uid, node in own(manifest).items()
        if node["resource_type"] in ("model", "seed", "test")
    ]
    entries += list(own(manifest, "sources").items())
    problems: list[str] = []
    for uid, node in entries:
        where = node.get("original_file_path") or node.get("patch_path") or ""
        problems += [] if node.get("description") else [f"{uid} ({where})"]
        problems += undescribed_columns(uid, node)
    return problems


def undescribed_exposures_and_selectors(manifest: Manifest) -> list[str]:
    exposures = [uid for uid, n in own(manifest, "exposures").items() if not n["description"]]
    selectors = [
        f"selector.{name}"
        for name, selector in manifest["selectors"].items()
        if not selector.get("description")
    ]
    return exposures + selectors


def undescribed_arguments(macro: Node) -> list[str]:
    if "__" in macro["name"]:  # default__x / duckdb__x: its arguments are x's
        return []
    signature = SIGNATURE.search(macro["macro_sql"])
    listed = signature.group(1) if signature else ""
    parameters = [p.split("=")[0].strip() for p in listed.split(",")]
    documented = {argument["name"] for argument in macro.get("arguments", [])}
    return [
        f"macro {macro['name']} argument {parameter} ({macro['original_file_path']})"
        for parameter in parameters
        if parameter not in documented | IMPLICIT_ARGUMENTS
    ]


def undescribed_macros(manifest: Manifest) -> list[str]:
    problems: list[str] = []
    for macro in own(manifest, "macros").values():
        if not macro["description"]:
            problems.append(f"macro {macro['name']} ({macro['original_file_path']})")
        problems += undescribed_arguments(macro)
    return problems


def misnamed_macro_files(manifest: Manifest) -> list[str]:
    misplaced = []
    for macro in own(manifest, "macros").values():
        stem = Path(macro["original_file_path"]).stem
        name = macro["name"]
        expected = {stem, f"test_{stem}"}
        if "__" in name:  # adapter implementation beside its dispatcher, or an override
            expected.add(name)
            name = name.split("__", 1)[1]
        if name not in expected and f"test_{name}" not in expected:
            misplaced.append(f"{macro['name']} in {macro['original_file_path']}")
    return misplaced


def hard_coded_schemas(manifest: Manifest) -> list[str]:
    return [
        f"{uid} ({node['original_file_path']})"
        for uid, node in own(manifest).items()
        if node["resource_type"] in ("model", "test")
        and HARD_CODED.search(COMMENTS.sub("", node.get("raw_code") or ""))
    ]


def wrong_model_prefixes(manifest: Manifest) -> list[str]:
    wrong = []
    for node in own(manifest).values():
        if node["resource_type"] != "model":
            continue
        folder = Path(node["original_file_path"]).parts[2]  # dbt/models/<folder>/...
        prefix = FOLDER_PREFIX.get(folder)
        if prefix is None or not node["name"].startswith(prefix):
            wrong.append(f"{node['name']} in {folder}/")
    return wrong


def wrongly_tagged_tests(manifest: Manifest) -> list[str]:
    nodes = [*data_tests(manifest), *own(manifest, "unit_tests").values()]
    if not nodes:
        return ["the project has no data or unit tests"]
    return [
        f"{node['unique_id']}: tags {sorted(node['config']['tags'])}"
        for node in nodes
        if "validation" not in node["config"]["tags"]
        or len(set(node["config"]["tags"]) & CATEGORIES) != 1
    ]


def kind_problems(declared: set[str], kinds: list[tuple[str, str]]) -> list[str]:
    """Each declared var against the (var, kind) pairs of planwise_var_kinds."""
    named = [name for name, _ in kinds]
    problems = [f"var {name} has no kind" for name in sorted(declared - set(named))]
    problems += [f"kind of an undeclared var {name}" for name in sorted(set(named) - declared)]
    repeated = sorted({name for name in named if named.count(name) > 1})
    problems += [f"var {name} has more than one kind" for name in repeated]
    return problems + [
        f"var {name}: unknown kind {kind}" for name, kind in kinds if kind not in KNOWN_KINDS
    ]


def vars_without_a_kind(manifest: Manifest) -> list[str]:
    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())
    declared = set(project.get("vars") or {}) | RUNNER_VARS
    macro = manifest["macros"].get("macro.planwise.planwise_var_kinds")
    if macro is None:
        return ["the macro planwise_var_kinds is missing"]
    return kind_problems(declared, VAR_KIND.findall(macro["macro_sql"]))


CHECKS: dict[str, Callable[[Manifest], list[str]]] = {
    "every stored model has a primary-key test (planwise_primary_key)": (
        models_without_primary_key
    ),
    "keys are declared with planwise_primary_key, the project's primary-key test "
    "(no unique, not_null or unique_combination_of_columns on a seed or model)": (
        replaced_key_tests
    ),
    "every model, seed, test and source table is described, and each of its columns": (
        undescribed_nodes
    ),
    "every exposure and selector is described": undescribed_exposures_and_selectors,
    "every macro and each of its arguments is described": undescribed_macros,
    "every macro sits in a file named after it": misnamed_macro_files,
    "no model or test hard-codes a schema or database": hard_coded_schemas,
    "a model's name starts with its folder's prefix": wrong_model_prefixes,
    "every test carries `validation` and exactly one category tag": wrongly_tagged_tests,
    "every var has exactly one known kind in planwise_var_kinds": vars_without_a_kind,
}


def tool(name: str) -> str:
    """A tool of this virtual environment, else the one on PATH."""
    beside = BIN / name
    return str(beside) if beside.exists() else shutil.which(name) or name


def parse_project() -> Manifest:
    """`dbt parse` of the project into a temporary target path; its manifest."""
    with tempfile.TemporaryDirectory(prefix="planwise-conventions-") as tmp:
        env = {
            **os.environ,
            "PLANWISE_DBT_DB_PATH": str(Path(tmp) / "parse.duckdb"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        }
        target = Path(tmp) / "target"
        command = [tool("dbt"), "parse", "--target-path", str(target), "--log-path", tmp]
        completed = subprocess.run(
            [*command, "--profiles-dir", ".", "--quiet"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            sys.exit(f"dbt parse failed:\n{completed.stdout}{completed.stderr}")
        manifest: Manifest = json.loads((target / "manifest.json").read_text())
        return manifest


def report(problems: dict[str, list[str]]) -> int:
    failed = {check: found for check, found in problems.items() if found}
    for check, found in failed.items():
        print(f"{check}: {len(found)} problem(s)")
        for problem in found:
            print(f"  - {problem}")
    if failed:
        print(f"conventions: {len(failed)} of {len(problems)} broken")
        return 1
    print(f"conventions: all {len(problems)} hold")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--manifest", type=Path, help="a manifest.json to check (default: parse)")
    args = parser.parse_args(argv)
    manifest = json.loads(args.manifest.read_text()) if args.manifest else parse_project()
    return report({check: function(manifest) for check, function in CHECKS.items()})


if __name__ == "__main__":
    sys.exit(main())
