"""The user's data is never replaced by mistake, and the database says what it holds.

Run as a user would, through the CLI, on the cut-down runner project (the same
hooks, history and census contract as the whole project): a setup that names no
census keeps the live database's; plain dbt builds its own file, never the one
planwise-run published; `history` marks the one live run, and the mark moves with
a rollback; `status` and `history` read the file without starting dbt.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from runner.census import CensusSpec, generate_census
from tests.conftest import SAMPLE_CENSUS, copy_runner_project
from tests.runner.conftest import RunnerProject, new_runner_project

BIN = Path(sys.executable).parent


def _census_rows(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as connection:
        found = connection.execute("select count(*) from main.stg_census_data").fetchone()
    assert found is not None
    return int(found[0])


def _history(rp: RunnerProject) -> list[dict[str, object]]:
    listed = rp.run("history", "--json")
    assert listed.exit_code == 0, listed.output
    rows: list[dict[str, object]] = json.loads(listed.output)
    return rows


def _live(rows: list[dict[str, object]]) -> list[object]:
    return [row["run_id"] for row in rows if row["live"]]


@pytest.fixture
def user_census(tmp_path: Path) -> Path:
    path = tmp_path / "hr_export.parquet"
    generate_census(CensusSpec(321, seed=7), path)
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> RunnerProject:
    return new_runner_project(tmp_path, copy=copy_runner_project)


def test_a_setup_without_census_keeps_the_census_the_live_database_was_built_from(
    tiny: RunnerProject, user_census: Path
) -> None:
    first = tiny.run("setup", census=False)  # a first setup: the bundled sample, said so
    assert first.exit_code == 0, first.output
    assert "(bundled sample census)" in first.output
    built = tiny.run("setup", "--census", str(user_census))
    assert built.exit_code == 0, built.output
    sample = tiny.root / "dbt" / "data" / SAMPLE_CENSUS.name  # the project's own copy
    assert "CENSUS CHANGED" in built.output and str(sample) in " ".join(built.output.split())
    assert _census_rows(tiny.db) == 321

    again = tiny.run("setup", census=False)  # no --census: the live database's census
    assert again.exit_code == 0, again.output
    assert "the live database's census, from run" in again.output
    assert "CENSUS CHANGED" not in again.output and _census_rows(tiny.db) == 321
    assert tiny.report()["inputs"]["census_path"] == str(user_census)

    seed = tiny.project.seed("config_cola_by_year")
    seed.write_text(seed.read_text().replace("0.025", "0.026", 1))
    quick = tiny.run("setup", "--quick", census=False)  # after a seed edit
    assert quick.exit_code == 0, quick.output
    report = tiny.report()
    assert report["published"] and report["census"]["origin"].startswith("the live database's")
    assert "census changed" not in " ".join(report["messages"]) and _census_rows(tiny.db) == 321
    rows = _history(tiny)
    newest = rows[0]
    compared = tiny.run("diff", str(rows[1]["run_id"]), str(newest["run_id"]))
    assert "config_cola_by_year year=2024: cola_rate 0.025 \u2192 0.026" in compared.output
    digest = hashlib.sha256(user_census.read_bytes()).hexdigest()
    assert (newest["census_path"], newest["census_rows"]) == (str(user_census), 321)
    assert newest["census_fingerprint"] == digest


def test_a_census_the_live_database_cannot_name_is_refused_not_replaced(
    tiny: RunnerProject, user_census: Path
) -> None:
    assert tiny.run("setup", "--census", str(user_census)).exit_code == 0
    moved = user_census.rename(user_census.with_name("moved.parquet"))
    gone = tiny.run("setup", census=False)
    assert gone.exit_code == 2, gone.output
    said = " ".join(gone.output.split())
    assert f"{user_census}: the census the live database was built from" in said
    assert "--census" in said and _census_rows(tiny.db) == 321

    # a database an older release built records no census: named, never guessed
    moved.rename(user_census)
    with duckdb.connect(str(tiny.db)) as connection:
        connection.execute("alter table main_history.planwise_setup_runs drop column census_path")
    unknown = tiny.run("setup", census=False)
    assert unknown.exit_code == 2, unknown.output
    assert "does not record the census it was built from" in " ".join(unknown.output.split())
    assert _census_rows(tiny.db) == 321


def test_plain_dbt_builds_its_own_file_and_never_the_published_one(
    tiny: RunnerProject, user_census: Path
) -> None:
    assert tiny.run("setup", "--census", str(user_census)).exit_code == 0
    published = hashlib.sha256(tiny.db.read_bytes()).hexdigest()
    before = _history(tiny)
    status_before = tiny.run("status").output
    # a user's shell may well export the runner's variable: plain dbt ignores it
    env = {**os.environ, "PLANWISE_DB_PATH": str(tiny.db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "0"}
    env.pop("PLANWISE_DBT_DB_PATH", None)
    built = subprocess.run(
        [str(BIN / "dbt"), "build", "--selector", "setup", "--profiles-dir", "."],
        cwd=tiny.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-3000:]
    assert hashlib.sha256(tiny.db.read_bytes()).hexdigest() == published
    assert _census_rows(tiny.root / "planwise_dev.duckdb") == 5000  # dbt_project.yml's census
    assert _history(tiny) == before
    status = tiny.run("status")
    assert status.exit_code == 0 and status.output == status_before
    assert f"holds: setup {before[0]['run_id']}" in status.output


def test_history_marks_one_live_run_and_the_mark_moves_with_rollback(
    tiny: RunnerProject, user_census: Path
) -> None:
    assert tiny.run("setup").exit_code == 0
    assert tiny.run("setup", "--census", str(user_census)).exit_code == 0
    rows = _history(tiny)
    first, second = rows[1]["run_id"], rows[0]["run_id"]
    assert _live(rows) == [second]
    assert tiny.run("history").output.splitlines()[0].startswith(f"live {rows[0]['started_at']}")

    assert tiny.run("rollback").exit_code == 0
    rows = _history(tiny)
    assert _live(rows) == [first] and rows[0]["kind"] == "rollback"
    assert rows[0]["change_summary"] == {"restored_run": first, "replaced_run": second}
    assert f"restored run {first}, replacing run {second}" in tiny.run("history").output
    stamps = [row[name] for row in rows for name in ("started_at", "finished_at")]
    assert all(len(str(s)) == 20 and str(s).endswith("Z") for s in stamps), stamps

    assert tiny.run("rollback").exit_code == 0  # and back
    rows = _history(tiny)
    assert _live(rows) == [second] and len(rows) == 4
    assert rows[0]["change_summary"] == {"restored_run": second, "replaced_run": first}

    compared = tiny.run("diff", str(first), str(rows[0]["run_id"]))  # a rollback: its run
    assert compared.exit_code == 0, compared.output
    assert "is a rollback: compared as the run it restored" in compared.output
    assert "census_rows: 5,000 \u2192 321" in compared.output
    assert "None" not in compared.output and "{" not in compared.output


READ_ONLY = """
import sys
from click.testing import CliRunner
from runner.cli import cli
for command in ({commands}):
    result = CliRunner().invoke(cli, ["--project-dir", {root!r}, *command])
    assert result.exit_code == 0, result.output
print(sorted(name for name in sys.modules if name == "dbt" or name.startswith("dbt.")))
"""


def test_status_history_diff_and_rollback_answer_without_dbt(tiny: RunnerProject) -> None:
    assert tiny.run("setup").exit_code == 0
    assert tiny.run("setup").exit_code == 0
    first, second = (str(row["run_id"]) for row in _history(tiny)[::-1])
    db = ["--db", str(tiny.db)]
    commands = [["status", *db], ["history", *db], ["history", "--json", *db]]
    commands += [["diff", first, second, *db], ["rollback", *db], ["history", *db]]
    code = READ_ONLY.format(commands=", ".join(map(repr, commands)), root=str(tiny.root))
    env = {key: value for key, value in os.environ.items() if not key.startswith("PLANWISE_")}
    ran = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert ran.stdout.strip().splitlines()[-1] == "[]"
    rows = _history(tiny)  # the rollback was recorded, and moved the live mark
    assert rows[0]["kind"] == "rollback" and _live(rows) == [first]


def test_an_hr_export_with_us_dates_sets_up_with_census_date_format(
    tiny: RunnerProject, tmp_path: Path
) -> None:
    """MM/DD/YYYY dates, as HR systems export them: refused as ISO, read with the var."""
    export = tmp_path / "hr_us_dates.csv"
    with duckdb.connect() as connection:
        described = connection.execute(
            f"describe select * from read_parquet('{SAMPLE_CENSUS}')"
        ).fetchall()
        dates = ", ".join(  # every date column, as the export writes them
            f"strftime({name}, '%m/%d/%Y') as {name}"
            for name, kind, *_ in described
            if kind == "DATE"
        )
        connection.execute(
            f"copy (select * replace ({dates}) from read_parquet('{SAMPLE_CENSUS}')) "
            f"to '{export}' (format csv, header true)"
        )
    refused = tiny.run("setup", "--census", str(export))
    assert refused.exit_code == 2 and "census_raw_values_convert" in refused.output
    formats = "{census_date_format: ['%m/%d/%Y']}"
    built = tiny.run("setup", "--census", str(export), "--vars", formats)
    assert built.exit_code == 0, built.output
    with duckdb.connect(str(tiny.db), read_only=True) as connection:
        staged = connection.execute(
            "select min(employee_birth_date), count(*) from main.stg_census_data"
        ).fetchone()
        sample = connection.execute(
            f"select min(employee_birth_date) from read_parquet('{SAMPLE_CENSUS}')"
        ).fetchone()
    assert staged is not None and sample is not None
    assert (staged[0], staged[1]) == (sample[0], 5000)


def test_quick_with_a_renamed_census_column_still_names_it_before_dbt(
    tiny: RunnerProject, tmp_path: Path
) -> None:
    """--quick leaves the column check to after its up-to-date test: a new census
    missing a required column is still refused there, naming the near miss."""
    assert tiny.run("setup").exit_code == 0
    renamed = tmp_path / "renamed.csv"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * rename (employee_birth_date as birth_date) from "
            f"read_parquet('{SAMPLE_CENSUS}')) to '{renamed}' (format csv, header true)"
        )
    quick = tiny.run("setup", "--quick", "--census", str(renamed))
    assert quick.exit_code == 2, quick.output
    report = tiny.report()
    assert report["dbt"]["invocation_id"] is None
    assert any("(the file has 'birth_date': rename it)" in m for m in report["messages"])
