"""A value the project's macros compute against the database, asked of dbt.

`dbt compile --inline "{{ tojson(<expression>) }}"` renders the expression
(its macros may query the database, as compile runs introspective queries),
and dbt records the rendered text as the inline node's compiled code in its
run_results.json: a structured artifact, read back as JSON. No log line is
read, and no SQL is written here (`history` and `report` use it for a
database that has no stored query yet).
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from runner.config import Settings
from runner.errors import dbt_message
from runner.invoke import Invocation, run_dbt

HEADING = re.compile(r"^\w+ Error in sql_operation ")


class DbtValueFailed(Exception):
    """dbt could not render the expression; the text says why. `parsed`: whether dbt
    got as far as parsing the project (if not, the project is at fault)."""

    def __init__(self, message: str, parsed: bool = True) -> None:
        super().__init__(message)
        self.parsed = parsed


def inline(expression: str) -> list[str]:
    """The dbt command that renders the Jinja `expression` as JSON."""
    return ["compile", "--inline", "{{ tojson(" + expression + ") }}"]


def rendered(invocation: Invocation) -> Any:
    """The value an `inline` command rendered, read from its run_results.json;
    DbtValueFailed with dbt's error when it rendered none."""
    if invocation.interrupted:
        raise KeyboardInterrupt
    results = (invocation.run_results or {}).get("results") or []
    if not invocation.success or not results:
        raise DbtValueFailed(_why(invocation), parsed=invocation.manifest is not None)
    try:
        return json.loads(results[0]["compiled_code"])
    except (KeyError, TypeError, ValueError) as error:  # no JSON rendered
        raise DbtValueFailed(f"dbt rendered no value: {error}") from None


def _why(invocation: Invocation) -> str:
    """dbt's error without its headings ("Runtime Error", "Compilation Error in
    sql_operation inline_query (from remote system.sql)"): the macro's own words."""
    text = str(invocation.exception or "") or (invocation.errors[-1] if invocation.errors else "")
    lines = [line for line in dbt_message(text) if line != "Runtime Error"]
    kept = [line for line in lines if not HEADING.match(line)]
    return " ".join(kept) or invocation.error_summary()


def dbt_value(
    settings: Settings,
    expression: str,
    level: str = "none",
    db_path: Path | None = None,
    scratch: Path | None = None,
) -> Any:
    """The JSON value of the Jinja `expression` (e.g. a macro call), rendered by dbt
    against `db_path` (default: the live database); DbtValueFailed with dbt's error
    when it could not. dbt's run directory is a temporary one, under `scratch` when
    given (dbt's parse cache stays beside `db_path`, so calls on one database share it)."""
    with tempfile.TemporaryDirectory(prefix="planwise-value-", dir=scratch) as tmp:
        invocation = run_dbt(
            settings,
            inline(expression),
            db_path=db_path or settings.db_path,
            run_dir=Path(tmp),
            console_level=level,
        )
    return rendered(invocation)
