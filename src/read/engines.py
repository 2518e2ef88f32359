"""Where the analysis queries run: the embedded DuckDB store, or a server engine chosen by URL.

The queries in `analysis.queries` are written once, in DuckDB's SQL with `?` parameters.
On DuckDB they run as written; on PostgreSQL, sqlglot translates them to its dialect and
psycopg binds the same parameters, so values still never enter the SQL text.

    engine = connect("postgresql://user@host/ceasefire")   # or a DuckDB file path
    queries.top_actors(engine, Filters(start=date(2025, 7, 1)))

`publish` copies a DuckDB store's tables into a server engine, appending shard by shard:
the way a corpus too large for one machine is ingested in parallel (see docs/scaling.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pandas as pd
import sqlglot
from sqlglot import exp

from ceasefire.store.db import Store
from ceasefire.store.schema import PUBLISHED_TABLES, UNPUBLISHED_COLUMNS

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
CONNECT_SECONDS = 10
_DATE_TYPES = (1082, 1114)  # PostgreSQL's type ids of date and timestamp (without time zone)


class Engine(Protocol):
    """What a query needs: run DuckDB-dialect SQL with `?` parameters."""

    def frame(self, sql: str, params: list) -> pd.DataFrame: ...

    def rows(self, sql: str, params: list) -> list[tuple]: ...


@dataclass
class DuckDBEngine:
    con: duckdb.DuckDBPyConnection

    def frame(self, sql: str, params: list) -> pd.DataFrame:
        return self.con.execute(sql, params).df()

    def rows(self, sql: str, params: list) -> list[tuple]:
        # fetchall, not fetchone: DuckDB keeps a partly fetched result open and refuses other work.
        return self.con.execute(sql, params).fetchall()


def is_server(location: str | Path) -> bool:
    """Whether a store location is a server database's URL."""
    return str(location).startswith(POSTGRES_SCHEMES)


class PostgresEngine:
    """A PostgreSQL database by URL. Safe to share between threads (the dashboard's sessions):
    each query takes a connection of a small pool."""

    def __init__(self, url: str, connections: int = 4):
        # optional dependencies: pip install ceasefire-talks-dashboard[postgres]
        from psycopg_pool import ConnectionPool, PoolTimeout

        self.pool = ConnectionPool(url, min_size=1, max_size=connections, kwargs={"autocommit": True}, open=True)
        try:
            self.pool.wait(timeout=CONNECT_SECONDS)  # a wrong address fails now, not at the first query
        except PoolTimeout:
            self.pool.close()
            raise ConnectionError(f"cannot connect to PostgreSQL within {CONNECT_SECONDS} s (is the server up, "
                                  "and are the URL's host, database and user right?)") from None
        self._translated: dict[str, str] = {}

    def translate(self, sql: str) -> str:
        """DuckDB SQL → PostgreSQL, with `?` placeholders as psycopg's `%s` (cached: queries repeat)."""
        if sql not in self._translated:
            tree = sqlglot.parse_one(sql, read="duckdb")
            for node in tree.find_all(exp.Group):
                _expand_group_by_all(node)
            for literal in tree.find_all(exp.Literal):
                if literal.is_string:  # psycopg reads % as the start of a placeholder
                    literal.set("this", literal.this.replace("%", "%%"))
            self._translated[sql] = tree.sql(dialect="postgres")  # `?` becomes `%s`
        return self._translated[sql]

    def frame(self, sql: str, params: list) -> pd.DataFrame:
        with self.pool.connection() as con, con.cursor() as cursor:
            cursor.execute(self.translate(sql), params)
            description = cursor.description
            frame = pd.DataFrame(cursor.fetchall(), columns=[column.name for column in description])
        # Dates and times as DuckDB's frames hold them (datetime64), not as Python objects: the
        # dashboard's charts compute with them.
        for column in (c for c in description if c.type_code in _DATE_TYPES):
            frame[column.name] = pd.to_datetime(frame[column.name])
        return frame

    def rows(self, sql: str, params: list) -> list[tuple]:
        with self.pool.connection() as con, con.cursor() as cursor:
            cursor.execute(self.translate(sql), params)
            return cursor.fetchall()

    def close(self) -> None:
        self.pool.close()


def _expand_group_by_all(group: exp.Group) -> None:
    """GROUP BY ALL (DuckDB) → the select's non-aggregate expressions, which PostgreSQL needs."""
    if not group.args.get("all"):
        return
    select = group.parent
    keys = [item.unalias().copy() for item in select.expressions if not item.find(exp.AggFunc)]
    group.set("all", None)
    group.set("expressions", keys)


def as_engine(con: Engine | duckdb.DuckDBPyConnection) -> Engine:
    return DuckDBEngine(con) if isinstance(con, duckdb.DuckDBPyConnection) else con


def connect(url: str | Path) -> Engine:
    """A PostgreSQL URL, or the path of a DuckDB file (opened read-only)."""
    text = str(url)
    if is_server(text):
        return PostgresEngine(text)
    # Opened as the store opens itself: one made by an earlier version says how to upgrade it.
    return DuckDBEngine(Store(text.removeprefix("duckdb://"), read_only=True).con)


# A shard replaces the rows of its own articles (or rounds, or places); the actor catalog is replaced whole.
_KEYS = {"records": "record_id", "events": "event_id", "places": "name", "round_decisions": "candidate_id"}
_REPLACED = ("actors",)


def publish(
    store: duckdb.DuckDBPyConnection, url: str, tables: tuple[str, ...] = PUBLISHED_TABLES, batch_rows: int = 50_000
) -> dict[str, int]:
    """Copy `tables` of a DuckDB store into PostgreSQL at `url`, creating them if needed, in one
    transaction. Publishing several shards appends them; publishing one twice changes nothing."""
    import psycopg

    copied: dict[str, int] = {}
    with psycopg.connect(url) as pg, pg.transaction():
        # Shards published from several machines at once apply one after another (shared tables
        # such as actors are replaced whole, which concurrent transactions would duplicate).
        pg.execute("SELECT pg_advisory_xact_lock(hashtext('ceasefire publish'))")
        # The shard's articles: each article-keyed table loses every row of theirs before it gains
        # the shard's, so an article analysed again loses the mentions it no longer has.
        pg.execute("CREATE TEMP TABLE shard_articles (article_id VARCHAR PRIMARY KEY) ON COMMIT DROP")
        with pg.cursor().copy("COPY shard_articles (article_id) FROM STDIN") as copy:
            for batch in _batches(store, "articles", "article_id", batch_rows):
                for row in batch:
                    copy.write_row(row)
        for table in tables:
            columns = [c for c in store.execute(f"DESCRIBE {table}").fetchall() if c[0] not in UNPUBLISHED_COLUMNS]
            names = [c[0] for c in columns]
            ddl = ", ".join(f'"{name}" {kind}' for name, kind, *_ in columns)
            pg.execute(sqlglot.transpile(f"CREATE TABLE IF NOT EXISTS {table} ({ddl})", read="duckdb", write="postgres")[0])
            for name, kind, *_ in columns:  # a table published by an earlier version gains the columns added since
                pg.execute(sqlglot.transpile(f'ALTER TABLE {table} ADD COLUMN IF NOT EXISTS "{name}" {kind}',
                                             read="duckdb", write="postgres")[0])
            pg.execute(f"CREATE TEMP TABLE incoming (LIKE {table}) ON COMMIT DROP")
            quoted = ", ".join(f'"{n}"' for n in names)
            with pg.cursor().copy(f"COPY incoming ({quoted}) FROM STDIN") as copy:
                for batch in _batches(store, table, quoted, batch_rows):
                    for row in batch:
                        copy.write_row(row)
            copied[table] = pg.execute("SELECT count(*) FROM incoming").fetchone()[0]
            pg.execute(_merge_sql(table, quoted))
            pg.execute("DROP TABLE incoming")
    return copied


def _merge_sql(table: str, quoted: str) -> str:
    insert = f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM incoming"
    if table in _REPLACED:
        return f"DELETE FROM {table}; {insert}"
    key = _KEYS.get(table)
    if key is None:  # keyed by article
        return f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM shard_articles); {insert}"
    return f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM incoming); {insert}"


def _batches(store: duckdb.DuckDBPyConnection, table: str, columns: str, size: int) -> Iterator[list[tuple[Any, ...]]]:
    result = store.execute(f"SELECT {columns} FROM {table}")
    while batch := result.fetchmany(size):
        yield batch
