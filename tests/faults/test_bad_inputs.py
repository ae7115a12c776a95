"""Bad seed CSVs and bad census files through the real `planwise-run setup`.

Each case starts from a live database built by a successful setup plus a user
table, breaks one input, runs setup in-process and checks (a) the exit code,
(b) the message names the file and the line/column, (c) the live database is
unchanged, (d) no debris is left.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SAMPLE_CENSUS
from tests.faults.conftest import USER_TABLE, Case

COLA = "config_cola_by_year"
META = "scenario_meta"


def _replace_line(path: Path, number: int, new: bytes) -> None:
    """Replace line `number` (1 = header) of a CSV file, keeping its line endings."""
    lines = path.read_bytes().split(b"\n")
    ending = b"\r" if lines[number - 1].endswith(b"\r") else b""
    lines[number - 1] = new + ending
    path.write_bytes(b"\n".join(lines))


def _replace_in_line(path: Path, number: int, old: bytes, new: bytes) -> None:
    lines = path.read_bytes().split(b"\n")
    assert old in lines[number - 1], (old, lines[number - 1])
    _replace_line(path, number, lines[number - 1].rstrip(b"\r").replace(old, new, 1))


def _header_only(path: Path) -> None:
    path.write_bytes(path.read_bytes().split(b"\n")[0] + b"\n")


# (seed, how to break it, what the message must name besides the file name): one
# kind of defect per seed file, so that one setup proves them all (dbt loads every
# seed it can and fails each one it cannot, naming file, line and column).
SEED_CASES: dict[str, tuple[str, Callable[[Path], None], list[str]]] = {
    "extra-field": (COLA, lambda p: _replace_line(p, 3, b"2025,0.025,0.1"), ["line 3"]),
    "missing-fields": (
        "config_irs_limits",
        lambda p: _replace_line(p, 3, b"2025,23500"),
        ["line 3"],
    ),
    "unterminated-quote": (
        "config_promotion_hazard_age_multipliers",
        lambda p: _replace_line(p, 3, b'"25-34,1.3'),
        ["line 3"],
    ),
    "renamed-header": (
        "config_termination_hazard_tenure_multipliers",
        lambda p: _replace_line(p, 1, b"tenure_band,multiplyer"),
        ["multiplier"],
    ),
    "duplicated-header": (
        "config_promotion_hazard_tenure_multipliers",
        lambda p: _replace_line(p, 1, b"tenure_band,tenure_band"),
        ["multiplier"],
    ),
    "header-only": ("config_promotion_hazard_base", _header_only, ["no data rows"]),
    "invalid-date": (
        META,
        lambda p: _replace_in_line(p, 2, b"2024-01-01 00:00:00", b"2024-02-30 00:00:00"),
        ["line 2", "created_at"],
    ),
    "non-iso-date": (
        "config_job_levels",
        lambda p: _replace_in_line(p, 2, b"2024-01-01 00:00:00", b"01/02/2024 00:00:00"),
        ["line 2", "created_at"],
    ),
    "text-in-number": (
        "config_termination_hazard_base",
        lambda p: _replace_in_line(p, 2, b"0.25", b"a quarter"),
        ["line 2", "base_rate_for_new_hire"],
    ),
}


def said(case: Case) -> list[str]:
    """What the report says: its messages and each problem's message, description and rows."""
    report = case.report()
    texts = list(report["messages"])
    for problem in report["problems"]:
        rows = (problem.get("rows") or {}).get("rows") or []
        texts.append(" ".join([problem["message"], problem["description"] or "", *map(str, rows)]))
    return texts


# The seed cases break PlanWise's own seeds: the whole project (full_case); the
# census cases run on the runner's project (case), which has the same census.


def test_bad_seeds_fail_naming_file_and_place(full_case: Case) -> None:
    case = full_case
    for seed, breaker, _ in SEED_CASES.values():
        breaker(case.seed(seed))

    result = case.run()

    assert result.exit_code == 2, result.output
    texts = said(case)
    for name, (seed, _, fragments) in SEED_CASES.items():
        problems = [text for text in texts if f"{seed}.csv" in text]
        assert problems, (name, result.output)
        for fragment in fragments:
            assert any(fragment in text for text in problems), (name, fragment, problems)
    failed = {p["name"]: p["status"] for p in case.report()["problems"]}
    # each broken seed errors on its own: alone, each would exit 2 as well
    assert {seed: "error" for seed, _, _ in SEED_CASES.values()}.items() <= failed.items()
    assert "Traceback" not in result.output and "nothing published" in result.output
    case.assert_unchanged()
    case.assert_no_debris()


@pytest.mark.parametrize("kind", ["latin1-byte", "missing-file"])
def test_a_seed_dbt_cannot_parse_stops_before_the_build(full_case: Case, kind: str) -> None:
    """Bytes that are not UTF-8 stop dbt from parsing (pre-flight names the line and
    byte); a missing seed file is a parse error naming the seed."""
    case = full_case
    if kind == "latin1-byte":
        _replace_in_line(case.seed(META), 2, b"Baseline", b"Caf\xe9")
    else:
        case.seed(COLA).unlink()
    result = case.run()
    assert result.exit_code == 2, result.output
    expected = f"{META}.csv line 2" if kind == "latin1-byte" else COLA
    assert any(expected in text for text in said(case)), said(case)
    assert "Traceback" not in result.output
    case.assert_unchanged()
    case.assert_no_debris()


def test_reordered_seed_header_loads_by_name(full_case: Case) -> None:
    case = full_case
    path = case.seed(COLA)
    original = path.read_text().splitlines()
    swapped = [",".join(reversed(line.split(","))) for line in original]
    assert swapped[0] == "cola_rate,year"
    path.write_text("\n".join(swapped) + "\n")
    expected = sorted((int(y), float(r)) for y, r in (line.split(",") for line in original[1:]))

    result = case.run()

    assert result.exit_code == 0, result.output
    with duckdb.connect(str(case.db), read_only=True) as connection:
        loaded = connection.execute(f"select year, cola_rate from {COLA} order by year").fetchall()
        notes = connection.execute(f"select * from {USER_TABLE}").fetchall()
    assert sorted(loaded) == expected
    assert notes == [(1, "keep me")]
    assert case.checksum() == case.before  # same data, whatever the column order in the file
    case.assert_no_debris()


# --------------------------------------------------------------------------- census


def _copy_census(destination: Path, select: str, fmt: str = "parquet") -> Path:
    """Write `select` (over the sample census, as table `c`) to `destination`."""
    with duckdb.connect() as connection:
        connection.execute("set enable_progress_bar = false")
        connection.execute(f"create view c as select * from read_parquet('{SAMPLE_CENSUS}')")
        options = "format parquet" if fmt == "parquet" else "format csv, header true"
        connection.execute(f"copy ({select}) to '{destination}' ({options})")
    return destination


def _census_missing(d: Path) -> Path:
    return d / "no-such-census.parquet"


def _census_empty(d: Path) -> Path:
    path = d / "empty.parquet"
    path.write_bytes(b"")
    return path


def _census_header_only_csv(d: Path) -> Path:
    return _copy_census(d / "header_only.csv", "select * from c limit 0", "csv")


def _census_missing_column(d: Path) -> Path:
    return _copy_census(
        d / "no_birth_date.parquet", "select * exclude (employee_birth_date) from c"
    )


def _census_text_in_number(d: Path) -> Path:
    select = (
        "select * replace (case when employee_id = 'EMP_2024_000007' then 'fifty thousand' "
        "else employee_gross_compensation::varchar end as employee_gross_compensation) from c"
    )
    return _copy_census(d / "text_pay.parquet", select)


def _census_bad_date_csv(d: Path) -> Path:
    select = (
        "select * replace (case when employee_id = 'EMP_2024_000003' then '1990-13-45' "
        "else employee_hire_date::varchar end as employee_hire_date) from c"
    )
    return _copy_census(d / "bad_date.csv", select, "csv")


# name -> (make the census, what the message must name)
CENSUS_CASES: dict[str, tuple[Callable[[Path], Path], list[str]]] = {
    "missing-file": (_census_missing, ["not found"]),
    "empty-file": (_census_empty, ["empty"]),
    "header-only-csv": (_census_header_only_csv, ["an empty census"]),
    "missing-required-column": (
        _census_missing_column,
        ["lacks required column(s) employee_birth_date;"],
    ),
    # a failing row says where it is (a Parquet row, a CSV line) and whose it is
    "text-in-number-column": (
        _census_text_in_number,
        ["employee_gross_compensation", "['row ", "', 'EMP_2024_000007', "],
    ),
    "invalid-date-csv": (
        _census_bad_date_csv,
        ["employee_hire_date", "['line ", "', 'EMP_2024_000003', "],
    ),
}


@pytest.mark.parametrize("name", list(CENSUS_CASES))
def test_bad_census_fails_before_dbt_naming_file_and_column(
    case: Case, tmp_path: Path, name: str
) -> None:
    make, fragments = CENSUS_CASES[name]
    census = make(tmp_path)

    result = case.run(census=census)

    assert result.exit_code == 2, result.output
    report = case.report()
    assert report["inputs"]["census_path"] == str(census)
    texts = said(case)
    for fragment in fragments:
        assert any(fragment in text for text in texts), (fragment, texts)
    assert "Traceback" not in result.output
    assert "nothing was run" in result.output or "nothing published" in result.output
    case.assert_unchanged()
    case.assert_no_debris()


def test_duplicate_census_ids_warn_and_publish(case: Case, tmp_path: Path) -> None:
    census = _copy_census(
        tmp_path / "dupes.parquet",
        "select * from c union all select * replace (employee_gross_compensation + 1000 "
        "as employee_gross_compensation) from c where employee_id in "
        "('EMP_2024_000001', 'EMP_2024_000002')",
    )

    result = case.run(census=census)

    assert result.exit_code == 0, result.output
    report = case.report()
    assert report["status"] in ("warned", "warn", "passed_with_warnings", "success"), report
    assert report["published"] is True
    warned = [p for p in report["problems"] if p["status"] == "warn"]
    assert any("duplicate" in p["name"] for p in warned), warned
    assert any("duplicate" in line for line in result.output.splitlines() if "warn" in line.lower())
    with duckdb.connect(str(case.db), read_only=True) as connection:
        audit = connection.execute(
            "select count(*), count(distinct employee_id) from stg_census_duplicates_audit"
        ).fetchone()
        notes = connection.execute(f"select * from {USER_TABLE}").fetchall()
    assert audit == (4, 2)
    assert notes == [(1, "keep me")]
    case.assert_no_debris()


def test_nulls_in_required_census_column_fail_validation_and_publish_nothing(
    case: Case, tmp_path: Path
) -> None:
    census = _copy_census(
        tmp_path / "null_hire.parquet",
        "select * replace (case when employee_id in ('EMP_2024_000004', 'EMP_2024_000005') "
        "then null else employee_hire_date end as employee_hire_date) from c",
    )

    result = case.run(census=census)

    assert result.exit_code == 1, result.output
    report = case.report()
    assert report["published"] is False
    failing = [p for p in report["problems"] if p["status"] in ("fail", "error")]
    assert any("not_null" in p["name"] or "required" in p["name"] for p in failing), failing
    named = [p["name"] for p in failing if "required" in p["name"] or "hire_date" in p["name"]]
    assert named and any(n in result.output for n in named), result.output
    assert "nothing published" in result.output
    case.assert_unchanged()
    case.assert_no_debris()
