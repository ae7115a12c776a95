"""--quick's fingerprint of a DuckDB file: what its last successful setup was
built from (vars, target, census content, project files, versions), recorded
after a publish (runner.state keeps it), and what --quick builds from it.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any

from runner import state
from runner.invoke import Invocation
from runner.run import FULL_BUILD, Run


def inputs(settings: Any) -> dict[str, Any]:
    """What a setup's result depends on: vars, target, the census file's content, the
    project's files and the versions that run them (read before and after a build)."""
    census = settings.census_path
    versions = [metadata.version(name) for name in ("planwise-setup", "dbt-core", "dbt-duckdb")]
    return {
        "vars": settings.dbt_vars(),
        "target": settings.knobs["target"],
        "census": [str(census), state.file_digest(census)],
        "versions": versions,
        "project": state.project_digest(settings.project_dir),
        "profiles": state.file_digest(settings.profiles_dir / "profiles.yml"),
    }


def remember(
    settings: Any, invocation: Invocation | None, before: dict[str, Any] | None = None
) -> None:
    """Record (or, with None, forget) the setup the live file now holds: its manifest,
    and its inputs as they were before the build unless they changed while it ran."""
    if invocation is None or invocation.manifest is None or before is None:
        state.forget(settings.db_path)
        return
    after = inputs(settings)
    state.remember(
        settings.db_path, invocation.target_path / "manifest.json", state.settled(before, after)
    )


def forget(settings: Any) -> None:
    """The live file is no longer what the last setup left (`clear`, a publish)."""
    remember(settings, None)


def changed_since(settings: Any, before: dict[str, Any]) -> bool:
    """Whether anything changed since the last successful setup: decided without dbt."""
    changed = state.changed_inputs(settings.db_path, before)
    return changed is None or bool(changed)


def quick_command(run: Run, live: Path) -> list[str]:
    """The build of what changed since the last successful setup (dbt's state
    comparison sees the project's changes), or the full build with a note why."""
    ctx = run.ctx
    changed = state.changed_inputs(live, run.inputs)
    if changed is None:
        ctx.messages.append(
            "--quick: no successful setup recorded for this database; ran the full setup"
        )
        return [*FULL_BUILD]
    changed = [key for key in changed if key != "project"]
    if changed:
        ctx.messages.append(
            f"--quick: the {', '.join(changed)} changed since the last setup; ran the full setup"
        )
        return [*FULL_BUILD]
    ctx.clear_note = "--quick keeps unchanged tables"
    return ["build", "--select", "state:modified+", "--state", str(state.last_manifest_dir(live))]
