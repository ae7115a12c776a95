"""The project's own checks run with the tests: ruff, mypy --strict, sqlfluff."""

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
