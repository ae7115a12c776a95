"""Configuration: file < environment < flags; unknown keys and wrong types name the key;
thresholds are the vars declared in dbt_project.yml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.config import Overrides, find_project_dir, load_settings
from runner.errors import ConfigError

PROJECT_YML = """
name: planwise
vars:
  census_path: "dbt/data/census.parquet"
  simulation_year: 2025
  scenario_id: "default"
  plan_year_start_date: "2024-01-01"
  validation_pay_floor: 10000
  validation_band_severity: "warn"
  validation_error_above: null
  validation_required: {RAISE: ["merit_base"]}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "dbt_project.yml").write_text(PROJECT_YML)
    return root


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_come_from_dbt_project(project: Path) -> None:
    settings = load_settings(project, environ={})
    assert settings.db_path == project / "simulation.duckdb"
    assert settings.vars["simulation_year"] == 2025
    assert settings.census_path == project / "dbt" / "data" / "census.parquet"
    # Only the census path (absolute) and changed vars go to dbt.
    assert json.loads(settings.dbt_vars()) == {"census_path": str(settings.census_path)}
    assert json.loads(settings.dbt_vars(planwise_clear=True))["planwise_clear"] is True


def test_default_config_file_is_read_and_paths_resolve_against_project_root(
    project: Path,
) -> None:
    write(
        project / "config" / "planwise.yml",
        "database: {path: data/sim.duckdb, threads: 2}\ncensus: {path: in/c.parquet}\n",
    )
    settings = load_settings(project, environ={})
    assert settings.config_file == project / "config" / "planwise.yml"
    assert settings.db_path == project / "data" / "sim.duckdb"
    assert settings.census_path == project / "in" / "c.parquet"
    assert settings.threads == 2


def test_precedence_file_then_env_then_flags(project: Path, tmp_path: Path) -> None:
    config = write(
        tmp_path / "elsewhere" / "c.yml",
        "database: {path: file.duckdb, target: filetarget}\nsimulation: {year: 2026}\n",
    )
    env = {"PLANWISE_DB_PATH": "/env/env.duckdb", "PLANWISE_SIMULATION_YEAR": "2027"}
    settings = load_settings(project, config, environ=env)
    assert settings.db_path == Path("/env/env.duckdb")
    assert settings.target == "filetarget"
    assert settings.vars["simulation_year"] == 2027
    assert settings.sources["simulation.year"] == "env PLANWISE_SIMULATION_YEAR"
    flags = Overrides(db=Path("/flag/flag.duckdb"), target="prod", vars="{simulation_year: 2030}")
    settings = load_settings(project, config, flags, environ=env)
    assert settings.db_path == Path("/flag/flag.duckdb")
    assert settings.target == "prod"
    assert settings.vars["simulation_year"] == 2030


def test_env_config_file(project: Path, tmp_path: Path) -> None:
    config = write(tmp_path / "c.yml", "simulation: {scenario_id: high_growth}\n")
    settings = load_settings(project, environ={"PLANWISE_CONFIG": str(config)})
    assert settings.vars["scenario_id"] == "high_growth"


def test_thresholds_follow_the_declared_var_types(project: Path, tmp_path: Path) -> None:
    config = write(
        tmp_path / "c.yml",
        "thresholds:\n  validation_pay_floor: 12000.5\n  validation_error_above: 3\n"
        "  validation_required: {HIRE: [x]}\n",
    )
    settings = load_settings(
        project, config, environ={"PLANWISE_THRESHOLD_VALIDATION_BAND_SEVERITY": "error"}
    )
    assert settings.vars["validation_pay_floor"] == 12000.5
    assert settings.vars["validation_error_above"] == 3
    assert settings.vars["validation_required"] == {"HIRE": ["x"]}
    assert settings.vars["validation_band_severity"] == "error"
    passed = json.loads(settings.dbt_vars())
    assert passed["validation_pay_floor"] == 12000.5 and "simulation_year" not in passed


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("databse: {path: x}\n", "`databse`"),
        ("database: {pth: x}\n", "`database.pth`"),
        ("thresholds: {validation_pay_flor: 1}\n", "`thresholds.validation_pay_flor`"),
        ("thresholds: {simulation_year: 2030}\n", "`thresholds.simulation_year`"),
        ("thresholds: {validation_pay_floor: lots}\n", "`thresholds.validation_pay_floor`"),
        ("thresholds: {validation_required: [1]}\n", "`thresholds.validation_required`"),
        ("simulation: {year: '2025'}\n", "`simulation.year`"),
        ("simulation: {year: true}\n", "`simulation.year`"),
        ("plan_year: {start_date: 01/02/2024}\n", "`plan_year.start_date`"),
        ("plan_year: {start_date: 2024-13-01}\n", "invalid value"),
        ("runner: {timeout_seconds: soon}\n", "`runner.timeout_seconds`"),
        ("database: [1, 2]\n", "`database` must be a mapping"),
        ("- just a list\n", "expected a mapping"),
        ("database: {path: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_configuration_names_the_key(
    project: Path, tmp_path: Path, text: str, named: str
) -> None:
    config = write(tmp_path / "bad.yml", text)
    with pytest.raises(ConfigError) as error:
        load_settings(project, config, environ={})
    assert named in str(error.value)
    assert str(config) in str(error.value)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PLANWISE_THREADS": "four"}, "PLANWISE_THREADS"),
        ({"PLANWISE_THREADS": "0"}, "database.threads"),
        ({"PLANWISE_PLAN_YEAR_START_DATE": "2024/01/01"}, "PLANWISE_PLAN_YEAR_START_DATE"),
        ({"PLANWISE_THRESHOLD_NOPE": "1"}, "PLANWISE_THRESHOLD_NOPE"),
    ],
)
def test_bad_environment_names_the_variable(project: Path, env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(project, environ=env)
    assert named in str(error.value)


def test_bad_vars_flag(project: Path) -> None:
    with pytest.raises(ConfigError, match="simulaton_year"):
        load_settings(project, overrides=Overrides(vars="{simulaton_year: 1}"), environ={})
    with pytest.raises(ConfigError, match="--vars"):
        load_settings(project, overrides=Overrides(vars="[1, 2]"), environ={})


def test_missing_explicit_config_file_is_an_error(project: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(project, tmp_path / "absent.yml", environ={})


def test_project_dir_discovery(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert find_project_dir(project) == project.resolve()
    with pytest.raises(ConfigError, match=r"dbt_project\.yml"):
        find_project_dir(tmp_path / "nowhere")
    # as dbt does: the current directory's project wins over the install location
    monkeypatch.delenv("PLANWISE_PROJECT_DIR", raising=False)
    monkeypatch.chdir(project)
    assert find_project_dir(None) == project.resolve()
    monkeypatch.setenv("PLANWISE_PROJECT_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match="nowhere"):
        find_project_dir(None)
    monkeypatch.delenv("PLANWISE_PROJECT_DIR")
    monkeypatch.chdir(tmp_path)  # no dbt_project.yml here: the installed checkout
    assert find_project_dir(None) == Path(__file__).resolve().parents[2]


def test_shipped_config_is_valid() -> None:
    repo = Path(__file__).resolve().parents[2]
    settings = load_settings(repo, environ={})
    assert settings.config_file == repo / "config" / "planwise.yml"
    assert settings.census_path == repo / "dbt" / "data" / "census_sample.parquet"


def test_database_file_mode(project: Path, tmp_path: Path) -> None:
    assert load_settings(project, environ={}).db_file_mode == 0o600
    env = {"PLANWISE_DB_FILE_MODE": "0640"}
    assert load_settings(project, environ=env).db_file_mode == 0o640
    for bad in ("rw-r-----", "0200", "1777"):
        with pytest.raises(ConfigError, match=r"database\.file_mode"):
            load_settings(project, environ={"PLANWISE_DB_FILE_MODE": bad})
