"""`planwise-run docs`: dbt's static docs site of the project, with the live
database's catalog when there is one (read under the setup lock), served by
`dbt docs serve` on request."""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from runner.config import Settings
from runner.errors import PlanwiseError
from runner.invoke import Invocation, run_dbt
from runner.locking import probe_database, setup_lock


def write_site(
    settings: Settings, output: Path, level: str, port: int | None, say: Callable[[str], None]
) -> None:
    """`dbt docs generate --static` into `output`, and `say` where it is; then, given
    a `port`, `dbt docs serve` until Ctrl-C."""
    with tempfile.TemporaryDirectory(prefix="planwise-docs-") as tmp:
        live = settings.db_path.exists()  # its catalog, read under the setup lock
        db_path = settings.db_path if live else Path(tmp) / "docs.duckdb"
        run = functools.partial(run_dbt, settings, db_path=db_path, run_dir=Path(tmp))
        with setup_lock(db_path, settings.knobs["lock_timeout_seconds"]) if live else nullcontext():
            if live:
                probe_database(db_path)
            invocation = run(["docs", "generate", "--static"], console_level=level)
        _copy_site(invocation, output)
        say(f"docs: {output / 'index.html'}\nopen: {(output / 'index.html').as_uri()}\n")
        if port is not None:  # until Ctrl-C
            _serve(run, port)


def _copy_site(invocation: Invocation, output: Path) -> None:
    """The generated site into `output`, once dbt generated it."""
    if invocation.interrupted:
        raise KeyboardInterrupt
    if not invocation.success:
        raise PlanwiseError(f"dbt docs generate failed: {invocation.error_summary()}")
    output.mkdir(parents=True, exist_ok=True)
    for name in ("static_index.html", "manifest.json", "catalog.json"):
        shutil.copy2(invocation.target_path / name, output / name.replace("static_", ""))


def _serve(run: Callable[..., Any], port: int) -> None:
    """`dbt docs serve` the site until Ctrl-C."""
    served = run(["docs", "serve", "--port", str(port), "--no-browser"], console_level="info")
    if not served.success and not served.interrupted:
        raise PlanwiseError(f"dbt docs serve failed: {served.error_summary()}")
