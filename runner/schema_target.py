"""The warehouse schema a setup publishes (runner.setup's transaction, on an engine
other than DuckDB: the profile's target type).

The file steps (copy, rename, rollback) become schemas: dbt builds the whole
setup into `<schema>__candidate` (env PLANWISE_BUILD_SCHEMA, which profiles.yml
reads), and when nothing failed the dispatched macro planwise_publish_schema
publishes it: on PostgreSQL one transaction swaps the schemas; on Spark, which
cannot rename a database, each table is copied over (not atomic: see the
README). A failed candidate stays, its failing rows queryable, until the next
setup replaces it. The census is the table `planwise-run load-census` loaded.
Schema names are checked before anything runs (runner.warehouse); two checkouts
building into one PostgreSQL schema are kept apart by the server's advisory lock
(runner.pg_lock), held with the project's own setup lock.
"""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from runner import pg_lock, preflight
from runner.errors import PlanwiseError
from runner.invoke import Invocation, ProgressSink, run_dbt
from runner.locking import setup_lock
from runner.report import hook_payload
from runner.run import FULL_BUILD, Outcome, Run, Switches, failing_rows_hint, run_facts
from runner.warehouse import check_metastore, setup_schema, target_profile

BUILD_SCHEMA = "PLANWISE_BUILD_SCHEMA"
# What a warehouse setup cannot do: it always builds everything into an empty schema.
UNSUPPORTED = {
    "selection": "--select / --exclude / --selector",
    "quick": "--quick",
    "no_clear": "--no-clear",
}


class SchemaTarget:
    """A setup of the target's schema in a warehouse (see the module's text)."""

    preflight_failed = "pre-flight failed: nothing was run; the live schema is unchanged"
    dropped = "dropped"

    def __init__(self, run: Run, switches: Switches) -> None:
        settings = run.settings
        used = [flag for name, flag in UNSUPPORTED.items() if getattr(switches, name)]
        if used:
            raise PlanwiseError(
                f"{', '.join(used)}: not available on target {settings.knobs['target']}",
                "setup there rebuilds everything into "
                "a new schema; run dbt build with a selection directly instead",
            )
        self.run, self.switches = run, switches
        self.profile = target_profile(settings)
        self.live = setup_schema(settings, self.profile)
        check_metastore(settings, self.profile)
        self.candidate = f"{self.live}__candidate"
        target = settings.knobs["target"]
        run.ctx.database = f"{self.profile['type']} schema {self.live} (target {target})"
        run.remember_last = False  # `status` reads the DuckDB file's last run

    def preflight(self) -> bool:
        settings, ctx, started = self.run.settings, self.run.ctx, time.perf_counter()
        found = [
            preflight.directory_problem(settings.report_dir, "report directory", must_exist=False),
            *preflight.seed_file_problems(settings.project_dir),
        ]
        ctx.preflight_problems = [problem for problem in found if problem]
        ctx.preflight_seconds = time.perf_counter() - started
        return not ctx.preflight_problems

    @contextmanager
    def lock(self) -> Iterator[None]:
        """This machine's setup lock of the target, then the server's (PostgreSQL)."""
        timeout = self.run.settings.knobs["lock_timeout_seconds"]
        with (
            setup_lock(self._lock_anchor(), timeout),
            pg_lock.setup_lock(self.profile, self.live, timeout),
        ):
            yield

    def _lock_anchor(self) -> Path:
        """Where the setup lock of this target lives (one setup at a time from here)."""
        settings = self.run.settings
        anchor: Path = settings.project_dir / ".planwise" / f"target-{settings.knobs['target']}"
        anchor.parent.mkdir(parents=True, exist_ok=True)
        return anchor

    def prepare(self, progress: ProgressSink | None) -> Outcome | None:
        """Nothing to prepare: the build's first step empties the candidate schema."""
        return None

    def build(self, progress: ProgressSink | None) -> Invocation:
        """The one dbt invocation, into the candidate schema."""
        run, switches = self.run, self.switches
        command = [
            *FULL_BUILD,
            *(["--fail-fast"] * switches.fail_fast),
            *(["--full-refresh"] * switches.full_refresh),
        ]
        return run.dbt(
            command,
            run.settings.db_path,
            progress=progress,
            env={BUILD_SCHEMA: self.candidate},
            facts=run_facts(run.settings, run, {"schema": self.live}),
            timeout=run.settings.knobs["timeout_seconds"],
        )

    def discard(self, status: str | None, message: str) -> Outcome:
        """Nothing published: the candidate schema stays, its failing rows queryable."""
        environment = f"{BUILD_SCHEMA}={shlex.quote(self.candidate)}"
        rows = failing_rows_hint(self.run, environment, "candidate schema")
        unchanged = f"nothing published: the live schema {self.live} is unchanged"
        return self.run.finish(status, message, *rows, unchanged)

    def drop(self) -> str | None:
        """The candidate schema dropped (a dry run): None, or dbt's error."""
        return self._operation("planwise_drop_candidate", {"candidate": self.candidate})

    def publish(self, invocation: Invocation) -> Outcome:
        """planwise_publish_schema: the candidate becomes the live schema."""
        run, live = self.run, self.live
        row = hook_payload(invocation.run_results).get("run")  # the history row, added on publish
        arguments = {"candidate": self.candidate, "live": live, "run": row}
        failure = self._operation("planwise_publish_schema", arguments)
        if failure:
            after = (  # Spark's copy is not one transaction
                f"the live schema {live} is unchanged"
                if run.settings.engine == "postgres"
                else f"{live} may be partly replaced: run setup again"
            )
            return run.finish("error", f"not published: {failure}", after)
        run.ctx.published = True
        swapped = run.settings.engine == "postgres"
        previous = f"; the replaced schema is {live}__previous" if swapped else ""
        return run.finish(None, f"published {self.candidate} as {live}{previous}")

    def _operation(self, macro: str, arguments: dict[str, object]) -> str | None:
        """One run-operation in the build's run directory: None, or dbt's error."""
        run = self.run
        invocation = run.invocation
        assert invocation is not None  # after the build
        done = run_dbt(
            run.settings,
            ["run-operation", macro, "--args", json.dumps(arguments)],
            db_path=run.settings.db_path,
            run_dir=invocation.target_path.parent,  # the build's run directory
        )
        if done.interrupted:
            raise KeyboardInterrupt
        return None if done.success else done.error_summary()

    def interrupted(self) -> Outcome:
        return self.run.finish(
            "interrupted",
            "interrupted: the live schema is the previous "
            "setup or, if the publish step had committed, the new one",
        )

    def abandon(self) -> None:
        """An unexpected error: the candidate schema stays until the next setup."""
