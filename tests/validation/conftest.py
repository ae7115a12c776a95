"""Fixtures for the validation suite: mutated project copies and a built database.

A mutation case needs a fresh project copy and a fresh DuckDB file, then one
real `dbt build --selector setup`. To keep the suite fast, every case of a
pytest(-xdist) worker reuses the same directory: the copy is rebuilt from the
repository each time (fresh files, no database), but dbt's own
`target/partial_parse.msgpack` is kept, so dbt's standard partial parsing
re-reads only the files the mutation changed (a changed `--vars` triggers a
full parse, as dbt always does).
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import SAMPLE_CENSUS, DbtOutcome, DbtProject, DefaultBuild, copy_project

CATEGORIES = (
    "seed_integrity",
    "census_quality",
    "staging",
    "baseline_workforce",
    "configuration_consistency",
)
FAILURES_SCHEMA = "main_validation_failures"


# --- artifacts --------------------------------------------------------------


def manifest(project: DbtProject) -> dict[str, Any]:
    return json.loads((project.root / "target" / "manifest.json").read_text())


@dataclass(frozen=True)
class ManifestTest:
    """A data test or unit test as the manifest describes it."""

    unique_id: str
    name: str
    category: str | None
    tags: frozenset[str]
    severity: str
    kind: str  # generic test macro name, "singular" or "unit"
    attached: str | None  # model/seed/source the test is attached to
    column: str | None

    @property
    def is_validation(self) -> bool:
        return "validation" in self.tags


def manifest_tests(project: DbtProject) -> dict[str, ManifestTest]:
    """Every test of the project keyed by its node name."""
    data = manifest(project)
    nodes: dict[str, ManifestTest] = {}
    for unique_id, node in [*data["nodes"].items(), *data.get("unit_tests", {}).items()]:
        resource_type = node["resource_type"]
        if resource_type not in ("test", "unit_test"):
            continue
        tags = frozenset(node["config"].get("tags", []))
        categories = tags & set(CATEGORIES)
        if resource_type == "unit_test":
            kind, attached, column = "unit", node.get("model"), None
        elif node.get("test_metadata"):
            kind = node["test_metadata"]["name"]
            attached = node.get("attached_node") or next(iter(node["depends_on"]["nodes"]), None)
            column = node.get("column_name")
        else:
            kind, attached, column = "singular", None, None
        nodes[node["name"]] = ManifestTest(
            unique_id=unique_id,
            name=node["name"],
            category=next(iter(categories)) if len(categories) == 1 else None,
            tags=tags,
            severity=str(node["config"].get("severity", "")).lower(),
            kind=kind,
            attached=attached.split(".")[-1] if attached else None,
            column=column,
        )
    return nodes


def find_test(
    nodes: dict[str, ManifestTest], kind: str, attached: str, column: str | None = None
) -> ManifestTest:
    """A structural (built-in) test by what it is, since dbt names some with hashes."""
    found = [
        n
        for n in nodes.values()
        if n.kind == kind and n.attached == attached and (column is None or n.column == column)
    ]
    assert len(found) == 1, f"expected one {kind} test on {attached}.{column}, found {found}"
    return found[0]


def resolve_ref(
    nodes: dict[str, ManifestTest], ref: str | tuple[str, str, str | None]
) -> ManifestTest:
    """A test by node name, or by (kind, attached node, column) for hashed built-in names."""
    if isinstance(ref, str):
        assert ref in nodes, f"no test named {ref}"
        return nodes[ref]
    return find_test(nodes, *ref)


# --- mutating files -------------------------------------------------------------


def read_seed(project: DbtProject, name: str) -> list[dict[str, str]]:
    with project.seed(name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def write_seed(project: DbtProject, name: str, rows: list[dict[str, str]]) -> None:
    path = project.seed(name)
    with path.open(newline="") as handle:
        header = next(csv.reader(handle))
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def edit_seed(
    project: DbtProject, name: str, edit: Callable[[list[dict[str, str]]], list[dict[str, str]]]
) -> None:
    write_seed(project, name, edit(read_seed(project, name)))


def set_value(
    project: DbtProject, name: str, where: dict[str, str], column: str, value: str
) -> None:
    """Set `column` on the seed rows matching every key/value of `where` (at least one)."""
    rows = read_seed(project, name)
    matched = [r for r in rows if all(r[k] == v for k, v in where.items())]
    assert matched, f"no row of {name} matches {where}"
    for row in matched:
        row[column] = value
    write_seed(project, name, rows)


def write_census(path: Path, select_sql: str) -> Path:
    """A census Parquet file from a query over the bundled sample (view `sample`)."""
    with duckdb.connect() as connection:
        connection.execute(f"create view sample as select * from read_parquet('{SAMPLE_CENSUS}')")
        connection.execute(f"copy ({select_sql}) to '{path}' (format parquet)")
    return path


def sample_scalar(sql: str) -> Any:
    """A value computed independently of dbt from the bundled sample (view `sample`)."""
    with duckdb.connect() as connection:
        connection.execute(f"create view sample as select * from read_parquet('{SAMPLE_CENSUS}')")
        row = connection.execute(sql).fetchone()
    assert row is not None
    return row[0]


def stored_failures(project: DbtProject, test_name: str) -> list[dict[str, Any]]:
    """The failing rows of a test: those dbt stored (store_failures), or, for a
    test that stores none, its compiled query run again on the same database."""
    manifest = json.loads((project.root / "target" / "manifest.json").read_text())
    node = next(
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test" and n["name"] == test_name
    )
    stored = node["config"]["store_failures"]
    query = f'select * from {FAILURES_SCHEMA}."{test_name}"' if stored else node["compiled_code"]
    with duckdb.connect(str(project.db_path), read_only=True) as connection:
        cursor = connection.execute(query)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


# --- fixtures -------------------------------------------------------------------


@pytest.fixture(scope="session")
def mutation_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One directory per pytest(-xdist) worker, reused by its mutation cases."""
    return tmp_path_factory.mktemp("mutation_workspace")


@pytest.fixture
def fresh_project(mutation_workspace: Path) -> DbtProject:
    """A fresh copy of the project (no database) at the worker's stable path,
    keeping only dbt's partial-parse state from the previous case."""
    root = mutation_workspace / "project"
    state = root / "target" / "partial_parse.msgpack"
    saved = state.read_bytes() if state.exists() else None
    if root.exists():
        shutil.rmtree(root)
    project = copy_project(root)
    if saved is not None:
        state.parent.mkdir(parents=True)
        state.write_bytes(saved)
    return project


@dataclass
class BuiltDatabase:
    """A default `dbt build --selector setup` whose database cases may copy."""

    project: DbtProject
    outcome: DbtOutcome


@pytest.fixture(scope="session")
def built_database(default_build: DefaultBuild) -> BuiltDatabase:
    """The worker's default build (tests/conftest.py), which cases copy."""
    return BuiltDatabase(default_build.project, default_build.outcome)


@pytest.fixture
def built_copy(built_database: BuiltDatabase, fresh_project: DbtProject) -> DbtProject:
    """A fresh project copy holding a copy of the built database."""
    shutil.copyfile(built_database.project.db_path, fresh_project.db_path)
    return fresh_project
