"""Shared fixtures: real dbt against real DuckDB files in temporary directories.

`make_project()` copies the dbt project (dbt_project.yml, selectors.yml,
profiles.yml, dbt/, macros/) into a temporary directory with its own DuckDB
file; `DbtProject.dbt()` runs dbt in-process through dbtRunner from that
directory (one invocation at a time, as dbt requires) and returns the parsed
run_results.json.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest

from runner.dbt_process import release_duckdb

REPO_ROOT = Path(__file__).resolve().parents[1]
PROJECT_ENTRIES = ("dbt_project.yml", "selectors.yml", "profiles.yml", "dbt", "macros")
SAMPLE_CENSUS = REPO_ROOT / "dbt" / "data" / "census_sample.parquet"
# The steps of a setup's report: the runner's two, then seeds, the models' steps
# (their first tag) and validation.
SETUP_STEPS = {"pre-flight", "clear", "seeds", "foundation", "configuration", "validation"}
# The engine matrix (tests/engines) needs PostgreSQL and Spark: collected only on request.
collect_ignore = [] if os.environ.get("PLANWISE_ENGINE_MATRIX") else ["engines"]


@dataclass
class DbtOutcome:
    """What one dbt invocation did, read from its artifacts (never from console text)."""

    success: bool
    exception: BaseException | None
    run_results: dict[str, Any] | None
    messages: list[str] = field(default_factory=list)

    @property
    def results(self) -> list[dict[str, Any]]:
        return list((self.run_results or {}).get("results", []))

    def by_name(self) -> dict[str, dict[str, Any]]:
        """Results keyed by the node name (last part of unique_id)."""
        return {r["unique_id"].split(".")[2]: r for r in self.results}

    def statuses(self) -> dict[str, str]:
        return {name: r["status"] for name, r in self.by_name().items()}

    def not_passing(self) -> dict[str, str]:
        return {
            name: status
            for name, status in self.statuses().items()
            if status not in ("pass", "success", "no-op")
        }

    @property
    def error_text(self) -> str:
        parts = [str(self.exception or ""), *self.messages]
        parts += [str(r.get("message") or "") for r in self.results if r["status"] == "error"]
        return "\n".join(parts)


@dataclass
class DbtProject:
    """A private copy of the dbt project with its own DuckDB file."""

    root: Path
    db_path: Path

    def path(self, relative: str) -> Path:
        return self.root / relative

    def seed(self, name: str) -> Path:
        return self.root / "dbt" / "seeds" / f"{name}.csv"

    def dbt(
        self, *args: str, vars: dict[str, Any] | None = None, share_parse: bool = True
    ) -> DbtOutcome:
        """Run one dbt command in-process from the project directory."""
        from dbt.cli.main import dbtRunner
        from dbt_common.events.base_types import EventMsg

        cli = [*args, "--project-dir", str(self.root), "--profiles-dir", str(self.root)]
        if vars:
            cli += ["--vars", json.dumps(vars)]
        messages: list[str] = []

        def collect(event: EventMsg) -> None:
            if event.info.level == "error":
                messages.append(event.info.msg)

        run_results_path = self.root / "target" / "run_results.json"
        run_results_path.unlink(missing_ok=True)
        partial_parse = self.root / "target" / "partial_parse.msgpack"
        # Relative to the project root when it lives there: the rendered profile is
        # then the same in every copy, and so dbt can reuse a copy's partial parse.
        inside = self.db_path.parent == self.root
        if share_parse and inside and not partial_parse.exists():  # a full parse costs seconds
            partial_parse.parent.mkdir(exist_ok=True)
            shutil.copy2(shared_parse(), partial_parse)
        previous_cwd = Path.cwd()
        previous_db = os.environ.get("PLANWISE_DBT_DB_PATH")
        os.environ["PLANWISE_DBT_DB_PATH"] = self.db_path.name if inside else str(self.db_path)
        os.chdir(self.root)
        try:
            result = dbtRunner(callbacks=[collect]).invoke(cli)
        finally:
            release_duckdb()
            os.chdir(previous_cwd)
            if previous_db is None:
                os.environ.pop("PLANWISE_DBT_DB_PATH", None)
            else:
                os.environ["PLANWISE_DBT_DB_PATH"] = previous_db
        run_results = (
            json.loads(run_results_path.read_text()) if run_results_path.exists() else None
        )
        return DbtOutcome(bool(result.success), result.exception, run_results, messages)

    def ls(self, *args: str) -> set[str]:
        """Names of the nodes `dbt ls` selects (dbt's own selection, no text parsing)."""
        from dbt.cli.main import dbtRunner

        cli = ["ls", *args, "--output", "name", "--project-dir", str(self.root)]
        cli += ["--profiles-dir", str(self.root), "--quiet"]
        previous_cwd = Path.cwd()
        os.chdir(self.root)
        try:
            result = dbtRunner().invoke(cli)
        finally:
            release_duckdb()
            os.chdir(previous_cwd)
        assert result.success, result.exception
        return {str(name) for name in result.result}

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.db_path), read_only=True) as connection:
            return connection.execute(sql).fetchall()

    def scalar(self, sql: str) -> Any:
        return self.query(sql)[0][0]


def as_from_a_shell() -> None:
    """In a child process before exec: SIGINT and SIGTERM as a shell hands them to
    a program it starts (default dispositions, nothing blocked). A test worker may
    itself ignore or block them, and a child inherits that; a Ctrl-C test must see
    what a user's terminal gives."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


@functools.cache
def shared_parse() -> Path:
    """dbt's partial-parse file of a pristine project copy, parsed once per worker
    and reused by every project copy. dbt keeps each node's project root in it, and
    a copy reads its unchanged seeds from there: the copy lives in a directory of
    its own that no test sees, so those seed files are always the repository's."""
    scratch = tempfile.mkdtemp(prefix="planwise-parse-")
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    root = Path(scratch) / "project"
    outcome = copy_project(root).dbt("parse", share_parse=False)
    assert outcome.success, outcome.error_text
    return root / "target" / "partial_parse.msgpack"


def copy_project(destination: Path, extra: tuple[str, ...] = ()) -> DbtProject:
    """Copy the dbt project (plus `extra` top-level entries, e.g. "config")."""
    destination.mkdir(parents=True, exist_ok=True)
    for entry in PROJECT_ENTRIES + extra:
        source = REPO_ROOT / entry
        if source.is_dir():
            shutil.copytree(source, destination / entry)
        else:
            shutil.copy2(source, destination / entry)
    return DbtProject(root=destination, db_path=destination / "simulation.duckdb")


# The runner's own tests (locks, signals, paths, publishing, reports) test the
# runner, not PlanWise's models: they run on this project cut down to what a
# setup needs to exercise every step (the census source and its staging, one
# seed and its staging model, the census checks), built in about a second.
RUNNER_PROJECT_KEEPS = {
    "seeds": {"config_cola_by_year"},
    "models": {
        "stg_census_typed",
        "stg_census_data",
        "stg_census_duplicates_audit",
        "stg_config_cola_by_year",
    },
    "data_tests": {
        "assert_census_active_matches_termination",
        "assert_census_duplicate_employee_ids",
    },
}


def copy_runner_project(destination: Path) -> DbtProject:
    """The project with only RUNNER_PROJECT_KEEPS: the same macros, hooks,
    selectors, vars and census contract, a fraction of the nodes."""
    project = copy_project(destination)
    dbt_dir = destination / "dbt"
    shutil.rmtree(dbt_dir / "models" / "intermediate")
    shutil.rmtree(dbt_dir / "models" / "exposures")
    for kind, folder in (("seeds", "seeds"), ("models", "models"), ("data_tests", "tests")):
        keep = RUNNER_PROJECT_KEEPS[kind]
        for path in (dbt_dir / folder).rglob("*"):
            if path.suffix in (".sql", ".csv") and path.stem not in keep:
                path.unlink()
        for path in (dbt_dir / folder).rglob("*.yml"):
            _keep_entries(path, kind, keep)
    return project


def _keep_entries(path: Path, kind: str, keep: set[str]) -> None:
    """Drop the YAML entries (seeds, models, singular tests) of removed nodes."""
    import yaml

    document = yaml.safe_load(path.read_text())
    if kind in document:
        document[kind] = [entry for entry in document[kind] if entry["name"] in keep]
        path.write_text(yaml.safe_dump(document, sort_keys=False))


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[str], DbtProject]:
    """Factory for fresh project copies under this test's temporary directory."""

    def factory(name: str = "project") -> DbtProject:
        return copy_project(tmp_path / name)

    return factory


@pytest.fixture
def project(make_project: Callable[[str], DbtProject]) -> DbtProject:
    return make_project("project")


@dataclass
class DefaultBuild:
    """The default `dbt build --selector setup` of a worker, and what dbt said."""

    project: DbtProject
    outcome: DbtOutcome


@pytest.fixture(scope="session")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> DefaultBuild:
    """The one default build per pytest(-xdist) worker: tests read it, or copy its
    database, and never rebuild it to read it."""
    built = copy_project(tmp_path_factory.mktemp("built") / "project")
    outcome = built.dbt("build", "--selector", "setup")
    assert outcome.success, outcome.error_text
    return DefaultBuild(built, outcome)


@pytest.fixture(scope="session")
def built_project(default_build: DefaultBuild) -> DbtProject:
    """The default build's project, shared read-only by many tests."""
    return default_build.project
