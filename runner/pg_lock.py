"""PostgreSQL: a connection from the rendered profile, and the setup's server lock.

The setup lock in `.planwise/` keeps apart two setups of one project directory;
two checkouts building into one PostgreSQL schema meet only on the server. So a
setup there also holds a session-level advisory lock, keyed on its live schema
(an advisory lock belongs to the database it was taken in), on a connection of
its own that stays open from before the build until after the publication. The
server drops the lock when that connection ends, even when the run is killed.
The connection's application_name names the run (command, PID, host), so a run
that finds the lock held names its holder: pg_locks joined to pg_stat_activity.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from runner.errors import PlanwiseError
from runner.locking import DatabaseLocked

POLL_SECONDS = 0.2
# The lock's key: hashtext of this (one class of lock for every planwise setup)
# and hashtext of the live schema's name.
LOCK_CLASS = "planwise-run setup"
TRY_LOCK = "select pg_try_advisory_lock(hashtext(%s), hashtext(%s))"
HOLDER = (
    "select a.pid, a.application_name, host(a.client_addr), a.backend_start"
    " from pg_locks l join pg_stat_activity a on a.pid = l.pid"
    " where l.locktype = 'advisory' and l.granted and l.objsubid = 2"
    " and l.database = (select oid from pg_database where datname = current_database())"
    " and l.classid = hashtext(%s)::oid and l.objid = hashtext(%s)::oid"
)
# Connection settings of a dbt-postgres profile that libpq takes as they are.
LIBPQ = (
    "host",
    "port",
    "user",
    "password",
    "connect_timeout",
    "keepalives_idle",
    "sslmode",
    "sslcert",
    "sslkey",
    "sslrootcert",
)


def run_name(command: str) -> str:
    """The application_name of this run's connections (PostgreSQL keeps 63 bytes)."""
    return f"planwise-run {command} (PID {os.getpid()}, host {socket.gethostname()})"


def server(profile: dict[str, Any]) -> str:
    """The profile's database and server, for messages."""
    database = profile.get("dbname") or profile.get("database")
    return f"{database} at {profile.get('host')}:{profile.get('port')}"


def connect(profile: dict[str, Any], application_name: str) -> Any:
    """A psycopg2 connection with the profile's settings; PlanwiseError when none."""
    import psycopg2  # type: ignore[import-untyped,unused-ignore]

    settings = {key: profile[key] for key in LIBPQ if profile.get(key) not in (None, "")}
    try:
        return psycopg2.connect(
            dbname=profile.get("dbname") or profile.get("database"),
            application_name=application_name,
            **settings,
        )
    except psycopg2.OperationalError as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise PlanwiseError(
            f"cannot connect to PostgreSQL {server(profile)}: {reason}",
            "check that the server runs and the target's settings (PLANWISE_PG_*)",
        ) from exc


def _holder(cursor: Any, live: str) -> str:
    """Who holds the lock of `live`, from pg_locks and pg_stat_activity."""
    cursor.execute(HOLDER, (LOCK_CLASS, live))
    row = cursor.fetchone()
    if row is None:
        return "another session, which has just released it"
    pid, application, client, started = row
    since = started.isoformat(timespec="seconds") if started else "unknown"
    return (
        f"{application or 'a session without an application_name'} "
        f"(server PID {pid}, client {client or 'a local socket, or not visible to you'}, "
        f"connected since {since})"
    )


def _acquire(cursor: Any, live: str, timeout: float, place: Path) -> None:
    """Take the lock of `live`, polling up to `timeout` seconds, else DatabaseLocked."""
    deadline = time.monotonic() + max(timeout, 0.0)
    while True:
        cursor.execute(TRY_LOCK, (LOCK_CLASS, live))
        if cursor.fetchone()[0]:
            return
        if time.monotonic() >= deadline:
            raise DatabaseLocked(place, _holder(cursor, live))
        time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))


@contextlib.contextmanager
def setup_lock(profile: dict[str, Any], live: str, timeout: float) -> Iterator[None]:
    """Hold the setup's advisory lock on schema `live` for a `with` block (nothing
    on engines other than PostgreSQL), waiting up to `timeout` seconds for another
    run to release it, else DatabaseLocked naming that run."""
    if profile.get("type") != "postgres":
        yield
        return
    connection = connect(profile, run_name("setup"))
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            _acquire(cursor, live, timeout, Path(f"{server(profile)}, schema {live}"))
        yield
    finally:
        connection.close()  # the session ends: the server releases its lock
