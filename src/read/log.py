"""What the store holds and what was done to it: headline figures, the ingest history and the rejected input."""

from __future__ import annotations

import duckdb
import pandas as pd

from ceasefire.store.db import Store


def stats(store: Store) -> dict[str, object]:
    """Headline figures about what is stored."""
    con = store.con
    articles = con.execute(
        "SELECT count(*), min(published_at)::DATE, max(published_at)::DATE, count(DISTINCT source), "
        "count(*) FILTER (WHERE published_from = 'inferred'), count(*) FILTER (WHERE published_at IS NULL), "
        "count(*) FILTER (WHERE text_pending) FROM articles"
    ).fetchall()[0]
    records = con.execute("SELECT count(*), min(start_date), max(start_date), count(DISTINCT venue_city) FROM records").fetchall()[0]
    outcomes = dict(con.execute(
        "SELECT coalesce(outcome, 'unknown'), count(*) FROM records GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall())
    return {
        "store": str(store.path),
        "articles": articles[0], "articles_first_date": articles[1], "articles_last_date": articles[2],
        "sources": articles[3], "articles_date_inferred": articles[4], "articles_date_unknown": articles[5],
        "articles_title_only": articles[6],  # listed by URL, their pages not fetched yet (docs/fetching.md)
        "rounds": records[0], "rounds_first_date": records[1], "rounds_last_date": records[2],
        "venues": records[3], "rounds_by_outcome": outcomes,
        "events": store.count("events"),
        "ingests": store.count("ingests"), "rejections": store.count("rejections"),
        "watched_sources": store.count("watched_sources"),
        # a store from before conflicts: its articles need `ceasefire extract`
        "conflicts_unanalysed": articles[0] > 0 and not store.count("article_conflicts"),
    }


def ingest_history(con: duckdb.DuckDBPyConnection, limit: int = 50) -> pd.DataFrame:
    """The newest ingests, newest first."""
    return con.execute("SELECT ingest_id AS Ingest, started_at AS Started, files_read AS Files, articles_added AS "
                       "Articles, records_added AS Rounds, events_added AS Events, rejected AS Rejected FROM ingests "
                       "ORDER BY ingest_id DESC LIMIT ?", [limit]).df()


def rejections(con: duckdb.DuckDBPyConnection, limit: int = 500) -> pd.DataFrame:
    """The newest rejected files and rows, with the reason."""
    return con.execute('SELECT ingest_id AS Ingest, file AS File, "row" AS Row, reason AS Reason FROM rejections '
                       "ORDER BY ingest_id DESC LIMIT ?", [limit]).df()


def watched_sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The watched sources (docs/fetching.md), as the Data page lists them."""
    return con.execute("SELECT url AS URL, coalesce(kind, 'not fetched yet') AS Kind, every_seconds AS \"Every (s)\", "
                       "last_refresh AS \"Last refresh\", refreshes AS Refreshes, articles_added AS \"Articles added\", "
                       "articles_updated AS Updated, last_error AS \"Last error\" FROM watched_sources ORDER BY url").df()


def title_only_articles(con: duckdb.DuckDBPyConnection) -> int:
    """Articles known by title and URL only (docs/fetching.md)."""
    return con.execute("SELECT count(*) FROM articles WHERE text_pending").fetchall()[0][0]
