"""A DuckDB database's history and contents, read (and a rollback recorded)
straight from the file, without dbt.

Every statement is the project's: each published setup hands over, in its
on-run-end hook's payload, the rendered macros planwise_history_query,
planwise_missing_owned_query and planwise_history_statements, and setup stores
them in the database's state folder (`queries.json`). Here they run on the
file opened on its own, so `status`, `history`, `diff` and `rollback` answer in
a fraction of a second. Where none are stored (a database copied in, or built
by an older release), `queries` returns None and the caller asks dbt.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from runner.state import state_dir, write_private

QUERY_FILE = "queries.json"
NAMES = ("history", "missing_owned", "history_prepare", "history_insert", "history_columns")


def store_queries(live: Path, queries: dict[str, Any] | None) -> None:
    """Keep the rendered statements of the setup just published over `live`."""
    if queries and all(queries.get(name) for name in NAMES):
        with contextlib.suppress(OSError):
            write_private(state_dir(live) / QUERY_FILE, json.dumps(queries, indent=1))


def queries(live: Path) -> dict[str, Any] | None:
    """The stored statements for `live`, or None."""
    try:
        found = json.loads((state_dir(live) / QUERY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and all(found.get(n) for n in NAMES) else None


def _plain(value: Any) -> Any:
    """A value as dbt's run-operation hands it over: text, a number, a flag or None."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@contextlib.contextmanager
def _opened(path: Path, read_only: bool = True) -> Iterator[Any]:
    import duckdb  # here: `--help` and the other commands never load it

    with duckdb.connect(str(path), read_only=read_only) as connection:
        yield connection


def _rows(connection: Any, query: str) -> list[dict[str, Any]]:
    cursor = connection.execute(query)
    names = [column[0] for column in cursor.description or []]
    return [{n: _plain(v) for n, v in zip(names, row, strict=True)} for row in cursor.fetchall()]


def history_rows(path: Path, stored: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The history table's rows of the DuckDB file `path`, newest first, with
    is_live; None when it has no history table."""
    import duckdb

    with _opened(path) as connection:
        try:
            return _rows(connection, stored["history"])
        except duckdb.CatalogException:
            return None


def read(live: Path) -> list[dict[str, Any]] | None:
    """The live file's history rows ([] without a history table); None when no
    statements are stored or the file cannot be read here."""
    import duckdb

    stored = queries(live)
    if stored is None:
        return None
    try:
        return history_rows(live, stored) or []
    except duckdb.Error:
        return None


def figures(path: Path, stored: dict[str, Any]) -> dict[str, Any] | None:
    """The visual report's aggregates of the DuckDB file `path`, by section; None
    when no setup of this release stored their queries."""
    queries = stored.get("figures")
    if not queries:
        return None
    with _opened(path) as connection:
        return {section: _rows(connection, query) for section, query in queries.items()}


def missing_owned(path: Path, stored: dict[str, Any]) -> list[str]:
    """The project's seeds and models the DuckDB file `path` lacks."""
    with _opened(path) as connection:
        return [str(row["relation_name"]) for row in _rows(connection, stored["missing_owned"])]


def append_history(path: Path, rows: list[dict[str, Any]], stored: dict[str, Any]) -> None:
    """Add `rows` (keyed by the history's columns; mappings stored as JSON) to the
    history table of the DuckDB file `path`, in one transaction."""
    columns = stored["history_columns"]
    values = [[_text(row.get(column)) for column in columns] for row in rows]
    with _opened(path, read_only=False) as connection:
        connection.begin()
        for statement in stored["history_prepare"]:
            connection.execute(statement)
        for row_values in values:
            connection.execute(stored["history_insert"], row_values)
        connection.commit()


def _text(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict) else value
