"""The engine matrix: the same project on PostgreSQL and on Spark (local PySpark).

Collected only when PLANWISE_ENGINE_MATRIX is set (`.ci/run` sets it; see the
README for the command): the default test command needs neither engine. The
PostgreSQL server comes from PLANWISE_PG_* (localhost defaults, as in
profiles.yml); Spark runs in this process, its metastore and warehouse in one
directory per pytest worker (its local metastore allows one process). Every
test works in schemas of its own, so tests never see each other's tables.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from runner.cli import cli
from tests.conftest import SAMPLE_CENSUS, DbtOutcome, DbtProject, copy_project
from tests.runner.conftest import CLEAN_ENV

ENGINES = ("postgres", "spark")
PG_DEFAULTS = {
    "PLANWISE_PG_HOST": "localhost",
    "PLANWISE_PG_PORT": "5432",
    "PLANWISE_PG_USER": "planwise",
    "PLANWISE_PG_DATABASE": "planwise",
}


def _postgres_connection() -> Any:
    import psycopg2

    settings = {name: os.environ.get(name, default) for name, default in PG_DEFAULTS.items()}
    return psycopg2.connect(
        host=settings["PLANWISE_PG_HOST"],
        port=int(settings["PLANWISE_PG_PORT"]),
        user=settings["PLANWISE_PG_USER"],
        dbname=settings["PLANWISE_PG_DATABASE"],
        password=os.environ.get("PLANWISE_PG_PASSWORD") or None,
        connect_timeout=5,
    )


@pytest.fixture(scope="session", autouse=True)
def spark_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Spark metastore and warehouse for this worker's whole session (the
    session dbt-spark starts in this process keeps the first configuration)."""
    directory = tmp_path_factory.mktemp("spark")
    os.environ["PLANWISE_SPARK_DIR"] = str(directory)
    return directory


@dataclass
class EngineProject:
    """A project copy bound to an engine and to schemas of its own."""

    engine: str
    project: DbtProject
    reports: Path
    schema: str
    env: dict[str, str] = field(default_factory=dict)

    @property
    def census_schema(self) -> str:
        return f"{self.schema}_census"

    @property
    def candidate(self) -> str:
        return f"{self.schema}__candidate"

    def run(self, *args: str, census: Path = SAMPLE_CENSUS) -> Result:
        """`planwise-run <args> --target <engine>` in this process."""
        command, rest = args[0], list(args[1:])
        extra = ["--target", self.engine, "--census", str(census)]
        if command in ("setup", "validate"):
            extra += ["--report-dir", str(self.reports)]
        return CliRunner().invoke(
            cli,
            ["--project-dir", str(self.project.root), command, *extra, *rest],
            env={**CLEAN_ENV, **self.env},
            catch_exceptions=False,
        )

    def load(self, census: Path = SAMPLE_CENSUS) -> None:
        result = self.run("load-census", census=census)
        assert result.exit_code == 0, result.output

    def dbt(self, *args: str, vars: dict[str, Any] | None = None) -> DbtOutcome:
        """Plain dbt on this engine (no runner), in this test's schemas."""
        previous = {name: os.environ.get(name) for name in self.env}
        os.environ.update(self.env)
        try:
            return self.project.dbt(
                *args,
                "--target",
                self.engine,
                vars={"census_schema": self.census_schema, **(vars or {})},
            )
        finally:
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of a query on this engine (schema names written out in `sql`)."""
        if self.engine == "postgres":
            with _postgres_connection() as connection, connection.cursor() as cursor:
                cursor.execute(sql)
                return list(cursor.fetchall()) if cursor.description else []
        from pyspark.sql import SparkSession

        session = SparkSession.getActiveSession()
        assert session is not None, "no Spark session: run dbt on spark first"
        return [tuple(row) for row in session.sql(sql).collect()]

    def tables(self, schema: str) -> list[str]:
        if self.engine == "postgres":
            found = self.rows(
                f"select table_name from information_schema.tables where table_schema = '{schema}'"
            )
        elif (schema,) not in self.rows(f"show databases like '{schema}'"):
            return []
        else:
            found = [(row[1],) for row in self.rows(f"show tables in `{schema}`")]
        return sorted(str(row[0]) for row in found)

    def content(self, schema: str | None = None) -> dict[str, str]:
        """A digest of every table's rows in `schema` (default: the live one)."""
        schema = schema or self.schema
        digests = {}
        for table in self.tables(schema):
            if self.engine == "postgres":
                sql = f'select t::text from "{schema}"."{table}" t'
            else:
                sql = f"select cast(to_json(struct(*)) as string) from `{schema}`.`{table}`"
            rows = sorted(str(row[0]) for row in self.rows(sql))
            digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return digests

    def schemas(self) -> list[str]:
        """PostgreSQL: every schema whose name begins with this test's (unique) schema."""
        found = self.rows(
            f"select nspname from pg_namespace where starts_with(nspname, '{self.schema}')"
        )
        return sorted(str(row[0]) for row in found)

    def with_env(self, **changes: str) -> EngineProject:
        """The same project with some environment variables changed."""
        return dataclasses.replace(self, env={**self.env, **changes})

    def drop_schemas(self) -> None:
        suffixes = ("", "_validation_failures", "_census")
        names = [
            f"{base}{suffix}"
            for base in (self.schema, self.candidate, f"{self.schema}__previous")
            for suffix in suffixes
        ]
        if self.engine == "postgres":
            from psycopg2 import sql

            with _postgres_connection() as connection, connection.cursor() as cursor:
                for name in self.schemas():  # the history and replaced schemas too
                    cursor.execute(
                        sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(name))
                    )
        else:
            for name in names:
                self.rows(f"drop database if exists `{name}` cascade")


# One pytest-xdist worker per engine (`--dist loadgroup`): one Spark session, one server.
@pytest.fixture(params=[pytest.param(e, marks=pytest.mark.xdist_group(e)) for e in ENGINES])
def engine_project(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EngineProject]:
    engine = str(request.param)
    if engine == "postgres":
        try:
            _postgres_connection().close()
        except Exception as exc:  # the matrix needs a server: say which and why
            pytest.fail(f"no PostgreSQL server for the engine matrix: {exc}")
    schema = f"t{uuid.uuid4().hex[:10]}"
    env = {
        "PLANWISE_TARGET": engine,
        "PLANWISE_CENSUS_SCHEMA": f"{schema}_census",
        "PLANWISE_PG_SCHEMA" if engine == "postgres" else "PLANWISE_SPARK_SCHEMA": schema,
    }
    env |= {name: os.environ.get(name, default) for name, default in PG_DEFAULTS.items()}
    if os.environ.get("PLANWISE_PG_PASSWORD"):
        env["PLANWISE_PG_PASSWORD"] = os.environ["PLANWISE_PG_PASSWORD"]
    project = EngineProject(
        engine, copy_project(tmp_path / "project"), tmp_path / "reports", schema, env
    )
    yield project
    if engine == "postgres" or _spark_started():
        project.drop_schemas()


def _spark_started() -> bool:
    from pyspark.sql import SparkSession

    return SparkSession.getActiveSession() is not None


@pytest.fixture
def census_file(tmp_path: Path) -> Callable[[str], Path]:
    """A census Parquet file made from the bundled sample by a DuckDB query over `sample`."""
    from tests.validation.conftest import write_census

    def make(select_sql: str) -> Path:
        return Path(write_census(tmp_path / "census.parquet", select_sql))

    return make
