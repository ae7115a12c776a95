"""The census contract in dbt: a plain `dbt test` on the census source lists
every value that does not convert, with its row, and stores those rows; an
empty census fails; an unreadable one errors naming the file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from runner.report import hook_payload
from tests.conftest import DbtOutcome, DbtProject, copy_project

pytestmark = pytest.mark.slow

GOOD_SELECT = """
    select
        'EMP_' || i as employee_id,
        'SSN-' || (100000000 + i) as employee_ssn,
        (date '1980-01-01' + i::integer)::timestamp as employee_birth_date,
        date '2015-06-01' + i::integer as employee_hire_date,
        case when i % 5 = 0 then date '2024-10-01' end as employee_termination_date,
        50000 + i * 100 as employee_gross_compensation,
        i % 5 <> 0 as active,
        0.05 as employee_deferral_rate
    from range(50) as t(i)
"""


def write(path: Path, select: str) -> Path:
    kind = "csv, header true" if path.suffix == ".csv" else "parquet"
    with duckdb.connect() as connection:
        connection.execute(f"copy ({select}) to '{path}' (format {kind})")
    return path


@pytest.fixture(scope="module")
def census_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbtProject]:
    yield copy_project(tmp_path_factory.mktemp("census") / "project")


def source_tests(project: DbtProject, census: Path) -> DbtOutcome:
    return project.dbt("test", "--select", "source:census", vars={"census_path": str(census)})


def test_a_good_census_passes_with_integer_pay_and_timestamp_dates(
    census_project: DbtProject, tmp_path: Path
) -> None:
    for name in ("census.csv", "census.parquet"):
        outcome = source_tests(census_project, write(tmp_path / name, GOOD_SELECT))
        assert outcome.success and not outcome.not_passing(), outcome.not_passing()


def test_values_that_do_not_convert_are_counted_and_stored_with_their_row(
    census_project: DbtProject, tmp_path: Path
) -> None:
    select = f"""
        select * replace (
            case when employee_id = 'EMP_6' then 'fifty /* thousand */'
                else employee_gross_compensation::varchar end as employee_gross_compensation,
            case when employee_id = 'EMP_2' then '1990-13-45' else employee_hire_date::varchar end
                as employee_hire_date,
            case when employee_id = 'EMP_9' then 'maybe' else active::varchar end as active,
            case when employee_id = 'EMP_11' then 'six' else employee_deferral_rate::varchar end
                as employee_deferral_rate)
        from ({GOOD_SELECT}) order by i
    """.replace("order by i", "")
    census = write(
        tmp_path / "bad.csv",
        f"select * from ({select}) order by cast(substr(employee_id, 5) as integer)",
    )
    # with the runner's report var: the on-run-end hook hands over the failing rows
    outcome = census_project.dbt(
        "test",
        "--select",
        "source:census",
        vars={"census_path": str(census), "planwise_report": True},
    )
    assert outcome.not_passing() == {"census_raw_values_convert": "fail"}  # hooks passed
    handed = hook_payload(outcome.run_results)["failing_rows"]
    [rows] = handed.values()
    assert rows["columns"][:3] == ["census_line", "employee_id", "column_name"]
    expected = ["line 8", "EMP_6", "employee_gross_compensation", "fifty /* thousand */"]
    assert [*expected, "double", "7"] in rows["rows"]
    assert outcome.by_name()["census_raw_values_convert"]["failures"] == 4
    stored = census_project.query(
        "select census_line, employee_id, column_name, census_value, expected_type "
        "from main_validation_failures.census_raw_values_convert order by census_row"
    )
    assert stored == [  # a CSV's line: its header is line 1
        ("line 4", "EMP_2", "employee_hire_date", "1990-13-45", "date"),
        ("line 8", "EMP_6", "employee_gross_compensation", "fifty /* thousand */", "double"),
        ("line 11", "EMP_9", "active", "maybe", "boolean"),
        ("line 13", "EMP_11", "employee_deferral_rate", "six", "double"),
    ]
    # the same rows in Parquet are rows, not lines; an empty required field names
    # its place the same way
    parquet = write(
        tmp_path / "bad.parquet",
        f"select * replace (case when employee_id = 'EMP_4' then null else employee_id "
        f"end as employee_id) from ({select}) order by employee_ssn",
    )
    outcome = source_tests(census_project, parquet)
    assert set(outcome.not_passing()) == {
        "census_raw_values_convert",
        "census_raw_required_fields_not_null",
    }
    places = census_project.query(
        "select census_line, employee_id from main_validation_failures.census_raw_values_convert "
        "order by census_row"
    )
    assert places[:2] == [("row 3", "EMP_2"), ("row 7", "EMP_6")]
    empty = census_project.query(
        "select null_column, census_line "
        "from main_validation_failures.census_raw_required_fields_not_null"
    )
    assert empty == [("employee_id", "row 5")]


def test_dates_in_the_formats_of_census_date_format_convert(
    census_project: DbtProject, tmp_path: Path
) -> None:
    """HR exports write MM/DD/YYYY or DD.MM.YYYY: census_date_format reads them (the
    formats tried in order); a date in none of them fails naming the formats, and a
    column the file types as DATE stays a date."""
    census = write(
        tmp_path / "us_dates.csv",
        f"select * replace (case when employee_id = 'EMP_3' then strftime(employee_birth_date, "
        f"'%Y-%m-%d') when employee_id = 'EMP_4' then strftime(employee_birth_date, '%d.%m.%Y') "
        f"else strftime(employee_birth_date, '%m/%d/%Y') end as employee_birth_date, "
        f"strftime(employee_hire_date, '%m/%d/%Y') as employee_hire_date, "
        f"strftime(employee_termination_date, '%m/%d/%Y') as employee_termination_date) "
        f"from ({GOOD_SELECT})",
    )
    formats = ["%m/%d/%Y", "%d.%m.%Y"]
    outcome = census_project.dbt(
        "test",
        "--select",
        "source:census",
        vars={"census_path": str(census), "census_date_format": formats},
    )
    assert outcome.not_passing() == {"census_raw_values_convert": "fail"}
    stored = census_project.query(
        "select employee_id, census_value, expected_type "
        "from main_validation_failures.census_raw_values_convert"
    )
    assert stored == [("EMP_3", "1980-01-04", "date (as %m/%d/%Y or %d.%m.%Y)")]
    typed = write(tmp_path / "typed.parquet", GOOD_SELECT)  # DATE and TIMESTAMP columns
    outcome = census_project.dbt(
        "test",
        "--select",
        "source:census",
        vars={"census_path": str(typed), "census_date_format": formats},
    )
    assert outcome.success and not outcome.not_passing(), outcome.not_passing()
    refused = census_project.dbt(
        "test",
        "--select",
        "source:census",
        vars={"census_path": str(census), "census_date_format": "MM/DD/YYYY"},
    )
    assert not refused.success and "census_date_format" in refused.error_text


@pytest.mark.parametrize("name", ["header_only.csv", "zero_rows.parquet"])
def test_an_empty_census_fails(census_project: DbtProject, tmp_path: Path, name: str) -> None:
    outcome = source_tests(
        census_project, write(tmp_path / name, f"select * from ({GOOD_SELECT}) limit 0")
    )
    assert outcome.not_passing() == {"census_raw_minimum_rows": "fail"}


def test_a_missing_required_column_stops_staging_naming_it(
    census_project: DbtProject, tmp_path: Path
) -> None:
    census = write(
        tmp_path / "no_birth.parquet",
        f"select * exclude (employee_birth_date) from ({GOOD_SELECT})",
    )
    outcome = census_project.dbt(
        "build",
        "--select",
        "stg_census_data",
        "--indirect-selection",
        "cautious",
        vars={"census_path": str(census)},
    )
    assert outcome.statuses()["stg_census_data"] == "error"
    assert "employee_birth_date" in outcome.error_text and str(census) in outcome.error_text


@pytest.mark.parametrize("kind", ["not-parquet", "ragged-csv", "latin1-csv"])
def test_an_unreadable_census_errors_naming_the_file(
    census_project: DbtProject, tmp_path: Path, kind: str
) -> None:
    if kind == "not-parquet":
        census = tmp_path / "census.parquet"
        census.write_text("employee_id\nEMP_1\n", encoding="utf-8")
        expected = "census.parquet"
    elif kind == "ragged-csv":
        # (DuckDB names the line once the row lies beyond the rows it sniffs)
        census = write(tmp_path / "census.csv", GOOD_SELECT.replace("range(50)", "range(30000)"))
        with census.open("a", encoding="utf-8") as handle:
            handle.write("EMP_X,SSN-1,1980-01-01\n")
        expected = "Line: 30002"
    else:
        census = write(tmp_path / "census.csv", GOOD_SELECT)
        lines = census.read_bytes().split(b"\n")
        lines[30] = lines[30].replace(b"SSN-", b"SS\xc9-")
        census.write_bytes(b"\n".join(lines))
        expected = "utf-8"
    outcome = source_tests(census_project, census)
    assert "error" in outcome.not_passing().values(), outcome.statuses()
    assert expected.lower() in outcome.error_text.lower(), outcome.error_text


def test_clear_checks_the_vars_and_odd_values_are_named_not_crashed_on(
    census_project: DbtProject,
) -> None:
    """`run-operation` has no on-run-start hook, so the clear macro checks the vars
    itself; an infinite number and impossible dates get messages, not a crash."""
    odd = (  # YAML, as a user types it: .inf is a float there
        "{validation_max_multiplier: .inf, plan_year_start_date: '0000-02-30',"
        " plan_year_end_date: '9999-12-31', clear_keep: 'stg_*'}"
    )
    outcome = census_project.dbt(
        "run-operation", "planwise_clear_owned", "--args", "{dry_run: true}", "--vars", odd
    )
    assert not outcome.success
    for said in (
        "var `validation_max_multiplier` must be a finite number",
        "var `plan_year_start_date` is not a date of the calendar",
        "var `clear_keep` must be a list",
    ):
        assert said in outcome.error_text, outcome.error_text
    assert "plan_year_end_date" not in outcome.error_text  # 9999-12-31 is a date
