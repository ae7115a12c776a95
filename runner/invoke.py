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
import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from runner.dbt_process import process_state
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


class _Events:
    """dbt's structured events, from its worker threads: progress, errors, macro logs."""

    def __init__(self, progress: ProgressSink | None) -> None:
        self.progress, self.errors, self.messages = progress, list[str](), list[str]()
        self.parse: dict[str, Any] = {}  # how dbt parsed: {kind, reason, seconds}
        self.first_event: float | None = None
        self.counted = False  # whether the progress has its node count

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
            name, data = event.info.name, event.data
            self._parsed(name, event)
            self._progressed(name, data)
            if name == "JinjaLogInfo":
                self.messages.append(str(data.msg))
            if event.info.level == "error":
                self.errors.append(str(event.info.msg))
        except Exception:  # pragma: no cover - a progress glitch must not stop dbt
            pass

    def _progressed(self, name: str, data: Any) -> None:
        """The node count, then each node's start and finish, to the progress display."""
        progress = self.progress
        if not progress:
            return
        if name == "ConcurrencyLine" or (name == "LogStartLine" and not self.counted):
            self.counted = True  # once: the count says how far the run is, it never jumps
            progress.total(int(getattr(data, "node_count", 0) or data.total))
        elif name in ("NodeStart", "NodeFinished"):
            info = data.node_info
            if info.materialized != "ephemeral" and name == "NodeStart":
                progress.started(info.node_name)
            elif info.materialized != "ephemeral":
                progress.finished(info.node_name, info.node_status)


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
        str(settings.profiles_dir),
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


def _cache_file(settings: Any, db_path: Path, dbt_vars: str, env: dict[str, str] | None) -> Path:
    """Where the partial-parse file is cached beside the database: one per project,
    database, target, set of vars and environment (dbt re-parses when they change)."""
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
    return parse_cache(db_path) / f"{digest}.msgpack"


@contextlib.contextmanager
def _partial_parse(target_path: Path, cache: Path) -> Iterator[None]:
    """dbt's partial-parse file for one invocation: copied from `cache` into its
    target directory before, and back into the cache after (the newest 8 stay)."""
    produced = target_path / PARTIAL_PARSE
    with contextlib.suppress(OSError):
        shutil.copy2(cache, produced)
    yield
    with contextlib.suppress(OSError):
        cache.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache.with_suffix(f".{os.getpid()}.tmp")
        shutil.copy2(produced, temporary)
        os.replace(temporary, cache)
        for old in sorted(cache.parent.glob("*.msgpack"), key=lambda p: p.stat().st_mtime)[:-8]:
            old.unlink(missing_ok=True)


def _interruptible(
    runner: Any, arguments: list[str], timeout: float | None, timed_out: threading.Event
) -> tuple[bool, BaseException | None]:
    """dbt's success and exception; after `timeout` seconds the run is interrupted as
    a Ctrl-C would interrupt it, and `timed_out` is set."""

    def stop() -> None:
        timed_out.set()
        _thread.interrupt_main()  # dbt cancels its queries on KeyboardInterrupt

    timer = threading.Timer(timeout or 0, stop)
    timer.daemon = True
    try:
        if timeout:
            timer.start()
        result = runner.invoke(arguments)
        return bool(result.success), result.exception
    except KeyboardInterrupt as exc:
        return False, exc
    finally:
        timer.cancel()


def _invoke(
    arguments: list[str],
    target_path: Path,
    *,
    env: dict[str, str],
    cwd: Path,
    progress: ProgressSink | None,
    timeout: float | None,
) -> Invocation:
    """One dbt invocation, alone in the process, stopped by a signal or the timeout,
    and what it left in `target_path`."""
    from dbt.cli.main import dbtRunner

    events, signalled, timed_out = _Events(progress), threading.Event(), threading.Event()
    started = time.perf_counter()
    with _INVOKE_LOCK, process_state(env, cwd, signalled, progress):
        runner = dbtRunner(callbacks=[events])
        success, exception = _interruptible(runner, arguments, timeout, timed_out)
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
    target_path = run_dir / "target"
    target_path.mkdir(parents=True, exist_ok=True)
    dbt_vars = settings.dbt_vars(**runner_vars)
    dbt_env = {
        "PLANWISE_DBT_DB_PATH": str(db_path),  # the profile's file: never the live one by default
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "PLANWISE_RUN_FACTS": json.dumps(facts or {}, default=str),
        **(env or {}),
    }
    with _partial_parse(target_path, _cache_file(settings, db_path, dbt_vars, env)):
        return _invoke(
            _arguments(settings, command, target_path, console_level, dbt_vars),
            target_path,
            env=dbt_env,
            cwd=settings.project_dir,
            progress=progress,
            timeout=timeout,
        )
