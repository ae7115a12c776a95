"""Live progress on a terminal: finished/total nodes, a bar, the current node.

Fed by dbt's structured events from worker threads (see runner.invoke), so every
method takes a lock. Writes one line rewritten with a carriage return, at most
ten times a second; does nothing when the stream is not a terminal.
"""

from __future__ import annotations

import shutil
import threading
import time
from typing import TextIO

_BAD = {"error", "fail"}


class TerminalProgress:
    """A single-line progress display; `close()` clears the line."""

    def __init__(self, stream: TextIO, label: str = "dbt", enabled: bool | None = None) -> None:
        self._stream = stream
        self._label = label
        self._enabled = stream.isatty() if enabled is None else enabled
        self._lock = threading.Lock()
        self._total = 0
        self._done = 0
        self._bad = 0
        self._warned = 0
        self._current = ""
        self._started = time.perf_counter()
        self._last_draw = 0.0
        self._drawn = False

    @property
    def enabled(self) -> bool:
        return self._enabled

    def total(self, count: int) -> None:
        with self._lock:
            self._total = max(self._total, count)
            self._draw(force=True)

    def started(self, name: str) -> None:
        with self._lock:
            self._current = name
            self._draw()

    def finished(self, name: str, status: str) -> None:
        with self._lock:
            self._done += 1
            if status in _BAD:
                self._bad += 1
            elif status == "warn":
                self._warned += 1
            self._draw()

    def line(self, width: int) -> str:
        """The progress line for the current state (also used by tests)."""
        total = max(self._total, self._done, 1)
        counter = f"[{self._done:>{len(str(total))}}/{total}]"
        elapsed = f"{time.perf_counter() - self._started:5.1f}s"
        flags = ""
        if self._bad:
            flags += f" {self._bad} failed"
        if self._warned:
            flags += f" {self._warned} warn"
        bar_width = max(10, min(30, width // 4))
        filled = round(bar_width * self._done / total)
        bar = "#" * filled + "-" * (bar_width - filled)
        head = f"{self._label} {counter} {bar} {elapsed}{flags} "
        room = width - len(head) - 1
        current = self._current if room > 3 else ""
        if len(current) > room:
            current = current[: max(0, room - 1)] + "~"
        return (head + current)[: width - 1]

    def _draw(self, force: bool = False) -> None:
        if not self._enabled:
            return
        now = time.perf_counter()
        if not force and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        width = shutil.get_terminal_size((80, 24)).columns
        self._stream.write("\r" + self.line(width).ljust(width - 1))
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        with self._lock:
            if self._enabled and self._drawn:
                width = shutil.get_terminal_size((80, 24)).columns
                self._stream.write("\r" + " " * (width - 1) + "\r")
                self._stream.flush()
            self._enabled = False
