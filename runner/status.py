"""`planwise-run status`: is the database ready, and what does it hold.

Read without dbt on DuckDB: the configuration, the census the next setup would
use, pre-flight, who holds the database, the setup the live file holds (its
history, runner/ledger.py) and the last setup's outcome. `--dbt` adds what
needs dbt: the project parses, and every relation a setup builds is there.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

from runner import ledger, live_census, preflight, publish
from runner.config import Settings
from runner.errors import PlanwiseError
from runner.invoke import Invocation
from runner.locking import DatabaseLocked, lock_path, setup_lock, setup_lock_holder
from runner.locking import probe_database as probe
from runner.published import stamp
from runner.state import state_dir

Check = tuple[bool | None, str]  # (ok, text); None: nothing wrong, something to act on


def readiness(settings: Settings, level: str, with_dbt: bool = False) -> list[Check]:
    """What `status` reports: (ok, text) for configuration, inputs, database, the
    setup it holds, dbt (with_dbt) and the last run."""
    live = settings.db_path
    checks: list[Check] = [
        (True, f"configuration: {settings.config_file or 'defaults (no config file)'}")
    ]
    checks += _census(settings, level, with_dbt)
    problems = preflight.problems(live, settings.census_path, settings.project_dir, None)
    checks += [(False, problem) for problem in problems]
    holder = _holder(live, problems, checks)
    usable = live.exists() and not holder and all(ok is not False for ok, _ in checks)
    if usable:
        checks += _held(live, with_dbt)
    if with_dbt:
        checks += _dbt_checks(settings, live, usable, level)
    return [*checks, _last_setup(live)]


def _census(settings: Settings, level: str, with_dbt: bool) -> list[Check]:
    """The census the next setup uses. The live database's own is read only when no
    setup runs (opening the file could fail that setup's copy or publish) and no
    program holds it (the database check says who)."""
    unread: list[Check] = [
        (True, f"census: {settings.census_path} (the live database's own is not read now)")
    ]
    try:
        busy = setup_lock_holder(settings.db_path)
    except PlanwiseError:  # a linked or foreign lock file: the database check names it
        return unread
    if busy:
        return unread
    try:
        choice = live_census.choose(settings, level, ask_dbt=with_dbt)
    except (DatabaseLocked, live_census.LiveUnreadable):  # the database check says why
        return unread
    except PlanwiseError as exc:
        return [(False, f"census: {exc.message} ({exc.hint})")]
    named = choice.note == "named"
    return [(True, f"census: {settings.census_path}" + ("" if named else f" ({choice.note})"))]


def _holder(live: Path, problems: list[str], checks: list[Check]) -> str | None:
    """Who holds the database (a running setup), its checks added to `checks`."""
    try:
        holder = setup_lock_holder(live)
        if holder:  # no probe: opening the file now could fail that setup's copy or publish
            checks.append((False, f"database: a setup is running on {live}: {holder}"))
        else:
            checks += _database_checks(live)
    except PlanwiseError as exc:  # a linked or foreign lock file: no setup can use it
        holder = exc.message
        if not any(str(lock_path(live)) in problem for problem in problems):  # said once
            checks.append((False, f"database: {exc.message}"))
    return holder


def _held(live: Path, with_dbt: bool) -> list[Check]:
    """The setup the live file holds, from its history read straight from the file."""
    rows = ledger.read(live)
    if rows is None:
        where = "" if with_dbt else "; `planwise-run status --dbt` checks what it holds"
        return [(True, f"holds: no setup recorded beside it by this release{where}")]
    held = next((row for row in rows if row.get("is_live")), None)
    if held is None:
        return [(False, "database: not set up yet (it holds no setup); run `planwise-run setup`")]
    rows_text = f", {held['census_rows']:,} employees" if held.get("census_rows") else ""
    census = f"census {held.get('census_path')}{rows_text}"
    return [(True, f"holds: setup {held['run_id']} of {stamp(held['started_at'])} ({census})")]


def _dbt_parse(settings: Settings, live: Path, usable: bool, level: str) -> Invocation:
    """dbt renders planwise_missing_relations on a usable database, under the setup
    lock (so no setup can start meanwhile), else (or while it is busy) `dbt parse`
    alone."""
    from runner.dbt_value import inline
    from runner.invoke import run_dbt  # dbt only here: status is read without it

    check = inline("planwise_missing_relations(everything=true)")
    with tempfile.TemporaryDirectory(prefix="planwise-status-") as tmp:
        if usable:
            with contextlib.suppress(DatabaseLocked), setup_lock(live, 0):
                return run_dbt(
                    settings, check, db_path=live, run_dir=Path(tmp), console_level=level
                )
        parse = ["parse"]
        return run_dbt(
            settings,
            parse,
            db_path=publish.candidate_path(live),
            run_dir=Path(tmp),
            console_level=level,
        )


def _missing(invocation: Invocation) -> list[str]:
    """The relations the database lacks, as dbt rendered them (none when dbt only
    parsed, or could not render them)."""
    from runner.dbt_value import DbtValueFailed, rendered

    if invocation.run_results is None:  # `dbt parse` alone writes none
        return []
    with contextlib.suppress(DbtValueFailed):
        return [str(name) for name in rendered(invocation)]
    return []


def _dbt_checks(settings: Settings, live: Path, usable: bool, level: str) -> list[Check]:
    """dbt parses the project; on a database that opened fine it also lists what is
    missing."""
    parse = _dbt_parse(settings, live, usable, level)
    if parse.interrupted:
        raise KeyboardInterrupt
    missing = _missing(parse)
    checks = []
    if missing:
        shown = ", ".join(missing[:8]) + (", ..." if len(missing) > 8 else "")
        text = f"database: not set up yet: {len(missing)} relation(s) missing ({shown})"
        checks.append((False, f"{text}; run `planwise-run setup`"))
    kinds = [n["resource_type"] for n in (parse.manifest or {}).get("nodes", {}).values()]
    counts = ", ".join(f"{kinds.count(kind)} {kind}s" for kind in ("seed", "model", "test"))
    if parse.success:
        return [*checks, (True, f"dbt project parses: {counts}")]
    return [*checks, (False, f"dbt project: does not parse: {parse.error_summary()}")]


def _database_checks(live: Path) -> list[Check]:
    debris = publish.leftovers(live) if live.parent.is_dir() else []
    names = ", ".join(path.name for path in debris)
    checks: list[Check] = [(None, f"leftovers the next setup removes: {names}")] if debris else []
    kept = publish.kept_failures(live)
    checks += [(None, f"kept failed candidate: {path} (delete it)") for path in kept]
    try:
        probe(live)
        state = "writable, not locked" if live.exists() else "not set up yet"
        checks.append((True, f"database: {live} ({state})"))
    except DatabaseLocked as exc:
        checks.append((False, f"database: {live} is locked by {exc.holder}; close that program"))
    except PlanwiseError as exc:
        checks.append((False, f"database: {exc.message}"))
    return checks


def _last_setup(live: Path) -> Check:
    try:
        last = json.loads((state_dir(live) / "last-run.json").read_text())
        took = f"{last['elapsed_seconds']:.1f}s, exit {last['exit_code']}"
        when = f"{stamp(last['finished_at'])} ({took})"
        return (True, f"last setup: {last['status']} at {when}")
    except (OSError, ValueError, KeyError, TypeError, PlanwiseError):  # PlanwiseError: listed
        return (True, "last setup: none recorded for this database")


def readiness_lines(checks: list[Check], quiet: bool) -> list[str]:
    """The checks as status prints them (only the problems when `quiet`), then the
    verdict."""
    icons = {True: "✔", False: "✖", None: "·"}  # ·: nothing wrong, something to act on
    lines = [f"{icons[ok]} {text}" for ok, text in checks if ok is False or not quiet]
    problems = sum(ok is False for ok, _ in checks)
    ready = "READY: `planwise-run setup` can run"
    return [*lines, f"NOT READY: {problems} problem(s)" if problems else ready]
