"""A census's column names against its contract, in pre-flight: a renamed
required column is named in the first second, with the column that looks like
it, instead of minutes later inside dbt.

The contract is the project's own (the `census.census_raw` source's columns,
`meta: {required: true}`), read from its YAML; the names are the file's own
(a Parquet schema, a CSV header split at the configured delimiter). The values
stay dbt's to judge.
"""

from __future__ import annotations

import csv
import difflib
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

SOURCE, TABLE = "census", "census_raw"


def _documents(project_dir: Path) -> Iterator[dict[str, Any]]:
    """The YAML documents of the project's model paths that declare sources (libyaml
    where installed: the pure-Python reader takes a third of a second here)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    project = yaml.load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"), loader)
    for folder in (project or {}).get("model-paths") or ["models"]:
        for path in sorted((project_dir / folder).rglob("*.yml")):
            text = path.read_text(encoding="utf-8")
            if "sources:" in text:
                yield yaml.load(text, loader) or {}  # a safe loader, C or Python


def contract_columns(project_dir: Path) -> dict[str, bool]:
    """The contract's columns, each with whether it is required, from the census
    source's YAML."""
    tables = (table for document in _documents(project_dir) for table in _census_tables(document))
    columns = next(tables, {}).get("columns") or []
    return {c["name"]: bool((c.get("meta") or {}).get("required")) for c in columns}


def _census_tables(document: dict[str, Any]) -> list[dict[str, Any]]:
    sources = [s for s in document.get("sources") or [] if s.get("name") == SOURCE]
    return [t for s in sources for t in s.get("tables") or [] if t.get("name") == TABLE]


def file_columns(path: Path, delimiter: str) -> list[str] | None:
    """The census file's column names, or None when they cannot be read here (dbt's
    reader then names the problem)."""
    try:
        if not path.name.lower().endswith((".csv", ".csv.gz")):
            import pyarrow.parquet as pq  # type: ignore[import-untyped]  # 0.1 s to import

            return list(pq.read_schema(path).names)
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle, delimiter=delimiter), None)
    except Exception:  # a damaged or foreign file: not this check's to describe
        return None


def missing_columns_problem(path: Path, project_dir: Path, delimiter: str) -> str | None:
    """The required columns the census lacks, each with its near miss when the file
    has one (a renamed column), as one line a person can act on; None when whole."""
    names = file_columns(path, delimiter)
    missing = _missing(names, contract_columns(project_dir)) if names is not None else None
    if not missing:
        return None
    return (
        f"{path}: the census lacks required column(s) {', '.join(missing)}; add or rename "
        "them in the census export (its header), or point census_path (--census) at "
        "the right file"
    )


def _missing(names: list[str], contract: dict[str, bool]) -> list[str]:
    """The contract's required columns not among `names`, each with its near miss."""
    present = {name.strip().lower(): name for name in names}
    missing = [c for c, required in contract.items() if required and c.lower() not in present]
    known = {column.lower() for column in contract}  # a contract column is no rename
    unknown = [name for key, name in present.items() if key not in known]
    return [_with_near_miss(column, unknown) for column in missing]


def _with_near_miss(column: str, unknown: list[str]) -> str:
    """A missing column, with the file's column that looks like it (a rename)."""
    near = difflib.get_close_matches(column, unknown, n=1, cutoff=0.6)
    return f"{column} (the file has {near[0]!r}: rename it)" if near else column
