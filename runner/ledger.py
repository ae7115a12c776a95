"""A DuckDB database's history, read straight from the file, without dbt.

The query is the project's (the macro planwise_history_query): each published
setup hands it over rendered, in its on-run-end hook's payload, and setup
stores it in the database's state folder. Reading runs it on the file opened
read-only, so `history`, `diff` and the census a setup reuses answer in a
fraction of a second. Where no query is stored (a database copied in, or built
by an older release), `read` returns None and the caller asks dbt.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from pathlib import Path
from typing import Any

from runner.state import state_dir, write_private

QUERY_FILE = "history-query.sql"


def store_query(live: Path, query: str | None) -> None:
    """Keep the rendered history query of the setup just published over `live`."""
    if query:
        with contextlib.suppress(OSError):
            write_private(state_dir(live) / QUERY_FILE, query)


def _plain(value: Any) -> Any:
    """A value as dbt's run-operation hands it over: text, a number, a flag or None."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def read(live: Path) -> list[dict[str, Any]] | None:
    """The history table's rows, newest first (with is_live); [] when the file has
    no history table; None when no query is stored or the file cannot be read."""
    try:
        query = (state_dir(live) / QUERY_FILE).read_text(encoding="utf-8")
    except OSError:
        return None
    import duckdb  # here: `--help` and the other commands never load it

    try:
        with duckdb.connect(str(live), read_only=True) as connection:
            cursor = connection.execute(query)
            names = [column[0] for column in cursor.description or []]
            rows = cursor.fetchall()
    except duckdb.CatalogException:
        return []
    except duckdb.Error:
        return None
    return [{name: _plain(value) for name, value in zip(names, row, strict=True)} for row in rows]
