"""Fixtures for the `planwise-run` integration tests: real dbt on real DuckDB
files, through Click's CliRunner, in private copies of the project.

Every invocation passes `--project-dir` and a clean environment (no PLANWISE_*
from the caller), and the census explicitly (the repo's bundled sample, outside
the copy, so inputs are identical across copies and `--quick` can compare them).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner, Result

from runner.cli import cli
from tests.conftest import SAMPLE_CENSUS, DbtProject, copy_project

# Every PLANWISE_* variable a caller could have set is removed; the visual page
# (about a second of matplotlib per setup) is off except in the tests about it
# (tests/runner/test_visual_report.py, PAGE_ON).
PAGE_ON = {"PLANWISE_REPORT_PAGE": "true"}
CLEAN_ENV: dict[str, str | None] = {
    "PLANWISE_REPORT_PAGE": "false",
    **{
        name: None
        for name in (
            "PLANWISE_DB_PATH",
            "PLANWISE_DBT_DB_PATH",
            "PLANWISE_TARGET",
            "PLANWISE_THREADS",
            "PLANWISE_CONFIG",
            "PLANWISE_PROJECT_DIR",
            "PLANWISE_CENSUS_PATH",
            "PLANWISE_CENSUS_PARQUET_PATH",
            "PLANWISE_REPORT_DIR",
            "PLANWISE_TIMEOUT",
            "PLANWISE_LOCK_TIMEOUT",
        )
    },
}


@dataclass
class RunnerProject:
    """A project copy plus helpers to run `planwise-run` against it."""

    project: DbtProject
    reports: Path

    @property
    def root(self) -> Path:
        return self.project.root

    @property
    def db(self) -> Path:
        return self.project.db_path

    def run(self, *args: str, env: dict[str, str] | None = None, census: bool = True) -> Result:
        """`planwise-run` on this copy; `census`: name the bundled sample unless the
        arguments name a census (False: name none, as a user who relies on the
        census the live database was built from)."""
        command, rest = args[0], list(args[1:])
        extra: list[str] = []
        if command in (
            "setup",
            "status",
            "clear",
            "validate",
            "docs",
            "rollback",
            "history",
            "diff",
        ):
            if "--db" not in rest:
                extra += ["--db", str(self.db)]
            reads_census = command in ("setup", "status", "validate", "docs")
            if "--census" not in rest and census and reads_census:
                extra += ["--census", str(SAMPLE_CENSUS)]
            if command in ("setup", "validate") and "--report-dir" not in rest:
                extra += ["--report-dir", str(self.reports)]
        return CliRunner().invoke(
            cli,
            ["--project-dir", str(self.root), command, *extra, *rest],
            env={**CLEAN_ENV, **(env or {})},
            catch_exceptions=False,
        )

    def report(self, command: str = "setup", directory: Path | None = None) -> dict[str, Any]:
        path = (directory or self.reports) / f"{command}-report.json"
        return dict(json.loads(path.read_text()))

    @property
    def first_reports(self) -> Path:
        """The reports of the module's first setup (later tests replace the live ones)."""
        return self.reports.with_name(self.reports.name + "-first")

    def clone(self, root: Path, reports: Path) -> RunnerProject:
        """A copy of the whole project at `root`: database and runner state included."""
        shutil.copytree(self.root, root)
        return RunnerProject(project=type(self.project)(root, root / self.db.name), reports=reports)

    def tables(self, db: Path | None = None) -> set[str]:
        with duckdb.connect(str(db or self.db), read_only=True) as connection:
            rows = connection.execute(
                "select table_schema || '.' || table_name from information_schema.tables"
            ).fetchall()
        return {str(row[0]) for row in rows}


def new_runner_project(
    base: Path, name: str = "project", copy: Callable[[Path], DbtProject] = copy_project
) -> RunnerProject:
    """A project copy (the whole project, or copy_runner_project's cut-down one)."""
    project = copy(base / name)
    return RunnerProject(project=project, reports=base / f"{name}-reports")


@pytest.fixture
def runner_project(tmp_path: Path) -> RunnerProject:
    return new_runner_project(tmp_path)


@pytest.fixture(scope="module")
def set_up(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[RunnerProject]:
    """One project copy whose live database already holds user tables, then one
    `planwise-run setup` (shared by the tests of a module; they must not change it;
    a module's RUNNER_ENV, e.g. PAGE_ON, is the environment of that setup)."""
    env = getattr(request.module, "RUNNER_ENV", None)
    yield set_up_project(tmp_path_factory, copy_project, env)


def set_up_project(
    tmp_path_factory: pytest.TempPathFactory,
    copy: Callable[[Path], DbtProject],
    env: dict[str, str] | None = None,
) -> RunnerProject:
    """`set_up` on the project `copy` makes."""
    rp = new_runner_project(tmp_path_factory.mktemp("runner"), copy=copy)
    with duckdb.connect(str(rp.db)) as connection:
        connection.execute("create table my_notes as select 42 as answer")
        connection.execute("create table xstg_foo as select 1 as x")
        connection.execute("create table stg_stale_leftover as select 1 as x")
    result = rp.run("setup", env=env)
    assert result.exit_code == 0, result.output
    shutil.copytree(rp.reports, rp.first_reports)
    return rp


@pytest.fixture
def copy_db() -> Callable[[Path, Path], Path]:
    def factory(source: Path, destination: Path) -> Path:
        shutil.copy2(source, destination)
        return destination

    return factory
