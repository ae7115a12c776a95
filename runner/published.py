"""The published setups of a DuckDB database: the rows of its history table
(written by the project's on-run-end hook into the candidate, so published with
it), read straight from the file with the project's own query (runner.ledger),
or by dbt where no query is stored yet (the macro planwise_history, rendered by
`dbt compile --inline`: runner.dbt_value).
"""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from typing import Any

from runner import ledger
from runner.config import Settings
from runner.errors import PlanwiseError
from runner.locking import probe_database as probe
from runner.locking import setup_lock

JSON_FIELDS = ("vars", "seed_fingerprints", "test_counts", "row_counts", "change_summary")


def moment(value: Any) -> datetime:
    """A timestamp in any of its spellings (ISO, or dbt's with a space), for ordering."""
    try:
        when = datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return datetime.min.replace(tzinfo=UTC)
    return when.replace(tzinfo=when.tzinfo or UTC)


def stamp(value: Any) -> str | None:
    """A timestamp as every command shows it: UTC, to the second, ISO 8601 with Z."""
    if value is None:
        return None
    when = moment(value)
    if when == datetime.min.replace(tzinfo=UTC):
        return str(value)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _through_dbt(settings: Settings, level: str) -> list[dict[str, Any]]:
    """The rows as dbt reads them (a database with no stored query)."""
    from runner.dbt_value import DbtValueFailed, dbt_value  # dbt only where needed

    try:
        rows: list[dict[str, Any]] = dbt_value(settings, "planwise_history()", level)
    except DbtValueFailed as exc:
        raise PlanwiseError(f"cannot read the history: {exc}") from exc
    return rows


def _row(row: dict[str, Any]) -> dict[str, Any]:
    """A table row as history shows it: JSON documents parsed, the live mark named."""
    row = {**row, **{name: json.loads(row[name]) for name in JSON_FIELDS if row.get(name)}}
    with contextlib.suppress(TypeError, ValueError):
        row["census_rows"] = None if row.get("census_rows") is None else int(row["census_rows"])
    row["live"] = bool(row.pop("is_live", False))
    return {**row, "published": True, "status": "published"}


def published(settings: Settings, level: str, ask_dbt: bool = True) -> list[dict[str, Any]]:
    """The history table's rows, read under the setup lock (a running setup
    attaches the live file to compare with it); where the file cannot be read
    directly, through dbt, or (not `ask_dbt`) none."""
    live = settings.db_path
    if not live.exists():
        return []
    with setup_lock(live, settings.knobs["lock_timeout_seconds"]):
        probe(live)
        return held_rows(settings, level, ask_dbt)


def held_rows(settings: Settings, level: str, ask_dbt: bool = True) -> list[dict[str, Any]]:
    """`published`'s rows, for a caller that already holds the setup lock and has
    probed the file."""
    rows = ledger.read(settings.db_path)
    if rows is None:
        rows = _through_dbt(settings, level) if ask_dbt else []
    return [_row(row) for row in rows]
