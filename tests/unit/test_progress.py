"""The live progress display: phases and a clock, counts, what each thread runs,
failures named as they happen, silence when not a terminal."""

from __future__ import annotations

import io
import re
import threading

from runner.progress import PlainProgress, TerminalProgress


def test_phases_counts_threads_and_failures_as_they_happen() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream, enabled=True)
    progress._bar.refresh()
    assert "checks" in stream.getvalue() and "0:00:00" in stream.getvalue()  # clock from 0
    progress.phase("copy")
    progress._bar.refresh()
    assert "copy" in stream.getvalue()
    progress.total(117)
    progress.started("stg_census_data")
    progress.started("int_hazard_merit")
    progress._bar.refresh()
    drawn = stream.getvalue()
    assert "build" in drawn and "stg_census_data | int_hazard_merit" in drawn  # both threads
    for name, status in (("x", "success"), ("y", "fail"), ("z", "warn")):
        progress.finished(name, status)
    progress._bar.refresh()
    drawn = stream.getvalue()
    assert "3/117" in drawn and "1 failed" in drawn and "1 warn" in drawn
    assert "✖ FAIL y" in drawn and "⚠ WARN z" in drawn  # named when they finish
    assert "x" not in drawn.split("✖ FAIL y")[0].splitlines()[-1]  # a pass is not said
    progress.close()
    assert not progress.enabled


def test_fits_80_columns_however_many_threads_run() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream, enabled=True)
    progress._bar.console.width = 80
    progress.total(10)
    for index in range(8):
        progress.started(f"a_rather_long_model_name_{index}")
    progress._bar.refresh()
    lines = [line for line in stream.getvalue().replace("\r", "\n").splitlines() if line.strip()]
    assert lines and all(len(line) <= 80 for line in _visible(lines))
    progress.close()


def _visible(lines: list[str]) -> list[str]:
    import re

    return [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", line) for line in lines]


def test_silent_when_not_a_terminal() -> None:
    stream = io.StringIO()  # isatty() is False
    progress = TerminalProgress(stream)
    progress.phase("copy")
    progress.total(3)
    progress.started("m")
    progress.finished("m", "fail")
    progress.close()
    assert stream.getvalue() == ""


# --------------------------------------------------------------------------- not a terminal


class _Lines(io.StringIO):
    """A pipe's reader: every line written, with when it arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Condition()

    def write(self, text: str) -> int:
        with self.arrived:
            written = super().write(text)
            self.arrived.notify_all()
        return written


def test_plain_lines_at_each_phase_and_for_each_failure_not_each_node() -> None:
    stream = _Lines()
    progress = PlainProgress(stream, interval=3600)  # no heartbeat within this test
    progress.phase("copy")
    progress.phase("copy")  # the same phase again: no new line
    progress.phase("parse")
    progress.total(3)
    for name, status in (("x", "success"), ("y", "fail"), ("z", "warn")):
        progress.started(name)
        progress.finished(name, status)
    progress.phase("publish")
    progress.close()
    lines = stream.getvalue().splitlines()
    phases = [line.split()[1] for line in lines if re.match(r"\d\d:\d\d:\d\d  ", line)]
    assert phases == ["checks", "copy", "parse", "build", "summary", "publish"]
    assert "✖ FAIL y" in lines and "⚠ WARN z" in lines and not any("x" in line for line in lines)
    assert "3/3 nodes" in lines[-1]  # the last line counts every node
    assert all(len(line) <= 80 for line in lines)


def test_plain_progress_speaks_when_nothing_else_does() -> None:
    stream = _Lines()
    progress = PlainProgress(stream, interval=0.2)
    progress.total(10)
    with stream.arrived:  # awaited, not timed: the heartbeat writes a second build line
        stream.arrived.wait_for(lambda: stream.getvalue().count(" build ") >= 2)
    progress.close()
    assert not progress._beat.is_alive()  # closed: nothing writes any more


def test_a_stop_is_said_at_once_and_what_it_cancels_is_not_an_error() -> None:
    stream = _Lines()
    progress = PlainProgress(stream, interval=3600)
    progress.total(5)
    progress.finished("a", "error")  # before the stop: an error
    progress.phase("stopping")
    progress.phase("stopping")  # a second Ctrl-C
    progress.phase("summary")  # a worker that saw the last node end: the stop stays
    progress.finished("b", "error")  # after it: dbt cancelled it
    progress.close()
    lines = stream.getvalue().splitlines()
    assert "✖ ERROR a" in lines and "○ CANCELLED b" in lines and "✖ ERROR b" not in lines
    assert sum(line.startswith("stopping…") for line in lines) == 1
    assert not any("summary" in line for line in lines)
    terminal = TerminalProgress(io.StringIO(), enabled=True)
    terminal.total(2)
    terminal.phase("stopping")
    terminal.phase("stopping")
    terminal.phase("summary")
    assert terminal._stopping()
    terminal.finished("c", "error")
    terminal.close()
    drawn = terminal._bar.console.file.getvalue()  # type: ignore[attr-defined]
    assert "○ CANCELLED c" in drawn and drawn.count("stopping…") == 1


def _frames(stream: io.StringIO) -> list[str]:
    """The display's frames as a person sees them (control codes stripped)."""
    text = stream.getvalue().replace("\r", "\n")
    return [line for line in _visible(text.splitlines()) if line.strip()]


def test_parse_says_what_it_does_and_no_count_before_dbt_gives_one() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream, enabled=True)
    progress.phase("parse")
    progress._bar.refresh()
    last = _frames(stream)[-1]
    assert "parse" in last and "parsing the project" in last
    assert "/?" not in last and "0/" not in last  # no count until dbt says the total
    progress.total(40)
    progress._bar.refresh()
    assert "0/40" in _frames(stream)[-1] and "parsing" not in _frames(stream)[-1]
    progress.close()


def test_an_eta_once_nodes_have_run_and_after_the_last_node_what_happens() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream, enabled=True)
    progress.total(4)
    progress._bar.refresh()
    assert "eta" not in _frames(stream)[-1]  # no pace yet
    for name in ("a", "b", "c"):
        progress.started(name)
        progress.finished(name, "success")
    progress._bar.refresh()
    assert re.search(r"eta \d+:\d\d", _frames(stream)[-1])
    progress.started("d")
    progress.finished("d", "success")
    progress._bar.refresh()
    last = _frames(stream)[-1]
    assert "summary" in last and "writing the history row" in last and "eta" not in last
    progress.close()


def test_plain_lines_carry_an_eta_while_nodes_run() -> None:
    stream = io.StringIO()
    progress = PlainProgress(stream, interval=3600)
    progress.total(10)
    assert "eta" not in stream.getvalue().splitlines()[-1]
    progress.finished("a", "success")
    progress._line()
    assert re.search(r"build +1/10 nodes +\d+s +eta \d+:\d\d$", stream.getvalue().splitlines()[-1])
    progress.close()
