"""Look-alike employee ids: ids spelled differently that a reader cannot tell
apart are reported by census_raw_employee_id_lookalikes, a warning by default
and an error with var validation_lookalike_ids_severity: error.

The census below is the first rows of the bundled sample with hand-made ids:
groups of look-alikes covering spaces and TAB, the no-break space, a
zero-width space (a format character), case, fullwidth letters and digits,
Cyrillic and Greek letters, mathematical bold letters and digits, and a digit
look-alike from another script (Bengali four for 8, a Unicode TR39
confusable); and ids that must NOT be reported. Those include ASCII 0 against
O and I against l (EMP_10 / EMP_1O, EMP_I0 / EMP_l0): TR39 calls them
confusable, but both are plain keyboard characters of genuinely different
ids, so by design the skeleton keeps ASCII apart (only its case is folded).
An accented letter (JOSE_11 / JOSÉ_11) is a visible difference, and ids
spelled exactly alike are duplicates (another test), not look-alikes.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO_ROOT, SAMPLE_CENSUS, DbtOutcome, DbtProject, copy_project

pytestmark = pytest.mark.slow

TEST = "census_raw_employee_id_lookalikes"
IDS = [  # census_row = position + 1
    "EMP_1",
    "EMP_1 ",  # trailing space
    " EMP_1",  # leading space
    "emp_1",  # case
    "EMP_2",
    "\tEMP_2",  # TAB
    "EMP_2\u00a0",  # no-break space
    "EMP\u200b_2",  # zero-width space (format character)
    "EMP_3",
    "\uff25\uff2d\uff30\uff3f\uff13",  # fullwidth EMP_3
    "PACE_4",
    "\u0420\u0410\u0421\u0415_4",  # Cyrillic ER, A, ES, IE
    "\u03a1\u0391CE_4",  # Greek RHO, ALPHA
    "OPS_5",
    "\u041ePS_5",  # Cyrillic O
    "\u039fPS_5",  # Greek OMICRON
    "EMP_6",
    "\U0001d404MP_6",  # mathematical bold E
    "EMP_\U0001d7d4",  # mathematical bold digit six
    "EMP_8",
    "EMP_\u09ea",  # Bengali digit four, a look-alike of 8
    "EMP_1",  # an exact duplicate of row 1: one more row of its group, no new spelling
    "EMP_9",  # exact duplicates only: not look-alikes
    "EMP_9",
    "EMP_10",  # ASCII 0/O and I/l: different ids by design
    "EMP_1O",
    "EMP_I0",
    "EMP_l0",
    "JOSE_11",  # an accent is visible: different ids
    "JOS\u00c9_11",
    "EMP_12",
]
SPELLINGS = {  # skeleton -> every spelling, in code-point order
    "emp_1": '" EMP_1" | "EMP_1" | "EMP_1 " | "emp_1"',
    "emp_2": '"\tEMP_2" | "EMP_2" | "EMP_2\u00a0" | "EMP\u200b_2"',
    "emp_3": '"EMP_3" | "\uff25\uff2d\uff30\uff3f\uff13"',
    "pace_4": '"PACE_4" | "\u03a1\u0391CE_4" | "\u0420\u0410\u0421\u0415_4"',
    "ops_5": '"OPS_5" | "\u039fPS_5" | "\u041ePS_5"',
    "emp_6": '"EMP_6" | "EMP_\U0001d7d4" | "\U0001d404MP_6"',
    "emp_8": '"EMP_8" | "EMP_\u09ea"',
}
GROUPS = {  # skeleton -> its census rows
    "emp_1": [1, 2, 3, 4, 22],
    "emp_2": [5, 6, 7, 8],
    "emp_3": [9, 10],
    "pace_4": [11, 12, 13],
    "ops_5": [14, 15, 16],
    "emp_6": [17, 18, 19],
    "emp_8": [20, 21],
}


def expected_rows() -> list[tuple[object, ...]]:
    """(census_row, employee_id, id_characters, skeleton, spellings, spelling_count)."""
    rows = []
    for skeleton, census_rows in GROUPS.items():
        spelling_count = len({IDS[row - 1] for row in census_rows})
        for row in census_rows:
            spelled = IDS[row - 1]
            rows.append((row, spelled, len(spelled), skeleton, SPELLINGS[skeleton], spelling_count))
    return sorted(rows)


EXPECTED = expected_rows()


def write_census(path: Path) -> Path:
    """The sample's first rows (valid data) with the ids above, in this order."""
    with duckdb.connect() as connection:
        connection.execute("create table ids (census_row integer, employee_id varchar)")
        connection.executemany("insert into ids values (?, ?)", list(enumerate(IDS, 1)))
        connection.execute(
            "create table sample as select row_number() over () as census_row, * "
            f"from read_parquet('{SAMPLE_CENSUS}') limit {len(IDS)}"
        )
        kind = "csv, header true" if path.suffix == ".csv" else "parquet"
        connection.execute(
            "copy (select sample.* exclude (census_row) replace (ids.employee_id as employee_id) "
            "from sample inner join ids using (census_row) order by census_row) "
            f"to '{path}' (format {kind})"
        )
    return path


@pytest.fixture(scope="module")
def lookalike_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbtProject]:
    yield copy_project(tmp_path_factory.mktemp("lookalikes") / "project")


def stored_rows(project: DbtProject) -> list[tuple[object, ...]]:
    return project.query(
        "select census_row, employee_id, id_characters, skeleton, spellings, spelling_count "
        f"from main_validation_failures.{TEST} order by census_row"
    )


@pytest.mark.parametrize("name", ["census.csv", "census.parquet"])
def test_lookalike_ids_warn_with_their_rows_and_every_spelling(
    lookalike_project: DbtProject, tmp_path: Path, name: str
) -> None:
    census = write_census(tmp_path / name)
    outcome = lookalike_project.dbt(
        "test", "--select", "source:census", vars={"census_path": str(census)}
    )
    assert outcome.success, outcome.error_text
    assert outcome.not_passing() == {TEST: "warn"}
    assert outcome.by_name()[TEST]["failures"] == len(EXPECTED) == 22
    assert stored_rows(lookalike_project) == EXPECTED


def build(project: DbtProject, census: Path, **extra: object) -> DbtOutcome:
    return project.dbt(
        "build", "--selector", "foundation", vars={"census_path": str(census), **extra}
    )


def test_the_build_succeeds_with_the_warning_and_stops_when_the_var_makes_it_an_error(
    lookalike_project: DbtProject, tmp_path: Path
) -> None:
    census = write_census(tmp_path / "census.parquet")
    outcome = build(lookalike_project, census)
    assert outcome.success, outcome.error_text
    # EMP_1 and EMP_9 are also exact duplicates: that test's warning, not this one's
    assert outcome.not_passing() == {TEST: "warn", "assert_census_duplicate_employee_ids": "warn"}
    assert outcome.statuses()["stg_census_data"] == "success"

    outcome = build(lookalike_project, census, validation_lookalike_ids_severity="error")
    assert not outcome.success
    assert outcome.statuses()[TEST] == "fail"
    assert outcome.by_name()[TEST]["failures"] == 22
    assert outcome.statuses()["stg_census_data"] == "skipped"  # a source test gates staging
    assert stored_rows(lookalike_project) == EXPECTED


def test_a_census_without_lookalikes_passes(lookalike_project: DbtProject) -> None:
    """The bundled sample: ids EMP_2024_000001... (ASCII, printable): none reported."""
    outcome = lookalike_project.dbt(
        "test", "--select", f"{TEST}", vars={"census_path": str(SAMPLE_CENSUS)}
    )
    assert outcome.statuses()[TEST] == "pass" and not outcome.not_passing()


# --- the generated mapping (no database, no data package) ----------------------

SKELETON_MACRO = REPO_ROOT / "macros" / "helpers" / "planwise_id_skeleton.sql"
ENTRY = re.compile(r"^    '([^']+)': '([^']*)',$", re.M)


def folds() -> dict[str, str]:
    """The macro's mapping (ASCII target -> characters), decoded as Jinja decodes it."""
    text = SKELETON_MACRO.read_text(encoding="utf-8")
    return {
        target: codecs.decode(escaped, "unicode_escape") for target, escaped in ENTRY.findall(text)
    }


def test_the_skeleton_mapping_is_a_safe_one_to_one_translate() -> None:
    """translate(x, sources, targets) needs both strings of equal length in
    characters; every target is lower-case ASCII letter, digit, _, - or .; no
    source is ASCII (ASCII is only lower-cased), a quote, a backslash, an
    invisible character (those are removed before) or listed twice; and the
    macro file itself is plain ASCII, so it hides no look-alike."""
    mapping = folds()
    assert SKELETON_MACRO.read_bytes().isascii()
    sources = "".join(mapping.values())
    targets = "".join(target * len(characters) for target, characters in mapping.items())
    assert len(sources) == len(targets) > 1000
    assert set(mapping) == set("abcdefghijklmnopqrstuvwxyz0123456789_-.")
    assert all(target.isascii() and len(target) == 1 for target in targets)
    assert len(set(sources)) == len(sources)
    assert not any(character.isascii() for character in sources)
    assert not [c for c in sources if unicodedata.category(c) in {"Zs", "Zl", "Zp", "Cc", "Cf"}]
    # the look-alikes of the census above, and a few more, land where they should
    target = {c: t for t, characters in mapping.items() for c in characters}
    expected = {
        "\u0415": "e",
        "\u0435": "e",
        "\u0410": "a",
        "\u041e": "o",
        "\u0420": "p",
        "\u0421": "c",
        "\u0391": "a",
        "\u039f": "o",
        "\u03a1": "p",
        "\u0397": "h",
        "\u0406": "i",
        "\u0456": "i",
        "\uff25": "e",
        "\uff13": "3",
        "\uff3f": "_",
        "\U0001d404": "e",
        "\U0001d7d4": "6",
        "\u09ea": "8",
        "\u09e6": "0",
        "\u2010": "-",
        "\uff0e": ".",
        "\u212a": "k",
    }
    assert {c: target.get(c) for c in expected} == expected
    assert "\u00c9" not in target  # an accented letter is not a look-alike
