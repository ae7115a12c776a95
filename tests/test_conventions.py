"""The project's conventions, checked over dbt's manifest (in the style of
dbt-project-evaluator): one failing assertion per broken rule, naming the nodes.

- every stored model has a primary-key test (unique + not_null on a column, a
  unique combination of columns, or a one-row test);
- every model, seed, test, source table, exposure, selector and macro is
  described (a test: what its failure means and how to fix the data), and so is
  every column of a model, seed or source, and every argument of a macro
  (adapter implementations such as default__x take x's arguments);
- every macro sits in a file named after it (generic tests: test_<file>);
- no model or test hard-codes a schema or database name;
- a model's name starts with its folder's prefix (staging stg_, intermediate int_);
- every data test and unit test carries `validation` and exactly one category tag.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import copy_project

CATEGORIES = {
    "seed_integrity", "census_quality", "staging", "baseline_workforce", "configuration_consistency"
}  # fmt: skip
FOLDER_PREFIX = {"staging": "stg_", "intermediate": "int_", "marts": ("fct_", "dim_")}
PK_TESTS = {"unique_combination_of_columns"}
ONE_ROW_TEST = "expect_table_row_count_to_be_between"
COMMENTS = re.compile(r"\{#.*?#\}|--[^\n]*", re.S)
HARD_CODED = re.compile(r"\b(main|simulation)\.\w|\"(main|simulation)\"")
SIGNATURE = re.compile(r"\{%-?\s*(?:macro|test)\s+\w+\((.*?)\)\s*-?%\}", re.S)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    project = copy_project(tmp_path_factory.mktemp("conventions") / "project")
    outcome = project.dbt("parse")
    assert outcome.success, outcome.error_text
    yield json.loads((project.root / "target" / "manifest.json").read_text())


def own(manifest: dict[str, Any], kind: str = "nodes") -> dict[str, dict[str, Any]]:
    return {uid: n for uid, n in manifest[kind].items() if n.get("package_name") == "planwise"}


def stored_models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        uid: n
        for uid, n in own(manifest).items()
        if n["resource_type"] == "model" and n["config"]["materialized"] != "ephemeral"
    }


def data_tests_of(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in own(manifest).values() if n["resource_type"] == "test"]


def test_every_model_has_a_primary_key_test(manifest: dict[str, Any]) -> None:
    unique: set[tuple[str, str]] = set()
    not_null: set[tuple[str, str]] = set()
    keyed: set[str] = set()
    for node in data_tests_of(manifest):
        metadata = node.get("test_metadata") or {}
        name, kwargs = metadata.get("name"), metadata.get("kwargs") or {}
        attached = node.get("attached_node")
        if attached is None:
            continue
        if name == "unique":
            unique.add((attached, str(node.get("column_name"))))
        elif name == "not_null":
            not_null.add((attached, str(node.get("column_name"))))
        elif name in PK_TESTS or (name == ONE_ROW_TEST and str(kwargs.get("max_value")) == "1"):
            keyed.add(attached)
    models = stored_models(manifest)
    constrained = {
        (uid, name)
        for uid, node in models.items()
        for name, column in node["columns"].items()
        if any(c["type"] == "not_null" for c in column.get("constraints", []))
    }
    keyed |= {attached for attached, column in unique & (not_null | constrained)}
    missing = sorted(set(models) - keyed)
    assert not missing, f"models without a primary-key test: {missing}"


def test_every_node_column_and_macro_is_described(manifest: dict[str, Any]) -> None:
    undescribed: list[str] = []
    described_kinds = ("model", "seed", "test")  # a test's: what its failure means, what to fix
    for uid, node in own(manifest).items():
        if node["resource_type"] in described_kinds or uid.startswith("source."):
            undescribed += [] if node.get("description") else [uid]
            undescribed += [
                f"{uid}.{name}"
                for name, column in node.get("columns", {}).items()
                if not column.get("description")
            ]
    for uid, source in own(manifest, "sources").items():
        undescribed += [] if source.get("description") else [uid]
        undescribed += [
            f"{uid}.{name}"
            for name, column in source.get("columns", {}).items()
            if not column.get("description")
        ]
    undescribed += [uid for uid, n in own(manifest, "exposures").items() if not n["description"]]
    undescribed += [
        f"selector.{name}"
        for name, selector in manifest["selectors"].items()
        if not selector.get("description")
    ]
    for macro in own(manifest, "macros").values():
        if not macro["description"]:
            undescribed.append(f"macro {macro['name']}")
        if "__" in macro["name"]:  # default__x / duckdb__x: its arguments are x's
            continue
        signature = SIGNATURE.search(macro["macro_sql"])
        listed = signature.group(1) if signature else ""
        parameters = [p.split("=")[0].strip() for p in listed.split(",")]
        documented = {argument["name"] for argument in macro.get("arguments", [])}
        implicit = {"", "model", "column_name"}  # what dbt passes a generic test itself
        undescribed += [
            f"macro {macro['name']} argument {parameter}"
            for parameter in parameters
            if parameter not in documented | implicit
        ]
    assert not undescribed, f"missing descriptions: {undescribed}"


def test_every_macro_file_is_named_after_its_macro(manifest: dict[str, Any]) -> None:
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
    assert not misplaced, f"macros not in a file of their own name: {misplaced}"


def test_no_model_or_test_hard_codes_a_schema_or_database(manifest: dict[str, Any]) -> None:
    hard_coded = [
        uid
        for uid, node in own(manifest).items()
        if node["resource_type"] in ("model", "test")
        and HARD_CODED.search(COMMENTS.sub("", node.get("raw_code") or ""))
    ]
    assert not hard_coded, f"hard-coded schema or database: {hard_coded}"


def test_model_names_start_with_their_folder_prefix(manifest: dict[str, Any]) -> None:
    wrong = []
    for node in own(manifest).values():
        if node["resource_type"] != "model":
            continue
        folder = Path(node["original_file_path"]).parts[2]  # dbt/models/<folder>/...
        prefix = FOLDER_PREFIX.get(folder)
        if prefix is None or not node["name"].startswith(prefix):
            wrong.append(f"{node['name']} in {folder}/")
    assert not wrong, f"model prefix does not match its folder: {wrong}"


def test_every_test_has_validation_and_one_category(manifest: dict[str, Any]) -> None:
    nodes = [*data_tests_of(manifest), *own(manifest, "unit_tests").values()]
    assert nodes
    wrong = {
        node["name"]: sorted(node["tags"])
        for node in nodes
        if "validation" not in node["config"]["tags"]
        or len(set(node["config"]["tags"]) & CATEGORIES) != 1
    }
    assert not wrong, f"tests without `validation` and exactly one category: {wrong}"


def test_every_var_has_a_kind_that_dbt_checks() -> None:
    """planwise_validate_vars checks each var against planwise_var_kinds: every var
    of dbt_project.yml (and the runner's own two) has exactly one kind there."""
    import yaml

    root = Path(__file__).resolve().parents[1]
    declared = set(yaml.safe_load((root / "dbt_project.yml").read_text())["vars"])
    text = (root / "macros" / "config" / "planwise_var_kinds.sql").read_text()
    kinds = re.findall(r"^\s+'(\w+)': '(\w+)',$", text, re.M)
    assert declared | {"planwise_clear", "planwise_report"} == {name for name, _ in kinds}
    assert len(kinds) == len({name for name, _ in kinds})
    known = {"text", "text_or_null", "date", "year", "whole", "whole_or_null", "number"}
    known |= {"severity", "boolean"}
    assert {kind for _, kind in kinds} <= known | {"list", "mapping"}
