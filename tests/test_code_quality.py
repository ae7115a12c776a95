"""The project's own checks run with the tests: ruff, mypy --strict, sqlfluff, dbt-score."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(tool: str, *args: str, env: dict[str, str] | None = None) -> None:
    completed = subprocess.run(
        [str(BIN / tool), *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_ruff_is_clean() -> None:
    run("ruff", "check", "runner", "tests", "benchmarks")


def test_ruff_format_is_clean() -> None:
    run("ruff", "format", "--check", "runner", "tests", "benchmarks")


def test_mypy_strict_is_clean() -> None:
    run("mypy")


def test_sql_is_linted_with_sqlfluff(tmp_path: Path) -> None:
    if not (BIN / "sqlfluff").exists():
        pytest.fail("sqlfluff is not installed: install the project with its [test] extra")
    run(
        "sqlfluff",
        "lint",
        "dbt/models",
        "dbt/tests",
        env={"PLANWISE_DB_PATH": str(tmp_path / "lint.duckdb")},
    )


def test_generic_test_sql_is_linted_with_sqlfluff(tmp_path: Path) -> None:
    """The SQL of the project's generic tests (macros/generic_tests/): one compiled
    instance of each, linted as plain SQL (tests/sqlfluff-generic-tests.cfg)."""
    env = {
        "PLANWISE_DB_PATH": str(tmp_path / "compile.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    target = tmp_path / "target"
    run(
        "dbt",
        "compile",
        "--select",
        "test_type:generic",
        "--profiles-dir",
        ".",
        "--target-path",
        str(target),
        "--quiet",
        env=env,
    )
    manifest = json.loads((target / "manifest.json").read_text())
    instances: dict[str, str] = {}
    for node in manifest["nodes"].values():
        own = [m for m in node["depends_on"]["macros"] if m.startswith("macro.planwise.test_")]
        if node["resource_type"] == "test" and own:
            instances.setdefault(own[0].split(".")[-1], node["compiled_code"])
    macros = {path.stem for path in (REPO_ROOT / "macros" / "generic_tests").glob("*.sql")}
    assert {name.removeprefix("test_") for name in instances} == macros
    for name, sql in instances.items():
        (tmp_path / f"{name}.sql").write_text(sql)
    run(
        "sqlfluff",
        "lint",
        "--config",
        str(REPO_ROOT / "tests" / "sqlfluff-generic-tests.cfg"),
        *(str(tmp_path / f"{name}.sql") for name in sorted(instances)),
    )


def test_dbt_metadata_scores_at_least_9_5(tmp_path: Path) -> None:
    """dbt-score's metadata lint (descriptions, owners, tests, SQL size) over the
    manifest of a fresh parse, gated at 9.5 of 10."""
    env = {
        "PLANWISE_DB_PATH": str(tmp_path / "parse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    run(
        "dbt",
        "parse",
        "--profiles-dir",
        ".",
        "--target-path",
        str(tmp_path / "target"),
        "--quiet",
        env=env,
    )
    run(
        "dbt-score",
        "lint",
        "--manifest",
        str(tmp_path / "target" / "manifest.json"),
        "--fail-project-under",
        "9.5",
        env=env,
    )
