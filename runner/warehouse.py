"""`planwise-run setup` on an engine other than DuckDB (the profile's target type).

The file steps (copy, rename, rollback) become schemas: dbt builds the whole
setup into `<schema>__candidate` (env PLANWISE_BUILD_SCHEMA, which profiles.yml
reads), and when nothing failed the dispatched macro planwise_publish_schema
publishes it: on PostgreSQL one transaction swaps the schemas; on Spark, which
cannot rename a database, each table is copied over (not atomic: see the
README). A failed candidate stays, its failing rows queryable, until the next
setup replaces it. The census is the table `planwise-run load-census` loaded.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shlex
import struct
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from runner import preflight
from runner.errors import PlanwiseError
from runner.invoke import ProgressSink, run_dbt
from runner.locking import DatabaseLocked, setup_lock

BUILD_SCHEMA = "PLANWISE_BUILD_SCHEMA"
# What a warehouse setup cannot do: it always builds everything into an empty schema.
FLOCK = "hhqqi4x"  # struct flock on Linux: type, whence, start, len, pid
UNSUPPORTED = {
    "selection": "--select / --exclude / --selector",
    "quick": "--quick",
    "no_clear": "--no-clear",
}


def target_profile(settings: Any) -> dict[str, Any]:
    """The selected target's profile entry, rendered by dbt's own renderer."""
    from dbt.config.profile import read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context

    # Spark's local metastore and warehouse: one place per project, whatever the
    # current directory (the JVM resolves relative paths against it).
    os.environ.setdefault("PLANWISE_SPARK_DIR", str(settings.project_dir / ".planwise" / "spark"))
    set_invocation_context(dict(os.environ))
    outputs: dict[str, Any] = read_profile(str(settings.project_dir))["planwise"]["outputs"]
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


def engine(settings: Any) -> str:
    """The target's adapter type, read without dbt (`--quick` never imports it)."""
    profiles = yaml.safe_load((settings.project_dir / "profiles.yml").read_text(encoding="utf-8"))
    output = (profiles or {}).get("planwise", {}).get("outputs", {}).get(settings.knobs["target"])
    return str((output or {}).get("type", "duckdb"))


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


def lock_anchor(settings: Any) -> Path:
    """Where the setup lock of this target lives (one setup at a time from this machine)."""
    anchor: Path = settings.project_dir / ".planwise" / f"target-{settings.knobs['target']}"
    anchor.parent.mkdir(parents=True, exist_ok=True)
    return anchor


def setup_in_warehouse(run: Any, switches: Any, progress: ProgressSink | None) -> Any:
    settings, ctx = run.settings, run.ctx
    used = [flag for name, flag in UNSUPPORTED.items() if getattr(switches, name)]
    if used:
        raise PlanwiseError(
            f"{', '.join(used)}: not available on target {settings.knobs['target']}",
            "setup there rebuilds everything into "
            "a new schema; run dbt build with a selection directly instead",
        )
    profile = target_profile(settings)
    check_metastore(settings, profile)
    live = plain_name(str(profile["schema"]), "the target's schema")
    plain_name(str(settings.var("census_schema")), "var census_schema")
    candidate = f"{live}__candidate"
    ctx.database = f"{profile['type']} schema {live} (target {settings.knobs['target']})"
    run.remember_last = False  # `status` reads the DuckDB file's last run
    started = time.perf_counter()
    ctx.preflight_problems = [
        p
        for p in [
            preflight.directory_problem(settings.report_dir, "report directory", must_exist=False),
            *preflight.seed_file_problems(settings.project_dir),
        ]
        if p
    ]
    ctx.preflight_seconds = time.perf_counter() - started
    if ctx.preflight_problems:
        return run.finish(
            "error", "pre-flight failed: nothing was run; the live schema is unchanged"
        )
    with setup_lock(lock_anchor(settings), settings.knobs["lock_timeout_seconds"]):
        try:
            return _build_and_publish(run, switches, progress, candidate, live)
        except KeyboardInterrupt:
            return run.finish(
                "interrupted",
                "interrupted: the live schema is the previous "
                "setup or, if the publish step had committed, the new one",
            )


def _build_and_publish(
    run: Any, switches: Any, progress: ProgressSink | None, candidate: str, live: str
) -> Any:
    from runner.report import hook_payload
    from runner.setup import FULL_BUILD, failing_rows_hint, refusal, run_facts

    settings, ctx = run.settings, run.ctx
    build = [
        *FULL_BUILD,
        *(["--fail-fast"] * switches.fail_fast),
        *(["--full-refresh"] * switches.full_refresh),
    ]
    invocation = run.dbt(
        build,
        settings.db_path,
        progress=progress,
        planwise_clear=True,
        env={BUILD_SCHEMA: candidate},
        planwise_report=True,
        facts=run_facts(settings, run, {"schema": live}),
        timeout=settings.knobs["timeout_seconds"],
    )
    reason = refusal(run, invocation)
    if reason:
        status, message = reason
        environment = f"{BUILD_SCHEMA}={shlex.quote(candidate)}"
        rows = failing_rows_hint(run, environment, "candidate schema")
        return run.finish(
            status, message, *rows, f"nothing published: the live schema {live} is unchanged"
        )
    operation = "planwise_drop_candidate" if switches.dry_run else "planwise_publish_schema"
    row = hook_payload(invocation.run_results).get("run")  # the history row, added on publish
    arguments = {"candidate": candidate, **({} if switches.dry_run else {"live": live, "run": row})}
    if progress:
        progress.phase("publish")
    done = run_dbt(
        settings,
        ["run-operation", operation, "--args", json.dumps(arguments)],
        db_path=settings.db_path,
        run_dir=Path(ctx.run_dir),
    )
    if done.interrupted:
        raise KeyboardInterrupt
    if not done.success:
        after = (  # Spark's copy is not one transaction
            f"the live schema {live} is unchanged"
            if engine(settings) == "postgres"
            else f"{live} may be partly replaced: run setup again"
        )
        return run.finish("error", f"not published: {done.error_summary()}", after)
    if switches.dry_run:
        ctx.dry_run = True
        return run.finish(
            None,
            "dry run: the candidate passed and was dropped; without "
            "--dry-run it would be published",
        )
    ctx.published = True
    swapped = engine(settings) == "postgres"
    previous = f"; the replaced schema is {live}__previous" if swapped else ""
    return run.finish(None, f"published {candidate} as {live}{previous}")
