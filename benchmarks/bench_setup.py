"""Side-by-side timing of the PlanWise setup against dbt's own cost.

Runs, interleaved in one process so machine noise hits every variant alike:

  dbt-build     `dbt build --selector setup` (the floor: dbt's own overhead)
  runner-setup  `planwise-run setup` (pre-flight, lock, candidate, one dbt
                build, publish, report)
  runner-quick  `planwise-run setup --quick` right after a setup (nothing changed)

each on a private copy of the project, for every census size asked for, and
prints medians, the runner/dbt ratio, and census rows per second. Also times
the census generator at 10 million rows.

    python benchmarks/bench_setup.py --repeat 5 --sizes 5000 100000 1000000
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    completed = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} failed ({completed.returncode}):\n"
            f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 100_000])
    parser.add_argument("--generator-rows", type=int, default=10_000_000)
    args = parser.parse_args()

    sys.path.insert(0, str(REPO_ROOT))
    from runner.census import CensusSpec, generate_census
    from tests.conftest import copy_project

    work = Path(tempfile.mkdtemp(prefix="planwise-bench-"))
    try:
        start = time.perf_counter()
        rows = generate_census(CensusSpec(args.generator_rows, seed=1), work / "generated.parquet")
        generator_seconds = time.perf_counter() - start
        (work / "generated.parquet").unlink()
        print(
            f"census generator: {rows:,} rows in {generator_seconds:.1f} s "
            f"({rows / generator_seconds:,.0f} rows/s)"
        )

        print(
            f"\n{'census rows':>12} {'variant':<14} {'median s':>9} {'min s':>7} "
            f"{'vs dbt':>7} {'rows/s':>10}"
        )
        for size in args.sizes:
            census = work / f"census_{size}.parquet"
            generate_census(CensusSpec(size, seed=1), census)
            base_env = {
                **os.environ,
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
                "PLANWISE_CENSUS_PATH": str(census),
            }
            variants = {
                "dbt-build": [
                    str(BIN / "dbt"),
                    "build",
                    "--selector",
                    "setup",
                    "--quiet",
                    "--vars",
                    f"{{census_path: '{census}'}}",
                ],
                "runner-setup": [
                    str(BIN / "planwise-run"),
                    "setup",
                    "--quiet",
                    "--census",
                    str(census),
                ],
                "runner-quick": [
                    str(BIN / "planwise-run"),
                    "setup",
                    "--quiet",
                    "--quick",
                    "--census",
                    str(census),
                ],
            }
            projects = {
                name: copy_project(work / f"{size}-{name}", extra=("config",)).root
                for name in variants
            }
            samples: dict[str, list[float]] = {name: [] for name in variants}
            for name, project in projects.items():  # warm-up: parse, first build
                env = {
                    **base_env,
                    "PLANWISE_DB_PATH": str(project / "simulation.duckdb"),
                    "PLANWISE_PROJECT_DIR": str(project),
                }
                timed(variants[name], project, env)
            for _ in range(args.repeat):
                for name, command in variants.items():
                    project = projects[name]
                    env = {
                        **base_env,
                        "PLANWISE_DB_PATH": str(project / "simulation.duckdb"),
                        "PLANWISE_PROJECT_DIR": str(project),
                    }
                    samples[name].append(timed(command, project, env))
            floor = statistics.median(samples["dbt-build"])
            for name, values in samples.items():
                median = statistics.median(values)
                print(
                    f"{size:>12,} {name:<14} {median:>9.2f} {min(values):>7.2f} "
                    f"{median / floor:>6.2f}x {size / median:>10,.0f}"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
