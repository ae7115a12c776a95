"""A signal received before the atomic rename always means no publish and exit 130,
even when dbt absorbs the interrupt and carries on to report success."""

from __future__ import annotations

import os
import signal

import pytest

from tests.faults.conftest import Case

NEAR_THE_END = 20  # nodes finished, of the runner project's 27


def test_a_sigterm_near_the_end_of_the_build_publishes_nothing(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runner import progress

    real_finished = progress.PlainProgress.finished  # the progress of a run not on a terminal
    finished: list[str] = []

    def finished_then_signal(self: progress.PlainProgress, name: str, status: str) -> None:
        real_finished(self, name, status)
        finished.append(name)
        if len(finished) == NEAR_THE_END:  # most of the build is done; dbt's workers are busy
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(progress.PlainProgress, "finished", finished_then_signal)
    result = case.run()
    assert len(finished) >= NEAR_THE_END, "the build ended before the signal was sent"
    assert result.exit_code == 130, result.output
    assert "interrupted" in result.output and "Traceback" not in result.output
    report = case.report()
    assert (report["status"], report["published"]) == ("interrupted", False)
    case.assert_unchanged()
    case.assert_no_debris()
