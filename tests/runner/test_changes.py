"""The change report and the run history, on real builds: what a setup changes
against the live database (before it publishes), and what the database remembers."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb

from runner.changes import change_lines
from tests.conftest import SAMPLE_CENSUS
from tests.runner.conftest import RunnerProject


def _count(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_a_swapped_census_reports_headcount_and_pay_as_a_direct_count_finds_them(
    set_up: RunnerProject, tmp_path: Path
) -> None:
    rp = set_up.clone(tmp_path / "swap", reports=tmp_path / "reports")
    census = tmp_path / "other.parquet"
    assert (
        rp.run("census", "--employees", "3000", "--seed", "7", "--output", str(census)).exit_code
        == 0
    )
    result = rp.run("setup", "--census", str(census))
    assert result.exit_code == 0, result.output
    measures = {
        (m["part"], m["measure"], m["bucket"]): (m["old"], m["new"])
        for m in rp.report()["changes"]["workforce"]
    }
    previous = rp.db.with_name(rp.db.name + ".previous")
    for db, side in ((previous, 0), (rp.db, 1)):
        ((headcount, pay, hires),) = _count(
            db,
            "select count(*), round(sum(employee_gross_compensation), 2), count(*) filter "
            "(where employee_hire_date between date '2024-01-01' and date '2024-12-31') "
            "from stg_census_data",
        )
        assert measures["census", "headcount", "all"][side] == headcount
        assert measures["census", "hires", "all"][side] == hires
        assert measures["census", "total_pay", "all"][side] == float(pay)
        levels = _count(
            db, "select cast(level_id as varchar), count(*) from int_baseline_workforce group by 1"
        )
        for level, employees in levels:
            assert measures["baseline", "by_level", level][side] == employees
    assert measures["census", "headcount", "all"] == (5000, 3000)
    assert "census: headcount 5,000 → 3,000 (-2,000)" in result.output
    # and employee by employee (ids, then every census column of the ids on both sides)
    by_id = rp.report()["changes"]["census"]["employees"]
    assert by_id == _direct_employee_changes(previous, rp.db)


def _raise_every_pay(census: Path) -> None:
    """The sample census with every pay 1% higher under the same ids, 3 employees
    gone, 5 new ones (copies under new ids) and 4 SSNs emptied (a value -> NULL)."""
    sample = f"read_parquet('{SAMPLE_CENSUS}')"
    with duckdb.connect() as connection:
        connection.execute(
            f"""
            copy (
              select * replace (
                employee_gross_compensation * 1.01 as employee_gross_compensation,
                case when employee_id in ('EMP_2024_000041', 'EMP_2024_000042',
                  'EMP_2024_000043', 'EMP_2024_000044') then null else employee_ssn end
                  as employee_ssn
              )
              from {sample}
              where employee_id not in ('EMP_2024_000010', 'EMP_2024_000020', 'EMP_2024_000030')
              union all
              select * replace ('NEW_' || employee_id as employee_id,
                                'NEW_' || employee_ssn as employee_ssn)
              from {sample}
              where employee_id between 'EMP_2024_000101' and 'EMP_2024_000105'
            ) to '{census}' (format parquet)
            """
        )


def _direct_employee_changes(old: Path, new: Path) -> dict[str, Any]:
    """The employees added, removed and changed between two stg_census_data tables,
    counted with set operations (EXCEPT: NULL equals NULL) over the census file's
    columns, independently of the change report's SQL."""
    with duckdb.connect() as connection:
        connection.execute(f"attach '{old}' as old_db (read_only)")
        connection.execute(f"attach '{new}' as new_db (read_only)")
        file_columns = connection.execute(
            f"select column_name from (describe select * from read_parquet('{SAMPLE_CENSUS}'))"
        ).fetchall()
        columns = [name for (name,) in file_columns if name != "employee_id"]
        old_t, new_t = "old_db.main.stg_census_data", "new_db.main.stg_census_data"
        kept = f"employee_id in (select employee_id from {old_t})"

        def count(sql: str) -> int:
            ((number,),) = connection.execute(f"select count(*) from ({sql})").fetchall()
            return int(number)

        def changed(names: list[str]) -> int:
            listed = ", ".join(["employee_id", *names])
            return count(
                f"select {listed} from {new_t} where {kept} except select {listed} from {old_t}"
            )

        in_both = count(f"select employee_id from {new_t} where {kept}")
        by_column = [(name, changed([name])) for name in columns]
        return {
            "added": count(f"select employee_id from {new_t} where not {kept}"),
            "removed": count(
                f"select employee_id from {old_t} except select employee_id from {new_t}"
            ),
            "changed": changed(columns),
            "unchanged": in_both - changed(columns),
            "columns": [
                {"column": name, "employees": number}
                for name, number in sorted(by_column, key=lambda c: (-c[1], c[0]))
                if number
            ][:5],
        }


def test_a_census_with_every_pay_raised_reports_the_employees_added_removed_and_changed(
    set_up: RunnerProject, tmp_path: Path
) -> None:
    rp = set_up.clone(tmp_path / "raise", reports=tmp_path / "reports")
    census = tmp_path / "raised.parquet"
    _raise_every_pay(census)
    result = rp.run("setup", "--census", str(census))
    assert result.exit_code == 0, result.output
    employees = rp.report()["changes"]["census"]["employees"]
    previous = rp.db.with_name(rp.db.name + ".previous")
    assert employees == _direct_employee_changes(previous, rp.db)
    assert (employees["added"], employees["removed"], employees["changed"]) == (5, 3, 4997)
    assert employees["columns"] == [
        {"column": "employee_gross_compensation", "employees": 4997},
        {"column": "employee_ssn", "employees": 4},  # a value -> NULL counts (NULL-safe)
    ]
    assert "  census: 5,002 employees: 5 added, 3 removed, 4,997 changed\n" in result.output
    assert "    (employee_gross_compensation 4,997, employee_ssn 4)\n" in result.output
    assert "census: headcount 5,000 → 5,002 (+2)" in result.output
    history = rp.run("history", "--json")
    assert json.loads(history.output)[0]["change_summary"]["census"] == {"employees": employees}


def test_a_setup_of_the_same_census_reports_no_employee_changed(
    set_up: RunnerProject, tmp_path: Path
) -> None:
    rp = set_up.clone(tmp_path / "same", reports=tmp_path / "reports")
    result = rp.run("setup", "--dry-run")
    assert result.exit_code == 0, result.output
    employees = rp.report()["changes"]["census"]["employees"]
    assert employees == {"added": 0, "removed": 0, "changed": 0, "unchanged": 5000, "columns": []}
    assert "  census: no change (5,000 employees, none added, removed or changed)\n" in (
        result.output
    )


def _measure(part: str, name: str, old: float, new: float, bucket: str = "all") -> dict[str, Any]:
    return {"part": part, "measure": name, "bucket": bucket, "old": old, "new": new}


HEADLINE_50K = [
    ("headcount", 50_000, 50_000),
    ("hires", 1_200, 1_200),
    ("terminations", 800, 800),
    ("active", 49_200, 49_200),
    ("total_pay", 4_000_000_000.0, 4_040_000_000.0),
    ("median_pay", 75_000.0, 75_750.0),
]


def _changes(employees: dict[str, Any] | None, moved: bool = True) -> dict[str, Any]:
    """A change report whose census has 50,000 employees (pay 1% up when `moved`)."""
    workforce = [
        _measure("census", name, old, new if moved else old) for name, old, new in HEADLINE_50K
    ]
    changes = {"first_setup": False, "compared_with": "db", "workforce": workforce}
    return changes | ({} if employees is None else {"census": {"employees": employees}})


def test_the_census_line_counts_employees_and_wraps_its_columns_within_80_columns() -> None:
    columns = {
        "employee_gross_compensation": 50_000,
        "employee_birth_date": 12,
        "employee_termination_date": 7,
        "employee_ssn": 3,
        "employee_deferral_rate": 1,
    }
    employees: dict[str, Any] = {"added": 0, "removed": 0, "changed": 50_000, "unchanged": 0}
    employees["columns"] = [{"column": c, "employees": n} for c, n in columns.items()]
    lines = change_lines(_changes(employees))
    assert lines[2:] == [
        "  census: 50,000 employees: 0 added, 0 removed, 50,000 changed",
        "    (employee_gross_compensation 50,000, employee_birth_date 12,",
        "    employee_termination_date 7, employee_ssn 3, employee_deferral_rate 1)",
        "  census: headcount 50,000 (no change); hires 1,200 (no change);",
        "    terminations 800 (no change); active 49,200 (no change);",
        "    total pay 4,000,000,000 → 4,040,000,000 (+40,000,000);",
        "    median pay 75,000 → 75,750 (+750)",
        "  baseline: not compared",
    ]
    assert all(len(line) <= 80 for line in lines)
    one = change_lines(_changes(employees | {"columns": employees["columns"][:2]}), unicode=False)
    assert one[2:4] == [
        "  census: 50,000 employees: 0 added, 0 removed, 50,000 changed",
        "    (employee_gross_compensation 50,000, employee_birth_date 12)",
    ]


def test_an_unchanged_census_says_no_change_and_names_no_measure() -> None:
    same: dict[str, Any] = {"added": 0, "removed": 0, "changed": 0, "unchanged": 50_000}
    same["columns"] = []
    assert change_lines(_changes(same, moved=False))[2] == (
        "  census: no change (50,000 employees, none added, removed or changed)"
    )
    # employees changed but no measure moved (a birth date corrected): no measure line
    fixed = same | {"changed": 1, "unchanged": 49_999}
    fixed["columns"] = [{"column": "employee_birth_date", "employees": 1}]
    assert change_lines(_changes(fixed, moved=False))[2:] == [
        "  census: 50,000 employees: 0 added, 0 removed, 1 changed",
        "    (employee_birth_date 1)",
        "  baseline: not compared",
    ]
    # a report without the employee comparison (an older one) keeps its wording
    assert change_lines(_changes(None, moved=False))[2] == "  census: no change"


def _setup(rp: RunnerProject, first: bool = False) -> tuple[int, dict[str, object]]:
    """A full setup first, then builds of one seed (and its tests): each one publishes."""
    result = rp.run("setup", *([] if first else ["-s", "scenario_meta"]))
    return result.exit_code, rp.report()


def test_history_keeps_five_setups_a_failed_one_and_a_rollback_in_order(
    runner_project: RunnerProject,
) -> None:
    rp, ids = runner_project, []
    seed = rp.project.seed("scenario_meta")
    for number in range(5):
        if number == 2:  # the third setup runs on an edited seed
            seed.write_text(seed.read_text().replace("Baseline", "Baseline (edited)", 1))
        code, report = _setup(rp, first=number == 0)
        assert code == 0 and report["published"], report["messages"]
        ids.append(report["run"]["run_id"])  # type: ignore[index]
    lines = seed.read_text().splitlines()
    seed.write_text("\n".join([*lines, lines[-1]]) + "\n")  # a duplicated scenario: refused
    code, failed = _setup(rp)
    assert code == 1 and not failed["published"]
    assert rp.run("rollback").exit_code == 0
    assert rp.run("clear").exit_code == 0  # clearing never touches the history
    listed = rp.run("history", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [row["kind"] for row in rows] == ["rollback", "setup", *["setup"] * 5]
    assert [row["published"] for row in rows] == [True, False, *[True] * 5]
    assert [row["run_id"] for row in rows[2:]] == ids[::-1]
    assert rows[1]["run_id"] == failed["run"]["run_id"]  # type: ignore[index]
    assert rows[1]["status"] == "not published (failed)"
    newest = rows[2]
    assert newest["census_fingerprint"] == hashlib.sha256(SAMPLE_CENSUS.read_bytes()).hexdigest()
    assert len(newest["seed_fingerprints"]) == 20 and newest["scenario_id"] == "default"
    assert (newest["plan_year_start"], newest["plan_year_end"]) == ("2024-01-01", "2024-12-31")
    assert newest["dbt_version"] and newest["engine_version"].startswith("duckdb v")
    assert (
        newest["test_counts"]["seed_integrity"]["pass"] > 0 and newest["row_counts"] == {}
    )  # it built no model
    assert newest["change_summary"]["first_setup"] is False
    assert [row["run_id"] for row in rows if row["live"]] == [ids[3]]  # what it restored
    assert rows[0]["change_summary"] == {"restored_run": ids[3], "replaced_run": ids[4]}
    text = rp.run("history").output.splitlines()
    assert (
        f"rollback, restored run {ids[3]}, replacing run {ids[4]}" in text[0]
        and ids[-1] in text[2]
        and "not published (failed)" in text[1]
        and text[3].startswith("live ")
        and ids[3] in text[3]
    )
    compared = rp.run("diff", ids[1][:8], ids[2][:8])
    assert compared.exit_code == 0, compared.output
    assert "seed files changed: scenario_meta" in compared.output
    same = json.loads(rp.run("diff", ids[3], ids[4], "--json").output)
    assert same["seeds"] == {} and same["inputs"] == {}
    unknown = rp.run("diff", "no-such-run", ids[0])
    assert unknown.exit_code == 2 and "run 'no-such-run' matches no run" in unknown.output
    # a rollback whose history row cannot be written: the files are swapped all the
    # same, and it says so (exit 2) instead of claiming a clean rollback
    # (the live history holds a start time the restored file's table cannot take,
    # so its rows cannot be copied across)
    with duckdb.connect(str(rp.db)) as connection:
        connection.execute(
            "alter table main_history.planwise_setup_runs alter started_at type varchar"
        )
        connection.execute(
            "insert into main_history.planwise_setup_runs (run_id, kind, started_at) "
            "values ('unreadable', 'setup', 'not a time')"
        )
    unrecorded = rp.run("rollback")
    assert unrecorded.exit_code == 2, unrecorded.output
    assert "rolled back, but not recorded" in unrecorded.output
    found = _count(
        rp.db, "select run_id from main_history.planwise_setup_runs where run_id = 'unreadable'"
    )
    assert found == []  # the swapped-in file, without that row, is live
