"""Aggregations for the dashboard, in DuckDB SQL, returning small DataFrames.

Every query takes the shared `Filters`; the filtered articles or rounds are a
parameterised sub-select, so values never enter the SQL text.
"""

from __future__ import annotations

from typing import Literal

import duckdb
import pandas as pd

from store.filters import Filters

Grain = Literal["day", "week", "month", "year"]
Scope = Literal["sentence", "article"]
GRAINS: tuple[str, ...] = Grain.__args__  # type: ignore[attr-defined]


def _grain(grain: str) -> str:
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {', '.join(GRAINS)}, got {grain!r}")
    return grain


def _articles(filters: Filters) -> tuple[str, list]:
    where, params = filters.articles_where("a")
    return f"(SELECT * FROM articles a WHERE {where})", params


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> pd.DataFrame:
    return con.execute(sql, params).df()


def coverage(con: duckdb.DuckDBPyConnection, filters: Filters, grain: Grain = "week") -> pd.DataFrame:
    """Articles per period (articles with an unknown date are left out)."""
    articles, params = _articles(filters)
    return _query(con, f"""
        SELECT date_trunc('{_grain(grain)}', published_at)::DATE AS period, count(*) AS articles
        FROM {articles} WHERE published_at IS NOT NULL GROUP BY 1 ORDER BY 1""", params)


def top_actors(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 20) -> pd.DataFrame:
    """Actors by mentions, with the number of articles that mention them."""
    articles, params = _articles(filters)
    return _query(con, f"""
        SELECT m.actor, any_value(c.type) AS type, count(*) AS mentions, count(DISTINCT m.article_id) AS articles
        FROM actor_mentions m JOIN {articles} a USING (article_id) LEFT JOIN actors c ON c.name = m.actor
        GROUP BY m.actor ORDER BY mentions DESC, m.actor LIMIT ?""", params + [limit])


def mentions_over_time(
    con: duckdb.DuckDBPyConnection, filters: Filters, grain: Grain = "week", actors: list[str] | None = None, top: int = 8
) -> pd.DataFrame:
    """Mentions per period of the given actors (default: the `top` most mentioned)."""
    if actors is None:
        actors = top_actors(con, filters, top).actor.tolist()
    articles, params = _articles(filters)
    return _query(con, f"""
        SELECT date_trunc('{_grain(grain)}', a.published_at)::DATE AS period, m.actor, count(*) AS mentions
        FROM actor_mentions m JOIN {articles} a USING (article_id)
        WHERE a.published_at IS NOT NULL AND m.actor IN (SELECT unnest(?::VARCHAR[]))
        GROUP BY ALL ORDER BY period, m.actor""", params + [actors])


def co_mentions(
    con: duckdb.DuckDBPyConnection, filters: Filters, scope: Scope = "sentence", limit: int = 100
) -> pd.DataFrame:
    """Pairs of actors named together, in the same sentence or the same article: an edge list."""
    if scope not in ("sentence", "article"):
        raise ValueError(f"scope must be 'sentence' or 'article', got {scope!r}")
    unit = "article_id, sentence_index" if scope == "sentence" else "article_id"
    articles, params = _articles(filters)
    return _query(con, f"""
        WITH units AS (
            SELECT DISTINCT m.article_id, m.sentence_index, m.actor
            FROM actor_mentions m JOIN {articles} a USING (article_id)
        ), together AS (
            SELECT DISTINCT {", ".join(f"x.{c.strip()}" for c in unit.split(","))}, x.actor AS source, y.actor AS target
            FROM units x JOIN units y USING ({unit}) WHERE x.actor < y.actor
        )
        SELECT source, target, count(*) AS weight FROM together
        GROUP BY ALL ORDER BY weight DESC, source, target LIMIT ?""", params + [limit])


def actor_venues(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Rounds each party or mediator took part in, by venue."""
    where, params = filters.records_where("r")
    return _query(con, f"""
        SELECT actor, coalesce(r.venue_city, r.venue_country) AS venue, count(*) AS rounds
        FROM records r, unnest(list_distinct(list_concat(r.parties, r.mediators))) AS t(actor)
        WHERE {where} GROUP BY ALL ORDER BY rounds DESC, actor, venue""", params)


def issue_salience(con: duckdb.DuckDBPyConnection, filters: Filters, grain: Grain = "month") -> pd.DataFrame:
    """Per period and issue: sentences tagged with it, and their share of all sentences."""
    articles, params = _articles(filters)
    return _query(con, f"""
        WITH dated AS (
            SELECT article_id, date_trunc('{_grain(grain)}', published_at)::DATE AS period
            FROM {articles} WHERE published_at IS NOT NULL
        ), totals AS (
            SELECT period, count(*) AS sentences FROM sentences JOIN dated USING (article_id) GROUP BY period
        ), tagged AS (
            SELECT period, issue, count(DISTINCT (article_id, sentence_index)) AS sentences
            FROM issue_mentions JOIN dated USING (article_id) GROUP BY ALL
        )
        SELECT tagged.period, tagged.issue, tagged.sentences, tagged.sentences / totals.sentences AS share
        FROM tagged JOIN totals USING (period) ORDER BY tagged.period, tagged.issue""", params)


def rounds_by_venue_outcome(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    where, params = filters.records_where("r")
    return _query(con, f"""
        SELECT coalesce(r.venue_city, r.venue_country) AS venue, coalesce(r.outcome, 'unknown') AS outcome,
               count(*) AS rounds
        FROM records r WHERE {where} GROUP BY ALL ORDER BY venue, outcome""", params)


def tone_trend(
    con: duckdb.DuckDBPyConnection, filters: Filters, grain: Grain = "month", actor: str | None = None
) -> pd.DataFrame:
    """Mean sentence tone per period: of whole articles, or of the sentences that name `actor`."""
    articles, params = _articles(filters)
    if actor is None:
        sentences, extra = "sentences s", []
    else:
        sentences = ("(SELECT s.* FROM sentences s WHERE EXISTS (SELECT 1 FROM actor_mentions m "
                     "WHERE m.article_id = s.article_id AND m.sentence_index = s.sentence_index AND m.actor = ?)) s")
        extra = [actor]
    return _query(con, f"""
        SELECT date_trunc('{_grain(grain)}', a.published_at)::DATE AS period, avg(s.tone) AS tone,
               count(*) AS sentences
        FROM {sentences} JOIN {articles} a USING (article_id)
        WHERE a.published_at IS NOT NULL GROUP BY 1 ORDER BY 1""", extra + params)
