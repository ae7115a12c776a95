"""Settings: dbt vars are named as in dbt_project.yml and reach dbt unchanged (dbt
validates them); runner knobs are typed by Click; file < environment < flags."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from runner import config
from runner.config import Settings, find_project_dir
from runner.errors import ConfigError

PROJECT_YML = """
name: planwise
vars:
  census_path: "dbt/data/census.parquet"
  simulation_year: 2025
  scenario_id: "default"
  plan_year_start_date: "2024-01-01"
  validation_census_pay_floor: 10000
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "dbt_project.yml").write_text(PROJECT_YML)
    return root


def load_settings(
    project: Path,
    config_file: Path | None = None,
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """The settings of `project` in an environment holding only `environ`'s PLANWISE_
    variables (Click and the vars layer read the process environment)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("PLANWISE_")]:
            patch.delenv(name)
        for name, value in (environ or {}).items():
            patch.setenv(name, value)
        return config.load_settings(project, config_file, flags)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_come_from_dbt_project(project: Path) -> None:
    settings = load_settings(project, environ={})
    assert settings.db_path == project / "simulation.duckdb"
    assert settings.report_dir == project / "reports"
    assert settings.knobs["threads"] == 2 and settings.knobs["lock_timeout_seconds"] == 60.0
    assert settings.var("simulation_year") == 2025
    assert settings.census_path == project / "dbt" / "data" / "census.parquet"
    # Only overrides and the census path (absolute) go to dbt, plus the runner's vars.
    assert json.loads(settings.dbt_vars()) == {"census_path": str(settings.census_path)}
    assert json.loads(settings.dbt_vars(planwise_clear=True))["planwise_clear"] is True


def test_file_sections_and_paths_resolve_against_the_project(project: Path) -> None:
    write(
        project / "config" / "planwise.yml",
        "vars: {census_path: in/c.parquet, scenario_id: high, simulaton_year: 1}\n"
        "runner: {db_path: data/sim.duckdb, threads: 2, report_dir: out}\n",
    )
    settings = load_settings(project, environ={})
    assert settings.config_file == project / "config" / "planwise.yml"
    assert settings.db_path == project / "data" / "sim.duckdb"
    assert settings.report_dir == project / "out"
    assert settings.knobs["threads"] == 2
    assert settings.census_path == project / "in" / "c.parquet"
    passed = json.loads(settings.dbt_vars())
    # vars pass through unchanged, unknown ones too: dbt's on-run-start check names them
    assert passed["scenario_id"] == "high" and passed["simulaton_year"] == 1


def test_precedence_file_then_env_then_flags(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = write(
        tmp_path / "c.yml", "vars: {scenario_id: file}\nrunner: {threads: 2, target: file}\n"
    )
    env = {
        "PLANWISE_SCENARIO_ID": "env",
        "PLANWISE_THREADS": "3",
        "PLANWISE_SIMULATION_YEAR": "2030",
    }
    settings = load_settings(project, config, environ=env)
    assert (settings.var("scenario_id"), settings.knobs["threads"]) == ("env", 3)
    assert settings.var("simulation_year") == 2030 and settings.knobs["target"] == "file"
    flags = {
        "threads": 5,
        "vars": "{scenario_id: flag}",
        "census": Path("rel.csv"),
        "db_path": Path("x.duckdb"),
    }
    settings = load_settings(project, config, flags, environ=env)
    assert (settings.var("scenario_id"), settings.knobs["threads"]) == ("flag", 5)
    assert settings.census_path == tmp_path / "rel.csv"  # flags resolve against the cwd
    assert settings.db_path == tmp_path / "x.duckdb"
    env_census = load_settings(project, environ={"PLANWISE_CENSUS_PATH": "e.parquet"}).census_path
    assert env_census == tmp_path / "e.parquet"
    threshold = load_settings(
        project, environ={"PLANWISE_THRESHOLD_VALIDATION_CENSUS_PAY_FLOOR": "5"}
    )
    assert threshold.var("validation_census_pay_floor") == 5


def test_env_config_file(project: Path, tmp_path: Path) -> None:
    config = write(tmp_path / "env.yml", "runner: {threads: 7}\n")
    assert load_settings(project, environ={"PLANWISE_CONFIG": str(config)}).knobs["threads"] == 7


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("database: {path: x}\n", "unknown section `database`"),
        ("runner: {thread: 2}\n", "`runner.thread`"),
        ("runner: {threads: two}\n", "`runner.threads`"),
        ("runner: {threads: 0}\n", "`runner.threads`"),
        ("runner: {threads: 4.5}\n", "`runner.threads`"),
        ("runner: {failed_kept: true}\n", "`runner.failed_kept`"),
        ("runner: {lock_timeout_seconds: yes}\n", "`runner.lock_timeout_seconds`"),
        ("runner: {runs_kept: '3'}\n", "`runner.runs_kept`"),
        ("runner: {timeout_seconds: soon}\n", "`runner.timeout_seconds`"),
        ("runner: {keep_previous: maybe}\n", "`runner.keep_previous`"),
        ("runner: {db_file_mode: '0200'}\n", "`runner.db_file_mode`"),
        ("runner: {threads: }\n", "`runner.threads`: expected a whole number, got nothing"),
        ("runner: {lock_timeout_seconds: }\n", "`runner.lock_timeout_seconds`: expected a number"),
        ("runner: {keep_previous: 1}\n", "`runner.keep_previous`: expected true or false"),
        ("runner: {report_page: }\n", "`runner.report_page`: expected true or false"),
        ("runner: {db_path: 5}\n", "`runner.db_path`: expected a path, got 5"),
        ("runner: {db_path: ''}\n", "`runner.db_path`: expected a path"),
        ("runner: {target: 123}\n", "`runner.target`: expected text, got 123"),
        ("runner: {db_file_mode: 0600}\n", "`runner.db_file_mode`: expected text"),
        ("vars: [1, 2]\n", "`vars` must be a mapping"),
        ("- just a list\n", "expected a mapping"),
        ("vars: {census_path: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_configuration_names_the_key(
    project: Path, tmp_path: Path, text: str, named: str
) -> None:
    """Each error names the file and the key; a knob's value of the wrong kind (what
    Click would take as None, count, or turn into text) is refused before Click."""
    config = write(tmp_path / "bad.yml", text)
    with pytest.raises(ConfigError) as error:
        load_settings(project, config, environ={})
    assert named in error.value.message and str(config) in error.value.message


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PLANWISE_THREADS": "four"}, "PLANWISE_THREADS"),
        ({"PLANWISE_THREADS": "0"}, "PLANWISE_THREADS"),
        ({"PLANWISE_LOCK_TIMEOUT": "soon"}, "PLANWISE_LOCK_TIMEOUT"),
        ({"PLANWISE_DB_FILE_MODE": "rw-r-----"}, "PLANWISE_DB_FILE_MODE"),
        ({"PLANWISE_TIMEOUT": "0"}, "PLANWISE_TIMEOUT"),
        ({"PLANWISE_TIMEOUT": "-5"}, "PLANWISE_TIMEOUT"),
        ({"PLANWISE_LOCK_TIMEOUT": "-1"}, "PLANWISE_LOCK_TIMEOUT"),
    ],
)
def test_bad_environment_names_the_variable(project: Path, env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(project, environ=env)
    assert named in error.value.message


def test_env_text_vars_stay_text(project: Path) -> None:
    """A var whose default is text keeps the env value as text (not YAML's 2024 or
    null); other vars are read as YAML values."""
    env = {"PLANWISE_SCENARIO_ID": "2024", "PLANWISE_SIMULATION_YEAR": "2030"}
    settings = load_settings(project, environ=env)
    assert settings.var("scenario_id") == "2024" and settings.var("simulation_year") == 2030
    assert (
        load_settings(project, environ={"PLANWISE_LOCK_TIMEOUT": "0"}).knobs["lock_timeout_seconds"]
        == 0
    )


def test_bad_vars_flag(project: Path) -> None:
    with pytest.raises(ConfigError, match="--vars"):
        load_settings(project, flags={"vars": "[1, 2]"}, environ={})
    with pytest.raises(ConfigError, match="--vars"):
        load_settings(project, flags={"vars": "{a: [}"}, environ={})


def test_missing_explicit_config_file_is_an_error(project: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(project, tmp_path / "absent.yml", environ={})


def test_project_dir_discovery(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert find_project_dir(project) == project.resolve()
    with pytest.raises(ConfigError, match=r"dbt_project\.yml"):
        find_project_dir(tmp_path / "nowhere")
    monkeypatch.chdir(project)  # as dbt does: the current directory's project wins
    assert find_project_dir(None) == project.resolve()
    monkeypatch.chdir(tmp_path)  # no dbt_project.yml here: the installed checkout
    assert find_project_dir(None) == Path(__file__).resolve().parents[2]


def test_shipped_config_is_valid() -> None:
    repo = Path(__file__).resolve().parents[2]
    settings = load_settings(repo, environ={})
    assert settings.config_file == repo / "config" / "planwise.yml"
    assert settings.census_path == repo / "dbt" / "data" / "census_sample.parquet"
    assert settings.db_path == repo / "simulation.duckdb"


def test_database_file_mode(project: Path) -> None:
    assert load_settings(project, environ={}).knobs["db_file_mode"] == "0600"
    assert (
        load_settings(project, environ={"PLANWISE_DB_FILE_MODE": "0640"}).knobs["db_file_mode"]
        == "0640"
    )


def test_a_symlinked_census_is_named_by_the_path_given(project: Path, tmp_path: Path) -> None:
    target = write(tmp_path / "real" / "census.parquet", "")
    link = tmp_path / "given.parquet"
    link.symlink_to(target)
    settings = load_settings(project, flags={"census": str(link)}, environ={})
    assert settings.census_path == link  # what the user gave, not /real/census.parquet
    env = load_settings(project, environ={"PLANWISE_CENSUS_PATH": str(link)})
    assert env.census_path == link


def test_run_directories_kept_are_configurable(tmp_path: Path) -> None:
    from runner.state import new_run_dir

    db = tmp_path / "sim.duckdb"
    made = [new_run_dir(db, "setup", kept=3) for _ in range(5)]
    assert sorted(p for p in made if p.exists()) == made[-3:]
    with pytest.raises(ConfigError, match="PLANWISE_RUNS_KEPT"):
        load_settings(Path(__file__).resolve().parents[2], environ={"PLANWISE_RUNS_KEPT": "0"})


@pytest.mark.parametrize("text", ["{{ env_var('HOME') }}", "{% if true %}x{% endif %}", "{# #}"])
def test_a_var_holding_jinja_is_refused_for_every_command(project: Path, text: str) -> None:
    """The runner passes vars to every dbt command (docs and run-operation run no
    on-run-start hook), so it refuses Jinja in them itself."""
    with pytest.raises(ConfigError, match="holds Jinja"):
        load_settings(project, flags={"vars": f'{{scenario_id: "{text}"}}'}, environ={})
    with pytest.raises(ConfigError, match="holds Jinja"):
        load_settings(project, environ={"PLANWISE_SCENARIO_ID": text})


def test_census_parquet_path_is_planwise_s_name_for_census_path(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Accepted wherever a var is set (file, env, --vars), resolved as census_path
    is there, and passed to dbt as census_path only."""
    monkeypatch.chdir(tmp_path)
    write(project / "config" / "planwise.yml", "vars: {census_parquet_path: in/c.parquet}\n")
    from_file = load_settings(project, environ={})
    assert from_file.census_path == project / "in" / "c.parquet"
    assert json.loads(from_file.dbt_vars()) == {"census_path": str(from_file.census_path)}
    from_env = load_settings(project, environ={"PLANWISE_CENSUS_PARQUET_PATH": "e.parquet"})
    assert from_env.census_path == tmp_path / "e.parquet"
    given = load_settings(project, flags={"vars": "{census_parquet_path: v.parquet}"}, environ={})
    assert given.census_path == project / "v.parquet"
    # both names in one place for the same file (spelt differently) are one census
    both = "{census_path: v.parquet, census_parquet_path: ./v.parquet}"
    assert load_settings(project, flags={"vars": both}, environ={}).census_path == given.census_path


@pytest.mark.parametrize(
    ("flags", "environ"),
    [
        ({"vars": "{census_path: a.parquet, census_parquet_path: b.parquet}"}, {}),
        ({"census": "a.parquet", "vars": "{census_parquet_path: b.parquet}"}, {}),
        ({}, {"PLANWISE_CENSUS_PATH": "a.parquet", "PLANWISE_CENSUS_PARQUET_PATH": "b.parquet"}),
    ],
)
def test_both_census_names_for_different_files_are_refused(
    project: Path, flags: dict[str, str], environ: dict[str, str]
) -> None:
    with pytest.raises(ConfigError, match="name different census files") as refused:
        load_settings(project, flags=flags, environ=environ)
    assert "census_parquet_path is PlanWise's name for census_path" in refused.value.hint


def test_the_shipped_file_states_the_knobs_defaults_as_click_has_them() -> None:
    """config/planwise.yml's comments show each knob's default: they are Click's
    (runner.knobs), so the file cannot say threads default to 4 when they are 2."""
    from runner.knobs import SPECS

    text = (Path(__file__).resolve().parents[2] / "config" / "planwise.yml").read_text()
    section = text[text.index("\nrunner:") :]
    shown = dict(re.findall(r"^\s*#?\s*(\w+): ([^\s#]+)", section, re.M))
    assert set(shown) - {"runner"} <= set(SPECS)
    for name, value in shown.items():
        if name in SPECS:
            default = SPECS[name][1].get("default")
            assert yaml.safe_load(value) == default, (name, value, default)


def test_a_null_timeout_is_no_timeout(project: Path, tmp_path: Path) -> None:
    config_file = write(tmp_path / "null.yml", "runner: {timeout_seconds: , profiles_dir: }\n")
    knobs = load_settings(project, config_file).knobs
    assert knobs["timeout_seconds"] is None and knobs["profiles_dir"] == project.resolve()
