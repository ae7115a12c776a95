"""The dbt project builds standalone, from real files, on real DuckDB."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from runner.census import CensusSpec, census_sql, generate_census
from tests.conftest import SAMPLE_CENSUS, DbtProject, DefaultBuild

SEEDS = {
    "scenario_meta",
    "comp_levers",
    "comp_targets",
    "config_cola_by_year",
    "config_job_levels",
    "config_promotion_hazard_base",
    "config_promotion_hazard_age_multipliers",
    "config_promotion_hazard_tenure_multipliers",
    "config_termination_hazard_base",
    "config_termination_hazard_age_multipliers",
    "config_termination_hazard_tenure_multipliers",
    "config_raises_hazard",
    "config_raise_timing_distribution",
    "config_timing_validation_rules",
}
INTERMEDIATE = {
    "int_baseline_workforce",
    "int_effective_parameters",
    "int_hazard_termination",
    "int_hazard_promotion",
    "int_hazard_merit",
}


def write_census(path: Path, select_sql: str) -> Path:
    """Write a census file from a DuckDB query over the bundled sample."""
    file_format = "csv, header true" if path.suffix == ".csv" else "parquet"
    with duckdb.connect() as connection:
        connection.execute(f"create view sample as select * from read_parquet('{SAMPLE_CENSUS}')")
        connection.execute(f"copy ({select_sql}) to '{path}' (format {file_format})")
    return path


def assert_clean(outcome_statuses: dict[str, str]) -> None:
    bad = {n: s for n, s in outcome_statuses.items() if s not in ("pass", "success", "no-op")}
    assert not bad, f"nodes not passing: {bad}"


def test_default_build_passes_and_is_idempotent(
    default_build: DefaultBuild, project: DbtProject
) -> None:
    first = default_build.outcome
    assert first.success, first.error_text
    assert_clean(first.statuses())
    built = first.statuses()
    assert SEEDS <= set(built)
    assert INTERMEDIATE | {"stg_census_data", "stg_census_duplicates_audit"} <= set(built)
    assert {f"stg_{seed}" for seed in SEEDS} <= set(built)
    assert default_build.project.scalar("select count(*) from stg_census_data") == 5000

    shutil.copyfile(default_build.project.db_path, project.db_path)  # build again over it
    again = project.dbt("build", "--selector", "setup")
    assert again.success, again.error_text
    assert_clean(again.statuses())
    assert again.statuses().keys() == built.keys()


def test_baseline_and_grids_have_the_expected_shape(built_project: DbtProject) -> None:
    active = built_project.scalar(
        "select count(*) from stg_census_data where employee_termination_date is null"
    )
    assert built_project.scalar("select count(*) from int_baseline_workforce") == active
    # 5 years x 5 levels x 5 tenure bands x 6 age bands
    for grid in ("int_hazard_termination", "int_hazard_promotion", "int_hazard_merit"):
        assert built_project.scalar(f"select count(*) from {grid}") == 750
    years = built_project.query("select min(year), max(year) from int_hazard_termination")
    assert years == [(2025, 2029)]
    # every active employee lands in a band on the valid defaults
    assert built_project.query(
        "select distinct compensation_band_status from int_baseline_workforce"
    ) == [("in_band",)]


def test_selectors_pick_their_nodes_by_tag_and_path(project: DbtProject) -> None:
    setup = project.ls("--selector", "setup")
    foundation = project.ls("--selector", "foundation")
    configuration = project.ls("--selector", "configuration")

    assert SEEDS | INTERMEDIATE <= setup
    assert {
        "stg_census_data",
        "stg_census_duplicates_audit",
        "int_baseline_workforce",
        "config_job_levels",
        "stg_config_job_levels",
    } <= foundation
    assert not {"int_hazard_termination", "comp_levers", "int_effective_parameters"} & foundation
    assert {
        "int_effective_parameters",
        "int_hazard_termination",
        "int_hazard_promotion",
        "int_hazard_merit",
        "comp_levers",
        "stg_comp_levers",
        "config_job_levels",
    } <= configuration
    assert not {"stg_census_data", "int_baseline_workforce"} & configuration
    assert foundation | configuration <= setup


def test_reordered_seed_columns_load_by_name(project: DbtProject) -> None:
    seed = project.seed("config_job_levels")
    with seed.open(newline="") as handle:
        rows = list(csv.reader(handle))
    reordered = [list(reversed(row)) for row in rows]
    with seed.open("w", newline="") as handle:
        csv.writer(handle).writerows(reordered)

    outcome = project.dbt("build", "--selector", "setup")
    assert outcome.success, outcome.error_text
    assert project.query(
        "select level_id, level_name, min_compensation, max_compensation "
        "from stg_config_job_levels order by level_id"
    ) == [
        (1, "Staff", 40000.0, 70000.0),
        (2, "Senior", 70000.0, 100000.0),
        (3, "Manager", 100000.0, 150000.0),
        (4, "Director", 150000.0, 225000.0),
        (5, "Executive", 225000.0, 1000000.0),
    ]


def test_real_shaped_seed_files_load(project: DbtProject) -> None:
    """CRLF endings, lower-case event types and stray whitespace, as real files have."""
    for name in SEEDS:
        path = project.seed(name)
        lines = path.read_text().splitlines()
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    levers = project.seed("comp_levers")
    text = levers.read_text()
    assert ",hire," in text  # the bundled levers spell hire as real files do
    levers.write_text(text.replace(",RAISE,", ", raise ,"))

    outcome = project.dbt("build", "--selector", "setup")
    assert outcome.success, outcome.error_text
    assert_clean(outcome.statuses())
    # staging trims but keeps the seed's spelling; the normalised column is upper case
    assert project.query(
        "select distinct event_type, event_type_normalized from stg_comp_levers order by 2"
    ) == [("hire", "HIRE"), ("PROMOTION", "PROMOTION"), ("raise", "RAISE")]
    assert (
        project.scalar("select count(*) from int_effective_parameters where event_type = 'hire'")
        == 25
    )


def test_generated_census_of_100k_builds(project: DbtProject, tmp_path: Path) -> None:
    census = tmp_path / "census_100k.parquet"
    assert generate_census(CensusSpec(employees=100_000, seed=11), census) == 100_000
    outcome = project.dbt("build", "--selector", "setup", vars={"census_path": str(census)})
    assert outcome.success, outcome.error_text
    assert_clean(outcome.statuses())
    assert project.scalar("select count(*) from stg_census_data") == 100_000


def test_census_missing_optional_column_builds_with_nulls(
    project: DbtProject, tmp_path: Path
) -> None:
    census = write_census(
        tmp_path / "no_optional.parquet",
        "select * exclude (employee_deferral_rate, roth_contribution) from sample",
    )
    outcome = project.dbt("build", "--selector", "setup", vars={"census_path": str(census)})
    assert outcome.success, outcome.error_text
    assert project.query(
        "select count(employee_deferral_rate), count(roth_contribution), count(*) "
        "from stg_census_data"
    ) == [(0, 0, 5000)]


def test_census_missing_required_column_names_it(project: DbtProject, tmp_path: Path) -> None:
    census = write_census(
        tmp_path / "no_hire_date.parquet", "select * exclude (employee_hire_date) from sample"
    )
    outcome = project.dbt("build", "--selector", "setup", vars={"census_path": str(census)})
    assert not outcome.success
    assert "missing required column(s): employee_hire_date" in outcome.error_text
    assert str(census) in outcome.error_text


def test_csv_census_with_integer_pay_and_timestamp_dates(
    project: DbtProject, tmp_path: Path
) -> None:
    census = write_census(
        tmp_path / "census.csv",
        "select * replace ("
        " cast(round(employee_gross_compensation) as bigint) as employee_gross_compensation,"
        " cast(employee_hire_date as timestamp) as employee_hire_date,"
        " cast(employee_birth_date as timestamp) as employee_birth_date)"
        " from sample",
    )
    outcome = project.dbt("build", "--selector", "setup", vars={"census_path": str(census)})
    assert outcome.success, outcome.error_text
    types = dict(
        project.query(
            "select column_name, data_type from information_schema.columns "
            "where table_name = 'stg_census_data'"
        )
    )
    assert types["employee_gross_compensation"] == "DOUBLE"
    assert types["employee_hire_date"] == "DATE"
    assert project.scalar("select count(*) from stg_census_data") == 5000


def test_docs_generate_shows_seed_to_intermediate_lineage(built_project: DbtProject) -> None:
    outcome = built_project.dbt("docs", "generate")
    assert outcome.success, outcome.error_text
    manifest = json.loads((built_project.root / "target" / "manifest.json").read_text())
    assert (built_project.root / "target" / "catalog.json").exists()
    parents = manifest["parent_map"]
    baseline = parents["model.planwise.int_baseline_workforce"]
    assert "model.planwise.stg_census_data" in baseline
    assert "model.planwise.stg_config_job_levels" in baseline
    assert "seed.planwise.config_job_levels" in parents["model.planwise.stg_config_job_levels"]
    assert "source.planwise.census.census_raw" in parents["model.planwise.stg_census_typed"]
    documented = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed") and node["package_name"] == "planwise"
    ]
    assert all(node["description"] for node in documented)
    assert all(column["description"] for node in documented for column in node["columns"].values())


def test_census_generator_is_deterministic_and_realistic(tmp_path: Path) -> None:
    first = generate_census(CensusSpec(20_000, seed=3), tmp_path / "a.parquet")
    generate_census(CensusSpec(20_000, seed=3), tmp_path / "b.parquet")
    generate_census(CensusSpec(20_000, seed=4), tmp_path / "c.parquet")
    assert first == 20_000

    def fingerprint(name: str) -> int:
        row = duckdb.execute(
            f"select bit_xor(hash(c)) from read_parquet('{tmp_path / name}') c"
        ).fetchone()
        assert row is not None
        return int(row[0])

    assert fingerprint("a.parquet") == fingerprint("b.parquet")
    assert fingerprint("a.parquet") != fingerprint("c.parquet")
    stats = duckdb.execute(f"""
        select
            min(date_diff('year', employee_birth_date, date '2024-12-31')),
            max(date_diff('year', employee_birth_date, date '2024-12-31')),
            min(employee_gross_compensation), max(employee_gross_compensation),
            avg(case when active then 0 else 1 end),
            avg(case when employee_deferral_rate > 0 then 1 else 0 end),
            avg(date_diff('day', employee_hire_date, date '2024-12-31')) / 365.25,
            count(distinct employee_id),
            count(*) filter (where employee_termination_date < employee_hire_date)
        from read_parquet('{tmp_path / "a.parquet"}')
    """).fetchone()
    assert stats is not None
    min_age, max_age, min_pay, max_pay, terminated, deferring, tenure, ids, bad_dates = stats
    assert 22 <= min_age and max_age <= 66
    assert 50_000 <= min_pay and max_pay <= 350_000
    assert 0.11 < terminated < 0.15
    assert 0.77 < deferring < 0.83
    assert 3.5 < tenure < 6.0
    assert ids == 20_000 and bad_dates == 0


def test_census_generator_can_inject_duplicates() -> None:
    sql = census_sql(CensusSpec(1_000, seed=1, duplicate_rate=0.01))
    counts = duckdb.execute(f"select count(*), count(distinct employee_id) from ({sql})").fetchone()
    assert counts == (1_010, 1_000)


def test_each_building_selector_builds_on_an_empty_database(
    make_project: Callable[[str], DbtProject],
) -> None:
    """`dbt build --selector X` on a fresh database: tests whose other parents
    are outside the selection (indirect_selection: cautious) do not run."""
    for selector in ("foundation", "configuration"):
        project = make_project(selector)
        outcome = project.dbt("build", "--selector", selector)
        assert outcome.success, f"{selector}: {outcome.error_text}"
        assert_clean(outcome.statuses())
        assert any(r["unique_id"].startswith("test.") for r in outcome.results), selector


def test_plain_dbt_refuses_a_var_holding_jinja_before_running_it(project: DbtProject) -> None:
    """dbt renders a var's value each time var() reads it: the on-run-start check
    refuses Jinja in a var before anything reads it, for a plain `dbt build` too."""
    injected = "{{ run_query('create table main.pwned as select 1 as x') }}"
    outcome = project.dbt("build", "--selector", "setup", vars={"scenario_id": injected})
    assert not outcome.success
    assert "holds Jinja" in outcome.error_text and "remove the braces" in outcome.error_text
    assert project.db_path.exists()
    assert project.query(
        "select count(*) from information_schema.tables where table_name = 'pwned'"
    ) == [(0,)]


MALFORMED_TESTS = {
    # name: (test as YAML, what the error says)
    "bad_two_checks": (
        "planwise_column_rules: {name: bad_two_checks, description: x, arguments: "
        "{rules: [{column: cola_rate, not_null: true, min_value: 0}]}}",
        "the rule on cola_rate names not_null and min_value/max_value",
    ),
    "bad_bound": (
        "planwise_column_rules: {name: bad_bound, description: x, arguments: "
        '{rules: [{column: cola_rate, min_value: "0 or 1 = 1"}]}}',
        "'0 or 1 = 1'",  # converted as quoted text: fails converting, never runs as SQL
    ),
    "bad_values": (
        "planwise_column_rules: {name: bad_values, description: x, arguments: "
        "{rules: [{column: cola_rate, accepted_values: []}]}}",
        "accepted_values of the rule on cola_rate must be a non-empty list",
    ),
    "bad_key": (
        "planwise_primary_key: {name: bad_key, description: x, arguments: {columns: cola_year}}",
        "columns is a list of column names",
    ),
}


@pytest.mark.parametrize("name", list(MALFORMED_TESTS))
def test_malformed_column_rules_and_keys_stop_naming_the_rule(
    default_build: DefaultBuild, project: DbtProject, name: str
) -> None:
    """A rule naming two checks, an empty list of accepted values, a key given as
    a string: each stops compiling with what to fix; a bound that is not a number
    fails converting, quoted (none can pass silently or paste SQL)."""
    test, message = MALFORMED_TESTS[name]
    models = project.path("dbt/models/staging/config/_config__models.yml")
    text = models.read_text()
    start = text.index("  - name: stg_config_cola_by_year\n")
    at = text.index("    data_tests:\n", start) + len("    data_tests:\n")
    models.write_text(text[:at] + f"      - {test}\n" + text[at:])
    shutil.copyfile(default_build.project.db_path, project.db_path)
    outcome = project.dbt("test", "--select", name)
    assert not outcome.success
    assert message in outcome.error_text, outcome.error_text
