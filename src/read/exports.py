"""Exports: a table's filtered rows as CSV or Parquet, written by DuckDB (rows never pass through pandas)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

from ceasefire.read.engines import DuckDBEngine, Engine, as_engine
from ceasefire.read.filters import Filters

ExportFormat = Literal["csv", "parquet"]

EXPORTABLE = ("articles", "records", "events", "rejections", "ingests")


def select(con: duckdb.DuckDBPyConnection | Engine, table: str, filters: Filters = Filters()) -> duckdb.DuckDBPyRelation:
    """A relation of a table's rows that pass the filters: lazy on DuckDB; a server's rows are
    fetched into memory (downloads stop at a limit, `ceasefire export` reads the DuckDB store)."""
    sql, params = _select_sql(table, filters)
    engine = as_engine(con)
    if isinstance(engine, DuckDBEngine):
        relation = engine.con.query(sql, params=params)
    else:
        relation = duckdb.connect().from_df(engine.frame(sql, params))
    return relation if table in ("rejections", "ingests") else relation.project(
        ", ".join('"' + c.replace('"', '""') + '"' for c in relation.columns if c != "ingest_id"))


def _select_sql(table: str, filters: Filters) -> tuple[str, list]:
    if table == "articles":
        where, params = filters.articles_where("a")
        return f"SELECT * FROM articles a WHERE {where} ORDER BY published_at, article_id", params
    if table == "records":
        where, params = filters.records_where("r")
        return f"SELECT * FROM records r WHERE {where} ORDER BY start_date, record_id", params
    if table == "events":
        where, params = filters.events_where("e")
        return f"SELECT * FROM events e WHERE {where} ORDER BY date, event_id", params
    if table in ("rejections", "ingests"):
        return f"SELECT * FROM {table} ORDER BY ingest_id", []
    raise ValueError(f"cannot export {table!r}; choose from: {', '.join(EXPORTABLE)}")


@dataclass(frozen=True)
class Export:
    content: bytes
    rows: int


def export(con: duckdb.DuckDBPyConnection, table: str, out: str | Path, fmt: ExportFormat | None = None,
           filters: Filters = Filters()) -> int:
    """Write a table's filtered rows to CSV or Parquet (by default from the file's suffix); returns the rows written."""
    out = Path(out)
    return export_file(con, table, fmt or ("parquet" if out.suffix.lower() == ".parquet" else "csv"), out, filters)


def export_file(con: duckdb.DuckDBPyConnection | Engine, table: str, fmt: ExportFormat, out: Path, filters: Filters = Filters(),
                limit: int | None = None) -> int:
    """Write a table's filtered rows (at most `limit`) to a CSV or Parquet file, in DuckDB: rows never
    pass through pandas. CSV cells a spreadsheet would run as a formula are prefixed with a quote
    and lists are joined with "; "; Parquet keeps values as they are. Returns the rows written."""
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"format must be csv or parquet, got {fmt!r}")
    relation = select(con, table, filters)
    if limit is not None:
        relation = relation.limit(limit)
    if fmt == "csv":
        relation = neutralise_formulas(relation)
        relation.write_csv(str(out), header=True)
    else:
        relation.write_parquet(str(out))
    return relation.count("*").fetchall()[0][0]


def export_bytes(con: duckdb.DuckDBPyConnection | Engine, table: str, fmt: ExportFormat, filters: Filters = Filters(),
                 limit: int | None = None) -> Export:
    """`export_file` into memory, for a download."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"{table}.{fmt}"
        rows = export_file(con, table, fmt, out, filters, limit)
        return Export(out.read_bytes(), rows)


# What a spreadsheet runs as a formula when a cell starts with it: = + - @ tab CR (OWASP).
_FORMULA_START = "'=', '+', '-', '@', chr(9), chr(13)"


def _safe_text(value: str) -> str:
    return f"CASE WHEN left({value}, 1) IN ({_FORMULA_START}) THEN chr(39) || {value} ELSE {value} END"


def neutralise_formulas(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """Prefix text cells that a spreadsheet would run as a formula with ' so they show as text;
    join lists of text with "; " (each item neutralised)."""
    columns = []
    for name, kind in zip(relation.columns, relation.types):
        quoted = '"' + name.replace('"', '""') + '"'
        if str(kind) == "VARCHAR":
            columns.append(f"{_safe_text(quoted)} AS {quoted}")
        elif str(kind) == "VARCHAR[]":
            columns.append(f"array_to_string(list_transform({quoted}, lambda item: {_safe_text('item')}), '; ') AS {quoted}")
        else:
            columns.append(quoted)
    return relation.project(", ".join(columns))
