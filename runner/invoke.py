"""One in-process dbt invocation (dbtRunner) at a time, and what it produced.

dbt is imported lazily (`planwise-run --help` stays instant). Each run has its own
target and log directory; the partial-parse file is carried between runs through
a cache beside the database, one per set of vars (dbt re-parses when they
change). Progress comes from dbt's structured events, results from
run_results.json and manifest.json.
"""

from __future__ import annotations

import _thread
import contextlib
import hashlib
import json
import logging
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from runner.errors import dbt_message
from runner.state import parse_cache

_INVOKE_LOCK = threading.Lock()  # dbt must never run two invocations at once in a process
PARTIAL_PARSE = "partial_parse.msgpack"


class ProgressSink(Protocol):
    def phase(self, name: str) -> None: ...
    def total(self, count: int) -> None: ...
    def started(self, name: str) -> None: ...
    def finished(self, name: str, status: str) -> None: ...


@dataclass
class Invocation:
    """What one dbt invocation did."""

    success: bool
    exception: BaseException | None
    run_results: dict[str, Any] | None
    manifest: dict[str, Any] | None
    target_path: Path
    seconds: float
    errors: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # the project's macros' log() lines
    timed_out: bool = False
    interrupted: bool = False
    parse: dict[str, Any] = field(default_factory=dict)  # {kind: partial|full, reason, seconds}

    def error_summary(self) -> str:
        """Why dbt could not run, in one line without dbt's "in macro" trail."""
        text = str(self.exception or "") or (self.errors[-1] if self.errors else "")
        # a hook's heading goes (its own message says it all); a node's names the node
        kept = dbt_message(text, head=" in operation ")
        return " ".join(kept)[:1200] or "dbt failed without producing results"


def _read_json(path: Path) -> dict[str, Any] | None:
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else None
    return None


@contextlib.contextmanager
def _process_state(
    env: dict[str, str], cwd: Path, signalled: threading.Event, progress: ProgressSink | None
) -> Iterator[None]:
    """Environment, working directory and signal handlers for one invocation: a
    SIGINT/SIGTERM is noted (dbt may turn the KeyboardInterrupt into another error)
    and said at once ("stopping"), as dbt cancels what runs."""
    previous_env, previous_cwd = {name: os.environ.get(name) for name in env}, Path.cwd()
    main = threading.current_thread() is threading.main_thread()
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM) if main}

    def on_signal(signum: int, frame: Any) -> None:
        signalled.set()
        if progress:
            with contextlib.suppress(Exception):  # saying it must not stop the stop
                progress.phase("stopping")
        raise KeyboardInterrupt

    os.environ.update(env)
    os.chdir(cwd)
    for sig, handler in handlers.items():
        if handler != signal.SIG_IGN:
            signal.signal(sig, on_signal)
    raise_logging_errors, logging.raiseExceptions = logging.raiseExceptions, False
    try:
        yield
    finally:
        logging.raiseExceptions = raise_logging_errors
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        os.chdir(previous_cwd)
        for name, value in previous_env.items():
            os.environ.pop(name, None) if value is None else os.environ.update({name: value})
        from dbt_common.events.event_manager_client import get_event_manager

        with contextlib.suppress(Exception):  # never hide what dbt itself raised
            release_duckdb()
            for logger in list(getattr(get_event_manager(), "loggers", [])):  # dbt's log file
                python_logger = getattr(logger, "_python_logger", None)
                for log_handler in list(getattr(python_logger, "handlers", [])):
                    log_handler.close()
                    python_logger.removeHandler(log_handler)  # type: ignore[union-attr]


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


class _Events:
    """dbt's structured events, from its worker threads: progress, errors, macro logs."""

    def __init__(self, progress: ProgressSink | None) -> None:
        self.progress, self.errors, self.messages = progress, list[str](), list[str]()
        self.parse: dict[str, Any] = {}  # how dbt parsed: {kind, reason, seconds}
        self.first_event: float | None = None

    def _parsed(self, name: str, event: Any) -> None:
        """How dbt parsed the project, from its own events and their timestamps."""
        if name == "UnableToPartialParse":
            self.parse.update(kind="full", reason=str(event.data.reason))
        elif name in ("PartialParsingEnabled", "PartialParsingSkipParsing"):
            self.parse.setdefault("kind", "partial")
        now = event.info.ts.ToMicroseconds() / 1e6
        self.first_event = self.first_event or now
        if name in ("FoundStats", "ConcurrencyLine") and "seconds" not in self.parse:
            self.parse["seconds"] = round(now - self.first_event, 3)

    def __call__(self, event: Any) -> None:
        try:
            name, data, progress = event.info.name, event.data, self.progress
            self._parsed(name, event)
            if name in ("ConcurrencyLine", "LogStartLine") and progress:
                progress.total(int(getattr(data, "node_count", 0) or data.total))
            elif name in ("NodeStart", "NodeFinished") and progress:
                info = data.node_info
                if info.materialized != "ephemeral" and name == "NodeStart":
                    progress.started(info.node_name)
                elif info.materialized != "ephemeral":
                    progress.finished(info.node_name, info.node_status)
            elif name == "JinjaLogInfo":
                self.messages.append(str(data.msg))
            if event.info.level == "error":
                self.errors.append(str(event.info.msg))
        except Exception:  # pragma: no cover - a progress glitch must not stop dbt
            pass


def _arguments(
    settings: Any, command: list[str], target_path: Path, level: str, dbt_vars: str
) -> list[str]:
    project, threads = str(settings.project_dir), ["--threads", str(settings.knobs["threads"])]
    threads = [] if command[:2] == ["docs", "serve"] else threads
    return [
        *command,
        "--project-dir",
        project,
        "--profiles-dir",
        project,
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path.parent / "logs"),
        "--target",
        settings.knobs["target"],
        "--vars",
        dbt_vars,
        *threads,
        "--log-level",
        level,
        "--log-level-file",
        "debug" if level == "debug" else "info",
        "--no-use-colors",
        "--no-send-anonymous-usage-stats",
    ]


def run_dbt(
    settings: Any,
    command: list[str],
    *,
    db_path: Path,
    run_dir: Path,
    progress: ProgressSink | None = None,
    console_level: str = "none",
    timeout: float | None = None,
    env: dict[str, str] | None = None,
    facts: dict[str, Any] | None = None,
    **runner_vars: Any,
) -> Invocation:
    """Run one dbt command (e.g. ["build", "--selector", "setup"]) against `db_path`.
    `facts` reach the project's macros as env PLANWISE_RUN_FACTS (JSON), read at run
    time only: unlike a var, a new value never costs a parse."""
    from dbt.cli.main import dbtRunner

    target_path = run_dir / "target"
    target_path.mkdir(parents=True, exist_ok=True)
    dbt_vars = settings.dbt_vars(**runner_vars)
    key = "\0".join(
        [
            str(settings.project_dir),
            str(db_path),
            settings.knobs["target"],
            dbt_vars,
            json.dumps(env, sort_keys=True),
        ]
    )
    digest = hashlib.sha1(key.encode()).hexdigest()
    cache = parse_cache(db_path) / f"{digest}.msgpack"
    with contextlib.suppress(OSError):
        shutil.copy2(cache, target_path / PARTIAL_PARSE)
    events, signalled, timed_out = _Events(progress), threading.Event(), threading.Event()

    def stop() -> None:
        timed_out.set()
        _thread.interrupt_main()  # dbt cancels its queries on KeyboardInterrupt

    timer = threading.Timer(timeout or 0, stop)
    timer.daemon = True
    env = {
        "PLANWISE_DBT_DB_PATH": str(db_path),  # the profile's file: never the live one by default
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "PLANWISE_RUN_FACTS": json.dumps(facts or {}, default=str),
        **(env or {}),
    }
    started, success, exception = time.perf_counter(), False, None
    with _INVOKE_LOCK, _process_state(env, settings.project_dir, signalled, progress):
        try:
            if timeout:
                timer.start()
            result = dbtRunner(callbacks=[events]).invoke(
                _arguments(settings, command, target_path, console_level, dbt_vars)
            )
            success, exception = bool(result.success), result.exception
        except KeyboardInterrupt as exc:
            exception = exc
        finally:
            timer.cancel()
    with contextlib.suppress(OSError):
        cache.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache.with_suffix(f".{os.getpid()}.tmp")
        shutil.copy2(target_path / PARTIAL_PARSE, temporary)
        os.replace(temporary, cache)
        for old in sorted(cache.parent.glob("*.msgpack"), key=lambda p: p.stat().st_mtime)[:-8]:
            old.unlink(missing_ok=True)
    stopped = timed_out.is_set() or signalled.is_set() or isinstance(exception, KeyboardInterrupt)
    return Invocation(
        success=success and not stopped,
        exception=exception,
        run_results=_read_json(target_path / "run_results.json"),
        manifest=_read_json(target_path / "manifest.json"),
        target_path=target_path,
        seconds=time.perf_counter() - started,
        errors=events.errors,
        messages=events.messages,
        parse=events.parse,
        timed_out=timed_out.is_set(),
        interrupted=stopped and not timed_out.is_set(),
    )


def logged_document(settings: Any, operation: list[str], key: str, level: str = "none") -> Any:
    """What a project macro run by `dbt run-operation` (`operation`: its name and
    arguments) logged as one JSON document {key: value}: the value, read from dbt's
    structured log events in a scratch run directory. OperationFailed (with dbt's
    error) when dbt failed or the macro logged none."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="planwise-operation-") as tmp:
        invocation = run_dbt(
            settings,
            ["run-operation", *operation],
            db_path=settings.db_path,
            run_dir=Path(tmp),
            console_level=level,
        )
    if invocation.interrupted:
        raise KeyboardInterrupt
    mark = "{" + json.dumps(key) + ":"
    found = [line for line in invocation.messages if line.startswith(mark)]
    if not invocation.success or not found:
        raise OperationFailed(invocation.error_summary())
    return json.loads(found[-1])[key]


class OperationFailed(Exception):
    """A run-operation that failed or logged no document; its text says why."""
