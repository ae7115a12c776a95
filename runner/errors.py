"""Exit codes and the runner's own error types (no dbt import here)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What `planwise-run` returns."""

    OK = 0  # success; warnings allowed
    FAILED = 1  # validation failures or model errors (or `status`: not ready)
    ERROR = 2  # usage, configuration or runtime error; dbt could not run
    LOCKED = 3  # the database is locked by another process
    INTERRUPTED = 130  # Ctrl-C / SIGINT


class PlanwiseError(Exception):
    """An error the runner reports as one line (plus a hint), without a traceback."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(PlanwiseError):
    """The configuration file, an environment variable or a flag is invalid."""


class DbtCouldNotRun(PlanwiseError):
    """dbt raised before producing results (parse error, profile error, crash)."""


class SetupTimeout(PlanwiseError):
    """The overall `--timeout` elapsed; dbt was stopped."""
