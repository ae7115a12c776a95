"""What is checked before dbt starts: seed encoding and header, the census file,
the directories setup writes to (everything else is the dbt project's)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from runner.preflight import (
    census_damage,
    census_problems,
    directory_problem,
    problems,
    seed_file_problems,
)
from tests.conftest import SAMPLE_CENSUS

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy2(REPO / "dbt_project.yml", tmp_path / "dbt_project.yml")
    shutil.copytree(REPO / "dbt" / "seeds", tmp_path / "dbt" / "seeds")
    return tmp_path


def test_the_project_passes() -> None:
    assert problems(REPO / "x.duckdb", REPO / "dbt/data/census_sample.parquet", REPO, None) == []


def test_a_latin1_byte_names_file_line_and_byte(project: Path) -> None:
    path = project / "dbt/seeds/scenario_meta.csv"
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"Faster", b"Fast\xe9r")
    path.write_bytes(b"\n".join(lines))
    nested = project / "dbt/seeds/extra/lookup.csv"
    nested.parent.mkdir()
    nested.write_bytes(b"\xef\xbb\xbfcode,label\n1,caf\xe9\n")
    position = lines[2].index(b"\xe9") + 1
    assert seed_file_problems(project) == [
        "dbt/seeds/extra/lookup.csv line 2: byte 0xE9 at byte position 6 is not valid UTF-8; "
        "save the file as UTF-8 (e.g. 'CSV UTF-8' in Excel) and run again",
        f"dbt/seeds/scenario_meta.csv line 3: byte 0xE9 at byte position {position} is not valid "
        "UTF-8; save the file as UTF-8 (e.g. 'CSV UTF-8' in Excel) and run again",
    ]


def test_an_empty_seed_file(project: Path) -> None:
    (project / "dbt/seeds/config_cola_by_year.csv").write_bytes(b"\r\n")
    assert seed_file_problems(project) == [
        "dbt/seeds/config_cola_by_year.csv: the file is empty; restore its header and data rows"
    ]


def test_a_seed_too_large_is_said_once_without_reading_it(project: Path) -> None:
    from runner.preflight import MAX_SEED_BYTES

    huge = project / "dbt/seeds/config_job_levels.csv"
    with huge.open("r+b") as handle:  # sparse: a gigabyte that takes no disk or memory
        handle.truncate(2**30)
    said = seed_file_problems(project)
    assert said == [
        f"dbt/seeds/config_job_levels.csv: 1,024 MB is too large for a seed (at most "
        f"{MAX_SEED_BYTES // 2**20} MB); seeds are small configuration tables: load large data "
        "as a source (like the census) instead"
    ]


def test_census_file(tmp_path: Path) -> None:
    assert "census file not found" in census_problems(tmp_path / "none.parquet")[0]
    assert "not a file" in census_problems(tmp_path)[0]
    (tmp_path / "empty.csv").write_bytes(b"")
    assert "empty (0 bytes)" in census_problems(tmp_path / "empty.csv")[0]


def test_census_damage_reads_parquet_only(tmp_path: Path) -> None:
    # CSV censuses (plain or gzipped, any case) are DuckDB's to read; a Parquet
    # file is decoded in full, and one that is not Parquet at all is damaged.
    for name in ("census.csv", "census.CSV.GZ"):
        (tmp_path / name).write_bytes(b"\x1f\x8b not parquet")
        assert census_damage(tmp_path / name) is None
    assert census_damage(SAMPLE_CENSUS) is None
    truncated = tmp_path / "census.parquet"
    truncated.write_bytes(SAMPLE_CENSUS.read_bytes()[:-100])
    damage = census_damage(truncated)
    assert damage and damage.startswith(f"{truncated}: the census file is damaged")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_directories(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert "is not writable" in str(directory_problem(locked, "database directory", True))
    assert "cannot create" in str(directory_problem(locked / "r", "report directory", False))


def test_directory_kinds(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    assert "is not a directory" in str(
        directory_problem(tmp_path / "file", "report directory", False)
    )
    assert "does not exist" in str(directory_problem(tmp_path / "no", "database directory", True))
    assert directory_problem(tmp_path / "new" / "deep", "report directory", False) is None
    found = problems(tmp_path / "no" / "x.duckdb", tmp_path / "c.parquet", REPO, tmp_path / "file")
    assert len(found) == 3


def test_load_census_refuses_nested_and_binary_columns(tmp_path: Path) -> None:
    """The loader for PostgreSQL and Spark loads values as text: a nested or binary
    column is refused, naming it and its type, before anything is loaded."""
    import duckdb

    from runner.errors import PlanwiseError
    from runner.load_census import _text_file

    census = tmp_path / "nested.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select {{'id': 'EMP_1'}} as employee_id, [1.0::double] as pay, "
            f"'x'::blob as employee_ssn) to '{census}'"
        )

    class Settings:
        def var(self, name: str) -> str:
            return ","

    with pytest.raises(PlanwiseError) as refused:
        _text_file(Settings(), census, tmp_path / "out.csv")
    message = refused.value.message
    assert "employee_id is STRUCT(id VARCHAR)" in message
    assert "pay is DOUBLE[]" in message and "employee_ssn is BLOB" in message
    assert not (tmp_path / "out.csv").exists()
