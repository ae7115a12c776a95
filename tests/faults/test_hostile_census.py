"""A hostile or careless census through the real `planwise-run setup`.

Column names that try to be SQL, values that are not finite, ids that only
look filled in, columns whose type cannot hold their contract type, and a
census without columns. Each case starts from a live database built by a
successful setup plus a user table; a refused census leaves it as it was.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from tests.conftest import SAMPLE_CENSUS
from tests.faults.conftest import USER_TABLE, Case
from tests.faults.test_bad_inputs import said

HOSTNAME = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
SECRET = HOSTNAME or socket.gethostname()

# Column names that would run SQL if a name were pasted between quotes unescaped.
# Each must arrive in stg_census_data as one column spelled exactly so.
HOSTILE_NAMES = [
    "x\", (select content from read_text('/etc/hostname')) as \"pwned",
    'y" from (select 1 as one) as t --',
    "z\",\ncurrent_setting('threads') as \"threads_leak",
    '"',
    'w"" , 1 as ""v',
    "`backtick` [bracket] 'single'; drop table my_notes; --",
]


def _sample(rows: int = 200) -> pa.Table:
    return pq.read_table(SAMPLE_CENSUS).slice(0, rows)


def _write(table: pa.Table, path: Path) -> Path:
    if path.suffix == ".csv":
        pacsv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    return path


def _failing_rows(case: Case, name: str) -> list[dict[str, Any]]:
    """The stored failing rows of the check `name` in this case's report."""
    problems = [p for p in case.report()["problems"] if p["name"] == name]
    assert problems, [p["name"] for p in case.report()["problems"]]
    rows = problems[0]["rows"] or {}
    return [dict(zip(rows["columns"], row, strict=True)) for row in rows["rows"]]


def _columns(db: Path, relation: str) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as connection:
        described = connection.execute(f"describe {relation}").fetchall()
    return [str(row[0]) for row in described]


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_census_column_names_are_data_never_sql(case: Case, tmp_path: Path, suffix: str) -> None:
    table = _sample().append_column("x", pa.array(["plain"] * 200))
    for number, name in enumerate(HOSTILE_NAMES):
        table = table.append_column(name, pa.array([f"value {number}"] * 200))
    census = _write(table, tmp_path / f"hostile{suffix}")

    result = case.run(census=census)

    assert result.exit_code == 0, result.output
    columns = _columns(case.db, "stg_census_data")
    for name in [*HOSTILE_NAMES, "x"]:
        assert columns.count(name) == 1, (name, columns)
    assert "pwned" not in columns and "threads_leak" not in columns and "v" not in columns
    with duckdb.connect(str(case.db), read_only=True) as connection:
        carried = connection.execute(
            "select * from stg_census_data where employee_id = ?",
            [table.column("employee_id")[0].as_py()],
        ).fetchone()
        notes = connection.execute(f"select * from {USER_TABLE}").fetchall()
    assert carried is not None
    values = dict(zip(columns, carried, strict=True))
    for number, name in enumerate(HOSTILE_NAMES):
        assert values[name] == f"value {number}"
    assert SECRET not in {str(value) for value in values.values()}
    assert notes == [(1, "keep me")]
    listed = case.report()["undeclared_columns"]["stg_census_data"]
    assert sorted(listed) == sorted([*HOSTILE_NAMES, "x"])


def _non_finite_csv(directory: Path) -> tuple[Path, set[tuple[int, str, str]]]:
    """A CSV census with non-finite pay and dates; {(census row, column, text)}."""
    table = _sample(20)
    pay = [str(value) for value in table.column("employee_gross_compensation").to_pylist()]
    hire = [str(value) for value in table.column("employee_hire_date").to_pylist()]
    birth = [str(value) for value in table.column("employee_birth_date").to_pylist()]
    expected: set[tuple[int, str, str]] = set()
    for row, text in {2: "inf", 4: "1e309", 6: "-Infinity", 8: "NaN", 10: "-1e400"}.items():
        pay[row - 1] = text
        expected.add((row, "employee_gross_compensation", text))
    hire[11] = "-infinity"
    expected.add((12, "employee_hire_date", "-infinity"))
    birth[13] = "infinity"
    expected.add((14, "employee_birth_date", "infinity"))
    table = table.set_column(
        table.schema.get_field_index("employee_gross_compensation"),
        "employee_gross_compensation",
        pa.array(pay),
    )
    table = table.set_column(
        table.schema.get_field_index("employee_hire_date"), "employee_hire_date", pa.array(hire)
    )
    table = table.set_column(
        table.schema.get_field_index("employee_birth_date"), "employee_birth_date", pa.array(birth)
    )
    return _write(table, directory / "non_finite.csv"), expected


def _non_finite_parquet(directory: Path) -> tuple[Path, set[tuple[int, str, str]]]:
    """A Parquet census: DOUBLE pay with NaN and infinities, text capped pay 'nan'."""
    table = _sample(20)
    pay = table.column("employee_gross_compensation").to_pylist()
    pay[2], pay[4], pay[6] = float("nan"), float("inf"), float("-inf")
    capped = [str(value) for value in pay]
    capped[9], capped[10] = "nan", "Infinity"
    column = table.schema.get_field_index("employee_gross_compensation")
    table = table.set_column(column, "employee_gross_compensation", pa.array(pay, pa.float64()))
    if "employee_capped_compensation" in table.column_names:
        table = table.drop_columns(["employee_capped_compensation"])
    table = table.append_column("employee_capped_compensation", pa.array(capped))
    expected = {
        (row, column, text)
        for row, text in {3: "nan", 5: "inf", 7: "-inf"}.items()
        for column in ("employee_gross_compensation", "employee_capped_compensation")
    }
    expected |= {(10, "employee_capped_compensation", "nan")}
    expected |= {(11, "employee_capped_compensation", "Infinity")}
    return _write(table, directory / "non_finite.parquet"), expected


@pytest.mark.slow
@pytest.mark.parametrize("make", [_non_finite_csv, _non_finite_parquet])
def test_non_finite_census_values_are_refused_naming_row_column_and_text(
    case: Case, tmp_path: Path, make: Any
) -> None:
    census, expected = make(tmp_path)

    result = case.run(census=census)

    assert result.exit_code == 2, result.output
    rows = _failing_rows(case, "census_raw_values_convert")
    found = {
        (int(row["census_row"]), row["column_name"], str(row["census_value"]).lower())
        for row in rows
    }
    assert found == {(row, column, text.lower()) for row, column, text in expected}
    assert case.report()["published"] is False
    case.assert_unchanged()
    case.assert_no_debris()


BLANK_LOOKING = ["\t", "\u200b", "\u00a0", "\ufeff", "\u2028", "\u180e \u3000", "\r\n", ""]


@pytest.mark.slow
def test_ids_that_only_look_filled_in_are_blank(case: Case, tmp_path: Path) -> None:
    table = _sample(40)
    ids = table.column("employee_id").to_pylist()
    blank_rows = []
    for offset, text in enumerate(BLANK_LOOKING):
        ids[3 + offset * 4] = text
        blank_rows.append(4 + offset * 4)
    ids[1] = ids[1] + "\u200b"  # visible text with an invisible tail: not blank
    index = table.schema.get_field_index("employee_id")
    census = _write(
        table.set_column(index, "employee_id", pa.array(ids)), tmp_path / "blank_ids.parquet"
    )

    result = case.run(census=census)

    assert result.exit_code == 1, result.output
    rows = _failing_rows(case, "census_raw_employee_id_not_blank")
    assert sorted(row["employee_id"] for row in rows) == sorted(BLANK_LOOKING)
    assert "census_raw_employee_id_not_blank" in result.output
    case.assert_unchanged()


@pytest.mark.slow
def test_columns_whose_type_cannot_hold_the_contract_type_are_refused(
    case: Case, tmp_path: Path
) -> None:
    table = _sample(20)
    ids = table.column("employee_id").to_pylist()
    pay = table.column("employee_gross_compensation").to_pylist()
    replaced = {
        "employee_id": pa.array([{"id": value} for value in ids]),
        "employee_gross_compensation": pa.array([[value] for value in pay]),
        "employee_ssn": pa.array([b"\x00\x01"] * 20, pa.binary()),
    }
    for name, values in replaced.items():
        if name in table.column_names:
            table = table.set_column(table.schema.get_field_index(name), name, values)
        else:
            table = table.append_column(name, values)
    census = _write(table, tmp_path / "nested.parquet")

    result = case.run(census=census)

    assert result.exit_code == 2, result.output
    text = " ".join(said(case))
    assert "employee_id is STRUCT(id VARCHAR)" in text, text
    assert "employee_gross_compensation is DOUBLE[]" in text, text
    assert "employee_ssn is BLOB" in text, text
    assert "declares varchar" in text and "declares double" in text, text
    assert "Traceback" not in result.output
    case.assert_unchanged()
    case.assert_no_debris()


@pytest.mark.parametrize(
    "content", [b"\n", b"\r\n\r\n", b"\xef\xbb\xbf\n", b",,\n1,2,3\n", b"  \n1\n"]
)
def test_a_census_without_columns_is_refused_in_pre_flight(
    case: Case, tmp_path: Path, content: bytes
) -> None:
    census = tmp_path / "no_columns.csv"
    census.write_bytes(content)

    result = case.run(census=census)

    assert result.exit_code == 2, result.output
    assert "nothing was run" in result.output
    assert f"{census}: " in result.output and "column" in result.output
    assert case.report()["steps"][0] == {**case.report()["steps"][0], "status": "fail"}
    case.assert_unchanged()
