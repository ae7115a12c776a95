"""`planwise-run setup` piped to a file, as a CI log reads it: a line at each
phase, and never a silence a CI system would take for a hung job."""

from __future__ import annotations

import itertools
import re
import subprocess
import time
from pathlib import Path

from runner.census import CensusSpec, generate_census
from runner.progress import HEARTBEAT
from tests.conftest import as_from_a_shell, copy_project
from tests.faults.conftest import PLANWISE_RUN, clean_environ

LONGEST_SILENCE = 10.0  # what CI systems that stop silent jobs allow, at the least
PROGRESS_LINE = re.compile(r"^\d\d:\d\d:\d\d  (\S+)")


def test_a_piped_setup_is_never_silent_for_long(tmp_path: Path) -> None:
    census = tmp_path / "census.parquet"
    generate_census(CensusSpec(400_000, seed=7), census)  # a setup of tens of seconds
    project = copy_project(tmp_path / "project")
    command = [str(PLANWISE_RUN), "--project-dir", str(project.root), "setup"]
    command += ["--census", str(census), "--report-dir", str(tmp_path / "reports")]
    arrivals: list[tuple[float, str]] = []
    started = time.monotonic()
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_environ(),
        preexec_fn=as_from_a_shell,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:  # each line as it arrives
            arrivals.append((time.monotonic(), line.rstrip("\n")))
    ended = time.monotonic()
    assert process.returncode == 0, "\n".join(line for _, line in arrivals)
    times = [started, *(when for when, _ in arrivals), ended]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    lines = [line for _, line in arrivals]
    assert max(gaps) <= LONGEST_SILENCE, (max(gaps), lines)
    phases = [m.group(1) for m in map(PROGRESS_LINE.match, lines) if m]
    assert list(dict.fromkeys(phases)) == ["checks", "copy", "parse", "build", "summary", "publish"]
    # the run was long enough to need the heartbeat: some phase was said again
    assert ended - started > 3 * HEARTBEAT and len(phases) > len(set(phases)), lines
    assert any("PlanWise setup: succeeded" in line for line in lines)
    assert all(len(line) <= 80 for line in lines if PROGRESS_LINE.match(line))
