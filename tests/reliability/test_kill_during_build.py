"""kill -9 of a real setup (lock + candidate + dbt build) at several points.

The live database must keep its exact content, the debris must be listed by
`leftovers` and removed by `cleanup_leftovers`, and the next run must not be
blocked by the dead process's lock.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from runner.locking import lock_path, setup_lock
from runner.publish import (
    candidate_path,
    cleanup_leftovers,
    leftovers,
    wal_path,
)
from tests.checksums import content_checksum
from tests.conftest import DbtProject
from tests.reliability._processes import start, stop

SETUP = """
    import os
    from pathlib import Path
    from dbt.cli.main import dbtRunner
    from runner.locking import setup_lock
    from runner.publish import prepare_candidate, publish
    root, live = Path({root!r}), Path({live!r})
    os.chdir(root)
    with setup_lock(live, timeout=0):
        candidate = prepare_candidate(live)
        os.environ["PLANWISE_DBT_DB_PATH"] = str(candidate)
        print("ready", flush=True)
        result = dbtRunner().invoke(
            ["build", "--selector", "setup", "--project-dir", ".", "--profiles-dir", ".",
             "--quiet"])
        if result.success:
            publish(candidate, live)
        print("finished", flush=True)
"""


def wait_for(path: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


@pytest.mark.slow
@pytest.mark.parametrize(
    "after_first_write",
    [None, 0.0, 2.5],
    ids=["while-starting", "at-first-dbt-write", "mid-build"],
)
def test_sigkill_during_setup_leaves_live_unchanged(
    make_project: Callable[[str], DbtProject], after_first_write: float | None
) -> None:
    project = make_project("project")
    live = project.db_path
    with duckdb.connect(str(live)) as connection:
        connection.execute("create table stg_census_data as select 1 as stale_owned_table")
        connection.execute("create table my_notes as select range as i from range(1000)")
    before = content_checksum(live)

    process = start(SETUP.format(root=str(project.root), live=str(live)))
    if after_first_write is None:
        time.sleep(0.3)  # dbt is still importing and parsing
    else:
        wait_for(wal_path(candidate_path(live)))  # dbt has started writing the candidate
        time.sleep(after_first_write)
    assert process.poll() is None, "the setup finished before it could be killed"
    stop(process, signal.SIGKILL)

    assert content_checksum(live) == before
    debris = leftovers(live)
    assert candidate_path(live) in debris
    assert lock_path(live).exists()  # the dead holder's: the next setup takes it over
    assert sorted(cleanup_leftovers(live)) == sorted(debris)
    assert leftovers(live) == []
    with setup_lock(live, timeout=0):  # the dead run does not block the next one
        pass
    assert content_checksum(live) == before
