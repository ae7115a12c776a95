"""Settings: dbt vars, and the runner's own knobs.

dbt vars keep their names everywhere. Their defaults are dbt_project.yml's
`vars:`; `vars:` in the configuration file (default config/planwise.yml, or
--config, or env PLANWISE_CONFIG), env `PLANWISE_<VAR NAME>` (YAML values) and
--census / --vars override them, in that order. dbt itself checks them: the
project's on-run-start macro planwise_validate_vars rejects unknown or wrongly
typed vars, for a plain `dbt build` as for the runner.

The file's `runner:` section holds what only the runner uses (RUNNER_KNOBS),
each also settable by its env var and some by a flag. Relative paths in the
file resolve against the project root; in env vars and flags, against the
current directory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from runner.errors import ConfigError

DEFAULT_CONFIG = Path("config") / "planwise.yml"
# knob: (env var, type, default)
RUNNER_KNOBS: dict[str, tuple[str, type, Any]] = {
    "db_path": ("PLANWISE_DB_PATH", Path, "simulation.duckdb"),
    "target": ("PLANWISE_TARGET", str, "dev"),
    "threads": ("PLANWISE_THREADS", int, 4),
    "report_dir": ("PLANWISE_REPORT_DIR", Path, "reports"),
    "lock_timeout_seconds": ("PLANWISE_LOCK_TIMEOUT", float, 60.0),
    "timeout_seconds": ("PLANWISE_TIMEOUT", float, None),
    "keep_previous": ("PLANWISE_KEEP_PREVIOUS", bool, True),
    "db_file_mode": ("PLANWISE_DB_FILE_MODE", str, "0600"),
}


@dataclass
class Settings:
    """Everything a command needs, resolved. Paths are absolute."""

    project_dir: Path
    config_file: Path | None
    knobs: dict[str, Any]
    declared: dict[str, Any]  # dbt_project.yml's vars (names and defaults)
    vars: dict[str, Any] = field(default_factory=dict)  # the overrides passed to dbt

    @property
    def db_path(self) -> Path:
        return Path(self.knobs["db_path"])

    @property
    def report_dir(self) -> Path:
        return Path(self.knobs["report_dir"])

    @property
    def census_path(self) -> Path:
        return (self.project_dir / str(self.var("census_path"))).resolve()

    def var(self, name: str) -> Any:
        return self.vars.get(name, self.declared.get(name))

    def dbt_vars(self, **runner_vars: Any) -> str:
        """dbt's --vars: the overrides, the census path made absolute, runner vars."""
        values = {**self.vars, "census_path": str(self.census_path), **runner_vars}
        return json.dumps(values, sort_keys=True, default=str)


def find_project_dir(explicit: Path | None) -> Path:
    """--project-dir (or env PLANWISE_PROJECT_DIR, through Click), else the current
    directory when it holds dbt_project.yml, as dbt finds it, else this checkout."""
    candidates = [explicit] if explicit else [Path.cwd(), Path(__file__).resolve().parents[1]]
    for candidate in candidates:
        if (candidate / "dbt_project.yml").is_file():
            return candidate.resolve()
    raise ConfigError(
        f"{candidates[0]}: no dbt_project.yml here",
        "pass --project-dir or set PLANWISE_PROJECT_DIR to the PlanWise project root",
    )


def _yaml_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}:{line} is not valid YAML", "fix the syntax") from exc
    except ValueError as exc:  # e.g. an impossible date such as 2024-13-01
        raise ConfigError(f"{path}: invalid value: {exc}", "fix the value") from exc
    if not isinstance(data, dict | None):
        raise ConfigError(f"{path}: expected a mapping, got {type(data).__name__}")
    return data or {}


def _section(data: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    body = data.get(name) or {}
    if not isinstance(body, dict):
        raise ConfigError(f"{where}: `{name}` must be a mapping, got {type(body).__name__}")
    return body


def _knob(name: str, value: Any, where: str, base: Path) -> Any:
    """One runner knob, typed (env and flag text is read as YAML)."""
    kind = RUNNER_KNOBS[name][1]
    if isinstance(value, str) and kind in (int, float, bool):
        value = yaml.safe_load(value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    nullable = RUNNER_KNOBS[name][2] is None
    if not (isinstance(value, kind) and not (kind is int and isinstance(value, bool))):
        if not (value is None and nullable) and not (kind is Path and isinstance(value, str)):
            raise ConfigError(
                f"{where}: expected {kind.__name__.lower()}, got {value!r}", "fix the value"
            )
    if kind is Path and value is not None:
        return (base / str(value)).resolve()
    if name == "threads" and value < 1:
        raise ConfigError(f"{where}: threads must be 1 or more, got {value}", "fix the value")
    if name == "db_file_mode" and not _valid_mode(str(value)):
        raise ConfigError(
            f"{where}: expected an octal mode the owner can read and write (e.g. 0600), "
            f"got {value!r}",
            "fix the value",
        )
    return value


def _valid_mode(text: str) -> bool:
    try:
        mode = int(text, 8)
    except ValueError:
        return False
    return 0 <= mode <= 0o777 and mode & 0o600 == 0o600


def load_settings(
    project_dir: Path,
    config_file: Path | None = None,
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings: defaults < file < env < flags."""
    env = os.environ if environ is None else environ
    flags = flags or {}
    project_dir = project_dir.resolve()
    declared = _section(_yaml_file(project_dir / "dbt_project.yml"), "vars", "dbt_project.yml")
    explicit = config_file or (Path(env["PLANWISE_CONFIG"]) if env.get("PLANWISE_CONFIG") else None)
    path = explicit.resolve() if explicit else project_dir / DEFAULT_CONFIG
    if explicit and not path.is_file():
        raise ConfigError(f"{path}: configuration file not found", "check --config")
    data = _yaml_file(path) if path.is_file() else {}
    for section in data:
        if section not in ("vars", "runner"):
            raise ConfigError(
                f"{path}: unknown section `{section}`",
                "the file has two sections: `vars:` (dbt vars, named as in dbt_project.yml) "
                "and `runner:` (" + ", ".join(RUNNER_KNOBS) + ")",
            )
    knobs = {name: default for name, (_, _, default) in RUNNER_KNOBS.items()}
    knobs["db_path"] = project_dir / knobs["db_path"]
    knobs["report_dir"] = project_dir / knobs["report_dir"]
    for name, value in _section(data, "runner", str(path)).items():
        if name not in RUNNER_KNOBS:
            raise ConfigError(
                f"{path}: unknown key `runner.{name}`", "known: " + ", ".join(RUNNER_KNOBS)
            )
        knobs[name] = _knob(name, value, f"{path}: `runner.{name}`", project_dir)
    overrides = dict(_section(data, "vars", str(path)))
    for env_name, text in sorted(env.items()):
        name = env_name.removeprefix("PLANWISE_").removeprefix("THRESHOLD_").lower()
        if env_name.startswith("PLANWISE_") and name in declared and text != "":
            value = yaml.safe_load(text) if name != "census_path" else str(Path(text).resolve())
            overrides[name] = value
    for name, (env_name, _, _) in RUNNER_KNOBS.items():
        if env.get(env_name, "") != "":
            knobs[name] = _knob(name, env[env_name], f"env {env_name}", Path.cwd())
    for name, value in flags.items():
        if name in RUNNER_KNOBS and value is not None:
            knobs[name] = _knob(name, value, f"--{name}", Path.cwd())
    if flags.get("census") is not None:
        overrides["census_path"] = str(Path(flags["census"]).resolve())
    if flags.get("vars"):
        overrides.update(_vars_flag(str(flags["vars"])))
    return Settings(project_dir, path if path.is_file() else None, knobs, declared, overrides)


def _vars_flag(text: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError("--vars: not valid YAML/JSON", "e.g. --vars '{scenario_id: x}'") from exc
    if not isinstance(data, dict | None):
        raise ConfigError("--vars: expected a mapping", "e.g. --vars '{scenario_id: x}'")
    return {str(key): value for key, value in (data or {}).items()}
