"""The live progress display: counts and failures, silence when not a terminal."""

from __future__ import annotations

import io

from runner.progress import TerminalProgress


def test_counts_failures_and_clears_itself() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream, enabled=True)
    progress.total(117)
    progress.started("stg_census_data")
    for name, status in (("x", "success"), ("y", "fail"), ("z", "warn")):
        progress.finished(name, status)
    progress._bar.refresh()
    drawn = stream.getvalue()
    assert "3/117" in drawn and "1 failed" in drawn and "1 warn" in drawn
    progress.close()
    assert not progress.enabled


def test_silent_when_not_a_terminal() -> None:
    stream = io.StringIO()  # isatty() is False
    progress = TerminalProgress(stream)
    progress.total(3)
    progress.started("m")
    progress.finished("m", "success")
    progress.close()
    assert stream.getvalue() == ""
