"""check_seeds on the project's seeds and on crafted bad copies of them (real files)."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from runner.guards import MAX_PROBLEMS_PER_COLUMN, Problem, _value_checker, check_seeds

REPO_ROOT = Path(__file__).resolve().parents[2]
LEVERS = "dbt/seeds/comp_levers.csv"


@pytest.fixture
def seeds_project(tmp_path: Path) -> Path:
    """A copy of the project's seeds (all check_seeds reads)."""
    shutil.copytree(REPO_ROOT / "dbt" / "seeds", tmp_path / "dbt" / "seeds")
    return tmp_path


def lines_of(project: Path, relative: str) -> list[str]:
    return (project / relative).read_text(encoding="utf-8").splitlines()


def write_lines(project: Path, relative: str, lines: list[str], ending: str = "\n") -> None:
    (project / relative).write_bytes((ending.join(lines) + ending).encode("utf-8"))


def edit_line(project: Path, relative: str, number: int, change: Callable[[str], str]) -> None:
    lines = lines_of(project, relative)
    lines[number - 1] = change(lines[number - 1])
    write_lines(project, relative, lines)


def set_field(project: Path, relative: str, number: int, column: str, value: str) -> None:
    """Set one field of data line `number` (1 = header) by column name."""
    rows = list(csv.reader(io.StringIO((project / relative).read_text(encoding="utf-8"))))
    rows[number - 1][rows[0].index(column)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    (project / relative).write_text(buffer.getvalue(), encoding="utf-8")


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_project_seeds_have_no_problems() -> None:
    assert check_seeds(REPO_ROOT) == []


def test_text_in_a_number_column_names_file_line_and_column(seeds_project: Path) -> None:
    set_field(seeds_project, LEVERS, 7, "parameter_value", "abc")
    problem = only(check_seeds(seeds_project))
    assert (problem.file, problem.line, problem.column) == (LEVERS, 7, "parameter_value")
    assert str(problem) == (
        "dbt/seeds/comp_levers.csv line 7, column parameter_value: 'abc' is not a number "
        "(double). Fix the value or remove the row."
    )


def test_semicolon_separated_seed_is_one_line_naming_the_separator(seeds_project: Path) -> None:
    """A spreadsheet export with `;` between fields: one problem for the file,
    naming the separator, not one per column and row."""
    path = seeds_project / LEVERS
    path.write_text(path.read_text().replace(",", ";"))
    problem = only(check_seeds(seeds_project))
    assert (problem.file, problem.line) == (LEVERS, 1)
    assert "separated by ';', not ','" in problem.message
    assert "CSV" in problem.hint


def test_extra_field(seeds_project: Path) -> None:
    edit_line(seeds_project, LEVERS, 3, lambda line: line + ",surplus")
    problem = only(check_seeds(seeds_project))
    assert (problem.file, problem.line, problem.column) == (LEVERS, 3, None)
    assert "10 fields but the header has 9 (extra field)" in problem.message


def test_missing_fields(seeds_project: Path) -> None:
    edit_line(seeds_project, LEVERS, 4, lambda line: line.rsplit(",", 2)[0])
    problem = only(check_seeds(seeds_project))
    assert (problem.file, problem.line) == (LEVERS, 4)
    assert "7 fields but the header has 9 (missing fields)" in problem.message


def test_unterminated_quote_names_the_line_where_the_quote_opens(seeds_project: Path) -> None:
    edit_line(seeds_project, LEVERS, 5, lambda line: line.replace(",planwise", ',"planwise'))
    problem = only(check_seeds(seeds_project))
    assert (problem.file, problem.line) == (LEVERS, 5)
    assert "unterminated quote" in problem.message


def test_stray_quote_after_a_quoted_field(seeds_project: Path) -> None:
    edit_line(seeds_project, LEVERS, 6, lambda line: line.replace(",planwise", ',"plan"wise'))
    problem = only(check_seeds(seeds_project))
    assert (problem.line, problem.column) == (6, None)
    assert "not valid CSV" in problem.message


def test_latin1_byte_reports_line_and_byte_position(seeds_project: Path) -> None:
    path = seeds_project / "dbt/seeds/scenario_meta.csv"
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"Faster", b"Fast\xe9r")  # Latin-1 'é'
    path.write_bytes(b"\n".join(lines))
    problem = only(check_seeds(seeds_project))
    assert (problem.file, problem.line) == ("dbt/seeds/scenario_meta.csv", 3)
    position = lines[2].index(b"\xe9") + 1
    assert f"byte 0xE9 at byte position {position} is not valid UTF-8" in problem.message
    assert "UTF-8" in problem.hint


def test_renamed_header(seeds_project: Path) -> None:
    edit_line(seeds_project, LEVERS, 1, lambda line: line.replace("parameter_value", "param_val"))
    problem = only(check_seeds(seeds_project))
    assert (problem.file, problem.line, problem.column) == (LEVERS, 1, "param_val")
    assert "expected 'parameter_value'" in problem.message


def test_header_with_other_case_is_reported_as_renamed(seeds_project: Path) -> None:
    edit_line(seeds_project, LEVERS, 1, lambda line: line.replace("job_level", "Job_Level"))
    problem = only(check_seeds(seeds_project))
    assert problem.column == "Job_Level"
    assert "expected 'job_level'" in problem.message


def test_missing_and_extra_header_columns(seeds_project: Path) -> None:
    relative = "dbt/seeds/config_cola_by_year.csv"
    write_lines(seeds_project, relative, ["year,region", "2025,north"])
    problems = check_seeds(seeds_project)
    assert {(p.line, p.column) for p in problems} == {(1, "region"), (1, "cola_rate")}
    messages = " | ".join(p.message for p in problems)
    assert "'cola_rate' is missing from the header" in messages
    assert "'region' is not a declared column" in messages


def test_duplicated_header(seeds_project: Path) -> None:
    edit_line(seeds_project, LEVERS, 1, lambda line: line.replace("created_by", "scenario_id"))
    problems = check_seeds(seeds_project)
    duplicate = [p for p in problems if "appears 2 times" in p.message]
    assert [(p.file, p.line, p.column) for p in duplicate] == [(LEVERS, 1, "scenario_id")]
    assert any(p.column == "created_by" and "missing" in p.message for p in problems)


def test_header_name_with_spaces_is_reported(seeds_project: Path) -> None:
    edit_line(seeds_project, LEVERS, 1, lambda line: line.replace("fiscal_year", "fiscal_year "))
    problem = only(check_seeds(seeds_project))
    assert (problem.line, problem.column) == (1, "fiscal_year")
    assert "spaces" in problem.message


def test_reordered_header_crlf_whitespace_and_lower_case_are_fine(seeds_project: Path) -> None:
    path = seeds_project / LEVERS
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    order = list(reversed(range(len(rows[0]))))
    reordered = [[row[i] for i in order] for row in rows]
    for row in reordered[1:]:
        row[:] = [f"  {value} " for value in row]
        row[reordered[0].index("event_type")] = row[reordered[0].index("event_type")].lower()
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(reordered)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))  # with a BOM
    blank_lines = path.read_bytes() + b"\r\n\r\n"
    path.write_bytes(blank_lines)
    assert check_seeds(seeds_project) == []


def test_header_only(seeds_project: Path) -> None:
    relative = "dbt/seeds/config_promotion_hazard_base.csv"
    write_lines(seeds_project, relative, lines_of(seeds_project, relative)[:1], ending="\r\n")
    problem = only(check_seeds(seeds_project))
    assert (problem.file, problem.line, problem.column) == (relative, None, None)
    assert "header but no data rows" in problem.message


def test_empty_file(seeds_project: Path) -> None:
    relative = "dbt/seeds/config_promotion_hazard_base.csv"
    (seeds_project / relative).write_bytes(b"")
    problem = only(check_seeds(seeds_project))
    assert "empty" in problem.message


def test_invalid_timestamp(seeds_project: Path) -> None:
    set_field(seeds_project, LEVERS, 2, "created_at", "2024-02-30 00:00:00")
    problem = only(check_seeds(seeds_project))
    assert (problem.line, problem.column) == (2, "created_at")
    assert "not a valid date and time" in problem.message


def test_non_iso_timestamp(seeds_project: Path) -> None:
    set_field(seeds_project, "dbt/seeds/scenario_meta.csv", 3, "updated_at", "12/31/2024")
    problem = only(check_seeds(seeds_project))
    assert (problem.file, problem.line, problem.column) == (
        "dbt/seeds/scenario_meta.csv",
        3,
        "updated_at",
    )
    assert "'12/31/2024' is not an ISO timestamp" in problem.message


def test_timestamp_with_time_zone_offset_is_reported(seeds_project: Path) -> None:
    set_field(seeds_project, LEVERS, 2, "created_at", "2024-01-01 00:00:00+02:00")
    assert "time-zone offset" in only(check_seeds(seeds_project)).message


def test_fraction_in_an_integer_column(seeds_project: Path) -> None:
    set_field(seeds_project, LEVERS, 2, "job_level", "1.5")
    problem = only(check_seeds(seeds_project))
    assert problem.column == "job_level"
    assert "'1.5' is not a whole number (integer)" in problem.message


def test_quoted_value_after_a_space_is_read_like_duckdb_reads_it(seeds_project: Path) -> None:
    edit_line(seeds_project, LEVERS, 2, lambda line: line.replace(",0.035,", ', "0.035",'))
    assert check_seeds(seeds_project) == []
    # but quotes inside a quoted field are part of the value: DuckDB cannot cast it
    edit_line(seeds_project, LEVERS, 3, lambda line: line.replace(",0.12,", ',"""0.12""",'))
    problem = only(check_seeds(seeds_project))
    assert (problem.line, problem.column) == (3, "parameter_value")


def test_leading_space_in_a_header_name_is_reported(seeds_project: Path) -> None:
    edit_line(seeds_project, LEVERS, 1, lambda line: line.replace(",job_level", ", job_level"))
    problem = only(check_seeds(seeds_project))
    assert (problem.line, problem.column) == (1, "job_level")


def test_empty_values_are_null_and_fine(seeds_project: Path) -> None:
    set_field(seeds_project, LEVERS, 2, "parameter_value", "  ")
    set_field(seeds_project, LEVERS, 3, "created_at", "")
    assert check_seeds(seeds_project) == []


def test_missing_seed_file(seeds_project: Path) -> None:
    (seeds_project / "dbt/seeds/config_cola_by_year.csv").unlink()
    problem = only(check_seeds(seeds_project))
    assert (problem.file, problem.line) == ("dbt/seeds/config_cola_by_year.csv", None)
    assert "missing" in problem.message


def test_all_problems_in_one_run(seeds_project: Path) -> None:
    set_field(seeds_project, LEVERS, 7, "parameter_value", "abc")
    set_field(seeds_project, LEVERS, 9, "fiscal_year", "twenty")
    edit_line(seeds_project, "dbt/seeds/comp_targets.csv", 2, lambda line: line + ",x")
    (seeds_project / "dbt/seeds/config_raises_hazard.csv").unlink()
    problems = check_seeds(seeds_project)
    assert {(p.file, p.line, p.column) for p in problems} == {
        (LEVERS, 7, "parameter_value"),
        (LEVERS, 9, "fiscal_year"),
        ("dbt/seeds/comp_targets.csv", 2, None),
        ("dbt/seeds/config_raises_hazard.csv", None, None),
    }


def test_many_bad_values_are_capped_with_a_count(seeds_project: Path) -> None:
    relative = "dbt/seeds/config_cola_by_year.csv"
    rows = [f"{2000 + i},rate{i}" for i in range(MAX_PROBLEMS_PER_COLUMN + 5)]
    write_lines(seeds_project, relative, ["year,cola_rate", *rows])
    problems = check_seeds(seeds_project)
    assert len(problems) == MAX_PROBLEMS_PER_COLUMN + 1
    assert problems[-1].column == "cola_rate" and "5 more values" in problems[-1].message


def test_declared_date_and_boolean_types(tmp_path: Path) -> None:
    """Types the project may use later: ISO dates only, DuckDB's boolean spellings."""
    seeds = tmp_path / "dbt" / "seeds"
    seeds.mkdir(parents=True)
    (seeds / "_seeds__models.yml").write_text(
        "version: 2\nseeds:\n  - name: calendar\n    config:\n      column_types:\n"
        "        day: date\n        is_open: boolean\n        note: varchar\n",
        encoding="utf-8",
    )
    (seeds / "calendar.csv").write_text(
        "day,is_open,note\n2024-12-31,true,ok\n12/31/2024,maybe,bad\n2024-1-5,Y,bad\n"
        "2024-02-29,0,ok\n2023-02-29,F,bad\n",
        encoding="utf-8",
    )
    problems = check_seeds(tmp_path)
    assert [(p.line, p.column) for p in problems] == [(3, "day"), (3, "is_open"), (4, "day"),
                                                      (6, "day")]  # fmt: skip
    assert "'12/31/2024' is not an ISO date (YYYY-MM-DD)" in problems[0].message
    assert "not a valid calendar date" in problems[3].message


def test_missing_declarations_file(tmp_path: Path) -> None:
    problem = only(check_seeds(tmp_path))
    assert problem.file == "dbt/seeds/_seeds__models.yml"


def test_undeclared_csv_is_checked_for_encoding_and_shape(seeds_project: Path) -> None:
    extra = seeds_project / "dbt/seeds/extras/my_lookup.csv"
    extra.parent.mkdir()
    extra.write_bytes(b"code,label\n1,ok\n2,caf\xe9\n3\n")
    problems = check_seeds(seeds_project)
    assert [(p.file, p.line) for p in problems] == [
        ("dbt/seeds/extras/my_lookup.csv", 3),
        ("dbt/seeds/extras/my_lookup.csv", 4),
    ]
    extra.write_bytes(b"code,label\n1,ok\n")
    assert check_seeds(seeds_project) == []


def test_declared_seed_in_a_subfolder_is_found(seeds_project: Path) -> None:
    seeds = seeds_project / "dbt/seeds"
    (seeds / "config").mkdir()
    (seeds / "config_cola_by_year.csv").rename(seeds / "config" / "config_cola_by_year.csv")
    assert check_seeds(seeds_project) == []
    set_field(seeds_project, "dbt/seeds/config/config_cola_by_year.csv", 2, "cola_rate", "x")
    problem = only(check_seeds(seeds_project))
    assert (problem.file, problem.line, problem.column) == (
        "dbt/seeds/config/config_cola_by_year.csv",
        2,
        "cola_rate",
    )


PARITY_SAMPLES = [
    "1", "-1", "+1", "1.0", "1.", "1.5", "007", "2147483647", "2147483648", "-2147483649",
    "1e3", ".5", "-.5", "1E-3", "1e", "0x10", "nan", "inf", "1_000", "1,0", "true", "F",
    "yes", "n", "2", "2024-01-05", "2024-1-5", "2024/01/05", "12/31/2024", "2024-02-29",
    "2023-02-29", "2024-01-05 10:00:00", "2024-01-05T10:00", "2024-01-05 10:00:00.123456789",
    "2024-01-05 24:00:00", "2024-01-05 10:00:00+02", "0001-01-01", "20240105", "infinity",
]  # fmt: skip


@pytest.mark.parametrize(
    "declared", ["integer", "bigint", "smallint", "double", "boolean", "date", "timestamp"]
)
def test_guard_never_accepts_a_value_duckdb_cannot_cast(declared: str) -> None:
    """The loader casts with DuckDB: whatever the guard lets through must cast."""
    check = _value_checker(declared)
    assert check is not None
    with duckdb.connect() as connection:
        for value in PARITY_SAMPLES:
            casts = connection.execute(
                f"select try_cast(? as {declared}) is not null", [value]
            ).fetchone()
            if check(value) is None:
                assert casts == (True,), (declared, value)
