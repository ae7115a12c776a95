"""The seed materialization refuses bad seed files in plain `dbt build`, naming
file, line and column: one tampered project copy holds one kind of defect per
seed file, and one `dbt build --selector setup` reports them all."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import DbtOutcome, DbtProject, copy_project

LEVERS = "comp_levers"


def rows_of(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def write_rows(path: Path, rows: list[list[str]], ending: str = "\n") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=ending).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def set_field(path: Path, line: int, column: str, value: str) -> None:
    rows = rows_of(path)
    rows[line - 1][rows[0].index(column)] = value
    write_rows(path, rows)


def edit_line(path: Path, line: int, change: Callable[[str], str]) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = change(lines[line - 1])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


CALENDAR_YAML = """
  - name: calendar
    description: A seed with date and boolean columns.
    config:
      column_types: {day: date, is_open: boolean, note: varchar}
    columns:
      - {name: day, description: Day.}
      - {name: is_open, description: Open.}
      - {name: note, description: Note.}
"""


def tamper(project: DbtProject) -> None:
    """One kind of defect per seed file (the loader stops at header, then row problems)."""
    levers = project.seed(LEVERS)
    set_field(levers, 7, "parameter_value", "abc")
    set_field(levers, 2, "job_level", "1.5")
    set_field(levers, 3, "created_at", "2024-01-01 00:00:00+02:00")
    set_field(levers, 4, "created_at", "2024-02-30 00:00:00")
    set_field(levers, 5, "fiscal_year", "99999999999")
    set_field(levers, 6, "parameter_value", '"0.12"')
    set_field(levers, 8, "parameter_value", "0x10")
    set_field(project.seed("scenario_meta"), 3, "updated_at", "12/31/2024")
    edit_line(project.seed("comp_targets"), 3, lambda line: line + ",surplus")
    edit_line(project.seed("config_irs_limits"), 4, lambda line: line.rsplit(",", 2)[0])
    edit_line(project.seed("config_age_bands"), 3, lambda line: line.replace(",", ',"', 1))
    edit_line(
        project.seed("config_new_hire_age_distribution"),
        4,
        lambda line: line.replace(",0.", ',"0"x.', 1),
    )
    project.seed("config_cola_by_year").write_text("year,region\n2025,north\n", encoding="utf-8")
    edit_line(
        project.seed("config_raise_timing_distribution"),
        1,
        lambda line: line.replace("percentage", "percent"),
    )
    edit_line(
        project.seed("config_tenure_bands"),
        1,
        lambda line: line.replace("band_label", "Band_Label"),
    )
    edit_line(
        project.seed("config_job_levels"), 1, lambda line: line.replace("updated_at", "created_at")
    )
    edit_line(
        project.seed("config_termination_hazard_age_multipliers"),
        1,
        lambda line: line.replace("multiplier", " multiplier"),
    )
    base = project.seed("config_promotion_hazard_base")
    base.write_text(base.read_text(encoding="utf-8").splitlines()[0] + "\r\n", encoding="utf-8")
    hazard = project.seed("config_termination_hazard_base")
    hazard.write_text(hazard.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    write_rows(
        project.seed("config_promotion_hazard_tenure_multipliers"),
        [["tenure_band", "multiplier"], *[[f"b{i}", f"x{i}"] for i in range(25)]],
    )
    # fine: reordered columns, CRLF, a BOM, padded values, lower case, blank lines, empty values
    meta = project.seed("config_new_hire_level_distribution")
    rows = rows_of(meta)
    reordered = [
        [f"  {value} " if number else value for value in reversed(row)]
        for number, row in enumerate(rows)
    ]
    reordered[2][reordered[0].index("level_name")] = ""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(reordered)
    meta.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8") + b"\r\n\r\n")
    seeds_yaml = project.path("dbt/seeds/_seeds__models.yml")
    seeds_yaml.write_text(seeds_yaml.read_text(encoding="utf-8") + CALENDAR_YAML, encoding="utf-8")
    project.seed("calendar").write_text(
        "day,is_open,note\n2024-12-31,true,ok\n12/31/2024,maybe,bad\n2024-02-29,0,ok\n2023-02-29,F,bad\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbtOutcome]:
    project = copy_project(tmp_path_factory.mktemp("seeds") / "project")
    tamper(project)
    yield project.dbt("build", "--selector", "setup")


def message(outcome: DbtOutcome, seed: str) -> str:
    result = outcome.by_name()[seed]
    assert result["status"] == "error", (seed, result["status"])
    return str(result["message"])


CASES = [
    (LEVERS, "line 7, column parameter_value: 'abc' is not a number (double)"),
    (LEVERS, "line 2, column job_level: '1.5' is not a whole number (integer)"),
    (LEVERS, "line 3, column created_at: '2024-01-01 00:00:00+02:00' has a time-zone offset"),
    (LEVERS, "line 4, column created_at: '2024-02-30 00:00:00' is not a valid date and time"),
    (LEVERS, "line 5, column fiscal_year: '99999999999' is out of range for integer"),
    (LEVERS, "line 6, column parameter_value: '\"0.12\"' is not a number (double)"),
    (LEVERS, "line 8, column parameter_value: '0x10' is not a number (double)"),
    ("scenario_meta", "line 3, column updated_at: '12/31/2024' is not an ISO timestamp"),
    ("comp_targets", "line 3: the row has more fields than the header's 7 (extra field"),
    ("config_irs_limits", "line 4: the row has fewer fields than the header's 12 (missing field"),
    ("config_age_bands", "line 3, column band_label: a quoted field is never closed"),
    (
        "config_new_hire_age_distribution",
        "line 4, column age_weight: a quoted field is never closed, or a quote stands inside",
    ),
    (
        "config_cola_by_year",
        "line 1, column region: 'region' is not a declared column of this seed",
    ),
    (
        "config_cola_by_year",
        "line 1, column cola_rate: declared column 'cola_rate' is missing from the header",
    ),
    (
        "config_raise_timing_distribution",
        "line 1, column percent: 'percent' is not declared; expected 'percentage' (renamed?)",
    ),
    (
        "config_tenure_bands",
        "line 1, column Band_Label: 'Band_Label' is not declared; expected 'band_label'",
    ),
    ("config_job_levels", "line 1, column created_at: the header has 'created_at' more than once"),
    ("config_job_levels", "line 1, column updated_at: declared column 'updated_at' is missing"),
    (
        "config_termination_hazard_age_multipliers",
        "line 1, column multiplier: header name ' multiplier' has spaces around it",
    ),
    ("config_promotion_hazard_base", "the file has a header but no data rows"),
    ("config_termination_hazard_base", "line 1: fields are separated by ';', not ','"),
    (
        "config_promotion_hazard_tenure_multipliers",
        "line 21, column multiplier: 'x19' is not a number (double)",
    ),
    (
        "config_promotion_hazard_tenure_multipliers",
        "column multiplier: 5 more values are not valid double",
    ),
    ("calendar", "line 3, column day: '12/31/2024' is not an ISO date (YYYY-MM-DD)"),
    ("calendar", "line 3, column is_open: 'maybe' is not a boolean"),
    ("calendar", "line 5, column day: '2023-02-29' is not a valid calendar date"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "expected"), CASES, ids=[f"{s}:{e[:30]}" for s, e in CASES])
def test_plain_dbt_build_names_file_line_and_column(
    loaded: DbtOutcome, seed: str, expected: str
) -> None:
    text = message(loaded, seed)
    shown = f"dbt/seeds/{seed}.csv"
    assert any(f"{shown}{glue}{expected}" in text for glue in (" ", ": ", ", ")), text
    line = next(line for line in text.splitlines() if expected in line)
    assert line.rstrip().endswith("."), line  # each problem ends with what to do


@pytest.mark.slow
def test_every_problem_of_a_file_in_one_error_and_nothing_more(loaded: DbtOutcome) -> None:
    levers = message(loaded, LEVERS)
    assert "cannot be loaded (7 problems)" in levers
    capped = message(loaded, "config_promotion_hazard_tenure_multipliers")
    assert capped.count("is not a number") == 20


@pytest.mark.slow
def test_tidy_variations_load_and_the_rest_is_untouched(loaded: DbtOutcome) -> None:
    statuses = loaded.statuses()
    assert statuses["config_new_hire_level_distribution"] == "success"
    assert statuses["default_deferral_rates"] == "success"
    bad = {seed for seed, _ in CASES}
    assert {name for name, status in statuses.items() if status == "error"} == bad


@pytest.mark.slow
def test_a_seed_of_text_columns_only_loads(project: DbtProject) -> None:
    """No column to check against a type: the value checks still run, and pass."""
    (project.root / "dbt" / "seeds" / "my_notes.csv").write_text("note,author\nhello,ana\n")
    (project.root / "dbt" / "seeds" / "_my_notes.yml").write_text(
        "version: 2\nseeds:\n  - name: my_notes\n    description: Notes.\n"
        "    config: {column_types: {note: varchar, author: varchar}}\n"
    )
    outcome = project.dbt("seed", "--select", "my_notes")
    assert outcome.success, outcome.error_text
    assert project.scalar("select author from my_notes") == "ana"
