"""Configuration values are data: a var holding Jinja is refused before dbt renders
it (dbt renders a var's value on every var() call, so it would run as code), and a
quote in a value is quoted, not pasted into SQL."""

from __future__ import annotations

import duckdb
import pytest
from click.testing import CliRunner

from runner.cli import cli
from tests.faults.conftest import Case
from tests.runner.conftest import CLEAN_ENV

INJECTED = "{{ run_query('create table main.pwned as select 1 as x') }}"


@pytest.mark.parametrize("where", ["--vars", "env", "config"])
def test_jinja_in_a_var_is_refused_and_never_run(case: Case, where: str) -> None:
    env, args = dict(CLEAN_ENV), []
    if where == "--vars":
        args = ["--vars", f'{{scenario_id: "{INJECTED}"}}']
    elif where == "env":
        env["PLANWISE_SCENARIO_ID"] = INJECTED
    else:
        config = case.root / "planwise.yml"
        config.write_text("vars:\n  clear_keep: [\"{{ env_var('HOME') }}\"]\n")
        args = ["--config", str(config)]
    result = CliRunner().invoke(cli, case.argv(*args), env=env, catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert "holds Jinja" in result.output and "remove the braces" in result.output
    assert "Traceback" not in result.output
    with duckdb.connect(str(case.db), read_only=True) as connection:
        tables = connection.execute("select table_name from information_schema.tables").fetchall()
    assert ("pwned",) not in tables
    case.assert_unchanged()


def test_a_quote_in_a_var_is_data(full_case: Case) -> None:
    """o'brien is an unknown scenario (exit 1, named), not a SQL syntax error."""
    case = full_case
    result = case.run("--vars", '{scenario_id: "o\'brien"}')
    assert result.exit_code == 1, result.output
    assert "assert_scenario_exists" in result.output and "Parser Error" not in result.output
    case.assert_unchanged()
