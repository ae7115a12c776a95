"""A damaged census file is reported as damaged (exit 2, the test that reads every
value names the file and what the reader found), and nothing is published."""

from __future__ import annotations

import random
from pathlib import Path

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
    report = case.report()
    readable = [p for p in report["problems"] if p["name"] == "census_raw_file_readable"]
    assert [p["status"] for p in readable] == ["error"], report["problems"]
    assert str(damaged) in readable[0]["message"]
    assert "damaged" in result.output and "export the census again" in result.output
    assert not report["published"]
    case.assert_unchanged()
