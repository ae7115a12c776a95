"""The DuckDB floor: the project's compiled models run in plain DuckDB, no dbt.

    python benchmarks/duckdb_floor.py DATABASE MANIFEST

Reads the compiled SQL of every model from a `dbt build`'s manifest.json and runs
it on DATABASE (the file that build wrote, whose seeds are loaded), in dependency
order, each as `create or replace table|view <relation> as <compiled SQL>`. This
is what the same loads and transforms cost without dbt's per-node work; the
benchmark times this script as one process, like every other variant.
"""

from __future__ import annotations

import json
import sys
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb


def main(database: Path, manifest_path: Path) -> None:
    manifest = json.loads(manifest_path.read_text())
    models = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"]["materialized"] != "ephemeral"
    }
    graph = {
        uid: [d for d in node["depends_on"]["nodes"] if d in models] for uid, node in models.items()
    }
    with duckdb.connect(str(database)) as connection:
        for uid in TopologicalSorter(graph).static_order():
            node = models[uid]
            kind = "view" if node["config"]["materialized"] == "view" else "table"
            connection.execute(
                f"create or replace {kind} {node['relation_name']} as {node['compiled_code']}"
            )
    print(f"{len(models)} models")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
