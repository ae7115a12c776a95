"""gates/shape.py finds each kind of violation it exists for, in a runner made for
the purpose, and does not take English for SQL."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shape() -> ModuleType:
    spec = importlib.util.spec_from_file_location("shape_gate", REPO / "gates" / "shape.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["shape_gate"] = module
    spec.loader.exec_module(module)
    return module


BRANCHY = "\n".join(
    ["def branchy(x: int) -> int:"]
    + [f"    if x == {i}:\n        return {i}" for i in range(11)]
    + ["    return 0"]
)
CLOSURE = "def outer() -> None:\n    " + BRANCHY.replace("\n", "\n    ") + "\n"


def test_every_kind_of_violation_is_found(shape: ModuleType, tmp_path: Path) -> None:
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    runner, tests = tmp_path / "runner", tmp_path / "tests"
    runner.mkdir()
    tests.mkdir()
    (runner / "branchy.py").write_text(BRANCHY + "\n")
    (runner / "closure.py").write_text(CLOSURE)
    long_function = ["def long() -> None:"] + [f"    x{i} = {i}" for i in range(45)]
    (runner / "long.py").write_text("\n".join(long_function) + "\n")
    (runner / "big.py").write_text("\n".join(f"X{i} = {i}" for i in range(301)) + "\n")
    (runner / "history.py").write_text("\n".join(f"X{i} = {i}" for i in range(201)) + "\n")
    (runner / "sql.py").write_text('def drop(c: str) -> str:\n    return f"drop table {c}"\n')
    switched_off = "# fmt" + ": skip"  # spelt in two so that this file does not trip the gate
    (tests / "test_x.py").write_text(f"x = [1, 2]  {switched_off}\n")
    found = "\n".join(problem for check in shape.CHECKS for problem in check(tmp_path))
    assert "branchy has complexity 12" in found
    assert "closure.py" in found and "has complexity 12" in found.split("closure.py")[1]
    assert "long is 46 lines long" in found
    assert "runner/big.py: 301 lines (at most 300)" in found
    assert "runner/history.py: 201 lines (an extra command's module" in found
    assert "an SQL statement in Python: 'drop table {}'" in found
    assert "tests/test_x.py:1: the formatter is turned off" in found


@pytest.mark.parametrize(
    "text",
    [
        "select * from t",
        "SELECT a, b FROM t",
        "  (select count(*) from t)",
        "-- why\nselect x from t",
        "from t select a",
        "insert or replace into t values (1)",
        "create unique index i on t (a)",
        "truncate t",
        "copy (select 1) to 'x.parquet'",
        "attach 'x.duckdb' as x",
        "checkpoint",
        "install httpfs",
        "set threads = 4",
    ],
)
def test_sql_is_recognised(shape: ModuleType, text: str) -> None:
    assert shape.SQL.match(text)


@pytest.mark.parametrize(
    "text",
    [
        "select a target to build",
        "attach the file first",
        "copy failed rows",
        "truncate the message to fit",
        "use a writable file system",
        "Load the census file into the target's census table.",
        "rollback",
        "select",
    ],
)
def test_english_is_not_sql(shape: ModuleType, text: str) -> None:
    assert not shape.SQL.match(text)
