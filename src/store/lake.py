"""The store as a lake: each table a folder of Parquet files, partitioned by month where the table
has a date, read through DuckDB without copying it. Read-only by nature: the dashboard on
`CEASEFIRE_DB=lake:PATH` serves it, `ceasefire publish lake:PATH` writes one from a DuckDB store.

    PATH/_lake.json                      what is there: each table and how it is partitioned
    PATH/articles/month=2025-08/*.parquet
    PATH/actors/data.parquet

A lake is written beside the old one and swapped in by two renames, so readers never see half of
one (a query running at the instant of the swap fails once; the next rerun reads the new lake).
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from ceasefire.config import duckdb_memory_limit
from ceasefire.store.schema import FACET_TABLES, FACETS_OUTDATED, ROLLUPS, TABLES

LAKE_SCHEME = "lake:"
MANIFEST = "_lake.json"
LAKE_FORMAT = 1
PARTITION = "month"  # YYYY-MM, or "undated"
# Every table, and whether the facet tables are current (the queries read them only then).
LAKE_TABLES = (*TABLES, FACETS_OUTDATED)
# The date each table is partitioned by; the other tables are small, or read by key.
_DATED = {"articles": "published_at", "round_candidates": "published", "records": "start_date", "events": "date",
          **{name: "published_at" for name in ROLLUPS}, **{facet.name: "published_at" for facet in FACET_TABLES.values()}}


class LakeError(ValueError):
    """A lake that cannot be read or written: says which folder and why."""


def lake_folder(location: str | Path) -> Path | None:
    """The folder of a `lake:PATH` location, None for any other."""
    text = str(location)
    return Path(text.removeprefix(LAKE_SCHEME)) if text.startswith(LAKE_SCHEME) else None


def dated_column(table: str) -> str | None:
    """The date column a table is partitioned by in a lake (its month), None for a table without one."""
    return _DATED.get(table)


def write_lake(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """Write every table of the store on `con` to a lake at `folder`, replacing the lake there.
    Returns the rows written per table."""
    folder = folder.resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    fresh = folder.with_name(f".{folder.name}.writing-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    present = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    written: dict[str, int] = {}
    tables: dict[str, dict[str, str | None]] = {}
    for table in (t for t in LAKE_TABLES if t in present):
        rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        date = _DATED.get(table)
        target = fresh / table
        if date and rows:
            month = f"coalesce(strftime({date}, '%Y-%m'), 'undated') AS {PARTITION}"
            con.execute(f"COPY (SELECT *, {month} FROM {table}) TO {_literal(target)} (FORMAT parquet, PARTITION_BY ({PARTITION}))")
        else:  # an empty table still has its columns: one file, unpartitioned
            target.mkdir()
            con.execute(f"COPY {table} TO {_literal(target / 'data.parquet')} (FORMAT parquet)")
        tables[table] = {"partitioned_by": PARTITION if date and rows else None}
        written[table] = rows
    manifest = {"format": LAKE_FORMAT, "written_at": datetime.now(timezone.utc).isoformat(), "tables": tables}
    (fresh / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
    if folder.exists():
        if not (folder / MANIFEST).exists():
            shutil.rmtree(fresh)
            raise LakeError(f"{folder} exists and is not a lake (no {MANIFEST}): not replacing it")
        folder.rename(old)
    fresh.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
    return written


def lake_connection(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose tables are views of the lake's Parquet files (read where they lie)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise LakeError(f"{folder} is no lake: its {MANIFEST} cannot be read ({error.__class__.__name__})") from None
    if manifest.get("format") != LAKE_FORMAT:
        raise LakeError(f"{folder} is a lake of format {manifest.get('format')!r}; this version reads format {LAKE_FORMAT}")
    con = duckdb.connect(":memory:", config={"memory_limit": duckdb_memory_limit()})
    for table, layout in manifest["tables"].items():
        if table not in LAKE_TABLES:  # a name read from a file never enters SQL unchecked
            raise LakeError(f"{folder}/{MANIFEST} names a table this version does not know: {table!r}")
        if layout.get("partitioned_by"):
            files, columns = folder / table / "*" / "*.parquet", f"* EXCLUDE ({layout['partitioned_by']})"
        else:
            files, columns = folder / table / "*.parquet", "*"
        con.execute(f"CREATE VIEW {table} AS SELECT {columns} FROM read_parquet({_literal(files)}, hive_partitioning = true)")
    return con


def _literal(path: Path) -> str:
    """A path as an SQL string literal (DuckDB takes no parameters in COPY or a view's definition)."""
    return "'" + str(path).replace("'", "''") + "'"
