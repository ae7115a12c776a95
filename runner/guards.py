"""Input guards that run before dbt: seed CSVs and the census file.

dbt reports bad input late and badly (one non-UTF-8 byte in any seed breaks every
dbt command without naming the file; a header-only census loads with exit 0), so
pre-flight and `planwise-run status` check the inputs first and report *every*
problem as file, line, column, what is wrong and what to do.

- `check_seeds` reads each seed declared in `dbt/seeds/_seeds__models.yml` with the
  csv module (seeds are small) and checks encoding, header, field counts, values
  against the declared `column_types`, and that there is at least one data row.
  The value rules follow the project's seed loader (macros/seeds/load_csv_rows.sql:
  values trimmed, empty = NULL, DuckDB cast to the declared type) but are
  stricter where DuckDB would silently change a value: `1.5` in an integer column
  (DuckDB rounds it to 2), non-ISO dates such as `2024/01/05`, `nan`/`inf`, hex
  numbers, and time-zone offsets on a timestamp (DuckDB drops them).
- `check_census` inspects the census with DuckDB only (never Python rows): the
  schema via `DESCRIBE`, then one aggregate query counting rows and values that
  cannot be converted to the contract types. A well-typed Parquet file needs no
  scan at all (the row count comes from the Parquet metadata).

The census column contract below duplicates `census_required_columns()` /
`census_optional_columns()` (macros/census/): keep both in step.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

# --- the census contract (same as macros/census/census_*_columns.sql) --------------

CENSUS_REQUIRED_COLUMNS: dict[str, str] = {
    "employee_id": "varchar",
    "employee_birth_date": "date",
    "employee_hire_date": "date",
    "employee_gross_compensation": "double",
    "active": "boolean",
}
CENSUS_OPTIONAL_COLUMNS: dict[str, str] = {
    "employee_ssn": "varchar",
    "employee_termination_date": "date",
    "employee_capped_compensation": "double",
    "employee_deferral_rate": "double",
    "employee_contribution": "double",
    "pre_tax_contribution": "double",
    "roth_contribution": "double",
    "after_tax_contribution": "double",
    "employer_core_contribution": "double",
    "employer_match_contribution": "double",
    "eligibility_entry_date": "date",
    "scheduled_hours_per_week": "double",
    "auto_escalation_opt_out": "boolean",
    "eligibility_override": "boolean",
}

SEEDS_DIR = Path("dbt") / "seeds"
SEEDS_YAML = SEEDS_DIR / "_seeds__models.yml"

# At most this many value/row problems per (file, column) before a summary line.
MAX_PROBLEMS_PER_COLUMN = 20


@dataclass(frozen=True)
class Problem:
    """One input problem: where it is, what is wrong, what to do."""

    file: str
    line: int | None
    column: str | None
    message: str
    hint: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.column is not None:
            where += f", column {self.column}"
        message = self.message.rstrip()
        if not message.endswith((".", "!", "?")):
            message += "."
        return f"{where}: {message} {self.hint}".rstrip()


# --- value rules for declared seed types ----------------------------------------------

_INT_RE = re.compile(r"[+-]?\d+(?:\.0*)?")
_DECIMAL_INT_RE = re.compile(r"[+-]?\d+\.\d*")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIMESTAMP_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
)
_TZ_SUFFIX_RE = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$")
_BOOLEANS = frozenset({"true", "false", "t", "f", "1", "0", "yes", "no", "y", "n"})

_INT_RANGES = {
    "tinyint": (-(2**7), 2**7 - 1),
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}
_TYPE_ALIASES = {
    "int1": "tinyint",
    "int2": "smallint",
    "short": "smallint",
    "int": "integer",
    "int4": "integer",
    "int32": "integer",
    "signed": "integer",
    "int8": "bigint",
    "int64": "bigint",
    "long": "bigint",
    "hugeint": "bigint",
    "double": "double",
    "float": "double",
    "float4": "double",
    "float8": "double",
    "real": "double",
    "decimal": "double",
    "numeric": "double",
    "varchar": "varchar",
    "text": "varchar",
    "string": "varchar",
    "char": "varchar",
    "bpchar": "varchar",
    "date": "date",
    "timestamp": "timestamp",
    "datetime": "timestamp",
    "bool": "boolean",
    "boolean": "boolean",
    "logical": "boolean",
}


def _normalise_type(declared: str) -> str:
    """Map a declared SQL type to the rule family used to check its values."""
    base = re.split(r"[\s(]", declared.strip().lower(), maxsplit=1)[0]
    family = _TYPE_ALIASES.get(base, base)
    if family == "timestamp" and "time zone" in declared.lower():
        return "timestamptz"
    return family


def _check_integer(value: str, family: str) -> str | None:
    if not _INT_RE.fullmatch(value):
        if _DECIMAL_INT_RE.fullmatch(value) or _NUMBER_RE.fullmatch(value):
            return f"'{value}' is not a whole number ({family})"
        return f"'{value}' is not a number ({family})"
    number = int(value.split(".", 1)[0])
    low, high = _INT_RANGES[family]
    if not low <= number <= high:
        return f"'{value}' is out of range for {family} ({low} to {high})"
    return None


def _check_double(value: str) -> str | None:
    if _NUMBER_RE.fullmatch(value):
        return None
    return f"'{value}' is not a number (double)"


def _check_boolean(value: str) -> str | None:
    if value.lower() in _BOOLEANS:
        return None
    return f"'{value}' is not a boolean (use true/false or 1/0)"


def _valid_calendar(match: re.Match[str]) -> bool:
    year, month, day, hour, minute, second = (int(p) if p else 0 for p in match.groups()[:6])
    try:
        datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    return True


def _check_date(value: str) -> str | None:
    match = _DATE_RE.fullmatch(value)
    if not match:
        return f"'{value}' is not an ISO date (YYYY-MM-DD)"
    try:
        date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return f"'{value}' is not a valid calendar date"
    return None


def _check_timestamp(value: str, with_time_zone: bool = False) -> str | None:
    text = value
    if with_time_zone:
        text = _TZ_SUFFIX_RE.sub("", value).rstrip()
    elif _TZ_SUFFIX_RE.search(value) and _TIMESTAMP_RE.fullmatch(
        _TZ_SUFFIX_RE.sub("", value).rstrip()
    ):
        return (
            f"'{value}' has a time-zone offset, but the column is a timestamp without time "
            "zone (the offset would be dropped silently)"
        )
    match = _TIMESTAMP_RE.fullmatch(text)
    if not match:
        return f"'{value}' is not an ISO timestamp (YYYY-MM-DD HH:MM:SS)"
    if not _valid_calendar(match):
        return f"'{value}' is not a valid date and time"
    return None


def _value_checker(declared: str) -> Callable[[str], str | None] | None:
    """The rule for a declared type, or None when values are not checked (text)."""
    family = _normalise_type(declared)
    if family in _INT_RANGES:
        return lambda value: _check_integer(value, family)
    if family == "double":
        return _check_double
    if family == "boolean":
        return _check_boolean
    if family == "date":
        return _check_date
    if family == "timestamp":
        return _check_timestamp
    if family == "timestamptz":
        return lambda value: _check_timestamp(value, with_time_zone=True)
    return None  # varchar and anything the loader takes as text


_VALUE_HINT = "Fix the value or remove the row."


# --- seeds ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _SeedSpec:
    name: str
    column_types: dict[str, str] | None  # None: not declared, only encoding and shape checked
    delimiter: str


def _declared_seeds(project_dir: Path) -> tuple[list[_SeedSpec], list[Problem]]:
    yaml_path = project_dir / SEEDS_YAML
    shown = SEEDS_YAML.as_posix()
    if not yaml_path.is_file():
        return [], [
            Problem(
                shown,
                None,
                None,
                "the seed declarations file is missing",
                "Restore it from the project; it declares every seed and its column types.",
            )
        ]
    try:
        document = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        return [], [
            Problem(shown, None, None, f"cannot be read as YAML: {first}", "Fix the YAML syntax.")
        ]
    entries = document.get("seeds") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        return [], [Problem(shown, None, None, "declares no seeds", "Add a `seeds:` list.")]
    specs: list[_SeedSpec] = []
    problems: list[Problem] = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
        assert isinstance(config, dict)
        column_types = config.get("column_types")
        if not isinstance(column_types, dict) or not column_types:
            problems.append(
                Problem(
                    shown,
                    None,
                    None,
                    f"seed '{entry['name']}' declares no column_types",
                    "Declare the type of every column under config.column_types.",
                )
            )
        delimiter = config.get("delimiter", ",")
        specs.append(
            _SeedSpec(
                name=entry["name"],
                column_types=(
                    {str(k): str(v) for k, v in column_types.items()}
                    if isinstance(column_types, dict) and column_types
                    else None
                ),
                delimiter=delimiter if isinstance(delimiter, str) and delimiter else ",",
            )
        )
    return specs, problems


def _decode(raw: bytes, shown: str) -> tuple[str, list[Problem]]:
    """Decode UTF-8 (a BOM is allowed); report every line with an invalid byte."""
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    problems: list[Problem] = []
    bad_lines = 0
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            bad_lines += 1
            if bad_lines > MAX_PROBLEMS_PER_COLUMN:
                continue
            offset = error.start + (3 if number == 1 and line.startswith(b"\xef\xbb\xbf") else 0)
            byte = line[offset]
            problems.append(
                Problem(
                    shown,
                    number,
                    None,
                    f"byte 0x{byte:02X} at byte position {offset + 1} is not valid UTF-8 "
                    "(the file looks Latin-1/Windows-1252 encoded)",
                    "Save the file as UTF-8 (e.g. 'CSV UTF-8' in Excel) and run again.",
                )
            )
    if bad_lines > MAX_PROBLEMS_PER_COLUMN:
        problems.append(
            Problem(
                shown,
                None,
                None,
                f"{bad_lines - MAX_PROBLEMS_PER_COLUMN} more lines contain bytes that are not "
                "valid UTF-8",
                "Save the file as UTF-8 and run again.",
            )
        )
    return raw.decode("utf-8-sig", errors="replace"), problems


def _records(
    text: str, delimiter: str, skip_initial_space: bool = True
) -> Iterator[tuple[int, list[str] | None, str]]:
    """Yield (first line of the record, fields or None on a CSV error, error text).

    Spaces before an opening quote are skipped (`1, "0.5"` is `0.5`), as DuckDB's
    reader does; the header is re-read without that to see spaces in its names.
    """
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        strict=True,
        skipinitialspace=skip_initial_space,
    )
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield start, None, str(error)
            continue
        yield start, row, ""


def _check_header(
    header: list[str], declared: dict[str, str] | None, shown: str
) -> tuple[list[Problem], int]:
    """Problems with the header row; also returns the number of fields it has."""
    problems: list[Problem] = []
    names = [name.strip() for name in header]
    for raw, name in zip(header, names, strict=True):
        if raw != name:
            problems.append(
                Problem(
                    shown,
                    1,
                    name,
                    f"header name {raw!r} has spaces around it (dbt would not find the column)",
                    f"Remove the spaces so the header reads '{name}'.",
                )
            )
    for name, count in Counter(names).items():
        if count > 1:
            problems.append(
                Problem(
                    shown,
                    1,
                    name,
                    f"header column '{name}' appears {count} times",
                    "Keep one column of that name; each declared column must appear once.",
                )
            )
    if declared is None:
        return problems, len(header)
    present = set(names)
    missing = [name for name in declared if name not in present]
    extra = [name for name in dict.fromkeys(names) if name not in declared]
    renamed: dict[str, str] = {}
    for name in extra:
        pool = [m for m in missing if m not in renamed.values()]
        same_case = [m for m in pool if m.lower() == name.lower()]
        close = same_case or difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
        if close:
            renamed[name] = close[0]
    for name in extra:
        if name in renamed:
            problems.append(
                Problem(
                    shown,
                    1,
                    name,
                    f"header column '{name}' is not declared; expected '{renamed[name]}' "
                    "(renamed?)",
                    f"Rename the header to '{renamed[name]}'.",
                )
            )
        else:
            problems.append(
                Problem(
                    shown,
                    1,
                    name or "(empty)",
                    f"header column '{name}' is not a declared column of this seed",
                    "Remove the column, or declare it in dbt/seeds/_seeds__models.yml.",
                )
            )
    for name in missing:
        if name in renamed.values():
            continue
        problems.append(
            Problem(
                shown,
                1,
                name,
                f"declared column '{name}' is missing from the header",
                "Add the column (the header may list columns in any order).",
            )
        )
    return problems, len(header)


def _other_separator(path: Path, text: str, delimiter: str) -> str | None:
    """The separator DuckDB's sniffer finds when the header has no `delimiter`."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if delimiter in first or not any(mark in first for mark in ";\t|"):
        return None
    with duckdb.connect(":memory:") as connection:
        try:
            found = connection.execute(
                "select delimiter from sniff_csv($path)", {"path": str(path)}
            ).fetchone()
        except duckdb.Error:
            return None
    return str(found[0]) if found and found[0] != delimiter else None


def _check_seed_file(path: Path, spec: _SeedSpec, shown: str) -> list[Problem]:
    if not path.is_file():
        return [
            Problem(
                shown,
                None,
                None,
                f"seed file for '{spec.name}' is missing",
                "Restore the file from the PlanWise installation (every declared seed is "
                "required).",
            )
        ]
    text, problems = _decode(path.read_bytes(), shown)
    separator = _other_separator(path, text, spec.delimiter)
    if separator is not None:
        return [
            *problems,
            Problem(
                shown,
                1,
                None,
                f"fields are separated by {separator!r}, not {spec.delimiter!r} "
                "(a spreadsheet export with another list separator?)",
                f"Save the file as CSV with {spec.delimiter!r} between fields "
                "(e.g. 'CSV UTF-8, comma delimited').",
            ),
        ]
    types = spec.column_types or {}
    header: list[str] | None = None
    checkers: list[tuple[str, Callable[[str], str | None] | None]] = []
    field_count = 0
    data_rows = 0
    shape_problems = 0
    value_problems: Counter[str] = Counter()

    def shape(problem: Problem) -> None:
        nonlocal shape_problems
        shape_problems += 1
        if shape_problems <= MAX_PROBLEMS_PER_COLUMN:
            problems.append(problem)

    for line, row, error in _records(text, spec.delimiter):
        if row is None:
            if "end of data" in error or "EOF" in error:
                message = "a quoted field is never closed (unterminated quote)"
                hint = 'Close the quote with a matching " or remove the stray quote character.'
            else:
                message = f"the row is not valid CSV ({error})"
                hint = 'Quote fields that contain commas or quotes, doubling inner quotes ("").'
            shape(Problem(shown, line, None, message, hint))
            continue
        if not row or (len(row) == 1 and not row[0].strip() and field_count != 1):
            continue  # blank line: the loader skips it
        if header is None:
            raw_header = next(
                (
                    fields
                    for _, fields, _ in _records(text, spec.delimiter, skip_initial_space=False)
                    if fields and any(field.strip() for field in fields)
                ),
                row,
            )
            header = row = raw_header
            header_problems, field_count = _check_header(row, spec.column_types, shown)
            problems.extend(header_problems)
            checkers = [
                (name.strip(), _value_checker(types.get(name.strip(), "varchar"))) for name in row
            ]
            continue
        data_rows += 1
        if len(row) != field_count:
            kind = "extra field" if len(row) > field_count else "missing field"
            plural = "s" if abs(len(row) - field_count) > 1 else ""
            shape(
                Problem(
                    shown,
                    line,
                    None,
                    f"the row has {len(row)} fields but the header has {field_count} "
                    f"({kind}{plural})",
                    "Make every row have one field per header column; quote values that "
                    "contain the delimiter.",
                )
            )
            continue
        for (name, checker), raw_value in zip(checkers, row, strict=True):
            value = raw_value.strip()
            if checker is None or not value:
                continue
            complaint = checker(value)
            if complaint is None:
                continue
            value_problems[name] += 1
            if value_problems[name] <= MAX_PROBLEMS_PER_COLUMN:
                problems.append(Problem(shown, line, name, complaint, _VALUE_HINT))
    if header is None:
        problems.append(
            Problem(
                shown,
                None,
                None,
                "the file is empty (no header, no rows)",
                "Restore the file with its header and data rows.",
            )
        )
    elif data_rows == 0:
        problems.append(
            Problem(
                shown,
                None,
                None,
                "the file has a header but no data rows",
                "Add at least one data row, or restore the file from the PlanWise installation.",
            )
        )
    if shape_problems > MAX_PROBLEMS_PER_COLUMN:
        problems.append(
            Problem(
                shown,
                None,
                None,
                f"{shape_problems - MAX_PROBLEMS_PER_COLUMN} more rows have the wrong number "
                "of fields or broken quoting",
                "Fix the rows listed above, then run again to see the rest.",
            )
        )
    for name, count in value_problems.items():
        if count > MAX_PROBLEMS_PER_COLUMN:
            problems.append(
                Problem(
                    shown,
                    None,
                    name,
                    f"{count - MAX_PROBLEMS_PER_COLUMN} more values are not valid "
                    f"{types.get(name, 'values')}",
                    _VALUE_HINT,
                )
            )
    return problems


def check_seeds(project_dir: Path) -> list[Problem]:
    """Check every seed declared in dbt/seeds/_seeds__models.yml; all problems, in order.

    File names in the problems are relative to `project_dir` (e.g.
    `dbt/seeds/comp_levers.csv`). An empty list means every seed is loadable.
    Undeclared CSV files under dbt/seeds (which dbt would load too) are checked
    for encoding, quoting, field counts and a data row, but not for types.
    """
    specs, problems = _declared_seeds(project_dir)
    seeds_dir = project_dir / SEEDS_DIR
    on_disk = sorted(seeds_dir.rglob("*.csv")) if seeds_dir.is_dir() else []
    declared = {spec.name for spec in specs}
    for spec in specs:
        relative = SEEDS_DIR / f"{spec.name}.csv"
        if not (project_dir / relative).exists():  # dbt also finds seeds in subfolders
            nested = [path for path in on_disk if path.stem == spec.name]
            if nested:
                relative = nested[0].relative_to(project_dir)
        problems.extend(_check_seed_file(project_dir / relative, spec, relative.as_posix()))
    # dbt loads undeclared CSVs too (guessing their types), and one bad byte in any of
    # them breaks every dbt command: check their encoding and shape as well.
    for path in on_disk:
        if path.stem not in declared:
            spec = _SeedSpec(name=path.stem, column_types=None, delimiter=",")
            relative = path.relative_to(project_dir)
            problems.extend(_check_seed_file(path, spec, relative.as_posix()))
    return problems


# --- census --------------------------------------------------------------------------

_CENSUS_HINT_TYPES = (
    "Fix the values in the census export (dates as YYYY-MM-DD, pay as a plain number, "
    "active as true/false)."
)
_NUMERIC_TYPES = frozenset(
    {
        "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
        "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE",
    }
)  # fmt: skip


def _is_csv(path: Path) -> bool:
    return path.name.lower().strip().endswith((".csv", ".csv.gz"))


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _needs_conversion(source_type: str, target: str) -> bool:
    """False when every value of `source_type` converts to `target` (no scan needed)."""
    source = source_type.upper()
    if target == "varchar":
        return False
    if target == "double":
        return not (source in _NUMERIC_TYPES or source.startswith("DECIMAL"))
    if target == "date":
        return not (source == "DATE" or source.startswith("TIMESTAMP"))
    if target == "boolean":
        return source != "BOOLEAN"
    return True


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


_RAGGED_LINES_SQL = """
with lines as (
    select row_number() over () as line_number, line
    from read_csv($path, header = false, columns = {'line': 'VARCHAR'}, delim = chr(31),
                  quote = '', escape = '', auto_detect = false)
),
counted as (
    select line_number, length(line) - length(replace(line, ',', '')) + 1 as fields
    from lines
),
header as (select fields from counted where line_number = 1)
select
    (select fields from header),
    min(line_number) filter (where fields <> (select fields from header)),
    count(*) filter (where fields <> (select fields from header))
from counted
"""


def _ragged_csv_problem(connection: duckdb.DuckDBPyConnection, path: Path) -> Problem:
    """DuckDB's sniffer reads a CSV whose rows have uneven field counts as one column:
    find the first such line (commas counted per line, so quoted commas may mislead)."""
    hint = "Make every row have one field per header column; quote values with commas."
    try:
        row = connection.execute(_RAGGED_LINES_SQL, {"path": str(path)}).fetchone()
    except duckdb.Error:
        row = None
    if row is None or row[1] is None:
        return Problem(
            str(path), None, None, "the CSV cannot be split into columns at the commas", hint
        )
    header_fields, first_line, bad_lines = int(row[0]), int(row[1]), int(row[2])
    return Problem(
        str(path),
        first_line,
        None,
        f"the CSV rows do not all have the header's {header_fields} fields "
        f"({bad_lines:,} line{'s' if bad_lines != 1 else ''} differ, the first is this one), "
        "so it cannot be split into columns",
        hint,
    )


_CSV_ERROR_LINE_RE = re.compile(r"CSV Error on Line: (\d+)")


def _read_error_problem(shown: str, kind: str, error: BaseException) -> Problem:
    """A DuckDB read error as a Problem; CSV errors name the line and the reason."""
    text = str(error).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    match = _CSV_ERROR_LINE_RE.search(text)
    hint = f"Check the file is a complete, well-formed {kind} export."
    if match and len(lines) > 1:
        reasons = [
            line
            for line in lines[1:]
            if not line.startswith(("Original Line", "Possible Solution", "file =", "LINE "))
        ]
        reason = reasons[0] if reasons else lines[0]
        if "utf-8" in reason.lower() or "unicode" in reason.lower():
            hint = "Save the census as UTF-8 and run again."
        return Problem(shown, int(match[1]), None, f"cannot be read as {kind}: {reason}", hint)
    return Problem(shown, None, None, f"cannot be read as {kind}: {_first_line(error)}", hint)


def check_census(path: Path) -> list[Problem]:
    """Check the census file before dbt reads it: exists, has rows, readable, columns, types.

    Parquet is read with DuckDB `read_parquet`, anything ending in .csv/.csv.gz with
    `read_csv(header = true)` (all text, so every value is checked by `try_cast`).
    Required columns must be present; required and optional columns that are
    present must convert to their contract type (nulls are allowed here; the dbt
    tests judge them).
    """
    shown = str(path)
    if not path.exists():
        return [
            Problem(
                shown,
                None,
                None,
                "census file not found",
                "Check census_path in the configuration (or --census), or create a sample "
                "with `planwise-run census`.",
            )
        ]
    if not path.is_file():
        return [Problem(shown, None, None, "census path is not a file", "Point it at a file.")]
    if path.stat().st_size == 0:
        return [
            Problem(
                shown,
                None,
                None,
                "census file is empty (0 bytes)",
                "Export the census again; the file holds no header and no rows.",
            )
        ]
    csv_file = _is_csv(path)
    kind = "CSV" if csv_file else "Parquet"
    if csv_file:
        source = "read_csv($path, header = true, all_varchar = true)"
    else:
        source = "read_parquet($path)"
    problems: list[Problem] = []
    with duckdb.connect(":memory:") as connection:
        connection.execute("set enable_progress_bar = false")
        try:
            described = connection.execute(
                f"describe select * from {source}", {"path": str(path)}
            ).fetchall()
        except duckdb.Error as error:
            problem = _read_error_problem(shown, kind, error)
            if problem.line is None:
                other = "Parquet file, name it .parquet" if csv_file else "CSV file, name it .csv"
                hint = f"Check the file is a complete {kind} export (if it is a {other})."
                problem = Problem(shown, None, None, problem.message, hint)
            return [problem]
        if csv_file and len(described) == 1 and "," in str(described[0][0]):
            return [_ragged_csv_problem(connection, path)]
        columns = {str(row[0]).lower(): (str(row[0]), str(row[1])) for row in described}
        for name in CENSUS_REQUIRED_COLUMNS:
            if name not in columns:
                problems.append(
                    Problem(
                        shown,
                        None,
                        name,
                        "required column is missing",
                        "Add it to the census export. Required columns: "
                        + ", ".join(CENSUS_REQUIRED_COLUMNS)
                        + ".",
                    )
                )
        contract = {**CENSUS_REQUIRED_COLUMNS, **CENSUS_OPTIONAL_COLUMNS}
        to_scan: list[tuple[str, str, str]] = []  # (contract name, actual name, target type)
        for name, target in contract.items():
            if name not in columns:
                continue
            actual, source_type = columns[name]
            if not _needs_conversion(source_type, target):
                continue
            column = _quote_identifier(actual)
            try:
                connection.execute(
                    f"select try_cast({column} as {target}) from {source} limit 0",
                    {"path": str(path)},
                ).fetchall()
            except duckdb.Error:
                problems.append(
                    Problem(
                        shown,
                        None,
                        name,
                        f"has type {source_type}, which cannot be converted to {target}",
                        _CENSUS_HINT_TYPES,
                    )
                )
                continue
            to_scan.append((name, actual, target))
        selects = ["count(*)"]
        for _, actual, target in to_scan:
            column = _quote_identifier(actual)
            bad = f"{column} is not null and try_cast({column} as {target}) is null"
            selects.append(f"count(*) filter (where {bad})")
            selects.append(f"min(cast({column} as varchar)) filter (where {bad})")
        if csv_file:
            # DuckDB only parses (and validates, e.g. UTF-8) the CSV columns a query
            # uses; dbt reads them all, so the check touches every column too.
            selects += [f"count({_quote_identifier(str(row[0]))})" for row in described]
        try:
            result: tuple[Any, ...] | None = connection.execute(
                f"select {', '.join(selects)} from {source}", {"path": str(path)}
            ).fetchone()
        except duckdb.Error as error:
            problems.append(_read_error_problem(shown, kind, error))
            return problems
    assert result is not None
    if int(result[0]) == 0:
        problems.append(
            Problem(
                shown,
                None,
                None,
                "census has no data rows" + (" (header only)" if csv_file else ""),
                "Export the census again with its employee rows.",
            )
        )
    for index, (name, _, target) in enumerate(to_scan):
        bad_count = int(result[1 + 2 * index])
        if bad_count:
            example = result[2 + 2 * index]
            plural = "s" if bad_count != 1 else ""
            problems.append(
                Problem(
                    shown,
                    None,
                    name,
                    f"{bad_count:,} row{plural} cannot be converted to {target} (e.g. {example!r})",
                    _CENSUS_HINT_TYPES,
                )
            )
    return problems
