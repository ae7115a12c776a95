"""`--quick` decides from what the build really used, and reuses dbt's parse.

A census is compared by content, not by size and modification time; a project
file that changed while dbt ran leaves no "up to date" behind; and the `--quick`
that follows a full setup gets dbt's partial parse, not a full one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from runner.publish import candidate_path
from tests.conftest import SAMPLE_CENSUS, copy_runner_project
from tests.runner.conftest import RunnerProject, set_up_project


@pytest.fixture(scope="module")
def set_up(tmp_path_factory: pytest.TempPathFactory) -> RunnerProject:
    """What --quick decides from is the runner's: the cut-down project does."""
    return set_up_project(tmp_path_factory, copy_runner_project)


PLANWISE_RUN = Path(sys.executable).with_name("planwise-run")
COLA = Path("dbt") / "seeds" / "config_cola_by_year.csv"


def _cola(db: Path) -> float:
    with duckdb.connect(str(db), read_only=True) as connection:
        row = connection.execute(
            "select cola_rate from stg_config_cola_by_year where cola_year = 2025"
        ).fetchone()
    assert row is not None
    return float(row[0])


def _edit(path: Path, old: bytes, new: bytes) -> bytes:
    original = path.read_bytes()
    assert old in original
    path.write_bytes(original.replace(old, new, 1))
    return original


@pytest.mark.slow
def test_a_census_rewritten_with_its_size_and_time_kept_is_a_change(
    set_up: RunnerProject, tmp_path: Path
) -> None:
    rp = set_up.clone(tmp_path / "census", reports=tmp_path / "reports")
    census = tmp_path / "census.csv"
    pacsv.write_csv(pq.read_table(SAMPLE_CENSUS).slice(0, 300), census)
    assert rp.run("setup", "--census", str(census)).exit_code == 0
    before = census.stat()
    text = census.read_bytes()
    header, first = text.split(b"\n")[:2]
    column = [name.strip(b'"') for name in header.split(b",")].index(b"employee_gross_compensation")
    first_pay = first.split(b",")[column]
    changed = first_pay[:-1] + (b"1" if first_pay[-1:] != b"1" else b"2")
    census.write_bytes(text.replace(first_pay, changed, 1))
    os.utime(census, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert census.stat().st_size == before.st_size
    assert census.stat().st_mtime_ns == before.st_mtime_ns

    result = rp.run("setup", "--quick", "--census", str(census))

    assert result.exit_code == 0, result.output
    report = rp.report()
    assert report["status"] != "up_to_date"
    assert any("census" in message and "full setup" in message for message in report["messages"])
    with duckdb.connect(str(rp.db), read_only=True) as connection:
        pays = {
            row[0]
            for row in connection.execute(
                "select cast(employee_gross_compensation as varchar) from stg_census_data"
            ).fetchall()
        }
    assert float(changed) in {float(pay) for pay in pays}


@pytest.mark.slow
def test_a_seed_edited_during_a_setup_and_reverted_after_it_is_not_up_to_date(
    set_up: RunnerProject, tmp_path: Path
) -> None:
    rp = set_up.clone(tmp_path / "edited", reports=tmp_path / "reports")
    seed = rp.root / COLA
    original_rate = _cola(rp.db)
    argv = [str(PLANWISE_RUN), "--project-dir", str(rp.root), "setup", "--db", str(rp.db)]
    argv += ["--census", str(SAMPLE_CENSUS), "--report-dir", str(tmp_path / "reports")]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PLANWISE_")}
    setup = subprocess.Popen(argv, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    # The runner took its fingerprint before it copies the live database: edit the seed
    # as soon as the candidate appears, before dbt (which starts after the copy) reads it.
    stamp = candidate_path(rp.db).with_name(candidate_path(rp.db).name + ".source")
    while not stamp.exists() and setup.poll() is None:
        time.sleep(0.005)
    original = _edit(seed, b"2025,0.025", b"2025,0.031")
    output, _ = setup.communicate()
    assert setup.returncode == 0, output.decode()
    assert _cola(rp.db) == pytest.approx(0.031)  # the edit reached the database
    seed.write_bytes(original)  # reverted after the setup

    result = rp.run("setup", "--quick")

    assert result.exit_code == 0, result.output
    assert rp.report()["status"] != "up_to_date"
    assert _cola(rp.db) == pytest.approx(original_rate)  # the database follows the files


@pytest.mark.slow
def test_quick_after_a_full_setup_reuses_dbts_parse(set_up: RunnerProject, tmp_path: Path) -> None:
    rp = set_up.clone(tmp_path / "parse", reports=tmp_path / "reports")
    shutil.rmtree(rp.db.parent / ".planwise" / "parse-cache", ignore_errors=True)
    assert rp.run("setup").exit_code == 0
    assert rp.report()["dbt_parse"]["kind"] == "full"  # nothing cached yet
    _edit(rp.root / COLA, b"2025,0.025", b"2025,0.027")

    result = rp.run("setup", "--quick")

    assert result.exit_code == 0, result.output
    report = rp.report()
    assert report["published"] is True and _cola(rp.db) == pytest.approx(0.027)
    assert report["dbt_parse"]["kind"] == "partial", report["dbt_parse"]
    # the change report queries only what this run rebuilt: the rest is the live copy
    # the runner's project has a census and no baseline: the census was not rebuilt
    assert report["changes"]["not_rebuilt"] == ["census"]
    assert set(report["changes"]["relations"]) == {"config_cola_by_year"}
    assert "  census: no change (not rebuilt)" in result.output
    assert len(list((rp.db.parent / ".planwise" / "parse-cache").glob("*.msgpack"))) == 1
