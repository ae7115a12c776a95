"""Live progress on a terminal (rich): finished/total nodes, failures, the current node.

Fed by dbt's structured events from its worker threads (rich's Progress is
thread-safe); shows nothing when the stream is not a terminal, and clears itself.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class TerminalProgress:
    def __init__(self, stream: TextIO, enabled: bool | None = None) -> None:
        console = Console(file=stream, force_terminal=enabled, highlight=False)
        self.enabled = console.is_terminal if enabled is None else enabled
        columns = (MofNCompleteColumn(), BarColumn(bar_width=24), TimeElapsedColumn())
        self._bar = Progress(
            *columns, TextColumn("{task.description}"), console=console, transient=True
        )
        self._task = self._bar.add_task("copying the database, parsing the dbt project", total=None)
        self.bad = self.warned = 0
        if self.enabled:
            self._bar.start()

    def total(self, count: int) -> None:
        self._bar.update(self._task, total=count)

    def started(self, name: str) -> None:
        self._bar.update(self._task, description=self._flags() + name)

    def finished(self, name: str, status: str) -> None:
        self.bad += status in ("error", "fail")
        self.warned += status == "warn"
        self._bar.update(self._task, advance=1, description=self._flags() + name)

    def _flags(self) -> str:
        return "".join(
            f"{n} {word}  " for n, word in ((self.bad, "failed"), (self.warned, "warn")) if n
        )

    def close(self) -> None:
        if self.enabled:
            self._bar.stop()
            self.enabled = False
