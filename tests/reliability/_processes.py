"""Real helper processes for the lock and publish tests (no mocks).

`hold(code)` starts `python -c code` in a new process; the code prints `ready`
once it holds whatever it is meant to hold, and then sleeps until killed.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager

READY_TIMEOUT = 30.0


def start(code: str) -> subprocess.Popen[str]:
    """Start `code` and wait until it prints `ready` (fails if it exits first)."""
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.kill()
        _, err = process.communicate(timeout=READY_TIMEOUT)
        raise AssertionError(f"helper process did not get ready: {line!r} {err}")
    return process


def stop(process: subprocess.Popen[str], sig: int = signal.SIGKILL) -> None:
    if process.poll() is None:
        process.send_signal(sig)
    process.communicate(timeout=READY_TIMEOUT)


@contextmanager
def holding(code: str) -> Iterator[subprocess.Popen[str]]:
    """Run a holder process for the duration of a `with` block, then SIGKILL it."""
    process = start(code)
    try:
        yield process
    finally:
        stop(process)


def duckdb_code(db: str, read_only: bool) -> str:
    """Code for a process that keeps a DuckDB connection to `db` open."""
    return f"""
        import time, duckdb
        connection = duckdb.connect({db!r}, read_only={read_only})
        connection.execute("select 1").fetchall()
        print("ready", flush=True)
        time.sleep(600)
    """


def setup_lock_code(db: str, then: str = "time.sleep(600)") -> str:
    """Code for a process that holds the setup lock of `db`, then runs `then`."""
    return f"""
        import time
        from pathlib import Path
        from runner.locking import setup_lock
        with setup_lock(Path({db!r}), timeout=0):
            print("ready", flush=True)
            {then}
    """
