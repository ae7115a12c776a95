"""Proof that every validation rule fires.

Each case copies the project, injects exactly one defect (a seed CSV edit, a
defective census file passed through the `census_path` var, a threshold var,
or a model edit for the contract rule), runs the real
`dbt build --selector setup`, and checks from run_results.json and
manifest.json that exactly the expected test(s) fail or warn, with the
expected category tag, severity and number of failing rows, while every other
node passes. Nodes downstream of an error-level failure are skipped by dbt
(nothing is built on data that failed an error check), so `skipped` is
accepted only in cases that expect an error.

A few checks are guards behind earlier checks (e.g. a positive-pay check on
the baseline behind the census pay check that gates it): a setup build can
never reach them with a failing row, so their cases tamper with one table of
an already-built database and rerun `dbt test --selector validation`.

Run: pytest tests/validation -n 2   (pytest-xdist; serial also works).
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import SAMPLE_CENSUS, DbtOutcome, DbtProject
from tests.validation.conftest import (
    CATEGORIES,
    BuiltDatabase,
    ManifestTest,
    edit_seed,
    manifest,
    manifest_tests,
    resolve_ref,
    sample_scalar,
    set_value,
    stored_failures,
    write_census,
)

pytestmark = pytest.mark.mutation

# Console and file logging cost about 20% of a build's CPU here; results are
# read from run_results.json / manifest.json, never from the log, so the cases
# run the same build with logging off.
QUIET = ("--log-level", "none", "--log-level-file", "none")

# A test is named either by its node name or, for dbt's built-in tests whose
# names may be hashed, by (test kind, attached node, column).
TestRef = str | tuple[str, str, str | None]


@dataclass(frozen=True)
class Expect:
    test: TestRef
    status: str  # "fail" (severity error) or "warn"
    category: str
    failures: int | Callable[[], int]
    rows: Callable[[list[dict[str, Any]]], None] | None = None  # check stored failing rows
    # For a planwise_column_rules test: the column whose rule fails; `failures`
    # then counts that column's failing cells (the test's own count is the sum
    # over every expectation on it), and with `rule` (its failing_rule, e.g.
    # "not null") only that rule's cells, for a column with several rules.
    column: str | None = None
    rule: str | None = None


@dataclass(frozen=True)
class Case:
    id: str
    rule: str
    mutate: Callable[[DbtProject, Path], dict[str, Any] | None]
    expect: tuple[Expect, ...]
    error_nodes: tuple[str, ...] = field(default=())  # nodes expected to error
    error_message: str | None = None  # text the error must contain


# --- mutations ----------------------------------------------------------------


def seed_value(name: str, where: dict[str, str], column: str, value: str):
    def mutate(project: DbtProject, tmp: Path) -> None:
        set_value(project, name, where, column, value)

    return mutate


def seed_rows(name: str, edit: Callable[[list[dict[str, str]]], list[dict[str, str]]]):
    def mutate(project: DbtProject, tmp: Path) -> None:
        edit_seed(project, name, edit)

    return mutate


def census(select_sql: str, extra_vars: dict[str, Any] | None = None):
    def mutate(project: DbtProject, tmp: Path) -> dict[str, Any]:
        path = write_census(tmp / "census.parquet", select_sql)
        return {"census_path": str(path), **(extra_vars or {})}

    mutate.census_only = True  # type: ignore[attr-defined]
    return mutate


def damaged_census(flips: int = 3, seed: int = 5):
    """The sample census with `flips` bytes inverted inside its column data."""

    def mutate(project: DbtProject, tmp: Path) -> dict[str, Any]:
        data, chance = bytearray(SAMPLE_CENSUS.read_bytes()), random.Random(seed)
        for _ in range(flips):
            data[chance.randrange(200, len(data) - 200)] ^= 0xFF
        path = tmp / "damaged.parquet"
        path.write_bytes(bytes(data))
        return {"census_path": str(path)}

    mutate.census_only = True  # type: ignore[attr-defined]
    return mutate


def only_vars(values: dict[str, Any]):
    def mutate(project: DbtProject, tmp: Path) -> dict[str, Any]:
        return values

    return mutate


def both(*mutations: Callable[[DbtProject, Path], dict[str, Any] | None]):
    def mutate(project: DbtProject, tmp: Path) -> dict[str, Any] | None:
        merged: dict[str, Any] = {}
        for mutation in mutations:
            merged |= mutation(project, tmp) or {}
        return merged or None

    return mutate


def duplicate_first(where: dict[str, str], **changes: str):
    def edit(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        match = next(r for r in rows if all(r[k] == v for k, v in where.items()))
        return [*rows, {**match, **changes}]

    return edit


def drop_rows(where: dict[str, str]):
    def edit(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        kept = [r for r in rows if not all(r[k] == v for k, v in where.items())]
        assert len(kept) < len(rows)
        return kept

    return edit


def add_row(values: dict[str, str]):
    def edit(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        return [*rows, {**rows[0], **values}]

    return edit


def break_cola_contract(project: DbtProject, tmp: Path) -> None:
    model = project.path("dbt/models/staging/config/stg_config_cola_by_year.sql")
    text = model.read_text()
    assert "cola_rate" in text
    model.write_text(text.replace("cola_rate", "cast(cola_rate as varchar) as cola_rate", 1))


def redistribute_technology(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Technology profile with 55% of raises in March: still sums to 1 (0.35 moved
    from January, April and July) but breaks maximum_month_percentage (0.5)."""
    shares = {"1": "0.0", "3": "0.55", "4": "0.0", "7": "0.0"}
    for row in rows:
        if row["industry_profile"] == "technology" and row["month"] in shares:
            row["percentage"] = shares[row["month"]]
    return rows


# --- independent expectations -------------------------------------------------


def seed_float(rows: list[dict[str, str]], key: str, column: str) -> dict[str, float]:
    return {r[key]: float(r[column]) for r in rows}


def promotion_cells_above_one(base_rate: float) -> int:
    """Cells of the promotion grid above 1 with the default seeds and `base_rate`,
    computed here from the seed files, independently of the model SQL."""
    from tests.conftest import REPO_ROOT

    def load(name: str, key: str) -> dict[str, float]:
        import csv

        with (REPO_ROOT / "dbt" / "seeds" / f"{name}.csv").open(newline="") as handle:
            return seed_float(list(csv.DictReader(handle)), key, "multiplier")

    tenure = load("config_promotion_hazard_tenure_multipliers", "tenure_band")
    age = load("config_promotion_hazard_age_multipliers", "age_band")
    dampener = 0.15
    years, levels = 5, [1, 2, 3, 4]  # level 5 is the top level: rate 0
    cells = sum(
        1
        for level in levels
        for t in tenure.values()
        for a in age.values()
        if base_rate * t * a * max(0.0, 1 - dampener * (level - 1)) > 1
    )
    return cells * years


ACTIVE = "employee_termination_date is null and employee_hire_date <= date '2024-12-31'"


def employees_in_gap() -> int:
    return int(
        sample_scalar(
            f"select count(*) from sample where {ACTIVE} "
            "and employee_gross_compensation >= 100000 and employee_gross_compensation < 101000"
        )
    )


def rows_name(**expected: Any) -> Callable[[list[dict[str, Any]]], None]:
    """The stored failing rows include one row with these column values."""

    def check(rows: list[dict[str, Any]]) -> None:
        def matches(row: dict[str, Any]) -> bool:
            return all(
                (abs(float(row[k]) - v) < 1e-6) if isinstance(v, float) else row[k] == v
                for k, v in expected.items()
            )

        assert any(matches(r) for r in rows), f"no failing row with {expected}: {rows[:5]}"

    return check


SI, CQ, ST, BW, CC = CATEGORIES

CASES: list[Case] = [
    # --- seed integrity -----------------------------------------------------------
    Case(
        "seed_key_duplicated",
        "seed keys are unique",
        seed_rows("config_job_levels", duplicate_first({"level_id": "5"})),
        (
            Expect(
                "config_job_levels_primary_key",
                "fail",
                SI,
                2,  # both rows sharing the key
                rows_name(problem="key (level_id) repeats", key_occurrences=2),
            ),
        ),
    ),
    Case(
        "seed_value_missing",
        "required seed values are not null",
        seed_value(
            "config_promotion_hazard_tenure_multipliers", {"tenure_band": "5-9"}, "multiplier", ""
        ),
        (
            Expect(
                "config_promotion_hazard_tenure_multipliers_column_rules",
                "fail",
                SI,
                1,
                rows_name(failing_column="multiplier", failing_rule="not null", tenure_band="5-9"),
                column="multiplier",
            ),
        ),
    ),
    Case(
        "seed_composite_key_duplicated",
        "composite seed keys are unique",
        seed_rows(
            "config_raise_timing_distribution",
            duplicate_first({"industry_profile": "finance", "month": "1"}),
        ),
        (
            Expect(
                "config_raise_timing_distribution_primary_key",
                "fail",
                SI,
                2,
                rows_name(industry_profile="finance", month=1, key_occurrences=2),
            ),
        ),
    ),
    # The seed relationship test depends on two seeds, so dbt does not gate
    # stg_comp_levers on it (a test gates only nodes downstream of all its
    # parents): the effective parameters then carry level 6 and their own
    # relationship test reports it too. Both are expected.
    Case(
        "lever_unknown_job_level",
        "comp levers reference existing job levels",
        seed_rows("comp_levers", add_row({"job_level": "6"})),
        (
            Expect(("relationships", "comp_levers", "job_level"), "fail", SI, 1),
            Expect(("relationships", "int_effective_parameters", "job_level"), "fail", CC, 1),
        ),
    ),
    Case(
        "lever_unknown_scenario",
        "comp levers reference existing scenarios",
        seed_rows("comp_levers", add_row({"scenario_id": "ghost"})),
        (Expect(("relationships", "comp_levers", "scenario_id"), "fail", SI, 1),),
    ),
    Case(
        "scenario_unknown_base",
        "a scenario's base scenario exists",
        seed_value("scenario_meta", {"scenario_id": "high_growth"}, "base_scenario_id", "ghost"),
        (Expect(("relationships", "scenario_meta", "base_scenario_id"), "fail", SI, 1),),
    ),
    Case(
        "target_unknown_scenario",
        "comp targets reference existing scenarios",
        seed_rows("comp_targets", add_row({"scenario_id": "ghost"})),
        (Expect(("relationships", "comp_targets", "scenario_id"), "fail", SI, 1),),
    ),
    Case(
        "scenario_status_unknown",
        "scenario status is draft/published/archived",
        seed_value("scenario_meta", {"scenario_id": "cost_control"}, "status", "live"),
        (
            Expect(
                "stg_scenario_meta_column_rules",
                "fail",
                SI,
                1,
                rows_name(failing_value="live", failing_rule="one of draft, published, archived"),
                column="status",
            ),
        ),
    ),
    Case(
        "target_priority_unknown",
        "target priority is high/medium/low",
        seed_value(
            "comp_targets",
            {"fiscal_year": "2025", "metric_name": "termination_rate"},
            "priority",
            "urgent",
        ),
        (Expect("stg_comp_targets_column_rules", "fail", SI, 1, column="priority"),),
    ),
    Case(
        "lever_event_type_unknown",
        "event type is one of var lever_event_types, in any case",
        seed_value(
            "comp_levers",
            {"scenario_id": "high_growth", "fiscal_year": "2025", "job_level": "1"},
            "event_type",
            "bonus",
        ),
        (
            Expect(
                "stg_comp_levers_column_rules",
                "fail",
                SI,
                1,
                rows_name(failing_value="BONUS"),
                column="event_type_normalized",
            ),
        ),
    ),
    Case(
        "rule_enforcement_level_unknown",
        "enforcement level is error/warning",
        seed_value(
            "config_timing_validation_rules",
            {"rule_name": "maximum_month_percentage"},
            "enforcement_level",
            "fatal",
        ),
        (
            Expect(
                "stg_config_timing_validation_rules_column_rules",
                "fail",
                SI,
                1,
                column="enforcement_level",
            ),
        ),
    ),
    Case(
        "lever_rate_above_one",
        "lever rates are in [0, 1]",
        seed_value(
            "comp_levers",
            {
                "scenario_id": "default",
                "fiscal_year": "2025",
                "job_level": "1",
                "parameter_name": "merit_base",
            },
            "parameter_value",
            "1.5",
        ),
        (
            Expect(
                "comp_levers_values_in_range_for_kind",
                "fail",
                SI,
                1,
                rows_name(parameter_kind="rate", parameter_value=1.5),
            ),
        ),
    ),
    Case(
        "lever_multiplier_zero",
        "lever multipliers are > 0 and bounded",
        seed_value(
            "comp_levers",
            {
                "scenario_id": "default",
                "fiscal_year": "2025",
                "job_level": "1",
                "parameter_name": "new_hire_salary_adjustment",
            },
            "parameter_value",
            "0",
        ),
        (
            Expect(
                "comp_levers_values_in_range_for_kind",
                "fail",
                SI,
                1,
                rows_name(parameter_kind="multiplier", expected_range="(0, 5.0]"),
            ),
        ),
    ),
    Case(
        "lever_duplicated_in_another_case",
        "one lever per key, event types compared in any case (HIRE and hire)",
        seed_rows(
            "comp_levers",
            duplicate_first(
                {"scenario_id": "default", "fiscal_year": "2026", "event_type": "hire"},
                event_type="HIRE",
            ),
        ),
        (
            Expect(
                "stg_comp_levers_primary_key",
                "fail",
                ST,
                2,  # the two spellings of one lever
                rows_name(event_type_normalized="HIRE", fiscal_year=2026, key_occurrences=2),
            ),
        ),
    ),
    Case(
        "cola_rate_above_one",
        "COLA rates are in [0, 1]",
        seed_value("config_cola_by_year", {"year": "2025"}, "cola_rate", "1.25"),
        (Expect("config_cola_by_year_column_rules", "fail", SI, 1, column="cola_rate"),),
    ),
    Case(
        "job_level_rate_above_one",
        "job-level rates are in [0, 1]",
        seed_value("config_job_levels", {"level_id": "1"}, "promotion_probability", "1.2"),
        (
            Expect(
                "config_job_levels_column_rules",
                "fail",
                SI,
                1,
                rows_name(failing_column="promotion_probability", level_id=1),
                column="promotion_probability",
            ),
        ),
    ),
    Case(
        "promotion_base_negative",
        "promotion hazard base rates are in [0, 1]",
        seed_value("config_promotion_hazard_base", {}, "level_dampener_factor", "-0.1"),
        (
            Expect(
                "config_promotion_hazard_base_column_rules",
                "fail",
                SI,
                1,
                column="level_dampener_factor",
            ),
        ),
    ),
    Case(
        "termination_base_above_one",
        "termination hazard base rates are in [0, 1]",
        seed_value("config_termination_hazard_base", {}, "base_rate_for_new_hire", "1.3"),
        (
            Expect(
                "config_termination_hazard_base_column_rules",
                "fail",
                SI,
                1,
                column="base_rate_for_new_hire",
            ),
        ),
    ),
    Case(
        "raise_rate_above_one",
        "raise parameters are rates in [0, 1]",
        seed_value("config_raises_hazard", {}, "promotion_raise", "1.5"),
        (Expect("config_raises_hazard_column_rules", "fail", SI, 1, column="promotion_raise"),),
    ),
    # PlanWise's own seed: three labels, none of them a tenure band.
    Case(
        "merit_bump_band_unknown",
        "merit tenure-bump bands name tenure bands",
        seed_value("config_raises_hazard", {}, "merit_tenure_bump_bands", "['<1', '1-3', '3-5']"),
        (
            Expect(
                "assert_merit_bump_bands_name_tenure_bands",
                "warn",
                SI,
                3,
                rows_name(
                    listed_band="'1-3'", known_tenure_bands="'< 2', '2-4', '5-9', '10-19', '20+'"
                ),
            ),
        ),
    ),
    Case(
        "timing_share_negative",
        "monthly raise shares are in [0, 1]",
        seed_value(
            "config_raise_timing_distribution",
            {"industry_profile": "technology", "month": "2"},
            "percentage",
            "-0.05",
        ),
        (
            Expect(
                "config_raise_timing_distribution_column_rules",
                "fail",
                SI,
                1,
                column="percentage",
            ),
        ),
    ),
    Case(
        "timing_month_thirteen",
        "months are 1..12",
        seed_value(
            "config_raise_timing_distribution",
            {"industry_profile": "finance", "month": "12"},
            "month",
            "13",
        ),
        (Expect("config_raise_timing_distribution_column_rules", "fail", SI, 1, column="month"),),
    ),
    Case(
        "promotion_age_multiplier_zero",
        "promotion age multipliers are > 0 and bounded",
        seed_value(
            "config_promotion_hazard_age_multipliers", {"age_band": "65+"}, "multiplier", "0"
        ),
        (
            Expect(
                "config_promotion_hazard_age_multipliers_column_rules",
                "fail",
                SI,
                1,
                column="multiplier",
            ),
        ),
    ),
    Case(
        "promotion_tenure_multiplier_huge",
        "promotion tenure multipliers are > 0 and bounded",
        seed_value(
            "config_promotion_hazard_tenure_multipliers",
            {"tenure_band": "5-9"},
            "multiplier",
            "7.5",
        ),
        (
            Expect(
                "config_promotion_hazard_tenure_multipliers_column_rules",
                "fail",
                SI,
                1,
                column="multiplier",
            ),
        ),
    ),
    Case(
        "termination_age_multiplier_negative",
        "termination age multipliers are > 0 and bounded",
        seed_value(
            "config_termination_hazard_age_multipliers", {"age_band": "35-44"}, "multiplier", "-1"
        ),
        (
            Expect(
                "config_termination_hazard_age_multipliers_column_rules",
                "fail",
                SI,
                1,
                column="multiplier",
            ),
        ),
    ),
    Case(
        "termination_tenure_multiplier_huge",
        "termination tenure multipliers are > 0 and bounded",
        seed_value(
            "config_termination_hazard_tenure_multipliers",
            {"tenure_band": "20+"},
            "multiplier",
            "5.5",
        ),
        (
            Expect(
                "config_termination_hazard_tenure_multipliers_column_rules",
                "fail",
                SI,
                1,
                rows_name(failing_value="5.5", failing_rule="> 0 and <= 5.0"),
                column="multiplier",
            ),
        ),
    ),
    Case(
        "termination_age_band_typo",
        "termination age bands equal the baseline's labels",
        seed_value(
            "config_termination_hazard_age_multipliers", {"age_band": "65+"}, "age_band", "65 +"
        ),
        (
            Expect(
                "config_termination_hazard_age_multipliers_band_labels_match_baseline",
                "fail",
                SI,
                2,
                rows_name(band_label="65 +", label_issue="unknown"),
            ),
            # the baseline's employees in that band have no multiplier either
            Expect("assert_baseline_bands_have_multipliers", "fail", BW, 1),
        ),
    ),
    Case(
        "promotion_age_band_missing",
        "promotion age bands equal the baseline's labels",
        seed_rows("config_promotion_hazard_age_multipliers", drop_rows({"age_band": "< 25"})),
        (
            Expect(
                "config_promotion_hazard_age_multipliers_band_labels_match_baseline",
                "fail",
                SI,
                1,
                rows_name(band_label="< 25", label_issue="missing"),
            ),
            # the baseline's employees in that band have no multiplier either
            Expect("assert_baseline_bands_have_multipliers", "fail", BW, 1),
        ),
    ),
    Case(
        "termination_tenure_band_renamed",
        "termination tenure bands equal the baseline's labels",
        seed_value(
            "config_termination_hazard_tenure_multipliers",
            {"tenure_band": "< 2"},
            "tenure_band",
            "0-1",
        ),
        (
            Expect(
                "config_termination_hazard_tenure_multipliers_band_labels_match_baseline",
                "fail",
                SI,
                2,
            ),
            # the baseline's employees in that band have no multiplier either
            Expect("assert_baseline_bands_have_multipliers", "fail", BW, 1),
        ),
    ),
    Case(
        "promotion_tenure_band_extra",
        "promotion tenure bands equal the baseline's labels",
        seed_rows(
            "config_promotion_hazard_tenure_multipliers",
            add_row({"tenure_band": "30+", "multiplier": "0.2"}),
        ),
        (
            Expect(
                "config_promotion_hazard_tenure_multipliers_band_labels_match_baseline",
                "fail",
                SI,
                1,
            ),
        ),
    ),
    Case(
        "job_band_inverted",
        "a job level's band minimum is below its maximum",
        seed_value("config_job_levels", {"level_id": "3"}, "min_compensation", "160000"),
        (Expect("config_job_levels_column_rules", "fail", SI, 1, column="min_compensation"),),
    ),
    Case(
        "job_bands_gap",
        "job-level bands have no gaps (warn; employees in the gap are counted)",
        seed_value("config_job_levels", {"level_id": "3"}, "min_compensation", "101000"),
        (
            Expect(
                "assert_job_level_bands_contiguous",
                "warn",
                SI,
                1,
                rows_name(
                    lower_level_id=2,
                    upper_level_id=3,
                    band_defect="gap",
                    range_start=100000.0,
                    range_end=101000.0,
                ),
            ),
            Expect(
                "baseline_pay_outside_every_band",
                "warn",
                BW,
                employees_in_gap,
                rows_name(compensation_band_status="between_bands"),
            ),
        ),
    ),
    Case(
        "job_bands_overlap",
        "job-level bands do not overlap (warn)",
        seed_value("config_job_levels", {"level_id": "4"}, "max_compensation", "250000"),
        (
            Expect(
                "assert_job_level_bands_contiguous",
                "warn",
                SI,
                1,
                rows_name(
                    lower_level_id=4,
                    upper_level_id=5,
                    band_defect="overlap",
                    range_start=225000.0,
                    range_end=250000.0,
                ),
            ),
        ),
    ),
    Case(
        "cola_year_missing",
        "COLA years cover the simulation horizon",
        seed_rows("config_cola_by_year", drop_rows({"year": "2029"})),
        (
            Expect(
                "stg_config_cola_by_year_covers_horizon",
                "fail",
                SI,
                1,
                rows_name(missing_year=2029),
            ),
        ),
    ),
    Case(
        "lever_year_missing",
        "the default scenario's levers cover the simulation horizon",
        seed_rows("comp_levers", drop_rows({"scenario_id": "default", "fiscal_year": "2029"})),
        (
            Expect(
                "stg_comp_levers_default_years_cover_horizon",
                "fail",
                SI,
                1,
                rows_name(missing_year=2029),
            ),
        ),
    ),
    Case(
        "timing_profile_sums_to_1_07",
        "a raise-timing profile sums to 1 (rule enforcement error)",
        seed_value(
            "config_raise_timing_distribution",
            {"industry_profile": "finance", "month": "1"},
            "percentage",
            "0.47",
        ),
        (
            Expect(
                "raise_timing_rules_error_level",
                "fail",
                SI,
                1,
                rows_name(
                    rule_name="monthly_distribution_sum",
                    industry_profile="finance",
                    observed_value=1.07,
                ),
            ),
        ),
    ),
    Case(
        "timing_month_above_maximum",
        "no month above maximum_month_percentage (rule enforcement warning)",
        seed_rows("config_raise_timing_distribution", redistribute_technology),
        (
            Expect(
                "raise_timing_rules_warning_level",
                "warn",
                SI,
                1,
                rows_name(
                    rule_name="maximum_month_percentage",
                    industry_profile="technology",
                    month_number=3,
                ),
            ),
        ),
    ),
    Case(
        "timing_rule_enforcement_from_seed",
        "the rules seed's enforcement level decides the severity",
        both(
            seed_value(
                "config_raise_timing_distribution",
                {"industry_profile": "finance", "month": "1"},
                "percentage",
                "0.47",
            ),
            seed_value(
                "config_timing_validation_rules",
                {"rule_name": "monthly_distribution_sum"},
                "enforcement_level",
                "warning",
            ),
        ),
        (
            Expect(
                "raise_timing_rules_warning_level",
                "warn",
                SI,
                1,
                rows_name(rule_name="monthly_distribution_sum", industry_profile="finance"),
            ),
        ),
    ),
    Case(
        "timing_rule_unknown",
        "a timing rule that cannot be applied is reported, not ignored",
        seed_rows(
            "config_timing_validation_rules",
            add_row({"rule_name": "weekly_distribution_sum", "enforcement_level": "error"}),
        ),
        (
            Expect(
                "raise_timing_rules_error_level",
                "fail",
                SI,
                1,
                rows_name(rule_name="weekly_distribution_sum", industry_profile="unknown_rule"),
            ),
        ),
    ),
    # --- staging ------------------------------------------------------------------
    Case(
        "one_row_seed_twice",
        "the raises hazard has exactly one row",
        seed_rows("config_raises_hazard", lambda rows: rows * 2),
        (
            Expect(
                "stg_config_raises_hazard_primary_key",
                "fail",
                ST,
                2,  # every row of a one-row table that holds two
                rows_name(problem="more than one row (the table holds exactly one)"),
            ),
        ),
    ),
    Case(
        "one_row_seed_three_rows",
        "the termination hazard base has exactly one row",
        seed_rows("config_termination_hazard_base", lambda rows: rows * 3),
        (Expect("stg_config_termination_hazard_base_primary_key", "fail", ST, 3),),
    ),
    Case(
        "staging_contract_broken",
        "staging contracts are enforced",
        break_cola_contract,
        (),
        error_nodes=("stg_config_cola_by_year",),
    ),
    # --- census quality -----------------------------------------------------------
    # The census value rules, three bad census files: each holds one defect per
    # rule, on rows of its own, grouped so that no failure gates another rule
    # (the source's errors gate everything staged, staging's errors the baseline;
    # warnings gate nothing).
    Case(
        "census_raw_values",
        "required fields are filled in (checked on the source); an empty or blank "
        "employee_id is an error naming the row; every census value converts to its "
        "contract type, failing rows name row and column",
        census(
            "select * replace ("
            "case employee_id when 'EMP_2024_000010' then null "
            "when 'EMP_2024_000011' then '  ' else employee_id end as employee_id, "
            "case when employee_id = 'EMP_2024_000007' then 'fifty thousand' "
            "else employee_gross_compensation::varchar end as employee_gross_compensation) "
            "from (select * from sample order by employee_id)"
        ),
        (
            Expect(
                "census_raw_required_fields_not_null",
                "fail",
                CQ,
                1,
                rows_name(null_column="employee_id", employee_ssn="SSN-100000010"),
            ),
            Expect(
                "census_raw_employee_id_not_blank",
                "fail",
                CQ,
                1,
                rows_name(employee_ssn="SSN-100000011"),
            ),
            Expect(
                "census_raw_values_convert",
                "fail",
                CQ,
                1,
                rows_name(
                    census_row=7,
                    column_name="employee_gross_compensation",
                    census_value="fifty thousand",
                ),
            ),
        ),
    ),
    Case(
        "census_staged_errors",
        "no hire date after the termination date or the census date; ages at the "
        "census date are in the working range; pay is > 0",
        census(
            "select * replace ("
            "case when employee_id = 'EMP_2024_000006' then date '2019-01-01' "
            "else employee_termination_date end as employee_termination_date, "
            "case when employee_id = 'EMP_2024_000002' then date '2025-03-01' "
            "else employee_hire_date end as employee_hire_date, "
            "case when employee_id = 'EMP_2024_000003' then date '2012-01-01' "
            "else employee_birth_date end as employee_birth_date, "
            "case when employee_id = 'EMP_2024_000004' then 0 "
            "else employee_gross_compensation end as employee_gross_compensation) from sample"
        ),
        (
            Expect(
                "stg_census_data_census_quality_rules",
                "fail",
                CQ,
                1,
                rows_name(
                    employee_id="EMP_2024_000006", failing_rule="<= employee_termination_date"
                ),
                column="employee_hire_date",
            ),
            Expect(
                "stg_census_data_census_quality_rules",
                "fail",
                CQ,
                1,
                rows_name(employee_id="EMP_2024_000004", failing_rule="> 0"),
                column="employee_gross_compensation",
            ),
            Expect(
                "census_hire_date_not_after_census_date",
                "fail",
                CQ,
                1,
                rows_name(employee_id="EMP_2024_000002"),
            ),
            Expect(
                "census_age_in_working_range",
                "fail",
                CQ,
                1,
                rows_name(employee_id="EMP_2024_000003"),
            ),
        ),
    ),
    Case(
        "census_warnings",
        "pay below the floor, duplicated ids (with their count), `active` disagreeing "
        "with the termination date, ids equal but for look-alike characters (with "
        "every spelling), a column named like a contract column, and baseline pay "
        "below the lowest band each warn",
        census(
            "select * exclude (employee_deferral_rate) replace ("
            # EMP_2024_000002 becomes EMP_2024_000001 spelled with a Cyrillic IE
            "case when employee_id = 'EMP_2024_000002' then '\u0415MP_2024_000001' "
            "else employee_id end as employee_id, "
            "case when employee_id = 'EMP_2024_000017' then 5000 "  # terminated: no baseline
            "when employee_id in ('EMP_2024_000003', 'EMP_2024_000004', 'EMP_2024_000005') "
            "then 30000 else employee_gross_compensation end as employee_gross_compensation, "
            "case when employee_id = 'EMP_2024_000001' then false "
            "when employee_id = 'EMP_2024_000006' then true else active end as active), "
            "employee_deferral_rate as deferral_rate "
            "from (select * from sample union all "
            "select * replace (employee_hire_date - interval 400 day as employee_hire_date) "
            "from sample where employee_id in ('EMP_2024_000030', 'EMP_2024_000031'))"
        ),
        (
            Expect(
                "census_pay_above_floor",
                "warn",
                CQ,
                1,
                rows_name(employee_id="EMP_2024_000017", failing_rule=">= 10000"),
                column="employee_gross_compensation",
            ),
            Expect(
                "assert_census_duplicate_employee_ids",
                "warn",
                CQ,
                2,
                rows_name(employee_id="EMP_2024_000030", duplicate_count=2),
            ),
            Expect(
                "assert_census_active_matches_termination",
                "warn",
                CQ,
                2,
                rows_name(
                    employee_id="EMP_2024_000001",
                    contradiction="inactive_without_termination_date",
                ),
            ),
            Expect(
                "census_raw_employee_id_lookalikes",
                "warn",
                CQ,
                2,
                rows_name(
                    employee_id="\u0415MP_2024_000001",
                    skeleton="emp_2024_000001",
                    spellings='"EMP_2024_000001" | "\u0415MP_2024_000001"',
                    spelling_count=2,
                ),
            ),
            Expect(
                "census_raw_column_names_near_miss",
                "warn",
                CQ,
                1,
                rows_name(census_column="deferral_rate", contract_column="employee_deferral_rate"),
            ),
            Expect(
                "baseline_pay_outside_every_band",
                "warn",
                BW,
                3,
                rows_name(
                    employee_id="EMP_2024_000005", compensation_band_status="below_lowest_band"
                ),
            ),
        ),
    ),
    Case(
        "census_required_column_missing",
        "a check that cannot run is a failure, never a pass",
        census("select * exclude (employee_birth_date) from sample"),
        (),
        error_nodes=("census_raw_required_fields_not_null",),
        error_message="missing required column(s): employee_birth_date",
    ),
    Case(
        "census_file_damaged",
        "a damaged census file stops the run as damaged, never read as data",
        damaged_census(),
        (),
        # the other checks that read the damaged column error too; the readable
        # test is the one whose name and description say what happened
        error_nodes=(
            "census_raw_file_readable",
            "census_raw_employee_id_not_blank",
            "census_raw_employee_id_lookalikes",
            "census_raw_values_convert",
        ),
        error_message="Snappy decompression failure",
    ),
    Case(
        "census_empty",
        "an empty census is an error",
        census("select * from sample limit 0"),
        (Expect("census_raw_minimum_rows", "fail", CQ, 1, rows_name(row_count=0)),),
    ),
    Case(
        "census_nobody_active",
        "a census with no active employee builds no baseline (not every row as active)",
        census("select * replace (false as active) from sample"),
        (
            Expect("assert_census_active_matches_termination", "warn", CQ, 4343),
            Expect("baseline_active_headcount_minimum", "fail", BW, 1),
        ),
    ),
    Case(
        "census_too_small",
        "the census has at least validation_census_min_rows rows",
        census("select * from sample", {"validation_census_min_rows": 6000}),
        (Expect("census_raw_minimum_rows", "fail", CQ, 1, rows_name(row_count=5000)),),
    ),
    # --- baseline workforce ---------------------------------------------------------
    Case(
        "baseline_headcount_too_small",
        "active headcount is at least validation_min_active_headcount",
        only_vars({"validation_min_active_headcount": 5000}),
        (Expect("baseline_active_headcount_minimum", "fail", BW, 1),),
    ),
    # --- configuration consistency ----------------------------------------------------
    Case(
        "termination_hazard_above_one",
        "termination hazard cells are probabilities (real data: 1.21)",
        seed_value(
            "config_termination_hazard_age_multipliers", {"age_band": "65+"}, "multiplier", "4.84"
        ),
        (
            Expect(
                "int_hazard_termination_rates_are_probabilities",
                "fail",
                CC,
                10,
                rows_name(
                    year=2025,
                    level_id=1,
                    tenure_band="< 2",
                    age_band="65+",
                    failing_value=1.21,
                ),
                column="termination_rate",
            ),
        ),
    ),
    Case(
        "promotion_hazard_above_one",
        "promotion hazard cells are probabilities",
        seed_value("config_promotion_hazard_base", {}, "base_rate", "0.5"),
        (
            Expect(
                "int_hazard_promotion_column_rules",
                "fail",
                CC,
                lambda: promotion_cells_above_one(0.5),
                column="promotion_rate",
            ),
        ),
    ),
    Case(
        "merit_rate_above_one",
        "merit grid rates are probabilities",
        # The grid takes merit_base from the RAISE levers, which are rates in
        # [0, 1] themselves; config_raises_hazard is its fallback, reached here
        # without any merit lever (no longer a required parameter).
        both(
            seed_rows("comp_levers", drop_rows({"parameter_name": "merit_base"})),
            seed_value("config_raises_hazard", {}, "merit_base", "0.995"),
            only_vars(
                {
                    "validation_required_parameters": {
                        "PROMOTION": ["promotion_probability", "promotion_raise"],
                        "HIRE": ["new_hire_salary_adjustment"],
                    }
                }
            ),
        ),
        # 0.995 + tenure bump 0.005 (3 bands) + low-level bump 0.005 (levels 1-2)
        # = 1.005 in 2 levels x 3 tenure bands x 6 age bands x 5 years
        (Expect("int_hazard_merit_column_rules", "fail", CC, 180, column="merit_raise"),),
    ),
    Case(
        "scenario_unknown",
        "the chosen scenario exists in scenario_meta (no silent fallback to default)",
        only_vars({"scenario_id": "hgih_growth"}),
        (
            Expect(
                "assert_scenario_exists",
                "fail",
                CC,
                1,
                rows_name(
                    unknown_scenario_id="hgih_growth",
                    closest_scenario_id="high_growth",
                    known_scenario_ids="cost_control, default, high_growth",
                ),
            ),
        ),
    ),
    Case(
        "effective_parameter_missing",
        "every level and year has each required parameter",
        seed_rows(
            "comp_levers",
            drop_rows(
                {
                    "scenario_id": "default",
                    "fiscal_year": "2027",
                    "job_level": "3",
                    "parameter_name": "promotion_raise",
                }
            ),
        ),
        (
            Expect(
                "effective_parameters_complete",
                "fail",
                CC,
                1,
                rows_name(fiscal_year=2027, job_level=3, parameter_name="promotion_raise"),
            ),
        ),
    ),
]


# Guards: reachable only by tampering with one table of a built database.
@dataclass(frozen=True)
class GuardCase:
    id: str
    rule: str
    tamper_sql: str | tuple[str, ...]
    expect: Expect | tuple[Expect, ...]

    @property
    def statements(self) -> tuple[str, ...]:
        return (self.tamper_sql,) if isinstance(self.tamper_sql, str) else self.tamper_sql

    @property
    def expects(self) -> tuple[Expect, ...]:
        return (self.expect,) if isinstance(self.expect, Expect) else self.expect


def bands_expect(seed: str, contiguous: int) -> tuple[Expect, ...]:
    return (
        Expect(f"{seed}_contiguous", "fail", SI, contiguous),
        Expect(f"{seed}_column_rules", "fail", SI, 1, column="min_value"),
        Expect(f"{seed}_column_rules", "fail", SI, 1, column="max_value"),
    )


GUARD_CASES: list[GuardCase] = [
    # Value rules of the seeds of the newest PlanWise release, batched: each
    # statement breaks one rule of one seed table, one `dbt test` proves all.
    GuardCase(
        "age_bands_broken",
        "age bands start at 0, follow each other, have max > min",
        (
            "update main.config_age_bands set min_value = -1 where band_label = '< 25'",
            "update main.config_age_bands set min_value = 36 where band_label = '35-44'",
            "update main.config_age_bands set max_value = 60 where band_label = '65+'",
        ),
        bands_expect("config_age_bands", 2),
    ),
    GuardCase(
        "tenure_bands_broken",
        "tenure bands start at 0, follow each other, have max > min",
        (
            "update main.config_tenure_bands set min_value = -1 where band_label = '< 2'",
            "update main.config_tenure_bands set max_value = 6 where band_label = '2-4'",
            "update main.config_tenure_bands set max_value = 20 where band_label = '20+'",
        ),
        bands_expect("config_tenure_bands", 2),
    ),
    GuardCase(
        "newest_release_seed_values",
        "IRS limits, new-hire profiles, default deferral rates and lever kinds in range",
        (
            "update main.config_irs_limits set base_limit = 0 where limit_year = 2024",
            "update main.config_irs_limits set catch_up_limit = 20000 where limit_year = 2025",
            "update main.config_irs_limits set catch_up_age_threshold = 150 "
            "where limit_year = 2026",
            "update main.config_irs_limits set super_catch_up_limit = 31000 "
            "where limit_year = 2027",
            "update main.config_irs_limits set super_catch_up_age_min = 64 where limit_year = 2028",
            "update main.config_irs_limits set super_catch_up_age_min = -1 where limit_year = 2024",
            "update main.config_irs_limits set social_security_wage_base = null "
            "where limit_year = 2029",
            "update main.config_new_hire_age_distribution set hire_age = 5 where hire_age = 22",
            "update main.config_new_hire_age_distribution set age_weight = 1.5 where hire_age = 25",
            "update main.config_new_hire_level_distribution set distribution_pct = -0.1 "
            "where level_id = 1",
            "update main.default_deferral_rates set default_rate = 2 "
            "where age_segment = 'young' and income_segment = 'high'",
            "insert into main.comp_levers select scenario_id, fiscal_year, job_level, "
            "'DEFERRAL_ESCALATION', 'max_escalations', 2.5, is_locked, created_at, created_by "
            "from main.comp_levers where scenario_id = 'default' and fiscal_year = 2025 "
            "and job_level = 1 and parameter_name = 'merit_base'",
        ),
        (
            Expect("config_irs_limits_column_rules", "fail", SI, 1, column="base_limit"),
            Expect(  # 2025, and 2029 whose catch-up is 0 (seed_column_rules_batched)
                "config_irs_limits_column_rules",
                "fail",
                SI,
                2,
                rows_name(failing_rule=">= base_limit", limit_year=2025),
                column="catch_up_limit",
                rule=">= base_limit",
            ),
            Expect(
                "config_irs_limits_column_rules", "fail", SI, 1, column="catch_up_age_threshold"
            ),
            Expect(  # 2027, and 2028 whose super catch-up is 0 (seed_column_rules_batched)
                "config_irs_limits_column_rules",
                "fail",
                SI,
                2,
                column="super_catch_up_limit",
                rule=">= catch_up_limit",
            ),
            Expect(
                "config_irs_limits_column_rules",
                "fail",
                SI,
                1,
                rows_name(limit_year=2028),
                column="super_catch_up_age_min",
                rule="<= super_catch_up_age_max",
            ),
            Expect(
                "config_irs_limits_column_rules",
                "fail",
                SI,
                1,
                rows_name(limit_year=2024),
                column="super_catch_up_age_min",
                rule=">= 0 and <= 120",
            ),
            Expect(
                "config_irs_limits_newest_release_columns_filled",
                "warn",
                SI,
                1,
                rows_name(null_column="social_security_wage_base", limit_year=2029),
            ),
            Expect(
                "config_new_hire_age_distribution_column_rules", "fail", SI, 1, column="hire_age"
            ),
            Expect(
                "config_new_hire_age_distribution_column_rules",
                "fail",
                SI,
                1,
                column="age_weight",
            ),
            Expect(
                "config_new_hire_level_distribution_column_rules",
                "fail",
                SI,
                1,
                column="distribution_pct",
            ),
            Expect("default_deferral_rates_column_rules", "fail", SI, 1, column="default_rate"),
            Expect(
                "comp_levers_values_in_range_for_kind",
                "fail",
                SI,
                1,
                rows_name(parameter_kind="count", parameter_name="max_escalations"),
            ),
        ),
    ),
    # The column rules no other case reaches, one cell each, batched by table
    # family: each failing cell is counted under its own column.
    GuardCase(
        "seed_column_rules_batched",
        "every seed column rule fires on its own column",
        (
            "update main.comp_levers set parameter_value = null where scenario_id = 'default' "
            "and fiscal_year = 2025 and job_level = 1 and parameter_name = 'merit_base'",
            "update main.config_irs_limits set annual_additions_limit = 0 where limit_year = 2024",
            "update main.config_irs_limits set compensation_limit = -1 where limit_year = 2025",
            "update main.config_irs_limits set hce_compensation_threshold = 0 "
            "where limit_year = 2026",
            "update main.config_irs_limits set social_security_wage_base = 0 "
            "where limit_year = 2027",
            "update main.config_irs_limits set catch_up_limit = 0 where limit_year = 2029",
            "update main.config_irs_limits set super_catch_up_limit = 0 where limit_year = 2028",
            "update main.config_job_levels set avg_annual_merit_increase = 1.5 where level_id = 1",
            "update main.config_job_levels set target_bonus_percent = -0.1 where level_id = 2",
            "update main.config_job_levels set max_compensation = null where level_id = 5",
            "update main.config_promotion_hazard_base set base_rate = 1.5",
            "update main.config_raises_hazard set merit_base = 1.5, "
            "merit_tenure_bump_value = -0.1, merit_low_level_bump_value = 2",
            "update main.config_termination_hazard_base set level_discount_factor = 1.5, "
            "min_level_discount_multiplier = -1",
            "update main.default_deferral_rates set auto_escalate_rate = 1.5, max_rate = -0.5 "
            "where age_segment = 'young' and income_segment = 'low_income'",
        ),
        (
            Expect("comp_levers_column_rules", "fail", SI, 1, column="parameter_value"),
            *(
                Expect("config_irs_limits_column_rules", "fail", SI, 1, column=column)
                for column in (
                    "annual_additions_limit",
                    "compensation_limit",
                    "hce_compensation_threshold",
                    "social_security_wage_base",
                )
            ),
            *(
                Expect("config_irs_limits_column_rules", "fail", SI, 1, column=column, rule="> 0")
                for column in ("catch_up_limit", "super_catch_up_limit")
            ),
            *(
                Expect("config_job_levels_column_rules", "fail", SI, 1, column=column)
                for column in ("avg_annual_merit_increase", "target_bonus_percent")
            ),
            Expect(
                "config_job_levels_column_rules",
                "fail",
                SI,
                1,
                rows_name(failing_rule="not null", level_id=5),
                column="max_compensation",
            ),
            Expect("config_promotion_hazard_base_column_rules", "fail", SI, 1, column="base_rate"),
            *(
                Expect("config_raises_hazard_column_rules", "fail", SI, 1, column=column)
                for column in (
                    "merit_base",
                    "merit_tenure_bump_value",
                    "merit_low_level_bump_value",
                )
            ),
            *(
                Expect("config_termination_hazard_base_column_rules", "fail", SI, 1, column=column)
                for column in ("level_discount_factor", "min_level_discount_multiplier")
            ),
            *(
                Expect("default_deferral_rates_column_rules", "fail", SI, 1, column=column)
                for column in ("auto_escalate_rate", "max_rate")
            ),
        ),
    ),
    GuardCase(
        "model_column_rules_batched",
        "every column rule of the derived tables fires on its own column",
        (
            "update main.int_effective_parameters set parameter_value = null "
            "where fiscal_year = 2025 and job_level = 1 and parameter_name = 'merit_base'",
            "update main.int_hazard_merit set cola_rate = 2 "
            "where year = 2025 and level_id = 1 and tenure_band = '< 2' and age_band = '< 25'",
            "update main.int_hazard_merit set promotion_raise_rate = -1 "
            "where year = 2026 and level_id = 1 and tenure_band = '< 2' and age_band = '< 25'",
            "update main.int_hazard_termination set termination_rate = null "
            "where year = 2025 and level_id = 1 and tenure_band = '< 2' and age_band = '< 25'",
            # columns the models set themselves: a failure is a defect of their SQL
            "update main.stg_census_data set current_eligibility_status = 'unknown' "
            "where employee_id = 'EMP_2024_000001'",
            "insert into main.stg_census_duplicates_audit (employee_id, duplicate_count, "
            "duplicate_rank, resolution) values ('EMP_2024_000001', 2, 1, 'MERGED')",
            "update main.int_baseline_workforce set compensation_band_status = 'unknown', "
            "level_id = null where employee_id = 'EMP_2024_000002'",
        ),
        (
            Expect(
                "int_effective_parameters_column_rules", "fail", CC, 1, column="parameter_value"
            ),
            # every parameter there is required: a NULL one is also one missing
            Expect("effective_parameters_complete", "fail", CC, 1),
            Expect("int_hazard_merit_column_rules", "fail", CC, 1, column="cola_rate"),
            Expect("int_hazard_merit_column_rules", "fail", CC, 1, column="promotion_raise_rate"),
            Expect(
                "int_hazard_termination_column_rules",
                "fail",
                CC,
                1,
                rows_name(failing_rule="not null", year=2025),
                column="termination_rate",
            ),
            Expect(
                "stg_census_data_staging_rules",
                "fail",
                ST,
                1,
                rows_name(failing_value="unknown", employee_id="EMP_2024_000001"),
                column="current_eligibility_status",
            ),
            Expect("stg_census_duplicates_audit_column_rules", "fail", ST, 1, column="resolution"),
            *(
                Expect("int_baseline_workforce_column_rules", "fail", BW, 1, column=column)
                for column in ("compensation_band_status", "level_id")
            ),
            # the employee counts as paid outside every band (status not in_band)
            Expect("baseline_pay_outside_every_band", "warn", BW, 1),
        ),
    ),
    # The primary-key test's other branches: a key column empty, an alternate
    # key (a band's label beside its id) repeated.
    GuardCase(
        "keys_incomplete_or_repeated",
        "a key column is filled in; a band's label names one band",
        (
            "update main.config_irs_limits set limit_year = null where limit_year = 2026",
            "update main.config_tenure_bands set band_label = '10-19' where band_id = 5",
        ),
        (
            Expect(
                "config_irs_limits_primary_key",
                "fail",
                SI,
                1,
                rows_name(problem="limit_year empty in key (limit_year)"),
            ),
            Expect(
                "config_tenure_bands_primary_key",
                "fail",
                SI,
                2,
                rows_name(problem="alternate key (band_label) repeats", key_occurrences=2),
            ),
            # the multiplier seeds' 20+ is no band label any more
            *(
                Expect(
                    f"config_{kind}_hazard_tenure_multipliers_band_labels_match_baseline",
                    "fail",
                    SI,
                    1,
                    rows_name(band_label="20+", label_issue="unknown"),
                )
                for kind in ("promotion", "termination")
            ),
        ),
    ),
    # A seed file without data rows cannot be loaded (the seed loader stops it);
    # an empty staging model is proved on a tampered database.
    GuardCase(
        "staging_empty",
        "every staging model is non-empty; one-row models have exactly one row",
        ("delete from main.stg_comp_targets", "delete from main.stg_config_promotion_hazard_base"),
        (
            Expect(
                "assert_config_staging_row_counts",
                "fail",
                ST,
                2,
                rows_name(model_name="stg_config_promotion_hazard_base", row_count=0, min_rows=1),
            ),
        ),
    ),
    GuardCase(
        "census_declared_column_missing",
        "stg_census_data holds every declared column with its type (open contract)",
        "alter table main.stg_census_data drop column scheduled_hours_per_week",
        Expect(
            "stg_census_data_declared_columns_typed",
            "fail",
            ST,
            1,
            rows_name(column_name="scheduled_hours_per_week", column_issue="missing"),
        ),
    ),
    GuardCase(
        "baseline_band_unassigned",
        "every baseline employee has an age band and a tenure band",
        (
            "update main.int_baseline_workforce set age_band = null "
            "where employee_id = 'EMP_2024_000001'",
            "update main.int_baseline_workforce set tenure_band = null "
            "where employee_id = 'EMP_2024_000001'",
        ),
        (
            Expect("int_baseline_workforce_column_rules", "fail", BW, 1, column="age_band"),
            Expect("int_baseline_workforce_column_rules", "fail", BW, 1, column="tenure_band"),
            # the NULL band has no multiplier in any of the four multiplier seeds
            Expect("assert_baseline_bands_have_multipliers", "fail", BW, 4),
        ),
    ),
    GuardCase(
        "baseline_band_without_multiplier",
        "baseline bands all have multipliers",
        "delete from main.stg_config_termination_hazard_age_multipliers where age_band = '65+'",
        Expect(
            "assert_baseline_bands_have_multipliers",
            "fail",
            BW,
            1,
            rows_name(
                multiplier_seed="config_termination_hazard_age_multipliers", band_label="65+"
            ),
        ),
    ),
    GuardCase(
        "baseline_pay_not_positive",
        "baseline current compensation is positive",
        "update main.int_baseline_workforce set current_compensation = 0 "
        "where employee_id = 'EMP_2024_000001'",
        Expect(
            "int_baseline_workforce_column_rules",
            "fail",
            BW,
            1,
            rows_name(employee_id="EMP_2024_000001", failing_rule="> 0"),
            column="current_compensation",
        ),
    ),
    GuardCase(
        "baseline_level_unknown",
        "every baseline employee maps to an existing job level",
        "update main.int_baseline_workforce set level_id = 9 where employee_id = 'EMP_2024_000001'",
        Expect(("relationships", "int_baseline_workforce", "level_id"), "fail", BW, 1),
    ),
    GuardCase(
        "promotion_grid_cell_extra",
        "the promotion grid has no cells outside its space",
        "insert into main.int_hazard_promotion "
        "select 2031, level_id, tenure_band, age_band, promotion_rate "
        "from main.int_hazard_promotion "
        "where year = 2029 and level_id = 1 "
        "and tenure_band = '< 2' and age_band = '65+'",
        Expect(
            "int_hazard_promotion_grid_complete",
            "fail",
            CC,
            1,
            rows_name(year=2031, cell_issue="unexpected"),
        ),
    ),
    GuardCase(
        "merit_grid_level_missing",
        "the merit grid covers every job level",
        "delete from main.int_hazard_merit where level_id = 4 and year = 2026",
        Expect("int_hazard_merit_grid_complete", "fail", CC, 30),
    ),
    GuardCase(
        "hazard_grid_cell_missing",
        "the termination grid is complete",
        "delete from main.int_hazard_termination "
        "where year = 2027 and level_id = 2 "
        "and tenure_band = '5-9' and age_band = '45-54'",
        Expect(
            "int_hazard_termination_grid_complete",
            "fail",
            CC,
            1,
            rows_name(year=2027, level_id=2, cell_issue="missing"),
        ),
    ),
]


# --- checks ----------------------------------------------------------------------


def check_outcome(
    project: DbtProject,
    outcome: DbtOutcome,
    expect: tuple[Expect, ...],
    error_nodes: tuple[str, ...] = (),
) -> None:
    """Exactly the expected tests fail/warn as expected; every other node passes
    (or is skipped, when an error-level failure or a model error gates it).
    Several expectations may name one test (the rules of one model's columns):
    its failing-row count is their sum, and each one's column has its own."""
    assert outcome.run_results is not None, outcome.error_text
    nodes = manifest_tests(project)
    results = {r["unique_id"]: r for r in outcome.results}  # unit tests share names
    by_node: dict[str, list[Expect]] = {}
    for item in expect:
        by_node.setdefault(resolve_ref(nodes, item.test).name, []).append(item)
    expected_ids: set[str] = set()
    for name, items in by_node.items():
        expected_ids.add(check_test(project, nodes[name], results, items))
    for name in error_nodes:
        errored = [r for uid, r in results.items() if uid.split(".")[2] == name]
        assert [r["status"] for r in errored] == ["error"], f"{name}: {errored}"
        expected_ids.add(errored[0]["unique_id"])
    failed = {uid for uid in expected_ids if results[uid]["status"] in ("fail", "error")}
    gated = gated_by(manifest(project), failed)
    unexpected = {
        uid: r["status"]
        for uid, r in results.items()
        if uid not in expected_ids
        and r["status"] not in ("pass", "success", "no-op")
        and not (r["status"] == "skipped" and (uid in gated or uid.startswith("exposure.")))
    }
    assert not unexpected, f"unexpected results: {unexpected}"


def gated_by(data: dict[str, Any], failed: set[str]) -> set[str]:
    """The nodes dbt build skips because of these failures: a failing test gates
    what is downstream of all its parents (not the other tests of those parents),
    a node that errors gates everything downstream of it. A skip outside this set
    means a failure the case did not expect hid a node. (The exposure, downstream
    of every public model, checks nothing: check_outcome accepts its skip.)"""
    gated: set[str] = set()
    for uid in failed:
        if not uid.startswith("test."):
            gated |= descendants(data, uid)
            continue
        parents = set(data["parent_map"][uid])
        common = set.intersection(*(descendants(data, p) for p in parents)) - {uid}
        for node in common:
            if node.startswith("test.") and set(data["parent_map"][node]) <= parents:
                continue  # a test of the same node: tests do not gate each other
            gated |= {node} | descendants(data, node)
    return gated


def descendants(data: dict[str, Any], uid: str) -> set[str]:
    """Every node downstream of `uid` in the manifest's child map."""
    children = data["child_map"]
    found: set[str] = set()
    queue = list(children.get(uid, []))
    while queue:
        node = queue.pop()
        if node not in found:
            found.add(node)
            queue.extend(children.get(node, []))
    return found


def check_test(
    project: DbtProject,
    node: ManifestTest,
    results: dict[str, dict[str, Any]],
    items: list[Expect],
) -> str:
    """One test's status, category, severity and failing rows against its expectations."""
    status = items[0].status
    assert {item.status for item in items} == {status}, node.name
    assert node.is_validation and {item.category for item in items} == {node.category}, (
        f"{node.name}: tags {sorted(node.tags)}, expected category {items[0].category}"
    )
    assert node.severity == ("error" if status == "fail" else "warn"), (
        f"{node.name}: severity {node.severity} for expected status {status}"
    )
    result = results.get(node.unique_id)
    assert result is not None, f"{node.name} did not run"
    assert result["status"] == status, (
        f"{node.name}: {result['status']}, expected {status}: {result.get('message')}"
    )
    counts = [item.failures() if callable(item.failures) else item.failures for item in items]
    assert result["failures"] == sum(counts), (
        f"{node.name}: {result['failures']} failing rows, expected {sum(counts)}"
    )
    if any(item.rows is not None or item.column is not None for item in items):
        rows = stored_failures(project, node.name)
        for item, count in zip(items, counts, strict=True):
            mine = [
                row
                for row in rows
                if item.column in (None, row.get("failing_column"))
                and item.rule in (None, row.get("failing_rule"))
            ]
            assert item.column is None or len(mine) == count, (
                f"{node.name}: {len(mine)} failing cells in {item.column}, expected {count}"
            )
            if item.rows is not None:
                item.rows(mine)
    return node.unique_id


# Mutations of rules that cannot mask each other (different seeds, or sibling
# tests of one model: an error-level failure gates only what is downstream of
# the tested node), injected together into one project and proved by one
# build: check_outcome still requires each rule's exact failing-row count (a
# rule another mutation had skipped would fail the test) and nothing else
# failing. A test two cases name counts the sum of their rows.
BATCHES = {
    "seed_rules": (
        "scenario_unknown_base",
        "lever_rate_above_one",
        "cola_rate_above_one",
        "job_level_rate_above_one",
        "job_band_inverted",
        "promotion_base_negative",
        "termination_base_above_one",
        "raise_rate_above_one",
        "timing_share_negative",
        "promotion_age_multiplier_zero",
        "promotion_tenure_multiplier_huge",
        "termination_age_multiplier_negative",
        "termination_tenure_multiplier_huge",
        "seed_key_duplicated",
        "target_unknown_scenario",
        "seed_composite_key_duplicated",
        "lever_multiplier_zero",
    ),
    "staging_rules": (
        "scenario_status_unknown",
        "target_priority_unknown",
        "rule_enforcement_level_unknown",
        "one_row_seed_twice",
        "one_row_seed_three_rows",
        "cola_year_missing",
        "seed_value_missing",
        "lever_event_type_unknown",
        "timing_month_thirteen",
    ),
    "band_labels": (
        "termination_age_band_typo",
        "promotion_age_band_missing",
        "termination_tenure_band_renamed",
        "promotion_tenure_band_extra",
    ),
    # warnings only: nothing gated
    "warnings": (
        "job_bands_gap",
        "job_bands_overlap",
        "merit_bump_band_unknown",
        "timing_month_above_maximum",
    ),
    "timing_rules": ("timing_profile_sums_to_1_07", "timing_rule_unknown"),
    "hazard_grids": (
        "termination_hazard_above_one",
        "promotion_hazard_above_one",
        "lever_unknown_job_level",
    ),
    "lever_staging": ("lever_duplicated_in_another_case", "lever_year_missing"),
    "scenario_and_headcount": ("scenario_unknown", "baseline_headcount_too_small"),
}
BATCHED = {case_id for ids in BATCHES.values() for case_id in ids}
ALONE = [case for case in CASES if case.id not in BATCHED]


@pytest.mark.parametrize("batch", list(BATCHES))
def test_batched_mutations_each_fire_their_rule(
    batch: str, fresh_project: DbtProject, tmp_path: Path
) -> None:
    cases = [case for case in CASES if case.id in BATCHES[batch]]
    assert len(cases) == len(BATCHES[batch])
    run_vars: dict[str, Any] = {}
    edited: dict[str, set[str]] = {}  # case -> the seeds its mutation changed
    for case in cases:
        assert not getattr(case.mutate, "census_only", False), case.id  # one census per run
        assert not case.error_nodes
        before = seed_contents(fresh_project)
        added = case.mutate(fresh_project, tmp_path) or {}
        assert not set(added) & set(run_vars), f"{case.id} sets a var another case sets"
        run_vars |= added
        after = seed_contents(fresh_project)
        edited[case.id] = {name for name in after if after[name] != before.get(name)}
    outcome = fresh_project.dbt("build", "--selector", "setup", *QUIET, vars=run_vars or None)
    check_outcome(fresh_project, outcome, tuple(e for case in cases for e in case.expect))
    assert_not_hidden_by_each_other(fresh_project, outcome, cases, edited)


def seed_contents(project: DbtProject) -> dict[str, bytes]:
    return {path.stem: path.read_bytes() for path in project.path("dbt/seeds").glob("*.csv")}


def assert_not_hidden_by_each_other(
    project: DbtProject, outcome: DbtOutcome, cases: list[Case], edited: dict[str, set[str]]
) -> None:
    """In a batch, what one case's edit reaches downstream must run, unless that
    case's own failure gates it: a node skipped because of another case's failure
    would hide a failure this case should not cause (it is then batched wrongly)."""
    data, nodes = manifest(project), manifest_tests(project)
    skipped = {r["unique_id"] for r in outcome.results if r["status"] == "skipped"}
    for case in cases:
        reached: set[str] = set()
        for seed in edited[case.id]:
            reached |= descendants(data, f"seed.planwise.{seed}")
        own = {resolve_ref(nodes, e.test).unique_id for e in case.expect if e.status == "fail"}
        hidden = {n for n in skipped & reached if not n.startswith("exposure.")}
        hidden -= gated_by(data, own)
        assert not hidden, f"{case.id}: another case's failure skipped {sorted(hidden)}"


@pytest.mark.parametrize("case", ALONE, ids=[c.id for c in ALONE])
def test_mutation_fires_exactly_its_rule(
    case: Case, fresh_project: DbtProject, built_database: BuiltDatabase, tmp_path: Path
) -> None:
    # A census-only mutation leaves every seed and var as built: on a copy of the
    # built database, dbt rebuilds and tests what reads the census (the census
    # source and everything downstream, every test with a parent there), and every
    # node of that selection must pass but the expected ones.
    census_only = getattr(case.mutate, "census_only", False)
    if census_only:
        shutil.copyfile(built_database.project.db_path, fresh_project.db_path)
    selection = ("--select", "source:census+") if census_only else ("--selector", "setup")
    run_vars = case.mutate(fresh_project, tmp_path)
    outcome = fresh_project.dbt("build", *selection, *QUIET, vars=run_vars)
    assert not outcome.success or all(e.status == "warn" for e in case.expect)
    check_outcome(fresh_project, outcome, case.expect, case.error_nodes)
    if case.error_message is not None:
        assert case.error_message in outcome.error_text


def test_guards_fire_on_one_tampered_database(built_copy: DbtProject) -> None:
    """Every guard's tampering in one copy of the built database, then one `dbt
    test`: the tests only read, so one tampering cannot hide another's failure,
    and each rule must still show its exact failing-row count."""
    with duckdb.connect(str(built_copy.db_path)) as connection:
        for case in GUARD_CASES:
            for statement in case.statements:
                connection.execute(statement)
    outcome = built_copy.dbt("test", "--selector", "validation", *QUIET)
    assert not outcome.success
    check_outcome(built_copy, outcome, tuple(e for case in GUARD_CASES for e in case.expects))
