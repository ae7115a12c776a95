"""Exit codes and the runner's own error type (no dbt import here)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What `planwise-run` returns."""

    OK = 0  # success; warnings allowed
    FAILED = 1  # validation failures (or `status`: not ready)
    ERROR = 2  # usage, configuration, input or runtime error: dbt could not run or build
    LOCKED = 3  # the database is locked by another process
    INTERRUPTED = 130  # Ctrl-C / SIGINT / SIGTERM


class PlanwiseError(Exception):
    """An error reported as one line plus what to do, without a traceback."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def dbt_message(text: object, head: str = " Error in ") -> list[str]:
    """A dbt error message as its lines, without the "> in macro" trail, and without
    the first line when it is a heading containing `head` (e.g. "Compilation Error
    in model x (path)", which a report names already)."""
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    if len(lines) > 1 and head in lines[0]:
        lines = lines[1:]
    return [line for line in lines if not line.startswith("> ")]


class ConfigError(PlanwiseError):
    """The configuration file, an environment variable or a flag is invalid."""
