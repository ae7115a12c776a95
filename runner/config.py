"""Configuration: one YAML file, overridden by `PLANWISE_*` environment variables,
overridden by command-line flags (in that precedence).

The file (default `config/planwise.yml` under the project root, or `--config`,
or env `PLANWISE_CONFIG`) has these sections and keys; every key is optional:

    database:   path (file), target (profile target), threads (int)
    census:     path (Parquet or CSV file)
    plan_year:  start_date, end_date, effective_date (ISO dates)
    simulation: year, start_year, end_year, eligibility_waiting_period_days
                (ints), scenario_id (text)
    thresholds: <any var declared in dbt_project.yml that is not one of the
                 above>: value of the same type as its declared default
    runner:     report_dir (directory), lock_timeout_seconds (number),
                timeout_seconds (number or null)

Unknown sections or keys and values of the wrong type are errors naming the key.
Relative paths in the file resolve against the PROJECT ROOT (the directory of
dbt_project.yml), whatever the file's location; relative paths given in
environment variables or flags resolve against the current directory.

The dbt project's `vars:` in dbt_project.yml is the single source of truth for
var names and defaults: this module reads it and only overrides what the user set.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from runner.errors import ConfigError

DEFAULT_CONFIG = Path("config") / "planwise.yml"
DEFAULT_DB = "simulation.duckdb"
# Vars the runner itself sets on the dbt command line (never user thresholds).
RUNNER_VARS = frozenset({"planwise_clear", "planwise_report"})


@dataclass(frozen=True)
class Key:
    """One configuration key: where it lives, its type, its env var, what it sets."""

    section: str
    name: str
    kind: str  # path | str | int | number | date | optional_number
    env: str | None
    var: str | None = None  # the dbt var it sets, if any
    setting: str | None = None  # the Settings field it sets, if any

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.name}"


KEYS: tuple[Key, ...] = (
    Key("database", "path", "path", "PLANWISE_DB_PATH", setting="db_path"),
    Key("database", "target", "str", "PLANWISE_TARGET", setting="target"),
    Key("database", "threads", "int", "PLANWISE_THREADS", setting="threads"),
    Key("database", "file_mode", "str", "PLANWISE_DB_FILE_MODE", setting="db_file_mode"),
    Key("census", "path", "path", "PLANWISE_CENSUS_PATH", var="census_path"),
    Key("plan_year", "start_date", "date", "PLANWISE_PLAN_YEAR_START_DATE", "plan_year_start_date"),
    Key("plan_year", "end_date", "date", "PLANWISE_PLAN_YEAR_END_DATE", "plan_year_end_date"),
    Key(
        "plan_year",
        "effective_date",
        "date",
        "PLANWISE_SIMULATION_EFFECTIVE_DATE",
        "simulation_effective_date",
    ),
    Key("simulation", "year", "int", "PLANWISE_SIMULATION_YEAR", "simulation_year"),
    Key(
        "simulation", "start_year", "int", "PLANWISE_SIMULATION_START_YEAR", "simulation_start_year"
    ),
    Key("simulation", "end_year", "int", "PLANWISE_SIMULATION_END_YEAR", "simulation_end_year"),
    Key(
        "simulation",
        "eligibility_waiting_period_days",
        "int",
        "PLANWISE_ELIGIBILITY_WAITING_PERIOD_DAYS",
        "eligibility_waiting_period_days",
    ),
    Key("simulation", "scenario_id", "str", "PLANWISE_SCENARIO_ID", "scenario_id"),
    Key("clear", "keep", "list", "PLANWISE_CLEAR_KEEP", "clear_keep"),
    Key("runner", "report_dir", "path", "PLANWISE_REPORT_DIR", setting="report_dir"),
    Key(
        "runner",
        "lock_timeout_seconds",
        "number",
        "PLANWISE_LOCK_TIMEOUT",
        setting="lock_timeout",
    ),
    Key("runner", "timeout_seconds", "optional_number", "PLANWISE_TIMEOUT", setting="timeout"),
    Key("runner", "keep_previous", "bool", "PLANWISE_KEEP_PREVIOUS", setting="keep_previous"),
)
SECTIONS = ("database", "census", "plan_year", "simulation", "clear", "thresholds", "runner")
THRESHOLD_ENV_PREFIX = "PLANWISE_THRESHOLD_"


@dataclass
class Settings:
    """Everything a command needs, resolved and typed. Paths are absolute."""

    project_dir: Path
    config_file: Path | None
    db_path: Path
    target: str
    threads: int
    report_dir: Path
    lock_timeout: float
    timeout: float | None
    vars: dict[str, Any]  # every dbt var the runner passes (declared defaults + overrides)
    keep_previous: bool = True  # keep the replaced database as <db>.previous
    db_file_mode: int = 0o600  # mode of a first database (a published one keeps the live mode)
    declared_vars: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # key -> where its value came from

    @property
    def census_path(self) -> Path:
        return Path(str(self.vars["census_path"]))

    def dbt_vars(self, **runner_vars: Any) -> str:
        """The `--vars` JSON for dbt: the vars that differ from dbt_project.yml's
        defaults, the census path (always absolute, so dbt and the runner read the
        same file wherever dbt runs from) and the runner's own switches."""
        passed = {
            name: value
            for name, value in self.vars.items()
            if name == "census_path" or self.declared_vars.get(name, object()) != value
        }
        return json.dumps({**passed, **runner_vars}, sort_keys=True, default=str)


# --------------------------------------------------------------------------- #
# project discovery


def find_project_dir(explicit: Path | None) -> Path:
    """--project-dir, else env PLANWISE_PROJECT_DIR, else the current directory
    when it holds dbt_project.yml (as dbt finds it), else the checkout this
    package was installed from."""
    candidates: list[Path] = []
    if explicit is not None:
        candidates = [explicit]
    elif os.environ.get("PLANWISE_PROJECT_DIR"):
        candidates = [Path(os.environ["PLANWISE_PROJECT_DIR"])]
    else:
        candidates = [Path.cwd(), Path(__file__).resolve().parents[1]]
    for candidate in candidates:
        if (candidate / "dbt_project.yml").is_file():
            return candidate.resolve()
    where = candidates[0]
    raise ConfigError(
        f"{where}: no dbt_project.yml here",
        "pass --project-dir or set PLANWISE_PROJECT_DIR to the PlanWise project root",
    )


def declared_vars(project_dir: Path) -> dict[str, Any]:
    """The `vars:` block of dbt_project.yml (top-level, project-wide vars)."""
    path = project_dir / "dbt_project.yml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read it: {exc}", "fix the YAML") from exc
    raw = data.get("vars") or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: `vars` is not a mapping", "fix dbt_project.yml")
    # Project-scoped blocks (`vars: {planwise: {...}}`) are flattened in.
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        if key == data.get("name") and isinstance(value, dict):
            flat.update(value)
        else:
            flat[str(key)] = value
    return flat


# --------------------------------------------------------------------------- #
# typing of values


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _coerce(kind: str, value: Any, where: str, from_text: bool) -> Any:
    """Check (file values) or parse (env/flag text) one value of the given kind."""
    if from_text and isinstance(value, str) and kind in ("num", "list", "mapping", "scalar"):
        try:
            value = yaml.safe_load(value)
        except yaml.YAMLError:
            raise ConfigError(f"{where}: cannot parse {value!r}", "fix the value") from None
        from_text = False
    if from_text and isinstance(value, str):
        text = value.strip()
        try:
            if kind == "int":
                return int(text)
            if kind in ("number", "optional_number"):
                if kind == "optional_number" and text.lower() in ("", "none", "null"):
                    return None
                return float(text)
            if kind == "bool":
                if text.lower() in ("1", "true", "yes", "on"):
                    return True
                if text.lower() in ("0", "false", "no", "off"):
                    return False
                raise ValueError(text)
        except ValueError:
            raise ConfigError(
                f"{where}: expected {kind.replace('optional_', '')}, got {value!r}",
                "fix the value",
            ) from None
    ok: bool
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif kind == "optional_number":
        ok = value is None or (isinstance(value, int | float) and not isinstance(value, bool))
    elif kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "num":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif kind == "list":
        ok = isinstance(value, list)
    elif kind == "mapping":
        ok = isinstance(value, dict)
    elif kind == "scalar":
        ok = value is None or isinstance(value, int | float | str | bool)
    elif kind == "date":
        if isinstance(value, date):
            return value.isoformat()
        ok = isinstance(value, str)
        if ok:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ConfigError(
                    f"{where}: {value!r} is not an ISO date (YYYY-MM-DD)", "fix the value"
                ) from None
    elif kind in ("str", "path"):
        ok = isinstance(value, str) and value != ""
    else:  # pragma: no cover - table error
        raise AssertionError(kind)
    if not ok:
        raise ConfigError(
            f"{where}: expected {kind.replace('optional_', '')}, got {_type_name(value)} {value!r}",
            "fix the value",
        )
    if kind in ("number",) and value is not None:
        return float(value)
    return value


def _kind_of_default(value: Any) -> str:
    """The type a threshold must have, from its default in dbt_project.yml."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "num"  # int or float; the value keeps its own type
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    if value is None:
        return "scalar"  # null default: a number, text, bool or null
    return "str"


# --------------------------------------------------------------------------- #
# loading


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"{path}:{line} is not valid YAML: {getattr(exc, 'problem', exc)}", "fix the syntax"
        ) from exc
    except ValueError as exc:  # e.g. an impossible date such as 2024-13-01
        raise ConfigError(f"{path}: invalid value: {exc}", "fix the value") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of sections, got {_type_name(data)}")
    return data


@dataclass
class Overrides:
    """Values from command-line flags (None = not given)."""

    db: Path | None = None
    target: str | None = None
    threads: int | None = None
    census: Path | None = None
    report_dir: Path | None = None
    vars: str | None = None  # YAML/JSON mapping, as dbt's --vars
    timeout: float | None = None
    lock_timeout: float | None = None


def _parse_vars_flag(text: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"--vars: not valid YAML/JSON: {exc}", "e.g. --vars '{scenario_id: x}'"
        ) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError("--vars: expected a mapping", "e.g. --vars '{scenario_id: x}'")
    return {str(k): v for k, v in data.items()}


def load_settings(
    project_dir: Path,
    config_file: Path | None = None,
    overrides: Overrides | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings: dbt_project.yml var defaults < file < env < flags."""
    env = os.environ if environ is None else environ
    flags = overrides or Overrides()
    project_dir = project_dir.resolve()
    declared = declared_vars(project_dir)
    sources: dict[str, str] = {}

    # Explicit config files must exist; the default one is optional.
    explicit = config_file or (Path(env["PLANWISE_CONFIG"]) if env.get("PLANWISE_CONFIG") else None)
    if explicit is not None:
        path: Path | None = explicit.resolve()
        assert path is not None
        if not path.is_file():
            raise ConfigError(
                f"{path}: configuration file not found", "check --config / PLANWISE_CONFIG"
            )
    else:
        default = project_dir / DEFAULT_CONFIG
        path = default if default.is_file() else None
    data = _read_file(path) if path is not None else {}

    by_dotted = {key.dotted: key for key in KEYS}
    mapped_vars = {key.var for key in KEYS if key.var}
    threshold_names = sorted(
        name for name in declared if name not in mapped_vars and name not in RUNNER_VARS
    )

    values: dict[str, Any] = {}  # dotted key -> typed value
    thresholds: dict[str, Any] = {}

    # ---- file
    for section, body in data.items():
        if section not in SECTIONS:
            raise ConfigError(
                f"{path}: unknown section `{section}`", f"known: {', '.join(SECTIONS)}"
            )
        if body is None:
            continue
        if not isinstance(body, dict):
            raise ConfigError(f"{path}: `{section}` must be a mapping, got {_type_name(body)}")
        for name, value in body.items():
            dotted = f"{section}.{name}"
            if section == "thresholds":
                if name not in declared or name in mapped_vars or name in RUNNER_VARS:
                    raise ConfigError(
                        f"{path}: unknown key `{dotted}` (not a threshold var declared in "
                        "dbt_project.yml)",
                        f"known thresholds: {', '.join(threshold_names) or 'none'}",
                    )
                kind = _kind_of_default(declared[name])
                thresholds[name] = _coerce(kind, value, f"{path}: `{dotted}`", from_text=False)
                sources[dotted] = str(path)
                continue
            key = by_dotted.get(dotted)
            if key is None:
                known = ", ".join(k.name for k in KEYS if k.section == section)
                raise ConfigError(f"{path}: unknown key `{dotted}`", f"known in {section}: {known}")
            typed = _coerce(key.kind, value, f"{path}: `{dotted}`", from_text=False)
            if key.kind == "path":
                typed = str((project_dir / typed).resolve())
            values[dotted] = typed
            sources[dotted] = str(path)

    # ---- environment
    for key in KEYS:
        if key.env and env.get(key.env, "") != "":
            typed = _coerce(key.kind, env[key.env], f"env {key.env}", from_text=True)
            if key.kind == "date":
                typed = _coerce("date", typed, f"env {key.env}", from_text=False)
            if key.kind == "path":
                typed = str(Path(typed).resolve())
            values[key.dotted] = typed
            sources[key.dotted] = f"env {key.env}"
    for env_name, text in env.items():
        if env_name.startswith(THRESHOLD_ENV_PREFIX):
            name = env_name[len(THRESHOLD_ENV_PREFIX) :].lower()
            if name not in threshold_names:
                raise ConfigError(
                    f"env {env_name}: `{name}` is not a threshold var declared in dbt_project.yml",
                    f"known thresholds: {', '.join(threshold_names) or 'none'}",
                )
            kind = _kind_of_default(declared[name])
            thresholds[name] = _coerce(kind, text, f"env {env_name}", from_text=True)
            sources[f"thresholds.{name}"] = f"env {env_name}"

    # ---- flags
    flag_values: dict[str, tuple[Any, str]] = {
        "database.path": (flags.db, "--db"),
        "database.target": (flags.target, "--target"),
        "database.threads": (flags.threads, "--threads"),
        "census.path": (flags.census, "--census"),
        "runner.report_dir": (flags.report_dir, "--report-dir"),
        "runner.timeout_seconds": (flags.timeout, "--timeout"),
        "runner.lock_timeout_seconds": (flags.lock_timeout, "--lock-timeout"),
    }
    for dotted, (value, flag) in flag_values.items():
        if value is None:
            continue
        if isinstance(value, Path):
            value = str(value.resolve())
        values[dotted] = value
        sources[dotted] = flag
    extra_vars: dict[str, Any] = {}
    if flags.vars:
        for name, value in _parse_vars_flag(flags.vars).items():
            if name not in declared:
                raise ConfigError(
                    f"--vars: unknown var `{name}` (not declared in dbt_project.yml)",
                    f"declared: {', '.join(sorted(declared))}",
                )
            extra_vars[name] = value
            sources[f"vars.{name}"] = "--vars"

    # ---- assemble
    dbt_vars: dict[str, Any] = dict(declared)
    for key in KEYS:
        if key.var and key.dotted in values:
            dbt_vars[key.var] = values[key.dotted]
    dbt_vars.update(thresholds)
    dbt_vars.update(extra_vars)
    census = Path(str(dbt_vars.get("census_path", "dbt/data/census_sample.parquet")))
    if not census.is_absolute():
        # dbt resolves a relative census_path against the project root.
        census = (project_dir / census).resolve()
    dbt_vars["census_path"] = str(census)

    threads = values.get("database.threads", 4)
    if not isinstance(threads, int) or threads < 1:
        raise ConfigError(f"database.threads: must be 1 or more, got {threads!r}")
    db_default = str(project_dir / DEFAULT_DB)
    file_mode = str(values.get("database.file_mode", "0600"))
    try:
        db_file_mode = int(file_mode, 8)
    except ValueError:
        db_file_mode = -1
    if not 0 <= db_file_mode <= 0o777 or not db_file_mode & 0o600 == 0o600:
        raise ConfigError(
            f"database.file_mode: expected an octal mode the owner can read and write "
            f"(e.g. 0600 or 0640), got {file_mode!r}",
            "fix the value",
        )
    timeout = values.get("runner.timeout_seconds")
    return Settings(
        project_dir=project_dir,
        config_file=path,
        db_path=Path(values.get("database.path", db_default)),
        target=str(values.get("database.target", "dev")),
        threads=threads,
        report_dir=Path(values.get("runner.report_dir", str(project_dir / "reports"))),
        lock_timeout=float(values.get("runner.lock_timeout_seconds", 60.0)),
        timeout=None if timeout is None else float(timeout),
        vars=dbt_vars,
        keep_previous=bool(values.get("runner.keep_previous", True)),
        db_file_mode=db_file_mode,
        declared_vars=declared,
        sources=sources,
    )


def describe_keys() -> list[tuple[str, str, str]]:
    """(dotted key, env var, dbt var or setting) for documentation and `--help`."""
    rows = [(key.dotted, key.env or "", key.var or key.setting or "") for key in KEYS]
    rows.append(("thresholds.<var>", f"{THRESHOLD_ENV_PREFIX}<VAR>", "<var>"))
    return rows
