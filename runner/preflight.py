"""What must hold before dbt can even start, checked in Python: every other input
check is the dbt project's (the seed materialization, census tests, var checks).

dbt stops with a traceback naming no file when a seed is not UTF-8 (it decodes
every seed while parsing), so the seed files' encoding and header are checked
here; so are the census file and the directories setup writes to.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import yaml

from runner.errors import PlanwiseError
from runner.locking import file_kind
from runner.state import parse_cache, state_folder

UTF8_HINT = "save the file as UTF-8 (e.g. 'CSV UTF-8' in Excel) and run again"
MAX_SEED_BYTES = 64 * 2**20
MAX_HEADER_BYTES = 2**20
# What a header line holds besides names: separators (any the user may set) and quotes.
NOT_NAMES = str.maketrans("", "", ",;\t|:\"'")


def directory_problem(path: Path, what: str, must_exist: bool) -> str | None:
    """None when `path`, a directory, can be written (or created); else one line."""
    if path.exists():
        if not path.is_dir():
            return f"{path}: {what} is not a directory; choose another path"
        if not os.access(path, os.W_OK | os.X_OK):
            return f"{path}: {what} is not writable; fix its permissions or choose another path"
        return None
    if must_exist:
        return f"{path}: {what} does not exist; create it or choose another path"
    existing = next(parent for parent in path.parents if parent.exists())
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{path}: cannot create {what}: {existing} is not writable"
    return None


def seed_file_problems(project_dir: Path) -> list[str]:
    """Seed CSVs that are too large for a seed, not UTF-8 (file, line, byte) or
    empty. Read a line at a time: memory stays bounded whatever the file."""
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    problems: list[str] = []
    for seed_dir in (project or {}).get("seed-paths") or ["seeds"]:
        for path in sorted((project_dir / seed_dir).rglob("*.csv")):
            problems += _seed_problems(path, path.relative_to(project_dir))
    return problems


def _seed_problems(path: Path, shown: Path) -> list[str]:
    size = path.stat().st_size
    if size > MAX_SEED_BYTES:  # dbt would load it row by row through agate
        return [
            f"{shown}: {size / 2**20:,.0f} MB is too large for a seed (at most "
            f"{MAX_SEED_BYTES // 2**20} MB); seeds are small configuration tables: load "
            "large data as a source (like the census) instead"
        ]
    empty = True
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            line = line.removeprefix(b"\xef\xbb\xbf") if number == 1 else line
            empty = empty and not line.strip()
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as error:
                return [
                    f"{shown} line {number}: byte 0x{line[error.start]:02X} at byte position "
                    f"{error.start + 1} is not valid UTF-8; {UTF8_HINT}"
                ]
    return [f"{shown}: the file is empty; restore its header and data rows"] if empty else []


def census_problems(path: Path) -> list[str]:
    """The census file exists and is not empty (its contents are dbt's to judge)."""
    if not path.exists():
        return [
            f"{path}: census file not found; check census_path (or --census), or create a "
            "sample with `planwise-run census`"
        ]
    if not path.is_file():
        return [f"{path}: the census path is not a file; point it at the census file"]
    if path.stat().st_size == 0:
        return [f"{path}: census file is empty (0 bytes); export the census again"]
    return [problem] if (problem := census_header_problem(path)) else []


def census_header_problem(path: Path) -> str | None:
    """A CSV census whose first line names no column (blank, or only separators):
    dbt would stop minutes later on a binder error. Parquet keeps its own schema."""
    if not path.name.lower().endswith((".csv", ".csv.gz")):
        return None
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            header = handle.readline(MAX_HEADER_BYTES)
    except (OSError, EOFError) as exc:  # a damaged .gz: dbt's reader names it
        return f"{path}: cannot read the census header: {exc}; export the census again"
    names = header.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    if names.translate(NOT_NAMES).strip():
        return None
    return (
        f"{path}: the census has no columns (its first line, the header, names none); "
        "export it again with a header line naming the columns, e.g. employee_id,"
        "employee_birth_date,employee_hire_date,employee_gross_compensation,active"
    )


def census_damage(path: Path) -> str | None:
    """A Parquet census read once in full, verifying the page checksums its writer
    stored (Spark and parquet-mr write them; DuckDB's reader never checks them, so a
    flipped byte can change values without an error). A file without checksums is
    only decoded. Streamed: memory stays small whatever the file."""
    if path.name.lower().endswith((".csv", ".csv.gz")):  # as the census source decides
        return None
    import pyarrow.parquet as pq  # type: ignore[import-untyped]  # here only: 0.1 s to import

    try:
        census = pq.ParquetFile(
            path, page_checksum_verification=True, pre_buffer=False, buffer_size=2**20
        )
        for _ in census.iter_batches(batch_size=65536):
            pass
    except Exception as exc:  # pyarrow's OSError or ArrowInvalid, with what it found
        return f"{path}: the census file is damaged: {exc}; export the census again"
    return None


def database_problems(db_path: Path) -> list[str]:
    """A database path DuckDB and the runner can use: a file (or none yet) whose
    catalog name DuckDB does not reserve, without quotes, a lock file and run-state
    directory of the right kind beside it."""
    found = [_file_problem(db_path), *_name_problems(db_path), _state_problem(db_path)]
    return [problem for problem in found if problem]


def _file_problem(db_path: Path) -> str | None:
    """The database path names something other than a usable file (or nothing yet)."""
    if db_path.exists() and not db_path.is_file():
        return f"{db_path}: the database path is not a file; choose a file path"
    if db_path.is_file() and db_path.stat().st_size == 0:
        return (
            f"{db_path}: the database file is empty (0 bytes); remove it to start a "
            "new database, or restore it (e.g. `planwise-run rollback`)"
        )
    return None


def _name_problems(db_path: Path) -> list[str]:
    """A file name DuckDB reserves, or a quote that breaks the SQL attaching it."""
    found = []
    if db_path.name.split(".")[0].lower() in ("system", "temp", "memory"):
        found.append(
            f"{db_path}: DuckDB reserves the name `{db_path.name.split('.')[0]}` for "
            "its own catalogs; choose another file name"
        )
    if "'" in str(db_path) or '"' in str(db_path):
        found.append(
            f"{db_path}: a quote in the database path breaks the SQL that attaches it; "
            "choose a path without quotes"
        )
    return found


def _state_problem(db_path: Path) -> str | None:
    """The lock file, or a folder a setup writes to, that cannot be used."""
    lock = db_path.with_name(db_path.name + ".lock")
    if lock.is_symlink() or (lock.exists() and not lock.is_file()):
        return f"{lock}: the lock file is {_kind(lock)}, not a plain file; remove it"
    try:  # every folder a setup writes to, before anything is copied or built
        for part in ("runs", "last-success"):
            state_folder(db_path, part)
        parse_cache(db_path)
    except PlanwiseError as exc:
        return f"{exc.message}; {exc.hint}"
    return None


def _kind(path: Path) -> str:
    """What a path that should be a plain file is, in words."""
    if path.is_symlink():
        return "a symbolic link"
    return file_kind(path.stat().st_mode) or "not a regular file"


def problems(db_path: Path, census: Path, project_dir: Path, report_dir: Path | None) -> list[str]:
    """Every problem found before dbt runs (all of them, not just the first)."""
    found = [directory_problem(db_path.parent, "database directory", must_exist=True)]
    found += database_problems(db_path)
    if report_dir is not None:
        found.append(directory_problem(report_dir, "report directory", must_exist=False))
    found += census_problems(census) + seed_file_problems(project_dir)
    return [problem for problem in found if problem]
