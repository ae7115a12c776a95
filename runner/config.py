"""Settings: dbt vars, and the runner's own knobs.

dbt vars keep their dbt names; dbt checks them (on-run-start macro
planwise_validate_vars), for a plain `dbt build` too. Precedence, lowest first:
dbt_project.yml `vars:`, the configuration file's `vars:` (config/planwise.yml,
--config or env PLANWISE_CONFIG), env PLANWISE_<VAR> or PLANWISE_THRESHOLD_<VAR>,
--census, --vars. The file's `runner:` section holds the runner's knobs, which
are Click options resolved by Click (runner.knobs). Relative paths in the file
resolve against the project; in env vars and flags, against the current directory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from runner import knobs as knob_options
from runner.errors import ConfigError

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
    def profiles_dir(self) -> Path:
        """Where profiles.yml is (--profiles-dir, PLANWISE_PROFILES_DIR; default the project)."""
        return Path(self.knobs["profiles_dir"])

    @property
    def report_dir(self) -> Path:
        return Path(self.knobs["report_dir"])

    @property
    def engine(self) -> str:
        """The target's adapter type (duckdb, postgres, spark), read without dbt."""
        outputs = self.profile_outputs()
        return str((outputs.get(self.knobs["target"]) or {}).get("type", "duckdb"))

    def profile_outputs(self) -> dict[str, Any]:
        """The `planwise` profile's targets, as profiles.yml writes them (unrendered);
        ConfigError naming the file when it or the profile is missing."""
        path = self.profiles_dir / "profiles.yml"
        profile = _read(path).get("planwise") if path.is_file() else None
        if not isinstance(profile, dict):
            problem = "has no `planwise` profile" if path.is_file() else "does not exist"
            hint = "point --profiles-dir (PLANWISE_PROFILES_DIR) at the project's profiles.yml"
            raise ConfigError(f"{path}: {problem}", hint)
        return _mapping(profile.get("outputs"), f"{path}: `planwise.outputs`")

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


def _env_vars(declared: dict[str, Any]) -> dict[str, Any]:
    """The vars set by environment variables PLANWISE_<VAR> or PLANWISE_THRESHOLD_<VAR>:
    census paths made absolute here, text kept as text where the var's default is text,
    anything else read as YAML."""
    found: dict[str, Any] = {}
    for env_name, text in sorted(os.environ.items()):
        name = env_name.removeprefix("PLANWISE_").removeprefix("THRESHOLD_").lower()
        known = name in declared or name == CENSUS_SYNONYM
        if not (env_name.startswith("PLANWISE_") and known and text != ""):
            continue
        if name in DATA_VARS:
            found[name] = str(_absolute(Path(text)))
        else:
            textual = isinstance(declared[name], str)
            found[name] = text if textual else _yaml(text, f"env {env_name}")
    return found


def _flag_vars(flags: Mapping[str, Any]) -> dict[str, Any]:
    """The vars of --census (made absolute here) and --vars (a YAML mapping)."""
    found: dict[str, Any] = {}
    if flags.get("census") is not None:
        found["census_path"] = str(_absolute(Path(flags["census"])))
    if flags.get("vars"):
        given = _yaml(str(flags["vars"]), "--vars")
        if not isinstance(given, dict):
            raise ConfigError("--vars: expected a mapping", "e.g. --vars '{scenario_id: x}'")
        found.update({str(key): value for key, value in given.items()})
    return found


def _refuse_jinja(overrides: Mapping[str, Any]) -> None:
    """dbt renders a var's value, so a value holding template marks would run as code;
    a file path is data (a census may be named census_{{a}}.csv) and is kept literal."""
    for name, value in overrides.items():
        if name not in DATA_VARS and any(mark in str(value) for mark in JINJA_MARKS):
            raise ConfigError(
                f"var `{name}` holds Jinja ({str(value)[:80]}): configuration "
                "values are data, not code",
                "remove the braces",
            )


def _vars(
    declared: dict[str, Any], section: dict[str, Any], flags: Mapping[str, Any], base: Path
) -> dict[str, Any]:
    """The overrides, layer by layer (file < env < flags); `base` resolves relative
    census paths of the file and --vars, to compare the two names of the census."""
    overrides = _census_synonym(dict(section), "the configuration file's `vars`", base)
    overrides.update(_census_synonym(_env_vars(declared), "env PLANWISE_*", base))
    overrides.update(_census_synonym(_flag_vars(flags), "--census / --vars", base))
    _refuse_jinja(overrides)
    return overrides


def _config_path(project_dir: Path, config_file: Path | None) -> Path:
    """--config (or PLANWISE_CONFIG), which must exist, else config/planwise.yml."""
    named = os.environ.get("PLANWISE_CONFIG")
    explicit = config_file or (Path(named) if named else None)
    if explicit is None:
        return project_dir / "config" / "planwise.yml"
    path = explicit.resolve()
    if not path.is_file():
        raise ConfigError(f"{path}: configuration file not found", "check --config")
    return path


def _sections(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The configuration file's `vars:` and `runner:` sections (empty without a file)."""
    data = _read(path) if path.is_file() else {}
    for section in data:
        if section not in ("vars", "runner"):
            raise ConfigError(
                f"{path}: unknown section `{section}`",
                "the file has `vars:` (dbt vars, named as in dbt_project.yml) and `runner:` "
                "(" + ", ".join(knob_options.SPECS) + ")",
            )
    given = _mapping(data.get("vars"), f"{path}: `vars`")
    return given, _mapping(data.get("runner"), f"{path}: `runner`")


def load_settings(
    project_dir: Path, config_file: Path | None = None, flags: Mapping[str, Any] | None = None
) -> Settings:
    """Resolve settings: defaults < file < environment < flags. `flags` holds what a
    command line set (knobs by their names, `census`, `vars`)."""
    project_dir, flags = project_dir.resolve(), flags or {}
    declared = _mapping(_read(project_dir / "dbt_project.yml").get("vars"), "`vars`")
    path = _config_path(project_dir, config_file)
    given, section = _sections(path)
    chosen = {name: value for name, value in flags.items() if value is not None}
    knobs = knob_options.resolve(section, str(path), chosen, project_dir)
    overrides = _vars(declared, given, flags, project_dir)
    return Settings(project_dir, path if path.is_file() else None, knobs, declared, overrides)
