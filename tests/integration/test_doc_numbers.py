"""The counts the documents state (seeds, models, tests, nodes, hooks) are dbt's:
each is read back from the text and compared with what dbt selects, so a doc
cannot drift from the project (it said 23 models and 331 tests once, when dbt
found 24 and 333)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import DbtProject

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def counts(built_project: DbtProject) -> dict[str, int]:
    """What `dbt ls --selector setup` selects, by resource type, and the hooks."""
    found = {
        kind: len(built_project.ls("--selector", "setup", "--resource-type", kind))
        for kind in ("seed", "model", "test", "exposure")
    }
    project = yaml.safe_load((REPO / "dbt_project.yml").read_text(encoding="utf-8"))
    found["hook"] = len(project["on-run-start"]) + len(project["on-run-end"])
    found["progress"] = found["seed"] + found["model"] + found["test"]  # nodes dbt runs
    found["node"] = found["progress"] + found["exposure"] + found["hook"]
    return found


def stated(document: str, pattern: str) -> list[tuple[int, ...]]:
    """Every match of `pattern` in `document`, its groups as numbers."""
    text = " ".join((REPO / document).read_text(encoding="utf-8").split())
    matches = [m if isinstance(m, tuple) else (m,) for m in re.findall(pattern, text)]
    return [tuple(int(group.replace(",", "")) for group in match) for match in matches]


# (document, what it says, the counts its numbers must equal in order); a number
# may be a sum: "the 14 configuration seeds (and the 6 of the newest release)"
STATEMENTS = [
    ("README.md", r"load the (\d+) configuration seeds \(and the (\d+) of the newest", ["seed"]),
    ("README.md", r"the (\d+) seeds plus the (\d+) of the newest", ["seed"]),
    ("README.md", r"--selector setup # (\d+) seeds,", ["seed"]),
    ("README.md", r"✔ seeds (\d+) (\d+) 0 0 0", ["seed", "seed"]),
    ("README.md", r"✔ validation (\d+) (\d+) 0 0 0", ["test", "test"]),
    (
        "docs/performance.md",
        r"(\d+) nodes \((\d+) tests, (\d+) models, (\d+) seeds, an exposure, (\d+) hooks\)",
        ["node", "test", "model", "seed", "hook"],
    ),
    ("docs/cli.md", r"build 45/(\d+) nodes", ["progress"]),
    ("docs/cli.md", r"rows\), (\d+) models", ["model"]),
]


@pytest.mark.parametrize(("document", "pattern", "kinds"), STATEMENTS)
def test_a_stated_count_is_dbt_s(
    counts: dict[str, int], document: str, pattern: str, kinds: list[str]
) -> None:
    matches = stated(document, pattern)
    assert matches, f"{document} no longer says {pattern!r}: update STATEMENTS"
    expected = [counts[kind] for kind in kinds]
    for numbers in matches:
        said = [sum(numbers)] if len(kinds) == 1 else list(numbers)
        assert said == expected, f"{document}: {pattern!r} says {numbers}, dbt: {expected}"
