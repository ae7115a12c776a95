"""`planwise-run load-census`: the census file into the census source table.

DuckDB reads the census file in place. PostgreSQL and Spark read a loaded table,
`<census_schema>.census_raw` (var census_schema), which this fills with the
engine's own bulk path: COPY on PostgreSQL, Spark's Parquet and CSV readers on
Spark. Every value is loaded as text (as DuckDB reads a CSV census) with its
position in the file, `_census_file_row`, so staging converts and checks the
values the same way on every engine; column names are lower-cased (DuckDB
matches them case-insensitively). Loading replaces the table: on PostgreSQL in
one transaction (readers see the old table or the new one); on Spark by its
overwrite, which a failure can leave without a table (load again).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from runner.errors import PlanwiseError
from runner.warehouse import check_metastore, plain_name, target_profile

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


def _is_csv(path: Path) -> bool:
    return path.name.lower().endswith((".csv", ".csv.gz"))


def _postgres(settings: Any, profile: dict[str, Any], census: Path, schema: str) -> int:
    import duckdb
    import psycopg2  # type: ignore[import-untyped,unused-ignore]
    from duckdb.sqltypes import VARCHAR
    from psycopg2 import sql  # type: ignore[import-untyped,unused-ignore]

    delimiter = str(settings.var("census_csv_delimiter"))
    with tempfile.TemporaryDirectory() as scratch:
        text_file = Path(scratch) / "census.csv"
        con = duckdb.connect()
        read = (
            con.read_csv(str(census), header=True, all_varchar=True, delimiter=delimiter)
            if _is_csv(census)
            else con.read_parquet(str(census))
        )
        names = _lower_names(census, list(read.columns))
        read.select(
            *[
                duckdb.ColumnExpression(original).cast(VARCHAR).alias(name)
                for original, name in zip(read.columns, names, strict=True)
            ],
            duckdb.SQLExpression("row_number() over ()").alias(ROW),
        ).write_csv(str(text_file), header=True)
        rows = int(read.count("*").fetchall()[0][0])
        con.close()
        connection = psycopg2.connect(
            host=profile["host"],
            port=profile["port"],
            user=profile["user"],
            password=profile.get("password") or None,
            dbname=profile["dbname"],
        )
        table = sql.Identifier(schema, "census_raw")
        columns = sql.SQL(", ").join(
            [sql.SQL("{} text").format(sql.Identifier(n)) for n in names]
            + [sql.SQL("{} bigint").format(sql.Identifier(ROW))]
        )
        with connection, connection.cursor() as cursor, text_file.open() as stream:
            cursor.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
            cursor.execute(sql.SQL("drop table if exists {}").format(table))
            cursor.execute(sql.SQL("create table {} ({})").format(table, columns))
            cursor.copy_expert(
                sql.SQL("copy {} from stdin with (format csv, header true)")
                .format(table)
                .as_string(cursor),
                stream,
            )
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
    order = Window.orderBy(functions.monotonically_increasing_id())
    frame = frame.select(
        *[
            functions.col(f"`{original}`").cast("string").alias(name)
            for original, name in zip(
                frame.columns, _lower_names(census, frame.columns), strict=True
            )
        ],
        functions.row_number().over(order).alias(ROW),
    )
    spark.sql(f"create database if not exists `{schema}`")
    frame.write.mode("overwrite").format("parquet").saveAsTable(f"`{schema}`.census_raw")
    return int(spark.table(f"`{schema}`.census_raw").count())


def load_census(settings: Any) -> tuple[str, int]:
    """Load the census into the target's census_raw; (where it went, rows)."""
    census = settings.census_path
    schema = plain_name(str(settings.var("census_schema")), "var census_schema")
    if not census.is_file():
        raise PlanwiseError(
            f"{census}: the census file does not exist",
            "set census_path (flag --census) to the census export",
        )
    profile = target_profile(settings)
    check_metastore(settings, profile)
    kind = profile.get("type")
    loaders = {"postgres": _postgres, "spark": _spark}
    if kind not in loaders:
        return f"{kind} reads {census} in place; nothing to load", 0
    rows = loaders[kind](settings, profile, census, schema)
    return f"{schema}.census_raw on target {settings.knobs['target']} ({kind})", rows
