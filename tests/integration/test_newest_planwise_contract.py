"""What the newest PlanWise release reads from setup's database, with its types.

tests/fixtures/planwise_newest_contract.yml lists, relation by relation, every
column the release's models and orchestrator read from the relations setup
builds, with the family of its type. These tests check the default build
against it through DuckDB's own catalog (information_schema), and that dbt
declares it: typed columns under enforced contracts (stg_census_data's is open
and checked by its own test), typed seed columns, and the exposure.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import DbtProject
from tests.integration.test_simulation_contract import catalog as built_catalog

CONTRACT = Path(__file__).resolve().parents[1] / "fixtures" / "planwise_newest_contract.yml"
INTEGER = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"}
INTEGER |= {"U" + name for name in INTEGER}
FAMILIES: dict[str, set[str]] = {
    "text": {"VARCHAR"},
    "integer": INTEGER,
    "number": INTEGER | {"DOUBLE", "FLOAT", "REAL", "DECIMAL"},
    "date": {"DATE"},
    "timestamp": {"TIMESTAMP", "TIMESTAMP WITH TIME ZONE"},
    "boolean": {"BOOLEAN"},
}


def contract() -> dict[str, dict[str, str]]:
    data = yaml.safe_load(CONTRACT.read_text())
    assert isinstance(data, dict) and data
    return {str(relation): dict(columns) for relation, columns in data.items()}


def in_family(data_type: str | None, family: str) -> bool:
    """Whether a DuckDB type (DECIMAL(12,2) counts as DECIMAL) is of `family`."""
    return data_type is not None and re.sub(r"\(.*\)$", "", data_type) in FAMILIES[family]


def test_the_fixture_names_known_families() -> None:
    families = {family for columns in contract().values() for family in columns.values()}
    assert families <= set(FAMILIES)


@pytest.fixture(scope="module")
def catalog(built_project: DbtProject) -> dict[str, dict[str, str]]:
    return built_catalog(built_project)


def test_every_relation_and_column_the_release_reads_is_built_with_its_type(
    catalog: dict[str, dict[str, str]],
) -> None:
    wrong = []
    for relation, columns in contract().items():
        built = catalog.get(relation)
        if built is None:
            wrong.append(f"{relation}: not built")
            continue
        wrong += [
            f"{relation}.{column}: {built.get(column)}, the release needs {family}"
            for column, family in columns.items()
            if not in_family(built.get(column), family)
        ]
    assert not wrong, "\n".join(wrong)


@pytest.fixture(scope="module")
def manifest(built_project: DbtProject) -> dict[str, Any]:
    return dict(json.loads((built_project.root / "target" / "manifest.json").read_text()))


def test_dbt_declares_what_the_release_reads(manifest: dict[str, Any]) -> None:
    nodes = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed") and node["package_name"] == "planwise"
    }
    exposure = manifest["exposures"]["exposure.planwise.planwise_simulation"]
    consumed = {uid.split(".")[-1] for uid in exposure["depends_on"]["nodes"]}
    wrong = []
    for relation, columns in contract().items():
        node = nodes[relation]
        if relation not in consumed:
            wrong.append(f"{relation}: not in the exposure planwise_simulation")
        if node["resource_type"] == "seed":
            declared = dict.fromkeys(columns, None) | node["config"]["column_types"]
        else:
            declared = dict.fromkeys(columns, None)
            declared |= {name: column["data_type"] for name, column in node["columns"].items()}
            open_contract = relation == "stg_census_data"  # typed by its own test
            if not (node["config"]["contract"]["enforced"] or open_contract):
                wrong.append(f"{relation}: contract not enforced")
            if node["access"] != "public":
                wrong.append(f"{relation}: access {node['access']}, not public")
        wrong += [f"{relation}.{name}: no declared type" for name in columns if not declared[name]]
    assert not wrong, "\n".join(wrong)


def test_the_newest_names_carry_the_values(built_project: DbtProject) -> None:
    """is_enrolled_at_census is is_enrolled under the newest name; the opt-out is
    never NULL (false where the census leaves it out); the COLA year is the seed's."""
    enrolled = built_project.scalar("select count(*) from int_baseline_workforce where is_enrolled")
    assert enrolled > 0
    assert built_project.query(
        "select count(*) filter (where is_enrolled_at_census is distinct from is_enrolled), "
        "count(*) filter (where auto_escalation_opt_out is null), "
        "count(*) filter (where is_enrolled_at_census) "
        "from int_baseline_workforce"
    ) == [(0, 0, enrolled)]
    cola = "select count(*) from stg_config_cola_by_year where year is distinct from cola_year"
    assert built_project.scalar(cola) == 0
