"""Per-relation checksums of a DuckDB file, for tests that must prove nothing changed."""

from __future__ import annotations

from pathlib import Path

import duckdb


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


HISTORY_SCHEMA = "main_history"  # the run history: one new row per published setup


def content_checksum(db_path: Path, history: bool = True) -> dict[str, str]:
    """Per-relation checksums of a DuckDB file, opened read-only.

    Keys are `schema.table` for every table in every schema (`schema.view (view)`
    for views). Table values combine the column names and types, the row count,
    and `bit_xor` and `sum` of the row hashes, so they do not depend on row
    order but do see duplicated rows. The run history's tables (every published
    setup adds a row with its own run id and times) count their rows only, and
    with history=False they are left out: the setup's outputs alone, to compare
    with another build of the same inputs. Raises FileNotFoundError when the file
    is missing (a read-only open would fail anyway; this keeps the error clear).
    """
    if not db_path.exists():
        raise FileNotFoundError(f"database {db_path} does not exist")
    result: dict[str, str] = {}
    with duckdb.connect(str(db_path), read_only=True) as connection:
        connection.execute("set enable_progress_bar = false")
        tables = connection.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = current_database() and not temporary "
            "order by schema_name, table_name"
        ).fetchall()
        for schema, table in tables:
            if schema == HISTORY_SCHEMA:
                (count,) = connection.execute(  # type: ignore[misc]
                    f"select count(*) from {_quote(schema)}.{_quote(table)}"
                ).fetchone()
                if history:
                    result[f"{schema}.{table}"] = f"rows={count}"
                continue
            columns = connection.execute(
                "select column_name, data_type from duckdb_columns() "
                "where database_name = current_database() and schema_name = ? "
                "and table_name = ? order by column_index",
                [schema, table],
            ).fetchall()
            # hash(<table alias>) hashes the whole row, unless a column has that name
            alias = "__planwise_row"
            while alias.lower() in {str(name).lower() for name, _ in columns}:
                alias += "_"
            row = connection.execute(
                f"select count(*), coalesce(bit_xor(hash({alias})), 0), "
                f"coalesce(sum(hash({alias})::hugeint), 0) "
                f"from {_quote(schema)}.{_quote(table)} as {alias}"
            ).fetchone()
            assert row is not None
            described = ", ".join(f"{name} {data_type}" for name, data_type in columns)
            result[f"{schema}.{table}"] = (
                f"columns=[{described}] rows={row[0]} xor={row[1]} sum={row[2]}"
            )
        views = connection.execute(
            "select schema_name, view_name, sql from duckdb_views() "
            "where database_name = current_database() and not internal and not temporary"
        ).fetchall()
        for schema, view, sql in views:
            result[f"{schema}.{view} (view)"] = str(sql)
    return result
