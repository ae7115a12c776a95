"""Settings: dbt vars, and the runner's own knobs.

dbt vars keep their dbt names; dbt checks them (on-run-start macro
planwise_validate_vars), for a plain `dbt build` too. Precedence, lowest first:
dbt_project.yml `vars:`, the configuration file's `vars:` (config/planwise.yml,
--config or env PLANWISE_CONFIG), env PLANWISE_<VAR> or PLANWISE_THRESHOLD_<VAR>,
--census, --vars. The file's `runner:` section holds the runner's knobs (KNOBS),
each with an env var, some with a flag. Relative paths in the file resolve
against the project; in env vars and flags, against the current directory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from runner.errors import ConfigError


def _mode(text: Any) -> bool:
    """An octal file mode the owner can read and write, e.g. 0600."""
    try:
        mode = int(text, 8)
    except (TypeError, ValueError):
        return False
    return 0 <= mode <= 0o777 and mode & 0o600 == 0o600


# knob: (env var, type, default, rule); a rule is true for a value that may be used
KNOBS: dict[str, tuple[str, type, Any, Callable[[Any], bool]]] = {
    "db_path": ("PLANWISE_DB_PATH", Path, "simulation.duckdb", bool),
    "target": ("PLANWISE_TARGET", str, "dev", bool),
    "threads": ("PLANWISE_THREADS", int, 2, lambda v: v >= 1),
    "report_dir": ("PLANWISE_REPORT_DIR", Path, "reports", bool),
    "lock_timeout_seconds": ("PLANWISE_LOCK_TIMEOUT", float, 60.0, lambda v: v >= 0),
    "timeout_seconds": ("PLANWISE_TIMEOUT", float, None, lambda v: v is None or v > 0),
    "keep_previous": ("PLANWISE_KEEP_PREVIOUS", bool, True, lambda v: True),
    "report_page": ("PLANWISE_REPORT_PAGE", bool, True, lambda v: True),
    "failed_kept": ("PLANWISE_FAILED_KEPT", int, 1, lambda v: v >= 0),
    "runs_kept": ("PLANWISE_RUNS_KEPT", int, 5, lambda v: v >= 1),
    "db_file_mode": ("PLANWISE_DB_FILE_MODE", str, "0600", _mode),
}


# Vars that are file paths: data, passed to dbt literally (jinja_literal).
# census_parquet_path is PlanWise's own name for census_path: accepted in every
# place a var is set and passed to dbt as census_path (_census_synonym).
DATA_VARS = ("census_path", "census_parquet_path")
CENSUS_SYNONYM = "census_parquet_path"
JINJA_MARKS = ("{{", "{%", "{#")


@dataclass
class Settings:
    """Everything a command needs, resolved; paths absolute."""

    project_dir: Path
    config_file: Path | None
    knobs: dict[str, Any]
    declared: dict[str, Any]  # dbt_project.yml's vars
    vars: dict[str, Any]  # the overrides dbt gets

    @property
    def db_path(self) -> Path:
        return Path(self.knobs["db_path"])

    @property
    def report_dir(self) -> Path:
        return Path(self.knobs["report_dir"])

    @property
    def engine(self) -> str:
        """The target's adapter type (duckdb, postgres, spark), read without dbt."""
        text = (self.project_dir / "profiles.yml").read_text(encoding="utf-8")
        outputs = (yaml.safe_load(text) or {}).get("planwise", {}).get("outputs", {})
        return str((outputs.get(self.knobs["target"]) or {}).get("type", "duckdb"))

    @property
    def census_given(self) -> bool:
        """Whether a census was named (--census, --vars, env, the configuration file)
        rather than left to dbt_project.yml's default, the bundled sample."""
        return "census_path" in self.vars

    @property
    def census_path(self) -> Path:
        return _absolute(self.project_dir / str(self.var("census_path")))

    def var(self, name: str) -> Any:
        return self.vars.get(name, self.declared.get(name))

    def dbt_vars(self, **runner_vars: Any) -> str:
        """dbt's --vars: the overrides, the census path made absolute (and kept literal:
        dbt renders a var's text as a template), runner vars."""
        census = jinja_literal(str(self.census_path))
        values = {**self.vars, "census_path": census, **runner_vars}
        return json.dumps(values, sort_keys=True, default=str)


def jinja_literal(text: str) -> str:
    """`text` as dbt's var() will read it back: dbt renders a var's value as a Jinja
    template, so text that holds template marks goes inside one raw block."""
    if not any(mark in text for mark in JINJA_MARKS):
        return text
    if "endraw" in text:
        raise ConfigError(f"{text}: a path holding 'endraw' cannot be passed to dbt", "rename it")
    return "{% raw %}" + text + "{% endraw %}"


def _absolute(path: Path) -> Path:
    """An absolute path that still names a symlink the user gave, not its target."""
    return Path(os.path.normpath(os.path.abspath(path)))


def find_project_dir(explicit: Path | None) -> Path:
    """--project-dir (or PLANWISE_PROJECT_DIR), else the current directory when it
    holds dbt_project.yml, as dbt finds it, else this checkout."""
    candidates = [explicit] if explicit else [Path.cwd(), Path(__file__).resolve().parents[1]]
    for candidate in candidates:
        if (candidate / "dbt_project.yml").is_file():
            return candidate.resolve()
    raise ConfigError(
        f"{candidates[0]}: no dbt_project.yml here",
        "pass --project-dir or set PLANWISE_PROJECT_DIR to the PlanWise project root",
    )


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict | None):
        raise ConfigError(f"{where} must be a mapping, got {type(value).__name__}", "fix the YAML")
    return value or {}


def _yaml(text: str, where: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{where}:{line} is not valid YAML", "fix the syntax") from exc
    except ValueError as exc:  # an impossible date such as 2024-13-01
        raise ConfigError(f"{where}: invalid value: {exc}", "fix the value") from exc


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it: {exc.strerror}") from exc
    return _mapping(_yaml(text, str(path)), f"{path}: expected a mapping;")


def _knob(name: str, value: Any, where: str, base: Path) -> Any:
    """One runner knob, typed and checked (env and flag text is read as YAML)."""
    _, kind, default, rule = KNOBS[name]
    if isinstance(value, str) and kind in (int, float, bool):
        value = _yaml(value, where)
    value = float(value) if kind is float and type(value) is int else value
    fits = type(value) is kind or (kind is Path and isinstance(value, str | Path))
    if not ((fits or (value is None and default is None)) and rule(value)):
        expected = "an octal mode with owner read and write (e.g. 0600)" if rule is _mode else None
        message = f"{where}: expected {expected or kind.__name__}, got {value!r}"
        raise ConfigError(message, "fix the value")
    return (base / str(value)).resolve() if kind is Path else value


def _knobs(
    project_dir: Path,
    section: dict[str, Any],
    where: str,
    env: Mapping[str, str],
    flags: Mapping[str, Any],
) -> dict[str, Any]:
    knobs = {name: default for name, (_, _, default, _) in KNOBS.items()}
    knobs["db_path"], knobs["report_dir"] = project_dir / knobs["db_path"], project_dir / "reports"
    for name, value in section.items():
        if name not in KNOBS:
            raise ConfigError(f"{where}: unknown key `runner.{name}`", "known: " + ", ".join(KNOBS))
        knobs[name] = _knob(name, value, f"{where}: `runner.{name}`", project_dir)
    for name, (env_name, *_) in KNOBS.items():
        if env.get(env_name, "") != "":
            knobs[name] = _knob(name, env[env_name], f"env {env_name}", Path.cwd())
        if flags.get(name) is not None:
            knobs[name] = _knob(name, flags[name], f"--{name}", Path.cwd())
    return knobs


def _census_synonym(layer: dict[str, Any], where: str, base: Path) -> dict[str, Any]:
    """One place's vars with census_parquet_path (PlanWise's name) given as census_path;
    both names given there for different files are refused."""
    if CENSUS_SYNONYM not in layer:
        return layer
    layer, synonym = dict(layer), layer[CENSUS_SYNONYM]
    del layer[CENSUS_SYNONYM]
    if synonym is None:  # null: not given
        return layer
    if "census_path" in layer and _absolute(base / str(layer["census_path"])) != _absolute(
        base / str(synonym)
    ):
        raise ConfigError(
            f"{where}: census_path ({layer['census_path']}) and {CENSUS_SYNONYM} ({synonym}) "
            "name different census files",
            f"{CENSUS_SYNONYM} is PlanWise's name for census_path: give one of them",
        )
    return {**layer, "census_path": synonym}


def _vars(
    declared: dict[str, Any],
    section: dict[str, Any],
    env: Mapping[str, str],
    flags: Mapping[str, Any],
    base: Path,
) -> dict[str, Any]:
    """The overrides, layer by layer (file < env < flags); `base` resolves relative
    census paths of the file and --vars, to compare the two names of the census."""
    overrides = _census_synonym(dict(section), "the configuration file's `vars`", base)
    from_env: dict[str, Any] = {}
    for env_name, text in sorted(env.items()):
        name = env_name.removeprefix("PLANWISE_").removeprefix("THRESHOLD_").lower()
        known = name in declared or name == CENSUS_SYNONYM
        if not (env_name.startswith("PLANWISE_") and known and text != ""):
            continue
        if name in DATA_VARS:
            from_env[name] = str(_absolute(Path(text)))
        else:  # text stays text where the var's default is text
            textual = isinstance(declared[name], str)
            from_env[name] = text if textual else _yaml(text, f"env {env_name}")
    overrides.update(_census_synonym(from_env, "env PLANWISE_*", base))
    from_flags: dict[str, Any] = {}
    if flags.get("census") is not None:
        from_flags["census_path"] = str(_absolute(Path(flags["census"])))
    if flags.get("vars"):
        given = _yaml(str(flags["vars"]), "--vars")
        if not isinstance(given, dict):
            raise ConfigError("--vars: expected a mapping", "e.g. --vars '{scenario_id: x}'")
        from_flags.update({str(key): value for key, value in given.items()})
    overrides.update(_census_synonym(from_flags, "--census / --vars", base))
    for name, value in overrides.items():  # dbt renders a var's value: it would run as code
        if name in DATA_VARS:  # a file path is data: a census may be named census_{{a}}.csv
            continue
        if any(mark in str(value) for mark in JINJA_MARKS):
            raise ConfigError(
                f"var `{name}` holds Jinja ({str(value)[:80]}): configuration "
                "values are data, not code",
                "remove the braces",
            )
    return overrides


def load_settings(
    project_dir: Path,
    config_file: Path | None = None,
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings: defaults < file < env < flags."""
    env, flags, project_dir = os.environ if environ is None else environ, flags or {}, project_dir
    project = _read(project_dir.resolve() / "dbt_project.yml")
    project_dir, declared = project_dir.resolve(), _mapping(project.get("vars"), "`vars`")
    explicit = config_file or (Path(env["PLANWISE_CONFIG"]) if env.get("PLANWISE_CONFIG") else None)
    path = explicit.resolve() if explicit else project_dir / "config" / "planwise.yml"
    if explicit and not path.is_file():
        raise ConfigError(f"{path}: configuration file not found", "check --config")
    data = _read(path) if path.is_file() else {}
    for section in data:
        if section not in ("vars", "runner"):
            raise ConfigError(
                f"{path}: unknown section `{section}`",
                "the file has `vars:` (dbt vars, named as in dbt_project.yml) and `runner:` "
                "(" + ", ".join(KNOBS) + ")",
            )
    knobs = _knobs(
        project_dir, _mapping(data.get("runner"), f"{path}: `runner`"), str(path), env, flags
    )
    given = _mapping(data.get("vars"), f"{path}: `vars`")
    overrides = _vars(declared, given, env, flags, project_dir)
    return Settings(project_dir, path if path.is_file() else None, knobs, declared, overrides)
