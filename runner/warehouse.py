"""A warehouse target (an engine other than DuckDB: the profile's target type) as
a setup and load-census see it: its rendered profile, and the schema names they
use, checked before anything runs (runner.schema_target publishes the setup).

Every schema name the setup derives from the live one must fit the engine's
identifier limit (PostgreSQL cuts longer names short: the candidate would be
the live schema): a longer one is refused before anything runs. Two checkouts
building into one PostgreSQL schema are kept apart by the server's advisory
lock (runner.pg_lock).
"""

from __future__ import annotations

import fcntl
import importlib
import os
import re
import struct
import sys
from typing import Any

from runner.errors import PlanwiseError
from runner.locking import DatabaseLocked

FLOCK = "hhqqi4x"  # struct flock on Linux: type, whence, start, len, pid
# The schemas a warehouse setup names after the live one, by suffix: the candidate,
# the replaced relations (planwise_publish_schema), the history table's schema
# (planwise_history_relation) and the stored test failures (data_tests' +schema in
# dbt_project.yml, planwise_failures_schema) of the live schema and the candidate.
FAILURES = "_validation_failures"
DERIVED = {
    "": "the live schema",
    "__candidate": "the candidate schema",
    "__previous": "the replaced relations' schema",
    "_history": "the history schema",
    FAILURES: "the stored-failures schema",
    f"__candidate{FAILURES}": "the candidate's stored-failures schema",
    f"{FAILURES}__previous": "the replaced stored-failures schema",
}
# Longest identifier, in UTF-8 bytes, of engines whose dbt adapter names none:
# Spark's metastore keeps database names in a varchar(128).
IDENTIFIER_BYTES = {"spark": 128}
ENGINE_NAMES = {"postgres": "PostgreSQL", "spark": "Spark"}


def target_profile(settings: Any) -> dict[str, Any]:
    """The selected target's profile entry, rendered by dbt's own renderer."""
    from dbt.config.profile import read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context

    # Spark's local metastore and warehouse: one place per project, whatever the
    # current directory (the JVM resolves relative paths against it).
    os.environ.setdefault("PLANWISE_SPARK_DIR", str(settings.project_dir / ".planwise" / "spark"))
    set_invocation_context(dict(os.environ))
    settings.profile_outputs()  # the file and its profile are there, or a ConfigError says so
    outputs: dict[str, Any] = read_profile(str(settings.profiles_dir))["planwise"]["outputs"]
    target = settings.knobs["target"]
    if target not in outputs:
        raise PlanwiseError(
            f"profiles.yml has no target '{target}'", f"use one of: {', '.join(outputs)}"
        )
    rendered: dict[str, Any] = ProfileRenderer({}).render_data(outputs[target])
    return rendered


def plain_name(name: str, what: str) -> str:
    """`name` when it is a plain identifier (it is written into SQL unquoted by dbt)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise PlanwiseError(
            f"{what} '{name}' is not a plain name",
            "use letters, digits and underscores, not starting with a digit",
        )
    return name


def identifier_limit(kind: str) -> int | None:
    """The engine's longest identifier, in bytes: its dbt adapter's relation name
    limit (dbt-postgres: 63, which PostgreSQL counts in UTF-8 bytes), else
    IDENTIFIER_BYTES; None for an engine without one (DuckDB)."""
    try:
        adapter = importlib.import_module(f"dbt.adapters.{kind}").Plugin.adapter
        return int(adapter.Relation.create(schema="planwise").relation_max_name_length())
    except (ImportError, AttributeError):
        return IDENTIFIER_BYTES.get(kind)


def _size(name: str) -> int:
    return len(name.encode("utf-8"))


def _over_limit(name: str, kind: str, limit: int) -> str:
    engine_name = ENGINE_NAMES.get(kind, kind)
    return (
        f"'{name}' is {_size(name)} bytes long (UTF-8), over {engine_name}'s limit of {limit} "
        "bytes per name, to which it would be cut short"
    )


def _check_derived(live: str, kind: str, target: str) -> None:
    """PlanwiseError when a schema name the setup derives from `live` is too long."""
    limit = identifier_limit(kind)
    if limit is None:
        return
    over = sorted((live + s for s in DERIVED if _size(live + s) > limit), key=_size)
    if not over:
        return
    first, longest, added = over[0], over[-1], max(map(_size, DERIVED))
    more = f"; {len(over) - 1} more schema name(s) derived from '{live}' are too long, "
    raise PlanwiseError(
        f"target {target}: {DERIVED[first[len(live) :]]} {_over_limit(first, kind, limit)}"
        " (the setup would write into the wrong schema)"
        + (f"{more}the longest '{longest}' ({_size(longest)} bytes)" if len(over) > 1 else ""),
        f"use a schema of at most {limit - added} bytes for target {target} (its schema in "
        f"profiles.yml): the setup names schemas after it with up to {added} bytes more",
    )


def census_schema(settings: Any, kind: str) -> str:
    """var census_schema, when it is a plain name within the engine's identifier limit."""
    name = str(settings.var("census_schema"))
    limit = identifier_limit(kind)
    if limit is not None and _size(name) > limit:
        raise PlanwiseError(
            f"var census_schema {_over_limit(name, kind, limit)}",
            f"set var census_schema (env PLANWISE_CENSUS_SCHEMA) to at most {limit} bytes",
        )
    return plain_name(name, "var census_schema")


def setup_schema(settings: Any, profile: dict[str, Any]) -> str:
    """The live schema, once every schema name a setup uses (the live one, those named
    after it, var census_schema) fits the engine's identifier limit and is a plain
    name: PlanwiseError otherwise, before anything runs."""
    kind, live = str(profile.get("type")), str(profile["schema"])
    _check_derived(live, kind, settings.knobs["target"])
    census_schema(settings, kind)
    return plain_name(live, "the target's schema")


def check_metastore(settings: Any, profile: dict[str, Any]) -> None:
    """DatabaseLocked when another process holds the local Spark metastore (Derby,
    one process at a time), before Spark spends a minute retrying it."""
    parameters = profile.get("server_side_parameters") or {}
    found = re.search(
        r"-Dderby\.system\.home=(\S+)", str(parameters.get("spark.driver.extraJavaOptions", ""))
    )
    if profile.get("type") != "spark" or profile.get("method") != "session" or not found:
        return
    pyspark = sys.modules.get("pyspark.sql")
    if pyspark is not None and pyspark.SparkSession.getActiveSession() is not None:
        return  # this process's own session (its JVM is a child process): dbt reuses it
    metastore = settings.project_dir / found.group(1) / "metastore_db"
    try:
        fd = os.open(metastore / "dbex.lck", os.O_RDONLY)
    except OSError:  # no metastore yet, or no lock file: nobody holds it
        return
    try:  # F_GETLK asks without taking: this process's own Spark session never conflicts
        query = struct.pack(FLOCK, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        kind, _, _, _, pid = struct.unpack(FLOCK, fcntl.fcntl(fd, fcntl.F_GETLK, query))
    finally:
        os.close(fd)
    if kind != fcntl.F_UNLCK:
        raise DatabaseLocked(
            metastore,
            f"another Spark process (PID {pid}); Spark's local "
            "metastore allows one process at a time",
        )
