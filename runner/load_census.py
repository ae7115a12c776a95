"""`planwise-run load-census`: the census file into the census source table.

DuckDB reads the census file in place. PostgreSQL and Spark read a loaded table,
`<census_schema>.census_raw` (var census_schema), which this fills with the
engine's own bulk path: COPY on PostgreSQL, Spark's Parquet and CSV readers on
Spark. Every value is loaded as text (as DuckDB reads a CSV census) with its
position in the file, `_census_file_row`, so staging converts and checks the
values the same way on every engine; column names are lower-cased (DuckDB
matches them case-insensitively). A column name never becomes SQL: the loader
quotes it (psycopg2.sql.Identifier) or takes the column by its position, and
refuses names the engine cannot hold. Loading replaces the table: on PostgreSQL in
one transaction (readers see the old table or the new one); on Spark by its
overwrite, which a failure can leave without a table (load again).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from runner import pg_lock
from runner.errors import PlanwiseError
from runner.warehouse import census_schema, check_metastore, identifier_limit, target_profile

ROW = "_census_file_row"


def _lower_names(census: Path, names: list[str]) -> list[str]:
    """The columns' names in lower case; two that differ only in case are refused."""
    lowered = [name.lower() for name in names]
    twice = sorted({name for name in lowered if lowered.count(name) > 1})
    if twice:
        raise PlanwiseError(
            f"{census}: columns differ only in case: {', '.join(twice)}",
            "rename one of each pair in the census export",
        )
    return lowered


def _column_problem(name: str, limit: int | None) -> str | None:
    """What makes a column name unusable as the engine's identifier. A name is only
    ever passed quoted (psycopg2.sql.Identifier) or by position, never as SQL."""
    if name == ROW:
        return f"'{ROW}' is the loader's own column"
    if not name or "\0" in name:
        return f"{name!r} is empty or contains a NUL character"
    size = len(name.encode("utf-8"))
    if limit is not None and size > limit:
        return f"{name!r} is {size} bytes long (UTF-8), over the limit of {limit}"
    return None


def _column_names(census: Path, names: list[str], limit: int | None) -> list[str]:
    """The columns' names as loaded (lower case), PlanwiseError when one cannot be."""
    lowered = _lower_names(census, names)
    problems = [p for p in (_column_problem(name, limit) for name in lowered) if p]
    if problems:
        raise PlanwiseError(
            f"{census}: census column names the target cannot hold: {'; '.join(problems)}",
            "rename those columns in the census export",
        )
    return lowered


NESTED = ("struct", "map", "union", "list", "array", "row")
BINARY = ("blob", "bytea", "binary", "varbinary", "bytes")


def _refuse_unfit(census: Path, names: list[str], types: list[str]) -> None:
    """Columns whose values cannot be loaded as text (nested or binary): refused, naming
    each with its type, as DuckDB's own reading of the file would."""
    unfit = [
        f"{name} is {kind}"
        for name, kind in zip(names, types, strict=True)
        if kind.lower().startswith(NESTED + BINARY) or kind.endswith("]")
    ]
    if unfit:
        raise PlanwiseError(
            f"{census}: column(s) of a type that cannot hold a census value: {'; '.join(unfit)}",
            "export each as a plain value (text, number or date), not a nested, list, map or "
            "binary column",
        )


def _one_file(path: Path) -> str:
    """The path with DuckDB's glob characters bracketed: it names this one file."""
    return str(path).replace("[", "[[]").replace("*", "[*]").replace("?", "[?]")


def _is_csv(path: Path) -> bool:
    return path.name.lower().endswith((".csv", ".csv.gz"))


def _text_file(settings: Any, census: Path, text_file: Path) -> tuple[list[str], int]:
    """The census as a CSV file of text values and their row number, without a header
    (COPY takes columns by position): (its column names as in the file, rows)."""
    import duckdb

    delimiter = str(settings.var("census_csv_delimiter"))
    with duckdb.connect() as con:
        read = (
            con.read_csv(_one_file(census), header=True, all_varchar=True, delimiter=delimiter)
            if _is_csv(census)
            else con.read_parquet(_one_file(census))
        )
        _refuse_unfit(census, list(read.columns), [str(kind) for kind in read.types])
        read.select(  # fixed expressions: no column name is ever written into SQL
            duckdb.SQLExpression("columns(*)::varchar"),
            duckdb.SQLExpression("row_number() over ()").alias(ROW),
        ).write_csv(str(text_file), header=False)
        return list(read.columns), int(read.count("*").fetchall()[0][0])


def _postgres(settings: Any, profile: dict[str, Any], census: Path, schema: str) -> int:
    from psycopg2 import sql  # type: ignore[import-untyped,unused-ignore]

    with tempfile.TemporaryDirectory() as scratch:
        text_file = Path(scratch) / "census.csv"
        original, rows = _text_file(settings, census, text_file)
        names = _column_names(census, original, identifier_limit("postgres"))
        home, table = sql.Identifier(schema), sql.Identifier(schema, "census_raw")
        columns = sql.SQL(", ").join(
            [sql.SQL("{} text").format(sql.Identifier(n)) for n in names]
            + [sql.SQL("{} bigint").format(sql.Identifier(ROW))]
        )
        connection = pg_lock.connect(profile, pg_lock.run_name("load-census"))
        try:
            with connection, connection.cursor() as cursor, text_file.open(encoding="utf-8") as f:
                cursor.execute(sql.SQL("create schema if not exists {}").format(home))
                cursor.execute(sql.SQL("drop table if exists {}").format(table))
                cursor.execute(sql.SQL("create table {} ({})").format(table, columns))
                copy = sql.SQL("copy {} from stdin with (format csv)").format(table)
                cursor.copy_expert(copy.as_string(cursor), f)
        finally:
            connection.close()
    return rows


def _spark(settings: Any, profile: dict[str, Any], census: Path, schema: str) -> int:
    from pyspark.sql import SparkSession, Window, functions

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in (profile.get("server_side_parameters") or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    reader = spark.read
    frame = (
        reader.csv(str(census), header=True, sep=str(settings.var("census_csv_delimiter")))
        if _is_csv(census)
        else reader.parquet(str(census))
    )
    _refuse_unfit(census, frame.columns, [field.dataType.simpleString() for field in frame.schema])
    names = _column_names(census, frame.columns, None)
    order = Window.orderBy(functions.monotonically_increasing_id())
    by_position = frame.toDF(*[f"_c{i}" for i in range(len(names))])  # names never parsed
    frame = by_position.select(
        *[functions.col(f"_c{i}").cast("string").alias(name) for i, name in enumerate(names)],
        functions.row_number().over(order).alias(ROW),
    )
    spark.sql(f"create database if not exists `{schema}`")
    frame.write.mode("overwrite").format("parquet").saveAsTable(f"`{schema}`.census_raw")
    return int(spark.table(f"`{schema}`.census_raw").count())


def load_census(settings: Any) -> tuple[str, int]:
    """Load the census into the target's census_raw; (where it went, rows)."""
    census = settings.census_path
    if not census.is_file():
        raise PlanwiseError(
            f"{census}: the census file does not exist",
            "set census_path (flag --census) to the census export",
        )
    profile = target_profile(settings)
    kind = str(profile.get("type"))
    schema = census_schema(settings, kind)
    check_metastore(settings, profile)
    loaders = {"postgres": _postgres, "spark": _spark}
    if kind not in loaders:
        return f"{kind} reads {census} in place; nothing to load", 0
    rows = loaders[kind](settings, profile, census, schema)
    return f"{schema}.census_raw on target {settings.knobs['target']} ({kind})", rows
