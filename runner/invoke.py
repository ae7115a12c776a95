"""Running dbt in-process, one invocation at a time.

dbt is imported here lazily (inside functions), never at module import, so the
CLI starts instantly. Every invocation gets its own target and log directory
(a per-run directory), so concurrent `planwise-run` processes never overwrite
each other's artifacts; dbt's partial-parse file is carried between runs through
a small cache so per-run target paths do not force a full re-parse.

Progress and the payloads of the project's macros (e.g. the relations the clear
macro listed) come from dbt's structured events (callbacks), never from console
text; results come from run_results.json and manifest.json.
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
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from runner.config import Settings

# dbt must never run two invocations at once in one process.
_INVOKE_LOCK = threading.Lock()

# Macros in macros/ emit one debug log line `<marker>: <json>` for the runner.
PAYLOAD_MARKERS = ("planwise_clear", "planwise_row_counts", "planwise_undeclared_columns")
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
PARSE_CACHE_KEEP = 8  # partial-parse files kept (one per db path x vars combination)


class ProgressSink(Protocol):
    """Receives progress from dbt's worker threads (implementations lock)."""

    def total(self, count: int) -> None: ...

    def started(self, name: str) -> None: ...

    def finished(self, name: str, status: str) -> None: ...


@dataclass
class Invocation:
    """What one dbt invocation did, read from events and its artifacts."""

    args: list[str]
    success: bool
    exception: BaseException | None
    run_results: dict[str, Any] | None
    manifest: dict[str, Any] | None
    target_path: Path
    log_path: Path
    seconds: float
    payloads: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    node_count: int | None = None
    timed_out: bool = False
    listed: list[str] | None = None  # what `dbt ls` returned (its Python result, not text)

    @property
    def interrupted(self) -> bool:
        return isinstance(self.exception, KeyboardInterrupt) and not self.timed_out

    @property
    def produced_results(self) -> bool:
        return self.run_results is not None

    def error_summary(self) -> str:
        """One line saying why dbt could not run (for exit code 2)."""
        if self.exception is not None and not isinstance(self.exception, KeyboardInterrupt):
            text = str(self.exception).strip()
        elif self.errors:
            text = self.errors[-1].strip()
        else:
            text = "dbt failed without producing results"
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return " ".join(lines[:4])[:600]


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@contextlib.contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


@contextlib.contextmanager
def _noticing_signals(flag: threading.Event) -> Iterator[None]:
    """Record SIGINT/SIGTERM in `flag` while dbt runs, then behave as before.

    dbt turns a KeyboardInterrupt into cancelled queries and sometimes into a
    different error ("Connection already closed"), so the runner cannot tell an
    interrupted run from the exception alone. Only the main thread can do this.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def handler(signum: int, frame: Any) -> None:
        before = previous[signal.Signals(signum)]
        if before == signal.SIG_IGN:
            return
        flag.set()
        if callable(before):
            before(signum, frame)
        raise KeyboardInterrupt

    for sig in previous:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, before in previous.items():
            signal.signal(sig, before)


def _release_dbt_logs() -> None:
    """Close the log file dbt keeps open after an in-process invocation (its
    handlers are only replaced, never closed, by the next one), so the run
    directory's file system can be unmounted or removed at once."""
    try:
        from dbt_common.events.event_manager_client import get_event_manager
    except ImportError:  # pragma: no cover
        return
    for logger in list(getattr(get_event_manager(), "loggers", [])):
        python_logger = getattr(logger, "_python_logger", None)
        if not isinstance(python_logger, logging.Logger):
            continue
        for handler in list(python_logger.handlers):
            with contextlib.suppress(Exception):
                handler.close()
            python_logger.removeHandler(handler)


def state_dir(db_path: Path) -> Path:
    """Where the runner keeps per-database state: run directories, the last
    successful setup's artifacts and the parse cache. Next to the database, so
    it is writable wherever the database is, and separate per database file."""
    return db_path.parent / ".planwise" / db_path.name


def new_run_dir(db_path: Path, command: str) -> Path:
    """A fresh directory per run, named so that names sort by start time.

    One process can start two runs within a clock tick (tests do, through
    CliRunner), so a taken name gets a numbered suffix instead of failing.
    """
    now = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f".{int(now * 1e6) % 1_000_000:06d}"
    runs = state_dir(db_path) / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    for attempt in range(1000):
        suffix = f"-{attempt}" if attempt else ""
        run_dir = runs / f"{stamp}-{os.getpid()}-{command}{suffix}"
        try:
            run_dir.mkdir()
        except FileExistsError:
            continue
        return run_dir
    raise FileExistsError(f"cannot create a new run directory in {runs}")


def _parse_cache_key(settings: Settings, db_path: Path, dbt_vars: str) -> str:
    text = "\x00".join([str(settings.project_dir), str(db_path), settings.target, dbt_vars])
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def run_dbt(
    settings: Settings,
    command: list[str],
    *,
    db_path: Path,
    run_dir: Path,
    runner_vars: Mapping[str, Any] | None = None,
    progress: ProgressSink | None = None,
    console_level: str = "none",
    timeout: float | None = None,
) -> Invocation:
    """Run one dbt command in-process against `db_path` and collect its results.

    `command` is e.g. ["build", "--selector", "setup"]. The runner adds the
    project/profiles dirs, per-run target/log paths, threads, target and vars.
    """
    from dbt.cli.main import dbtRunner  # lazy: importing dbt takes ~1-2 s

    target_path = run_dir / "target"
    log_path = run_dir / "logs"
    target_path.mkdir(parents=True, exist_ok=True)
    log_path.mkdir(parents=True, exist_ok=True)
    dbt_vars = settings.dbt_vars(**dict(runner_vars or {}))

    # Partial parsing: reuse the parse of an earlier run with the same inputs.
    cache_dir = state_dir(db_path).parent / "parse-cache"
    cache_file = cache_dir / f"{_parse_cache_key(settings, db_path, dbt_vars)}.msgpack"
    if cache_file.is_file():
        with contextlib.suppress(OSError):
            shutil.copy2(cache_file, target_path / PARTIAL_PARSE_FILE)

    args = [
        *command,
        "--project-dir",
        str(settings.project_dir),
        "--profiles-dir",
        str(settings.project_dir),
        "--target-path",
        str(target_path),
        "--log-path",
        str(log_path),
        "--target",
        settings.target,
        *([] if command[:1] in (["ls"], ["list"]) else ["--threads", str(settings.threads)]),
        "--vars",
        dbt_vars,
        "--log-level",
        console_level,
        "--log-level-file",
        "debug" if console_level == "debug" else "info",
        "--no-use-colors",
        "--no-send-anonymous-usage-stats",
    ]
    payloads: dict[str, Any] = {}
    errors: list[str] = []
    node_count: list[int] = []

    def on_event(event: Any) -> None:
        # Called from dbt's worker threads; keep it cheap and never raise.
        try:
            name = event.info.name
            if name == "ConcurrencyLine":
                node_count.append(int(event.data.node_count))
                if progress is not None:
                    progress.total(int(event.data.node_count))
            elif name == "LogStartLine" and not node_count:
                node_count.append(int(event.data.total))
                if progress is not None:
                    progress.total(int(event.data.total))
            elif name == "NodeStart":
                info = event.data.node_info
                if progress is not None and info.materialized != "ephemeral":
                    progress.started(info.node_name)
            elif name == "NodeFinished":
                info = event.data.node_info
                if progress is not None and info.materialized != "ephemeral":
                    progress.finished(info.node_name, info.node_status)
            elif name in ("JinjaLogDebug", "JinjaLogInfo"):
                message = str(event.data.msg)
                for marker in PAYLOAD_MARKERS:
                    if message.startswith(marker + ": "):
                        payloads[marker] = json.loads(message[len(marker) + 2 :])
            if event.info.level == "error":
                errors.append(str(event.info.msg))
        except Exception:  # pragma: no cover - a progress glitch must not stop dbt
            pass

    timed_out = threading.Event()
    timer: threading.Timer | None = None
    if timeout is not None and timeout > 0:

        def stop() -> None:
            timed_out.set()
            _thread.interrupt_main()  # dbt cancels its queries on KeyboardInterrupt

        timer = threading.Timer(timeout, stop)
        timer.daemon = True

    env = {
        "PLANWISE_DB_PATH": str(db_path),
        "PLANWISE_TARGET": settings.target,
        "PLANWISE_THREADS": str(settings.threads),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    started = time.perf_counter()
    exception: BaseException | None = None
    success = False
    listed: list[str] | None = None
    signalled = threading.Event()
    raise_logging_errors = logging.raiseExceptions
    with _INVOKE_LOCK, _environment(env), _cwd(settings.project_dir), _noticing_signals(signalled):
        # A full disk must not print "--- Logging error ---" tracebacks from dbt's
        # file logger: the failure is reported from dbt's results instead.
        logging.raiseExceptions = False
        try:
            if timer is not None:
                timer.start()
            result = dbtRunner(callbacks=[on_event]).invoke(args)
            success = bool(result.success)
            exception = result.exception
            if command and command[0] in ("ls", "list") and isinstance(result.result, list):
                listed = [str(item) for item in result.result]
        except KeyboardInterrupt as exc:  # Ctrl-C outside dbt's own handling
            exception = exc
        finally:
            if timer is not None:
                timer.cancel()
            _release_dbt_logs()
            logging.raiseExceptions = raise_logging_errors
    seconds = time.perf_counter() - started
    stopped = timed_out.is_set() or signalled.is_set()
    if stopped and not success and not isinstance(exception, KeyboardInterrupt):
        exception = KeyboardInterrupt()

    produced = target_path / PARTIAL_PARSE_FILE
    if produced.is_file():
        with contextlib.suppress(OSError):
            cache_dir.mkdir(parents=True, exist_ok=True)
            temporary = cache_file.with_suffix(f".{os.getpid()}.tmp")
            shutil.copy2(produced, temporary)
            os.replace(temporary, cache_file)
            cached = sorted(cache_dir.glob("*.msgpack"), key=lambda p: p.stat().st_mtime)
            for old in cached[:-PARSE_CACHE_KEEP]:
                old.unlink(missing_ok=True)

    run_results = _read_json(target_path / "run_results.json")
    manifest = _read_json(target_path / "manifest.json")
    return Invocation(
        args=args,
        success=success,
        exception=exception,
        run_results=run_results,
        manifest=manifest,
        target_path=target_path,
        log_path=log_path,
        seconds=seconds,
        payloads=payloads,
        errors=errors,
        node_count=node_count[0] if node_count else None,
        timed_out=timed_out.is_set(),
        listed=listed,
    )
