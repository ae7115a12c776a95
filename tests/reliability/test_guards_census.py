"""check_census on real Parquet and CSV files written with DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from runner.guards import CENSUS_REQUIRED_COLUMNS, Problem, check_census

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "dbt" / "data" / "census_sample.parquet"

GOOD_SELECT = """
    select
        'EMP_' || i as employee_id,
        'SSN-' || (100000000 + i) as employee_ssn,
        date '1980-01-01' + i::integer as employee_birth_date,
        date '2015-06-01' + i::integer as employee_hire_date,
        case when i % 5 = 0 then date '2024-10-01' end as employee_termination_date,
        50000.0 + i * 100 as employee_gross_compensation,
        i % 5 <> 0 as active,
        0.05 as employee_deferral_rate
    from range(50) as t(i)
"""


def write(path: Path, select: str) -> Path:
    kind = "csv, header true" if path.suffix == ".csv" else "parquet"
    with duckdb.connect() as connection:
        connection.execute(f"copy ({select}) to '{path}' (format {kind})")
    return path


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_sample_census_is_fine() -> None:
    assert check_census(SAMPLE) == []


@pytest.mark.parametrize("name", ["census.parquet", "census.csv"])
def test_good_census_is_fine(tmp_path: Path, name: str) -> None:
    assert check_census(write(tmp_path / name, GOOD_SELECT)) == []


def test_integer_pay_and_timestamp_dates_are_accepted(tmp_path: Path) -> None:
    select = f"""
        select * replace (
            employee_gross_compensation::bigint as employee_gross_compensation,
            employee_birth_date::timestamp as employee_birth_date,
            employee_hire_date::timestamp as employee_hire_date,
            employee_termination_date::timestamp as employee_termination_date)
        from ({GOOD_SELECT})
    """
    for name in ("census.parquet", "census.csv"):
        assert check_census(write(tmp_path / name, select)) == [], name


def test_column_names_match_case_insensitively(tmp_path: Path) -> None:
    select = f"select employee_id as EMPLOYEE_ID, * exclude (employee_id) from ({GOOD_SELECT})"
    assert check_census(write(tmp_path / "census.parquet", select)) == []


def test_missing_file(tmp_path: Path) -> None:
    problem = only(check_census(tmp_path / "nowhere.parquet"))
    assert problem.file == str(tmp_path / "nowhere.parquet")
    assert "not found" in problem.message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "census.parquet"
    path.write_bytes(b"")
    assert "empty (0 bytes)" in only(check_census(path)).message


def test_header_only_csv(tmp_path: Path) -> None:
    path = tmp_path / "census.csv"
    path.write_text(",".join(CENSUS_REQUIRED_COLUMNS) + "\n", encoding="utf-8")
    assert "no data rows (header only)" in only(check_census(path)).message


def test_zero_row_parquet(tmp_path: Path) -> None:
    path = write(tmp_path / "census.parquet", f"select * from ({GOOD_SELECT}) where false")
    assert "no data rows" in only(check_census(path)).message


def test_missing_required_column(tmp_path: Path) -> None:
    path = write(tmp_path / "census.parquet", f"select * exclude (active) from ({GOOD_SELECT})")
    problem = only(check_census(path))
    assert (problem.file, problem.line, problem.column) == (str(path), None, "active")
    assert "required column is missing" in problem.message


def test_text_in_pay_reports_column_count_and_example(tmp_path: Path) -> None:
    select = f"""
        select * replace (
            case when i in (3, 7) then 'abc' else employee_gross_compensation::varchar end
            as employee_gross_compensation)
        from (select *, row_number() over () as i from ({GOOD_SELECT}))
    """
    for name in ("census.parquet", "census.csv"):
        path = write(tmp_path / name, f"select * exclude (i) from ({select})")
        problem = only(check_census(path))
        assert problem.column == "employee_gross_compensation", name
        assert problem.message.startswith("2 rows cannot be converted to double (e.g. 'abc')")


def test_non_iso_date_in_csv(tmp_path: Path) -> None:
    select = f"""
        select * replace (
            case when employee_id = 'EMP_4' then '12/31/1980'
                 else employee_birth_date::varchar end as employee_birth_date)
        from ({GOOD_SELECT})
    """
    problem = only(check_census(write(tmp_path / "census.csv", select)))
    assert problem.column == "employee_birth_date"
    assert "1 row cannot be converted to date (e.g. '12/31/1980')" in problem.message


def test_text_in_active_and_an_optional_column(tmp_path: Path) -> None:
    select = f"""
        select * replace (
            case when employee_id = 'EMP_1' then 'maybe' else active::varchar end as active,
            case when employee_id = 'EMP_2' then 'five percent'
                 else employee_deferral_rate::varchar end as employee_deferral_rate)
        from ({GOOD_SELECT})
    """
    problems = check_census(write(tmp_path / "census.parquet", select))
    assert {p.column for p in problems} == {"active", "employee_deferral_rate"}


def test_integer_in_a_date_column(tmp_path: Path) -> None:
    select = f"""
        select * replace (19800101 as employee_birth_date) from ({GOOD_SELECT})
    """
    problem = only(check_census(write(tmp_path / "census.parquet", select)))
    assert problem.column == "employee_birth_date"
    assert "50 rows cannot be converted to date (e.g. '19800101')" in problem.message


def test_all_problems_in_one_run(tmp_path: Path) -> None:
    select = f"""
        select * exclude (active, employee_birth_date) replace (
            'x' || employee_hire_date as employee_hire_date)
        from ({GOOD_SELECT})
    """
    problems = check_census(write(tmp_path / "census.parquet", select))
    assert [p.column for p in problems] == ["employee_birth_date", "active", "employee_hire_date"]


def test_not_a_parquet_file(tmp_path: Path) -> None:
    path = tmp_path / "census.parquet"
    path.write_text("employee_id\nEMP_1\n", encoding="utf-8")
    problem = only(check_census(path))
    assert "cannot be read as Parquet" in problem.message
    assert ".csv" in problem.hint


def test_ragged_csv_is_reported_not_raised(tmp_path: Path) -> None:
    path = write(tmp_path / "census.csv", GOOD_SELECT)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("EMP_X,SSN-1,1980-01-01\n")
    problem = only(check_census(path))
    assert problem.line == 52  # header + 50 rows + the short one
    assert "do not all have the header's 8 fields" in problem.message


def test_latin1_byte_in_a_csv_census_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "census.csv", GOOD_SELECT)
    lines = path.read_bytes().split(b"\n")
    lines[30] = lines[30].replace(b"SSN-", b"SS\xc9-")  # Latin-1 'É' in a text column
    path.write_bytes(b"\n".join(lines))
    problem = only(check_census(path))
    assert problem.line == 31
    assert "not utf-8 encoded" in problem.message
    assert "UTF-8" in problem.hint
