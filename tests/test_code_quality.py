"""The project's own checks run with the tests: ruff, mypy --strict, sqlfluff, dbt-score."""

from __future__ import annotations

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


def test_dbt_metadata_scores_at_least_9_5(tmp_path: Path) -> None:
    """dbt-score's metadata lint (descriptions, owners, tests, SQL size) over the
    manifest of a fresh parse, gated at 9.5 of 10."""
    env = {"PLANWISE_DB_PATH": str(tmp_path / "parse.duckdb"),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
    run("dbt", "parse", "--profiles-dir", ".", "--target-path", str(tmp_path / "target"),
        "--quiet", env=env)
    run("dbt-score", "lint", "--manifest", str(tmp_path / "target" / "manifest.json"),
        "--fail-project-under", "9.5", env=env)
