"""The change report and the run history, on real builds: what a setup changes
against the live database (before it publishes), and what the database remembers."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb

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
    text = rp.run("history").output.splitlines()
    assert (
        "rollback, the database it replaced is now" in text[0]
        and ids[-1] in text[2]
        and "not published (failed)" in text[1]
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
    previous = rp.db.with_name(rp.db.name + ".previous")
    with duckdb.connect(str(previous)) as connection:
        connection.execute("drop table main_history.planwise_setup_runs")
        connection.execute("create view main_history.planwise_setup_runs as select 1 as run_id")
    unrecorded = rp.run("rollback")
    assert unrecorded.exit_code == 2, unrecorded.output
    assert "rolled back, but not recorded" in unrecorded.output
    kinds = _count(rp.db, "select table_type from information_schema.tables "
                          "where table_schema = 'main_history'")  # fmt: skip
    assert kinds == [("VIEW",)]  # the swapped-in file is live
