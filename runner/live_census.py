"""Which census a DuckDB setup uses, and whether it is the live database's.

The census is an input of the live database, like its seeds: a setup that names
none (no --census, census_path or census_parquet_path in the vars, the
configuration file or the environment) uses the census the live database was
built from, as its history records it. The bundled sample is used only for a
first setup. A setup whose census differs from the live database's says so at
the top of its summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner import ledger
from runner.config import Settings
from runner.errors import PlanwiseError
from runner.locking import DatabaseLocked
from runner.published import published

NAME_IT = "name the census with --census (or census_path in the configuration file)"


class LiveUnreadable(PlanwiseError):
    """The live database's history cannot be read now (locked, or not a database):
    pre-flight says why; the census is chosen only once it can be read."""


@dataclass
class CensusChoice:
    """Where the census came from (a header note) and the live database's setup."""

    note: str
    live: dict[str, Any] | None  # the history row of the setup the live file holds


def _live_setup(settings: Settings, level: str, ask_dbt: bool) -> dict[str, Any] | None:
    """The live database's own setup (its history row), or None for a first setup;
    read by dbt where the file cannot be read directly, if `ask_dbt`."""
    if not settings.db_path.exists():
        return None
    try:
        rows = published(settings, level, ask_dbt=ask_dbt)
    except DatabaseLocked:  # goes on up: another program or setup holds it (exit 3)
        raise
    except PlanwiseError as exc:
        raise LiveUnreadable(
            f"cannot read which census the live database holds: {exc.message}"
        ) from exc
    return next((row for row in rows if row.get("live")), None)


def choose(settings: Settings, level: str = "none", ask_dbt: bool = True) -> CensusChoice:
    """The census of this setup, set in `settings` when it is the live database's
    (read by dbt where the file cannot be read directly, unless not `ask_dbt`). A
    named census is not compared here: `change` does, only for a setup that builds."""
    if settings.census_given:
        return CensusChoice("named", None)
    live = _live_setup(settings, level, ask_dbt)
    if live is None:
        return CensusChoice("bundled sample census", None)
    recorded = live.get("census_path")
    if not recorded:
        raise PlanwiseError(
            f"{settings.db_path}: the live database does not record the census it was "
            "built from (an older release built it), and this setup names none",
            NAME_IT,
        )
    if not Path(recorded).is_file():
        raise PlanwiseError(
            f"{recorded}: the census the live database was built from (run "
            f"{live.get('run_id')}) is no longer there",
            NAME_IT,
        )
    settings.vars["census_path"] = recorded
    return CensusChoice(f"the live database's census, from run {live.get('run_id')}", live)


def _live_row_directly(settings: Settings) -> dict[str, Any] | None:
    """The live setup's history row of a named census's setup, read from the file
    without the lock (its caller holds it) and never by dbt."""
    if not (settings.census_given and settings.db_path.exists()):
        return None
    rows = ledger.read(settings.db_path) or []
    return next((row for row in rows if row.get("is_live")), None)


def change(settings: Settings, choice: CensusChoice, digest: str | None) -> str | None:
    """The summary's census line when this census is not the live database's (a
    named census is compared with the live history read directly, never by dbt;
    called under the setup lock)."""
    live = choice.live or _live_row_directly(settings)
    if live is None or not live.get("census_fingerprint") or digest is None:
        return None
    if live["census_fingerprint"] == digest:
        return None
    employees = live.get("census_rows")
    size = f", {employees:,} employees" if employees else ""
    return (
        f"CENSUS CHANGED: the live database was built from {live.get('census_path')}"
        f"{size} (run {live.get('run_id')}); this setup uses {settings.census_path}"
    )
