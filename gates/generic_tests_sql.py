"""The SQL of the project's generic tests (macros/generic_tests/), linted with
sqlfluff. A CI gate (.ci/gates), not a test:

    .venv/bin/python gates/generic_tests_sql.py

Macros are no nodes the dbt templater could render, so the project's generic
tests are compiled (`dbt compile --select test_type:generic` into a temporary
target path) and one compiled instance of each generic test macro is linted as
plain SQL with gates/sqlfluff-generic-tests.cfg. Every file of
macros/generic_tests/ must have an instance (a generic test no model uses is
not linted, so it fails the gate). Exits 1 on any problem; the instances of a
failing run are kept (their path is printed), named after their macro file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GENERIC_TESTS = REPO_ROOT / "macros" / "generic_tests"
CONFIG = Path(__file__).resolve().parent / "sqlfluff-generic-tests.cfg"
OWN_TEST_MACRO = "macro.planwise.test_"


def tool(name: str) -> str:
    """A tool of this virtual environment, else the one on PATH."""
    beside = BIN / name
    return str(beside) if beside.exists() else shutil.which(name) or name


def run(*command: str, env: dict[str, str] | None = None) -> int:
    """Run a tool in the repository root; print its output if it fails."""
    completed = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        print(completed.stdout + completed.stderr, end="")
    return completed.returncode


def compile_generic_tests(scratch: Path) -> dict[str, Any] | None:
    """The manifest of `dbt compile --select test_type:generic`, None if it failed."""
    target = scratch / "target"
    failed = run(
        tool("dbt"),
        "compile",
        "--select",
        "test_type:generic",
        "--profiles-dir",
        ".",
        "--target-path",
        str(target),
        "--log-path",
        str(scratch / "logs"),
        "--quiet",
        env={
            "PLANWISE_DBT_DB_PATH": str(scratch / "compile.duckdb"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        },
    )
    if failed:
        return None
    manifest: dict[str, Any] = json.loads((target / "manifest.json").read_text())
    return manifest


def instances_of(manifest: dict[str, Any]) -> dict[str, str]:
    """One compiled instance per generic test macro, by its file's name (test_ dropped)."""
    instances: dict[str, str] = {}
    for node in manifest["nodes"].values():
        own = [m for m in node["depends_on"]["macros"] if m.startswith(OWN_TEST_MACRO)]
        if node["resource_type"] == "test" and own:
            name = own[0].removeprefix(OWN_TEST_MACRO)
            instances.setdefault(name, node["compiled_code"])
    return instances


def coverage_problems(instances: dict[str, str]) -> list[str]:
    files = {path.stem for path in GENERIC_TESTS.glob("*.sql")}
    return [
        f"macros/generic_tests/{name}.sql: no test uses it, so it has no instance to lint"
        for name in sorted(files - set(instances))
    ] + [
        f"test_{name}: a generic test outside macros/generic_tests/{name}.sql"
        for name in sorted(set(instances) - files)
    ]


def lint(instances: dict[str, str], folder: Path) -> int:
    folder.mkdir()
    paths = []
    for name, sql in sorted(instances.items()):
        path = folder / f"{name}.sql"
        path.write_text(sql)
        paths.append(str(path))
    return run(tool("sqlfluff"), "lint", "--config", str(CONFIG), *paths)


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="planwise-generic-tests-"))
    manifest = compile_generic_tests(scratch)
    if manifest is None:
        shutil.rmtree(scratch)
        print("dbt compile --select test_type:generic failed")
        return 1
    instances = instances_of(manifest)
    problems = coverage_problems(instances)
    for problem in problems:
        print(problem)
    failed = lint(instances, scratch / "instances")
    if problems or failed:
        print(f"compiled instances kept in {scratch / 'instances'} (one per macro file)")
        return 1
    shutil.rmtree(scratch)
    print(f"generic tests: {len(instances)} compiled instances pass sqlfluff")
    return 0


if __name__ == "__main__":
    sys.exit(main())
