"""A damaged census file is reported as damaged before anything is built (exit 2,
naming the file and what the reader found), and nothing is published."""

from __future__ import annotations

import contextlib
import random
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

from tests.conftest import SAMPLE_CENSUS
from tests.faults.conftest import Case


def test_a_corrupt_parquet_census_is_reported_as_damaged(case: Case, tmp_path: Path) -> None:
    data = bytearray(SAMPLE_CENSUS.read_bytes())
    chance = random.Random(5)
    for _ in range(3):  # three flipped bytes inside the column data: a failed decompression
        data[chance.randrange(200, len(data) - 200)] ^= 0xFF
    damaged = tmp_path / "census.parquet"
    damaged.write_bytes(bytes(data))
    result = case.run(census=damaged)
    assert result.exit_code == 2, result.output
    # the runner reads the whole file before dbt starts (plain dbt: the test
    # census_raw_file_readable errors, proven by its mutation case)
    assert f"{damaged}: the census file is damaged" in result.output
    assert "export the census again" in result.output
    report = case.report()
    assert (report["status"], report["published"], report["totals"]["nodes"]) == ("error", False, 0)
    case.assert_unchanged()


def test_a_parquet_census_changed_silently_fails_its_page_checksum(
    case: Case, tmp_path: Path
) -> None:
    # A flipped byte that DuckDB reads as other values without any error: only the
    # page checksums the writer stored (here pyarrow's, as Spark writes them) show it.
    intact = tmp_path / "intact.parquet"
    pq.write_table(pq.read_table(SAMPLE_CENSUS), intact, write_page_checksum=True)
    data, damaged = intact.read_bytes(), tmp_path / "census.parquet"
    with duckdb.connect() as connection:

        def read(path: Path) -> list[Any]:
            return connection.execute(f"from read_parquet('{path}') order by all").fetchall()

        reference = read(intact)
        for position in range(200, len(data) - 2000, 97):
            flipped = bytearray(data)
            flipped[position] ^= 0xFF
            damaged.write_bytes(bytes(flipped))
            with contextlib.suppress(duckdb.Error):
                if read(damaged) != reference:
                    break
        else:
            pytest.fail("no flipped byte changed the values silently")
    result = case.run(census=damaged)
    assert result.exit_code == 2, result.output
    assert f"{damaged}: the census file is damaged" in result.output
    assert "CRC checksum verification failed" in result.output
    assert "export the census again" in result.output
    report = case.report()
    assert (report["status"], report["published"], report["totals"]["nodes"]) == ("error", False, 0)
    case.assert_unchanged()
