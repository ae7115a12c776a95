"""Shared pieces of the fault and bad-input matrix.

Every case runs the real `planwise-run setup` against a private copy of the
runner's project (the dbt project cut down to the census, one seed and their
checks: tests/conftest.py, copy_runner_project) whose live database was built
by a successful setup and then given a user table (`my_notes`); the cases of
PlanWise's own seeds (test_bad_inputs.py) use the whole project. The pristine
copy is built once per session; each case copies the project directory and the
database file into its own temporary directory:

    <case>/project/            the dbt project (seeds can be broken per case)
    <case>/db/simulation.duckdb  the live database (its own directory, so the
                               project can be read-only and the database
                               directory can be a tiny or read-only filesystem)
    <case>/reports/

Cases that do not involve signals, other processes or locks run in-process
through Click's CliRunner; the others run `planwise-run` as a subprocess.

Checks shared by every case: `Case.assert_unchanged()` (per-table content
checksum equal to before, user table still there) and `Case.assert_no_debris()`
(`runner.publish.leftovers` empty, no candidate files next to the DB, and at
most one kept failed candidate, the default `runner: failed_kept`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner, Result

from runner.cli import cli
from runner.publish import kept_failures, leftovers
from tests.checksums import content_checksum
from tests.conftest import SAMPLE_CENSUS, as_from_a_shell, copy_project, copy_runner_project
from tests.runner.conftest import CLEAN_ENV

USER_TABLE = "main.my_notes"
PLANWISE_RUN = Path(sys.executable).with_name("planwise-run")


def clean_environ() -> dict[str, str]:
    """The caller's environment without any PLANWISE_* variable (for subprocesses),
    the visual page off as in CLEAN_ENV."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("PLANWISE_")}
    return {**kept, "PLANWISE_REPORT_PAGE": "false"}


@dataclass
class Case:
    """One private copy of the project and its live database."""

    root: Path
    before: dict[str, str]  # content checksum of the live database before the case
    history_before: dict[str, str] = field(default_factory=dict)  # its history's row counts

    @property
    def project(self) -> Path:
        return self.root / "project"

    @property
    def db(self) -> Path:
        return self.root / "db" / "simulation.duckdb"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def seed(self, name: str) -> Path:
        return self.project / "dbt" / "seeds" / f"{name}.csv"

    def argv(self, *args: str, census: Path | None = None) -> list[str]:
        """Arguments of `planwise-run setup` for this case (global options first)."""
        rest = list(args)
        extra = ["--db", str(self.db), "--report-dir", str(self.reports)]
        if "--census" not in rest:
            extra += ["--census", str(census or SAMPLE_CENSUS)]
        return ["--project-dir", str(self.project), "setup", *extra, *rest]

    def run(self, *args: str, census: Path | None = None) -> Result:
        """`planwise-run setup` in-process (CliRunner); output mixes stdout and stderr."""
        return CliRunner().invoke(
            cli, self.argv(*args, census=census), env=dict(CLEAN_ENV), catch_exceptions=False
        )

    def spawn(self, *args: str, census: Path | None = None) -> subprocess.Popen[str]:
        """`planwise-run setup` as a subprocess (for signals, locks and concurrency)."""
        return subprocess.Popen(
            [str(PLANWISE_RUN), *self.argv(*args, census=census)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=clean_environ(),
            preexec_fn=as_from_a_shell,
        )

    def report(self) -> dict[str, Any]:
        """The JSON report of the last setup run of this case."""
        return dict(json.loads((self.reports / "setup-report.json").read_text()))

    def checksum(self) -> dict[str, str]:
        """The setup's outputs (not the run history), to compare with a reference build."""
        return content_checksum(self.db, history=False)

    def assert_unchanged(self) -> None:
        """(c): the live database has exactly its content from before the case, and
        its run history lost no row (a setup of the case that published adds one)."""
        after = self.checksum()
        assert USER_TABLE in after, "the user's table is gone"
        changed = sorted(
            name
            for name in set(after) | set(self.before)
            if after.get(name) != self.before.get(name)
        )
        assert not changed, f"live database changed: {changed[:10]}"
        history = {k: v for k, v in content_checksum(self.db).items() if k not in after}
        rows = {k: int(v.removeprefix("rows=")) for k, v in history.items()}
        assert history.keys() == self.history_before.keys(), "the run history is gone"
        assert all(rows[k] >= int(v.removeprefix("rows=")) for k, v in self.history_before.items())

    def debris(self) -> list[Path]:
        """`leftovers` plus anything candidate-like or kept next to the database."""
        found = set(leftovers(self.db))
        if self.db.parent.is_dir():
            found |= {
                path
                for path in self.db.parent.iterdir()
                if ".candidate" in path.name or path.name.endswith(".tmp")
            }
        return sorted(found)

    def assert_no_debris(self) -> None:
        """(d): nothing left behind next to the live database."""
        assert self.debris() == []
        assert len(kept_failures(self.db)) <= 1, "more failed candidates kept than configured"
        assert not (self.db.parent / (self.db.name + ".wal")).exists(), "live WAL left behind"


@dataclass(frozen=True)
class Pristine:
    """The session's reference: a project + live database after one successful setup
    and a user table, plus the checksum a successful setup on census B produces."""

    root: Path
    checksum: dict[str, str]
    census_b: Path
    checksum_b: dict[str, str]


def add_user_table(db: Path) -> None:
    """The table a user keeps in the live database (setup must carry it over)."""
    with duckdb.connect(str(db)) as connection:
        connection.execute("create table my_notes as select 1 as id, 'keep me' as note")
        connection.execute("checkpoint")


def _copy_case(source: Path, destination: Path, before: dict[str, str]) -> Case:
    shutil.copytree(source / "project", destination / "project", symlinks=True)
    (destination / "db").mkdir(parents=True)
    shutil.copy2(source / "db" / "simulation.duckdb", destination / "db" / "simulation.duckdb")
    case = Case(root=destination, before=before)
    everything = content_checksum(case.db)
    case.history_before = {k: v for k, v in everything.items() if k not in before}
    return case


@pytest.fixture(scope="session")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Pristine:
    """On the runner's project (tests/conftest.py, copy_runner_project): these cases
    test the runner's transaction, not PlanWise's models."""
    return build_pristine(tmp_path_factory, copy_runner_project)


def build_pristine(
    tmp_path_factory: pytest.TempPathFactory, copy: Callable[[Path], object]
) -> Pristine:
    """A pristine project copy (made by `copy`) with a live database and user table,
    and the checksum a setup on census B gives."""
    base = tmp_path_factory.mktemp("faults-pristine")
    copy(base / "project")
    (base / "db").mkdir()
    case = Case(root=base, before={})
    result = case.run()
    assert result.exit_code == 0, result.output
    add_user_table(case.db)
    checksum = case.checksum()

    # Census B: a different, valid census. A setup that finishes on it changes the
    # owned tables, so a fault run on census B that published anything is visible.
    from runner.census import CensusSpec, generate_census

    census_b = base / "census_b.parquet"
    generate_census(CensusSpec(employees=400, seed=7, duplicate_rate=0.0), census_b)
    # Its reference checksum comes from a fresh setup (no earlier database) plus the
    # same user table: what a re-setup of the live database on census B must give.
    reference = Case(root=base / "reference-b", before={})
    copy(reference.project)
    reference.db.parent.mkdir()
    result = reference.run(census=census_b)
    assert result.exit_code == 0, result.output
    add_user_table(reference.db)
    checksum_b = reference.checksum()
    assert checksum_b != checksum
    shutil.rmtree(reference.root)
    return Pristine(base, checksum, census_b, checksum_b)


@pytest.fixture(scope="session")
def full_pristine(tmp_path_factory: pytest.TempPathFactory) -> Pristine:
    """The same on the whole project: for cases of PlanWise's own seeds, scenarios,
    and disk-full points sized by a real setup's files."""
    return build_pristine(tmp_path_factory, copy_project)


@pytest.fixture
def full_case(full_pristine: Pristine, tmp_path: Path) -> Case:
    return _copy_case(full_pristine.root, tmp_path / "case", full_pristine.checksum)


@pytest.fixture
def make_case(pristine: Pristine, tmp_path: Path) -> Callable[[str], Case]:
    def factory(name: str = "case") -> Case:
        return _copy_case(pristine.root, tmp_path / name, pristine.checksum)

    return factory


@pytest.fixture
def case(make_case: Callable[[str], Case]) -> Case:
    return make_case("case")


# --------------------------------------------------------------------------- mounts


@contextlib.contextmanager
def mounted_tmpfs(directory: Path, size: str, *, keep: bool = True) -> Iterator[None]:
    """Replace `directory` by a tmpfs of `size` holding a copy of its files (when
    `keep`); the files are copied back and the tmpfs unmounted afterwards."""
    saved = directory.with_name(directory.name + ".saved")
    shutil.copytree(directory, saved)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)], check=True
    )
    try:
        if keep:
            for entry in saved.iterdir():
                if entry.is_dir():
                    shutil.copytree(entry, directory / entry.name)
                else:
                    shutil.copy2(entry, directory / entry.name)
        yield
    finally:
        kept = directory.with_name(directory.name + ".after")
        shutil.copytree(directory, kept, dirs_exist_ok=True, ignore_dangling_symlinks=True)
        if subprocess.run(["umount", str(directory)], check=False).returncode != 0:
            # busy: an in-process dbt keeps its log file open; detach it anyway
            subprocess.run(["umount", "--lazy", str(directory)], check=True)
        shutil.rmtree(directory)
        os.replace(kept, directory)
        shutil.rmtree(saved)


@contextlib.contextmanager
def read_only(directory: Path) -> Iterator[None]:
    """Make `directory` read-only for everyone, root included (a read-only bind mount)."""
    subprocess.run(["mount", "--bind", str(directory), str(directory)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(directory)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(directory)], check=True)


# --------------------------------------------------------------------------- processes


def wait_until(
    predicate: Callable[[], Any],
    process: subprocess.Popen[str],
    what: str,
    timeout: float = 90.0,
    interval: float = 0.005,
) -> Any:
    """Poll `predicate` until it returns something truthy; fail if `process` ends first."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(
                f"setup ended (exit {process.returncode}) before {what}:\n{output}"
            )
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(interval)


def finish(process: subprocess.Popen[str], timeout: float = 120.0) -> tuple[int, str]:
    """Wait for a spawned setup and return (exit code, output)."""
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        raise AssertionError(f"setup did not finish within {timeout}s:\n{output}") from None
    return process.returncode, output
