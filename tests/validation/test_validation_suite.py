"""The validation suite as a whole.

- the default build passes with zero warnings and zero failures, and every
  test carries `validation` plus exactly one category tag;
- `dbt test --selector validation` reruns the checks against an existing
  database without rebuilding anything;
- every validation test is proven by a mutation case (tests/validation/
  test_mutations.py), or belongs to a structural family whose representative
  is, as listed below with the reason.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import DbtProject
from tests.validation.conftest import (
    CATEGORIES,
    FAILURES_SCHEMA,
    BuiltDatabase,
    manifest,
    manifest_tests,
    resolve_ref,
)
from tests.validation.test_mutations import CASES, GUARD_CASES

pytestmark = pytest.mark.mutation

# Structural tests proven by representative mutations of the same test macro,
# or unreachable by any data because a test upstream gates them (e.g. staging
# keys behind the same keys' seed tests, model-generated constants). Kind -> why
# it is not mutated instance by instance.
FAMILY_REPRESENTED = {
    "planwise_primary_key": (
        "seed_key_duplicated, seed_composite_key_duplicated, lever_duplicated_in_another_case "
        "and the one-row cases; staging and model keys repeat seed keys or come from the model"
    ),
    "relationships": "each seed relationship has a case; baseline_level_unknown for the baseline",
    "expect_table_row_count_to_be_between": "census_empty, census_too_small, headcount minimum",
}


def proven_tests(project: DbtProject) -> set[str]:
    nodes = manifest_tests(project)
    proven = {resolve_ref(nodes, expect.test).name for case in CASES for expect in case.expect}
    proven |= {resolve_ref(nodes, e.test).name for case in GUARD_CASES for e in case.expects}
    # a check whose only way to fire is an error (a file that cannot be read) is
    # proven by a case that requires exactly that error, with its message
    proven |= {name for case in CASES for name in case.error_nodes if name in nodes}
    return proven


def test_default_build_has_zero_warnings_and_failures(built_database: BuiltDatabase) -> None:
    outcome = built_database.outcome
    assert outcome.success, outcome.error_text
    assert outcome.not_passing() == {}
    ran = {r["unique_id"] for r in outcome.results}
    nodes = manifest_tests(built_database.project)
    validation = {n.unique_id for n in nodes.values() if n.is_validation and n.kind != "unit"}
    assert validation <= ran, "every validation data test runs in the setup build"
    units = {n.unique_id for n in nodes.values() if n.kind == "unit"}
    assert len(units) >= 4
    assert not units & ran, "unit tests check the SQL on fixtures, not in every setup"


def test_unit_tests_pass_in_their_own_selector(built_copy: DbtProject) -> None:
    """The models' unit tests run on their fixtures (CI runs this test), against the
    column types of a built database."""
    outcome = built_copy.dbt("test", "--selector", "unit_tests")
    assert outcome.success, outcome.error_text
    nodes = manifest_tests(built_copy)
    units = {n.unique_id for n in nodes.values() if n.kind == "unit"}
    assert {r["unique_id"] for r in outcome.results if r["unique_id"] in units} == units
    assert {r["unique_id"].split(".")[0] for r in outcome.results} <= {"unit_test", "operation"}
    assert outcome.not_passing() == {}


def test_every_test_has_validation_and_one_category(built_database: BuiltDatabase) -> None:
    nodes = manifest_tests(built_database.project)
    assert nodes
    untagged = {
        name: sorted(n.tags)
        for name, n in nodes.items()
        if not n.is_validation or n.category is None
    }
    assert not untagged
    assert {n.category for n in nodes.values()} == set(CATEGORIES)
    assert all(n.severity in ("error", "warn") for n in nodes.values() if n.kind != "unit")


def test_failing_rows_schema_is_main_validation_failures(built_database: BuiltDatabase) -> None:
    """Census and baseline tests store their failing rows there; seed and
    configuration tests (files of a few rows) store none."""
    with duckdb.connect(str(built_database.project.db_path), read_only=True) as connection:
        tables = {
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [FAILURES_SCHEMA],
            ).fetchall()
        }
    assert {
        "census_raw_required_fields_not_null",
        "assert_census_duplicate_employee_ids",
        "assert_baseline_bands_have_multipliers",
    } <= tables
    assert "raise_timing_rules_error_level" not in tables
    assert "config_job_levels_primary_key" not in tables
    assert "config_job_levels_column_rules" not in tables
    assert "int_baseline_workforce_column_rules" in tables


def test_validation_selector_reruns_checks_without_rebuilding(built_copy: DbtProject) -> None:
    marker = "validation-selector-marker"
    with duckdb.connect(str(built_copy.db_path)) as connection:
        before = connection.execute("select count(*) from main.stg_census_data").fetchone()
        # A row a rebuild would wipe out; it breaks no validation rule.
        connection.execute(
            "insert into main.stg_comp_targets (scenario_id, fiscal_year, metric_name, "
            "target_value, tolerance_pct, priority, description) "
            f"values ('default', 2099, '{marker}', 0, 0, 'low', '')"
        )
    outcome = built_copy.dbt("test", "--selector", "validation")
    assert outcome.success, outcome.error_text
    assert outcome.not_passing() == {}
    kinds = {r["unique_id"].split(".")[0] for r in outcome.results}
    assert kinds <= {"test", "operation"}, kinds
    nodes = manifest_tests(built_copy)
    ran = {r["unique_id"] for r in outcome.results}
    assert {n.unique_id for n in nodes.values() if n.is_validation and n.kind != "unit"} <= ran
    with duckdb.connect(str(built_copy.db_path), read_only=True) as connection:
        assert connection.execute(
            "select count(*) from main.stg_comp_targets where metric_name = ?", [marker]
        ).fetchone() == (1,)
        assert connection.execute("select count(*) from main.stg_census_data").fetchone() == before


def test_every_validation_test_is_proven_by_a_mutation(built_database: BuiltDatabase) -> None:
    nodes = manifest_tests(built_database.project)
    proven = proven_tests(built_database.project)
    unproven = {
        name: node.kind
        for name, node in nodes.items()
        if node.is_validation
        and node.kind != "unit"
        and name not in proven
        and node.kind not in FAMILY_REPRESENTED
    }
    assert not unproven, f"validation tests without a mutation case: {unproven}"
    # each represented family really has a representative among the cases
    proven_kinds = {nodes[name].kind for name in proven}
    assert set(FAMILY_REPRESENTED) <= proven_kinds


def test_every_column_rule_is_proven_by_a_mutation(built_database: BuiltDatabase) -> None:
    """A column-rules test holds many rules: each range, accepted-values and
    comparison rule is fired by a mutation expectation counting its failing
    cells (naming its failing_rule where the column has more than one), and the
    not-null rule, one SQL for every column, by several."""
    data = manifest(built_database.project)
    named: dict[tuple[str, str], set[str | None]] = {}
    for expects in [c.expect for c in CASES] + [g.expects for g in GUARD_CASES]:
        for expect in expects:
            if expect.column is not None:
                assert isinstance(expect.test, str)
                named.setdefault((expect.test, expect.column), set()).add(expect.rule)
    checks: dict[tuple[str, str], int] = {}  # column -> rules other than not-null
    only_not_null: set[tuple[str, str]] = set()
    for node in data["nodes"].values():
        if (node.get("test_metadata") or {}).get("name") == "planwise_column_rules":
            for rule in node["test_metadata"]["kwargs"]["rules"]:
                key = (node["name"], rule["column"])
                checks[key] = checks.get(key, 0) + (0 if rule.get("not_null") else 1)
    only_not_null = {key for key, count in checks.items() if count == 0}
    assert checks
    unproven = {}
    for key, count in checks.items():
        rules = named.get(key, set())
        distinct = rules - {None, "not null"}
        if key in only_not_null:
            proven = bool(rules)
        else:
            proven = len(distinct) >= count or (count == 1 and (None in rules or distinct))
        if not proven:
            unproven[key] = count
    assert not unproven, f"column rules without a mutation case (column: rules): {unproven}"
    fired_not_null = {key for key, rules in named.items() if "not null" in rules}
    fired_not_null |= {key for key in only_not_null if key in named}
    assert len(fired_not_null) >= 5, fired_not_null


def test_mutation_cases_are_one_per_rule() -> None:
    ids = [c.id for c in CASES] + [c.id for c in GUARD_CASES]
    assert len(ids) == len(set(ids))


def test_staging_contracts_are_enforced(built_database: BuiltDatabase) -> None:
    """The staging category's second rule: every stored staging model has an
    enforced contract with a data type on every column, except stg_census_data,
    whose contract is open (census columns it does not know pass through) and
    checked by its planwise_columns_match_declared test instead."""
    data = manifest(built_database.project)
    open_contract = {
        node["attached_node"]
        for node in data["nodes"].values()
        if (node.get("test_metadata") or {}).get("name") == "planwise_columns_match_declared"
    }
    assert open_contract == {"model.planwise.stg_census_data"}
    staging = [
        node
        for node in data["nodes"].values()
        if node["resource_type"] == "model"
        and node["name"].startswith("stg_")
        and node["config"]["materialized"] != "ephemeral"
    ]
    assert len(staging) == 18
    for node in staging:
        enforced = node["config"]["contract"]["enforced"]
        assert enforced != (node["unique_id"] in open_contract), node["name"]
        assert node["columns"] and all(c["data_type"] for c in node["columns"].values())
