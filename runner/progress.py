"""Live progress on a terminal (rich): the phase, a running clock from the first
second, finished/total nodes, what runs on each dbt thread, and every failure or
warning printed as it happens, as `dbt build` does.

Fed by dbt's structured events from its worker threads (rich's Progress is
thread-safe); shows nothing when the stream is not a terminal, and clears itself.
"""

from __future__ import annotations

import threading
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column

SAID = {"error": "✖ ERROR", "fail": "✖ FAIL", "warn": "⚠ WARN"}
FIXED = 44  # phase, clock, count and bar, with their spaces


class TerminalProgress:
    def __init__(self, stream: TextIO, enabled: bool | None = None) -> None:
        console = Console(file=stream, force_terminal=enabled, highlight=False, markup=False)
        self.enabled = console.is_terminal if enabled is None else enabled
        self._bar = Progress(
            TextColumn("{task.fields[phase]:<8}"),
            TimeElapsedColumn(),
            MofNCompleteColumn(),
            BarColumn(bar_width=16),
            TextColumn("{task.description}", table_column=Column(no_wrap=True)),
            console=console,
            transient=True,
        )
        self._task = self._bar.add_task("", total=None, phase="checks")
        self._running: list[str] = []  # one entry per busy dbt thread
        self._lock = threading.Lock()
        self.bad = self.warned = 0
        if self.enabled:
            self._bar.start()

    def phase(self, name: str) -> None:
        """checks, copy, parse, build, publish ..."""
        self._bar.update(self._task, phase=name)

    def total(self, count: int) -> None:
        self._bar.update(self._task, total=count, phase="build")

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
            self._bar.console.print(f"{SAID[status]} {name}")
        self._bar.update(self._task, advance=1)
        self._show()

    def _show(self) -> None:
        flags = "".join(f"{n} {w}  " for n, w in ((self.bad, "failed"), (self.warned, "warn")) if n)
        room = max(10, self._bar.console.width - FIXED)  # the other columns keep their width
        text = flags + " | ".join(self._running)
        text = text if len(text) <= room else text[: room - 1] + "…"
        self._bar.update(self._task, description=text)

    def close(self) -> None:
        if self.enabled:
            self._bar.stop()
            self.enabled = False
