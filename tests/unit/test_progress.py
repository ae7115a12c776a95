"""The live progress line: counts, width, silence when not a terminal."""

from __future__ import annotations

import io

from runner.progress import TerminalProgress


def test_line_counts_and_fits() -> None:
    progress = TerminalProgress(io.StringIO(), enabled=False)
    progress.total(117)
    progress.started("a_model_with_a_very_long_name_" * 4)
    progress.finished("x", "success")
    progress.finished("y", "fail")
    progress.finished("z", "warn")
    for width in (40, 80, 200):
        line = progress.line(width)
        assert len(line) < width
        assert "[  3/117]" in line
    assert "1 failed" in progress.line(80) and "1 warn" in progress.line(80)


def test_silent_when_not_a_terminal() -> None:
    stream = io.StringIO()  # isatty() is False
    progress = TerminalProgress(stream)
    progress.total(3)
    progress.started("m")
    progress.finished("m", "success")
    progress.close()
    assert stream.getvalue() == ""


def test_draws_and_clears_when_enabled() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream, enabled=True)
    progress.total(2)
    progress.started("stg_census_data")
    assert "[0/2]" in stream.getvalue() and "\r" in stream.getvalue()
    progress.close()
    assert stream.getvalue().endswith("\r")
