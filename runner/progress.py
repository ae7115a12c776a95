"""Live progress, fed by dbt's structured events from its worker threads.

On a terminal (TerminalProgress, rich): the phase, a running clock from the first
second, finished/total nodes, what runs on each dbt thread, and every failure or
warning printed as it happens, as `dbt build` does; it clears itself. Elsewhere
(PlainProgress: a pipe, a file, a CI log): plain lines, one at each phase change,
one for each failure or warning, and one at least every HEARTBEAT seconds, so a
CI system that stops silent jobs never sees a silent setup.
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Column
from rich.text import Text

SAID = {"error": "✖ ERROR", "fail": "✖ FAIL", "warn": "⚠ WARN"}
CANCELLED = "○ CANCELLED"  # a node that ends in error once the run is stopping
STOPPING = "stopping… (dbt cancels what runs; nothing is published)"
FIXED = 37  # spinner, phase, clock, count and ETA, with their spaces (the bar comes on top)
HEARTBEAT = 5.0  # seconds without a line before PlainProgress prints one
DOING = {  # what a phase without running nodes is doing
    "checks": "checking the census, the database and the project",
    "copy": "copying the live database into a candidate",
    "parse": "parsing the project",
    "summary": "writing the history row and the report's figures",
    "publish": "publishing the candidate",
}


def eta(seconds: float | None) -> str:
    """The time left, as `eta 1:05`; empty while unknown."""
    if seconds is None:
        return ""
    minutes, rest = divmod(int(seconds + 0.5), 60)
    return f"eta {minutes}:{rest:02d}"


class _Count(ProgressColumn):
    """Nodes done/total once dbt has said the total; nothing before (no `0/?`)."""

    def render(self, task: Task) -> Text:
        return Text(f"{int(task.completed)}/{int(task.total)}" if task.total else "")


class _Eta(ProgressColumn):
    """The time left while nodes run, from their pace so far (rich's estimate)."""

    def render(self, task: Task) -> Text:
        building = task.fields.get("phase") == "build" and task.completed > 0
        return Text(eta(task.time_remaining) if building else "", style="progress.remaining")


def _said(status: str, stopping: bool) -> str:
    """How a node's end is said: an error once the run is stopping is a cancellation."""
    return CANCELLED if stopping and status == "error" else SAID[status]


class TerminalProgress:
    def __init__(self, stream: TextIO, enabled: bool | None = None) -> None:
        console = Console(file=stream, force_terminal=enabled, highlight=False, markup=False)
        self.enabled = console.is_terminal if enabled is None else enabled
        self._bar_width = max(8, console.width // 10)  # a wider terminal, a longer bar
        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.fields[phase]:<8}"),
            TimeElapsedColumn(),
            _Count(),
            BarColumn(bar_width=self._bar_width),
            _Eta(),
            TextColumn("{task.description}", table_column=Column(no_wrap=True)),
            console=console,
            transient=True,
        )
        self._task = self._bar.add_task("", total=None, phase="checks")
        self._running: list[str] = []  # one entry per busy dbt thread
        self._lock = threading.RLock()
        self.bad = self.warned = 0
        self._show()
        if self.enabled:
            self._bar.start()

    def phase(self, name: str) -> None:
        """checks, copy, parse, build, summary, publish; stopping (Ctrl-C) said at once,
        and final: a worker's "summary" racing a stop cannot undo it."""
        with self._lock:  # re-entrant: Ctrl-C's handler may run while this thread holds it
            if self._stopping():
                return
            if name == "stopping" and self.enabled:
                self._bar.console.print(STOPPING)
            self._bar.update(self._task, phase=name)
        self._show()

    def total(self, count: int) -> None:
        self._bar.update(self._task, total=count, phase="build")
        self._show()

    def started(self, name: str) -> None:
        with self._lock:
            self._running.append(name)
        self._show()

    def finished(self, name: str, status: str) -> None:
        with self._lock:
            if name in self._running:
                self._running.remove(name)
            self.bad += status in ("error", "fail")
            self.warned += status == "warn"
        if status in SAID and self.enabled:
            self._bar.console.print(f"{_said(status, self._stopping())} {name}")
        self._bar.update(self._task, advance=1)
        task = self._bar.tasks[0]
        if task.total and task.completed >= task.total and not self._stopping():  # the hooks
            self.phase("summary")
        self._show()

    def _phase(self) -> str:
        return str(self._bar.tasks[0].fields.get("phase"))

    def _stopping(self) -> bool:
        return self._phase() == "stopping"

    def _show(self) -> None:
        flags = "".join(f"{n} {w}  " for n, w in ((self.bad, "failed"), (self.warned, "warn")) if n)
        room = max(10, self._bar.console.width - FIXED - self._bar_width)  # the others' room
        text = flags + (" | ".join(self._running) or DOING.get(self._phase(), ""))
        text = text if len(text) <= room else text[: room - 1] + "…"
        self._bar.update(self._task, description=text)

    def close(self) -> None:
        if self.enabled:
            self._bar.stop()
            self.enabled = False


class PlainProgress:
    """Progress as plain lines (see the module's text), e.g.
    `12:00:05  build     45/161 nodes   8s     eta 0:21`."""

    def __init__(self, stream: TextIO, interval: float = HEARTBEAT) -> None:
        self._stream, self._interval = stream, interval
        self._started = self._said = time.monotonic()
        self._phase, self._done, self._count = "checks", 0, 0
        self._build_started = self._started
        self._lock, self._stop = threading.RLock(), threading.Event()  # a signal may say
        self._beat = threading.Thread(target=self._heartbeat, name="progress", daemon=True)
        self._line()
        self._beat.start()

    def phase(self, name: str) -> None:
        """A line at each new phase; stopping is said once, and final."""
        with self._lock:  # re-entrant: Ctrl-C's handler may run while this thread holds it
            if name == self._phase or self._phase == "stopping":
                return
            self._phase = name
        self._line()
        if name == "stopping":
            self._write(STOPPING)

    def total(self, count: int) -> None:
        self._count, self._build_started = count, time.monotonic()
        self.phase("build")

    def started(self, name: str) -> None:
        """A node started: said by the next line, not one line per node."""

    def _eta(self) -> str:
        """The time left at the pace of the nodes so far, while nodes run."""
        if self._phase != "build" or not self._done:
            return ""
        pace = (time.monotonic() - self._build_started) / self._done
        return eta(pace * max(0, self._count - self._done))

    def finished(self, name: str, status: str) -> None:
        with self._lock:
            self._done += 1
        if status in SAID:
            self._write(f"{_said(status, self._phase == 'stopping')} {name}")
        if (
            self._phase != "stopping" and self._done >= self._count > 0
        ):  # the on-run-end hooks' turn
            self.phase("summary")

    def _heartbeat(self) -> None:
        while not self._stop.wait(self._interval / 5):
            if time.monotonic() - self._said >= self._interval:
                self._line()

    def _line(self) -> None:
        count = f"{self._done}/{self._count} nodes" if self._count else ""
        elapsed = f"{time.monotonic() - self._started:.0f}s"
        line = (
            f"{time.strftime('%H:%M:%S')}  {self._phase:<9} {count:<16} {elapsed:<6} {self._eta()}"
        )
        self._write(line)

    def _write(self, text: str) -> None:
        with self._lock:
            self._said = time.monotonic()
            try:
                self._stream.write(text.rstrip() + "\n")
                self._stream.flush()
            except (OSError, ValueError):  # a reader that went away: the run goes on
                self._stop.set()

    def close(self) -> None:
        self._stop.set()
        if self._beat.is_alive():
            self._beat.join()


def live_progress(stream: TextIO, shown: bool) -> TerminalProgress | PlainProgress | None:
    """The progress a command shows on `stream`: a live bar on a terminal, plain
    lines elsewhere, none when not `shown` (--quiet, or dbt's own log lines)."""
    if not shown:
        return None
    return TerminalProgress(stream, enabled=True) if stream.isatty() else PlainProgress(stream)
