"""The process around one in-process dbt invocation: its environment, working
directory and SIGINT/SIGTERM handlers while dbt runs, restored afterwards, and
what dbt leaves open once it returns (the DuckDB instance, its log file) closed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol


class PhaseSink(Protocol):
    """Where "stopping" is said on a signal: the progress display (a ProgressSink)."""

    def phase(self, name: str) -> None: ...


@contextlib.contextmanager
def process_state(
    env: dict[str, str], cwd: Path, signalled: threading.Event, progress: PhaseSink | None
) -> Iterator[None]:
    """Environment, working directory and signal handlers for one invocation: a
    SIGINT/SIGTERM is noted (dbt may turn the KeyboardInterrupt into another error)
    and said at once ("stopping"), as dbt cancels what runs."""
    previous_env = {name: os.environ.get(name) for name in env}
    previous_cwd = Path.cwd()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        with _signals_noted(signalled, progress), _logging_errors_quiet():
            yield
    finally:
        os.chdir(previous_cwd)
        for name, value in previous_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        with contextlib.suppress(Exception):  # never hide what dbt itself raised
            release_duckdb()
            _close_dbt_log_files()


@contextlib.contextmanager
def _signals_noted(signalled: threading.Event, progress: PhaseSink | None) -> Iterator[None]:
    """SIGINT and SIGTERM, unless ignored, set `signalled`, say "stopping" and raise
    KeyboardInterrupt in dbt, which cancels its queries. Only the main thread can
    set signal handlers: elsewhere they stay as they are."""
    main = threading.current_thread() is threading.main_thread()
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM) if main}

    def on_signal(signum: int, frame: Any) -> None:
        signalled.set()
        if progress:
            with contextlib.suppress(Exception):  # saying it must not stop the stop
                progress.phase("stopping")
        raise KeyboardInterrupt

    for sig, handler in handlers.items():
        if handler != signal.SIG_IGN:
            signal.signal(sig, on_signal)
    try:
        yield
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def _logging_errors_quiet() -> Iterator[None]:
    """A full disk must not print "--- Logging error ---" tracebacks from dbt's file
    logger: the failure is reported from dbt's results instead."""
    raise_logging_errors = logging.raiseExceptions
    logging.raiseExceptions = False
    try:
        yield
    finally:
        logging.raiseExceptions = raise_logging_errors


def release_duckdb() -> None:
    """Close the DuckDB instance dbt-duckdb keeps open (profile `keep_open: true`), so
    the file can be copied, renamed or opened again once dbt has returned. After an
    interrupt dbt's worker threads may still be finishing a query: then the instance
    closes when the last of them lets go (dbt-duckdb's own keep_open: false path)."""
    connections = sys.modules.get("dbt.adapters.duckdb.connections")
    manager = getattr(connections, "DuckDBConnectionManager", None)
    environment = getattr(manager, "_ENV", None)
    if manager is None or environment is None:
        return
    manager.close_all_connections()  # the next invocation opens its own
    with environment.lock:
        environment._keep_open = False
        if environment.handle_count == 0:
            environment.close()


def _close_dbt_log_files() -> None:
    """Close the log file dbt keeps open after an in-process invocation (the next
    one only replaces its handlers, never closes them), so the run directory can be
    removed at once."""
    from dbt_common.events.event_manager_client import get_event_manager

    for logger in list(getattr(get_event_manager(), "loggers", [])):
        python_logger = getattr(logger, "_python_logger", None)
        for log_handler in list(getattr(python_logger, "handlers", [])):
            log_handler.close()
            python_logger.removeHandler(log_handler)  # type: ignore[union-attr]
