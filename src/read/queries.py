"""Aggregations for the dashboard, in DuckDB SQL, returning small DataFrames.

Every query takes the shared `Filters` as parameterised conditions, so values never enter
the SQL text. Aggregations read the per-article roll-ups (analysis/extract.py), which carry
their article's date and source, so the filters apply to them without joining articles.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from itertools import islice
from typing import Literal

import duckdb
import numpy as np
import pandas as pd

from ceasefire.analysis.rounds import Candidate, NewsRound, RecordSpan, reconcile
from ceasefire.analysis.text import iter_sentences
from ceasefire.analysis.tone import tone_scorer
from ceasefire.read.engines import DuckDBEngine, Engine, as_engine
from ceasefire.read.filters import Filters, placeholders
from ceasefire.read.rollup import FacetBits
from ceasefire.store.schema import ANALYSED_TEXT, FACET_TABLES, FACETS_OUTDATED, STORIES

# A DuckDB connection or cursor, or any engine from store.engines (PostgreSQL, chosen by URL).
Connection = Engine | duckdb.DuckDBPyConnection

Grain = Literal["day", "week", "month", "year"]
# A stored sentence's words, cut from the text extraction read (`s` a sentences row, `a` its article).
SENTENCE = f"substring({ANALYSED_TEXT}, s.char_start + 1, s.char_end - s.char_start)"
Scope = Literal["sentence", "article"]
GRAINS: tuple[str, ...] = Grain.__args__  # type: ignore[attr-defined]
# What coverage counts: articles, or stories (agency copy republished by many outlets is one story;
# analysis/stories.py). An article without a story (a store not grouped since stories came) is one of its own.
Count = Literal["articles", "stories"]
COUNTS: tuple[str, ...] = Count.__args__  # type: ignore[attr-defined]
_COUNTED = {"articles": "count(*)", "stories": "count(DISTINCT coalesce(st.story_id, st.article_id))"}


def _grain(grain: str) -> str:
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {', '.join(GRAINS)}, got {grain!r}")
    return grain


def _bits(con: Connection) -> FacetBits | None:
    """The store's place and actor bits. Only a DuckDB store has them: a server engine's tables
    come from several shards, each with its own bits, so there filters take the semi-joins."""
    engine = as_engine(con)
    if not isinstance(engine, DuckDBEngine):
        return None
    try:  # two plain reads in one, joined in Python: cheaper than joining them in SQL
        rows = engine.rows("SELECT 'located', name, country, NULL FROM places "
                           "UNION ALL SELECT kind, name, NULL, bit FROM facet_bits", [])
    except duckdb.CatalogException:  # a store from before the bits, opened read-only (so not upgraded)
        return None
    bits = {(kind, name): bit for kind, name, _, bit in rows}
    return FacetBits({name: (country, bits.get(("place", name))) for kind, name, country, _ in rows if kind == "located"},
                     {name: bit for (kind, name), bit in bits.items() if kind == "actor"})


def _bits_for(con: Connection, filters: Filters) -> FacetBits | None:
    """The store's bits, read only when the filters have places or actors to test."""
    return _bits(con) if filters.locations or filters.actors else None


def _named(con: Connection, filters: Filters) -> tuple[str, list]:
    """The article_actors rows the filters keep, as a sub-query `aa` of (actor, published_at,
    mentions, articles), each row counting `articles` articles."""
    return _rollup(con, filters, "article_actors", "aa", {
        "actor": "actor", "published_at": "published_at", "mentions": "mentions", "articles": "1"})


def _rollup(con: Connection, filters: Filters, rollup: str, alias: str, columns: dict[str, str]) -> tuple[str, list]:
    """The rows of a roll-up the filters keep, as a sub-query `alias` of these columns (name → its
    value in a roll-up row). Filters of one facet — none, one place, or one actor, with or without
    dates, without sources — read that facet's rows of the roll-up's facet table (same column names)
    in a DuckDB store instead: tens of thousands of rows, not millions."""
    bits = _bits(con)  # read once, for the facet or the scan; None on a server engine, which has no facet tables
    facet = (bits.facet(filters.locations, filters.actors)
             if bits and not (filters.sources or filters.conflicts) and _facets_current(con) else None)
    if facet is None:
        where, params = filters.articles_where(alias, bits)
        values = ", ".join(f"{value} AS {name}" for name, value in columns.items())
        return f"(SELECT {values} FROM {rollup} {alias} WHERE {where}) AS {alias}", params
    dates, params = Filters(start=filters.start, end=filters.end).articles_where("f")
    rows = (f"(SELECT {', '.join(columns)} FROM {FACET_TABLES[rollup].name} f "
            f"WHERE f.facet = ? AND f.bit = ? AND {dates}) AS {alias}")
    return rows, [*facet, *params]


def _facets_current(con: Connection) -> bool:
    """Whether the facet tables cover every article: not between a big ingest and its compaction,
    nor in a store from before them that was opened read-only (so not upgraded)."""
    try:
        return not _rows(con, f"SELECT count(*) FROM {FACETS_OUTDATED}")[0][0]
    except duckdb.CatalogException:
        return False


def _where(con: Connection, filters: Filters, alias: str) -> tuple[str, list]:
    """The filters' condition on a roll-up (alias), testing place and actor bits where the store has them."""
    return filters.articles_where(alias, _bits_for(con, filters))


def _articles_with_stats(where: str) -> str:
    """The `articles` whose article_stats row (alias st) meets `where`, as a sub-query."""
    return f"(SELECT * FROM articles a WHERE a.article_id IN (SELECT st.article_id FROM article_stats st WHERE {where})) AS a"


def _articles(con: Connection, filters: Filters) -> tuple[str, list]:
    """The filtered `articles` as a sub-query: places and actors tested on each article's article_stats row."""
    if filters.locations or filters.actors:
        where, params = _where(con, filters, "st")
        return _articles_with_stats(where), params
    where, params = filters.articles_where("a")
    return f"(SELECT * FROM articles a WHERE {where}) AS a", params


def _nth_newest_date(con: Connection, where: str, params: list, n: int) -> object | None:
    """The publication date of the `n`th newest article whose article_stats row (alias st) meets
    `where`; None if fewer match, or if that article is undated."""
    found = _rows(con, f"""SELECT st.published_at FROM article_stats st WHERE {where}
                           ORDER BY st.published_at DESC NULLS LAST LIMIT 1 OFFSET ?""", params + [n - 1])
    return found[0][0] if found else None


def _query(con: Connection, sql: str, params: list) -> pd.DataFrame:
    return as_engine(con).frame(sql, params)


def _rows(con: Connection, sql: str, params: list | None = None) -> list[tuple]:
    return as_engine(con).rows(sql, params or [])


def coverage(con: Connection, filters: Filters, grain: Grain = "week", count: Count = "articles") -> pd.DataFrame:
    """Articles, or stories, per period (a column named by `count`); articles with an unknown date
    are left out. A story counts once in each period the filters keep an article of it in."""
    if count not in COUNTS:
        raise ValueError(f"count must be one of {', '.join(COUNTS)}, got {count!r}")
    where, params = _where(con, filters, "st")
    return _query(con, f"""
        SELECT date_trunc('{_grain(grain)}', st.published_at)::DATE AS period, {_COUNTED[count]} AS {count}
        FROM article_stats st WHERE {where} AND st.published_at IS NOT NULL GROUP BY 1 ORDER BY 1""", params)


def top_actors(con: Connection, filters: Filters, limit: int | None = None) -> pd.DataFrame:
    """Actors by mentions, with the number of articles that mention them: the `limit` most
    mentioned, or all of them (the overview counts them too: one scan for both)."""
    named, params = _named(con, filters)
    return _query(con, f"""
        WITH counted AS (
            SELECT aa.actor, sum(aa.mentions)::BIGINT AS mentions, sum(aa.articles)::BIGINT AS articles
            FROM {named} GROUP BY aa.actor
            ORDER BY mentions DESC, aa.actor {'LIMIT ' + str(int(limit)) if limit is not None else ''}
        )
        SELECT counted.actor, c.type, counted.mentions, counted.articles
        FROM counted LEFT JOIN actors c ON c.name = counted.actor ORDER BY mentions DESC, actor""", params)


def mentions_over_time(
    con: Connection, filters: Filters, grain: Grain = "week", actors: list[str] | None = None, top: int = 8
) -> pd.DataFrame:
    """Mentions per period of the given actors (default: the `top` most mentioned)."""
    if actors is None:
        actors = top_actors(con, filters, top).actor.tolist()
    named, params = _named(con, filters)
    return _query(con, f"""
        SELECT date_trunc('{_grain(grain)}', aa.published_at)::DATE AS period, aa.actor, sum(aa.mentions)::BIGINT AS mentions
        FROM {named} WHERE aa.published_at IS NOT NULL AND aa.actor IN ({placeholders(actors)})
        GROUP BY ALL ORDER BY period, aa.actor""", params + list(actors))


def co_mentions(
    con: Connection, filters: Filters, scope: Scope = "sentence", limit: int = 100, among: int = 30
) -> pd.DataFrame:
    """Pairs of actors named together, as an edge list with a weight: the number of sentences
    naming both, or (scope "article") the number of articles naming both, among the `among`
    most mentioned actors (pairing every actor of every article does not scale)."""
    if scope == "sentence":
        pairs, params = _rollup(con, filters, "actor_pairs", "p", {"actor": "actor", "other": "other", "sentences": "sentences"})
        return _query(con, f"""
            SELECT p.actor AS source, p.other AS target, sum(p.sentences)::BIGINT AS weight
            FROM {pairs} GROUP BY ALL ORDER BY weight DESC, source, target LIMIT ?""", params + [limit])
    if scope != "article":
        raise ValueError(f"scope must be 'sentence' or 'article', got {scope!r}")
    named, named_params = _named(con, filters)  # a facet's rows where one answers the filters
    top = [row[0] for row in _rows(con, f"""SELECT aa.actor FROM {named} GROUP BY aa.actor
                                             ORDER BY sum(aa.articles) DESC, aa.actor LIMIT ?""", named_params + [among])]
    bits = _bits(con)
    mask = bits.actor_mask(top) if bits else None
    if mask is None:  # an engine without bits, or a top actor without one: pair the actors of each article
        where, params = filters.articles_where("aa", bits)
        return _query(con, f"""
            WITH present AS (SELECT aa.article_id, aa.actor FROM article_actors aa
                             WHERE {where} AND aa.actor IN ({placeholders(top)}))
            SELECT x.actor AS source, y.actor AS target, count(*) AS weight
            FROM present x JOIN present y ON x.article_id = y.article_id AND x.actor < y.actor
            GROUP BY ALL ORDER BY weight DESC, source, target LIMIT ?""", params + top + [limit])
    # Articles are grouped by which of the top actors they name (a few hundred thousand
    # combinations in a large store). Each combination's actors are a row of 0s and 1s, weighted by its articles, so the
    # articles naming each pair are one matrix product, far cheaper than pairing the combinations
    # in SQL or the actors of every article (docs/performance.md).
    stats, stats_params = filters.articles_where("st", bits)
    combos = _query(con, f"SELECT st.actor_bits & ? AS combo, count(*) AS articles FROM article_stats st WHERE {stats} "
                         "GROUP BY 1", [mask] + stats_params)
    actor_bits = bits.actors  # type: ignore[union-attr]
    names = sorted(top, key=actor_bits.__getitem__)
    both = _articles_naming_both(combos.combo.to_numpy(), combos.articles.to_numpy(), [actor_bits[n] for n in names])
    edges = sorted((min(names[i], names[j]), max(names[i], names[j]), int(both[i, j]))
                   for i in range(len(names)) for j in range(i + 1, len(names)) if both[i, j])
    edges.sort(key=lambda edge: -edge[2])  # heaviest first, ties by name (the sort is stable)
    return pd.DataFrame(edges[:limit], columns=["source", "target", "weight"])


def _articles_naming_both(combos: np.ndarray, articles: np.ndarray, bits: list[int], chunk: int = 65_536) -> np.ndarray:
    """both[i, j]: the articles whose combination of actor bits has bits[i] and bits[j], from each
    combination and its number of articles (a chunk of combinations at a time, so memory stays bounded).
    Exact: every partial sum is a whole number no larger than its chunk's articles, which float32
    holds exactly below 2**24 (and multiplies about twice as fast as float64)."""
    both = np.zeros((len(bits), len(bits)))  # float64: exact below 2**53
    for start in range(0, len(combos), chunk):
        weights = articles[start:start + chunk]
        kind = np.float32 if weights.sum() < 2**24 else np.float64
        as_bytes = combos[start:start + chunk].astype("<i8").view(np.uint8).reshape(-1, 8)
        named = np.unpackbits(as_bytes, axis=1, bitorder="little")[:, bits].astype(kind)
        both += (named * weights[:, None].astype(kind)).T @ named
    return np.rint(both).astype(np.int64)


def actor_venues(con: Connection, filters: Filters) -> pd.DataFrame:
    """Rounds each party or mediator took part in, by venue."""
    where, params = filters.records_where("r")
    return _query(con, f"""
        SELECT actor, coalesce(r.venue_city, r.venue_country) AS venue, count(DISTINCT r.record_id) AS rounds
        FROM records r, unnest(list_concat(r.parties, r.mediators)) AS t(actor)
        WHERE {where} GROUP BY ALL ORDER BY rounds DESC, actor, venue""", params)


def issue_salience(con: Connection, filters: Filters, grain: Grain = "month") -> pd.DataFrame:
    """Per period and issue: sentences tagged with it, and their share of all sentences."""
    bits = _bits_for(con, filters)
    stats, params = filters.articles_where("st", bits)
    issues, issue_params = filters.articles_where("ai", bits)
    period = f"date_trunc('{_grain(grain)}', {{}}.published_at)::DATE"
    return _query(con, f"""
        WITH totals AS (
            SELECT {period.format('st')} AS period, sum(st.sentences)::BIGINT AS sentences FROM article_stats st
            WHERE {stats} AND st.published_at IS NOT NULL GROUP BY 1
        ), tagged AS (
            SELECT {period.format('ai')} AS period, ai.issue, sum(ai.sentences)::BIGINT AS sentences FROM article_issues ai
            WHERE {issues} AND ai.published_at IS NOT NULL GROUP BY 1, 2
        )
        SELECT tagged.period, tagged.issue, tagged.sentences, tagged.sentences / totals.sentences AS share
        FROM tagged JOIN totals USING (period) ORDER BY tagged.period, tagged.issue""", params + issue_params)


def rounds_by_venue_outcome(con: Connection, filters: Filters) -> pd.DataFrame:
    where, params = filters.records_where("r")
    return _query(con, f"""
        SELECT coalesce(r.venue_city, r.venue_country) AS venue, coalesce(r.outcome, 'unknown') AS outcome,
               count(*) AS rounds
        FROM records r WHERE {where} GROUP BY ALL ORDER BY venue, outcome""", params)


def tone_trend(
    con: Connection, filters: Filters, grain: Grain = "month", actor: str | None = None
) -> pd.DataFrame:
    """Mean sentence tone per period: of whole articles, or of the sentences that name `actor`."""
    if actor is None:  # from the per-article roll-up: the mean over all sentences, weighted by article length
        where, params = _where(con, filters, "st")
        return _query(con, f"""
            SELECT date_trunc('{_grain(grain)}', st.published_at)::DATE AS period,
                   sum(st.tone * st.sentences) / sum(st.sentences) AS tone, sum(st.sentences)::BIGINT AS sentences
            FROM article_stats st
            WHERE {where} AND st.published_at IS NOT NULL GROUP BY 1 ORDER BY 1""", params)
    return _tone_per_period(_actor_periods(con, filters, actor, grain))


def _actor_periods(con: Connection, filters: Filters, actor: str, grain: Grain) -> pd.DataFrame:
    """Per period (None for undated articles), the articles naming `actor`: its mentions, their
    number, first and last dates, and the sum and number of tones of the sentences naming it."""
    where, params = _where(con, filters, "aa")
    return _query(con, f"""
        SELECT date_trunc('{_grain(grain)}', aa.published_at)::DATE AS period, sum(aa.mentions)::BIGINT AS mentions,
               count(*) AS articles, min(aa.published_at)::DATE AS first_seen, max(aa.published_at)::DATE AS last_seen,
               sum(aa.tone_sum) AS tone_sum, sum(aa.sentences)::BIGINT AS sentences
        FROM article_actors aa WHERE aa.actor = ? AND {where} GROUP BY 1 ORDER BY 1""", [actor] + params)


def _tone_per_period(periods: pd.DataFrame) -> pd.DataFrame:
    dated = periods[periods.period.notna()]
    return pd.DataFrame({"period": dated.period, "tone": dated.tone_sum / dated.sentences,
                         "sentences": dated.sentences}).reset_index(drop=True)


def headline(con: Connection, filters: Filters) -> dict[str, object]:
    """The overview's figures: articles, rounds, and the span of their dates (actors mentioned
    are the length of `top_actors`, which the overview reads anyway)."""
    kept, params = _where(con, filters, "st")
    where, record_params = filters.records_where("r")
    # The filtered articles and rounds are each evaluated once, then counted and spanned.
    row = _rows(con, f"""
        WITH kept AS (SELECT count(*) AS n, min(st.published_at)::DATE AS first, max(st.published_at)::DATE AS last
                      FROM article_stats st WHERE {kept}),
        held AS (SELECT count(*) AS n, min(r.start_date) AS first, max(coalesce(r.end_date, r.start_date)) AS last
                 FROM records r WHERE {where})
        SELECT kept.n, held.n, least(kept.first, held.first), greatest(kept.last, held.last)  -- both ignore a NULL
        FROM kept, held""", params + record_params)[0]
    return dict(zip(("articles", "rounds", "first", "last"), row))


def conflicts_unanalysed(con: Connection) -> bool:
    """Whether the store holds articles but no conflicts of theirs: made by a version from before
    conflicts, and not analysed since (`ceasefire extract`)."""
    articles, assigned = _rows(con, "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM article_conflicts)")[0]
    return bool(articles) and not assigned


def conflicts_side_by_side(con: Connection, filters: Filters) -> pd.DataFrame:
    """Each conflict with anything in the data: its articles, rounds and agreements, its last round
    and that round's outcome, most rounds first."""
    kept, params = _where(con, filters, "ac")  # on the roll-up itself: no join of a million articles
    where, record_params = filters.records_where("r")
    return _query(con, f"""
        WITH articles AS (
            SELECT ac.conflict, count(*) AS articles FROM article_conflicts ac WHERE {kept} GROUP BY 1),
        held AS (
            SELECT c.conflict, r.start_date, coalesce(r.outcome, 'unknown') AS outcome
            FROM records r, unnest(r.conflicts) AS c(conflict) WHERE {where}),
        counted AS (
            SELECT conflict, count(*) AS rounds,
                   count(*) FILTER (WHERE outcome IN ('agreement', 'partial agreement')) AS agreements,
                   max(start_date) AS last_round
            FROM held GROUP BY 1),
        last_outcome AS (
            SELECT held.conflict, min(held.outcome) AS outcome FROM held
            JOIN counted ON counted.conflict = held.conflict AND counted.last_round = held.start_date GROUP BY 1)
        SELECT coalesce(a.conflict, c.conflict) AS conflict, coalesce(a.articles, 0)::BIGINT AS articles,
               coalesce(c.rounds, 0)::BIGINT AS rounds, coalesce(c.agreements, 0)::BIGINT AS agreements,
               c.last_round, o.outcome AS last_outcome
        FROM articles a FULL JOIN counted c ON c.conflict = a.conflict LEFT JOIN last_outcome o ON o.conflict = c.conflict
        ORDER BY rounds DESC, articles DESC, conflict""", params + record_params)


def rounds_by_conflict(con: Connection, filters: Filters) -> pd.DataFrame:
    """Rounds per conflict and outcome."""
    where, params = filters.records_where("r")
    return _query(con, f"""
        SELECT c.conflict, coalesce(r.outcome, 'unknown') AS outcome, count(*) AS rounds
        FROM records r, unnest(r.conflicts) AS c(conflict) WHERE {where} GROUP BY ALL ORDER BY 1, 2""", params)


def rounds(con: Connection, filters: Filters, limit: int | None = None) -> pd.DataFrame:
    """Rounds, newest first, with lists joined for display."""
    where, params = filters.records_where("r")
    return _query(con, f"""
        SELECT r.record_id, r.start_date, r.end_date, r.start_precision,
               coalesce(r.venue_city, r.venue_country) AS venue, r.venue_country AS country,
               coalesce(r.outcome, 'unknown') AS outcome, r.outcome_text,
               array_to_string(r.parties, ', ') AS parties, array_to_string(r.mediators, ', ') AS mediators,
               array_to_string(r.key_issues, '; ') AS key_issues, r.proposal, r.source, r.article_id, r.origin_file
        FROM records r WHERE {where}
        ORDER BY r.start_date DESC, r.record_id {'LIMIT ' + str(int(limit)) if limit else ''}""", params)


# ---------------------------------------------------------------- events (ACLED, UCDP, GDELT)


def events_over_time(con: Connection, filters: Filters, grain: Grain = "week") -> pd.DataFrame:
    """Events and their fatalities per period and type (an event without a common type is "other")."""
    where, params = filters.events_where("e")
    return _query(con, f"""
        SELECT date_trunc('{_grain(grain)}', e.date)::DATE AS period, coalesce(e.event_type, 'other') AS event_type,
               count(*) AS events, coalesce(sum(e.fatalities), 0)::BIGINT AS fatalities
        FROM events e WHERE {where} GROUP BY ALL ORDER BY 1, 2""", params)


def agreement_windows(con: Connection, filters: Filters, days: int = 30) -> pd.DataFrame:
    """Each agreement or partial agreement in the filters, with the events and fatalities of the
    filtered events in the `days` before it and the `days` from it on. The windows reach outside
    the date range: the range chooses the agreements, not the days around them."""
    rounds_where, rounds_params = filters.records_where("r")
    events_where, events_params = replace(filters, start=None, end=None).events_where("e")
    days = int(days)
    return _query(con, f"""
        WITH agreements AS (
            SELECT r.record_id, r.start_date, coalesce(r.venue_city, r.venue_country) AS venue, r.outcome,
                   array_to_string(r.parties, ', ') AS parties
            FROM records r WHERE {rounds_where} AND r.outcome IN ('agreement', 'partial agreement')
        ), kept AS (SELECT e.date, e.fatalities FROM events e WHERE {events_where})
        SELECT a.record_id, a.start_date, a.venue, a.outcome, a.parties,
               count(k.date) FILTER (WHERE k.date < a.start_date) AS events_before,
               coalesce(sum(k.fatalities) FILTER (WHERE k.date < a.start_date), 0)::BIGINT AS fatalities_before,
               count(k.date) FILTER (WHERE k.date >= a.start_date) AS events_after,
               coalesce(sum(k.fatalities) FILTER (WHERE k.date >= a.start_date), 0)::BIGINT AS fatalities_after
        FROM agreements a LEFT JOIN kept k
          ON k.date >= a.start_date - INTERVAL {days} DAY AND k.date < a.start_date + INTERVAL {days} DAY
        GROUP BY ALL ORDER BY a.start_date DESC, a.record_id""", rounds_params + events_params)


def events(con: Connection, filters: Filters, period: tuple[date, date] | None = None,
           window: tuple[date, date] | None = None, event_type: str | None = None, limit: int = 500) -> pd.DataFrame:
    """The events behind a figure, newest first: those in the filters, from the first day of
    `period` to before its last (a bar's: within the filters' dates, as the bar counted them), or of
    `window` instead of the filters' dates (an agreement's days before and after); of one type
    ("other" for none of the common types) when given."""
    where, params = (replace(filters, start=None, end=None) if window else filters).events_where("e")
    for first, last in (p for p in (period, window) if p):
        where, params = f"{where} AND e.date >= ? AND e.date < ?", [*params, first, last]
    if event_type:
        where, params = f"{where} AND coalesce(e.event_type, 'other') = ?", [*params, event_type]
    return _query(con, f"""
        SELECT e.date, coalesce(e.event_type, 'other') AS event_type, e.dataset_type, e.location, e.country,
               array_to_string(e.actors, ', ') AS actors, e.fatalities, e.dataset, e.dataset_event_id, e.source, e.url,
               e.notes
        FROM events e WHERE {where} ORDER BY e.date DESC, e.event_id LIMIT {int(limit)}""", params)


def event_places(con: Connection, filters: Filters, limit: int = 2000) -> pd.DataFrame:
    """Events by the place the dataset gives (its own coordinates), with their fatalities, most events first."""
    where, params = filters.events_where("e")
    return _query(con, f"""
        SELECT coalesce(e.location, e.country) AS name, e.country, avg(e.latitude) AS latitude, avg(e.longitude) AS longitude,
               count(*) AS events, coalesce(sum(e.fatalities), 0)::BIGINT AS fatalities
        FROM events e WHERE {where} AND e.latitude IS NOT NULL GROUP BY 1, 2
        ORDER BY events DESC, name LIMIT {int(limit)}""", params)


def place_counts(con: Connection, filters: Filters, limit: int = 300, mentioned: bool = True) -> pd.DataFrame:
    """Venues (rounds held there) and, unless `mentioned` is False, mentioned places (articles
    naming them), with coordinates. Venues alone need no scan of the mentions' roll-up."""
    where, params = filters.records_where("r")
    named, named_params = _where(con, filters, "ap") if mentioned else ("FALSE", [])
    return _query(con, f"""
        WITH venues AS (
            SELECT coalesce(r.venue_city, r.venue_country) AS name, count(*) AS count, 'venue' AS what
            FROM records r WHERE {where} GROUP BY 1
        ), mentioned AS (
            SELECT ap.place AS name, count(*) AS count, 'articles' AS what
            FROM article_places ap WHERE {named} GROUP BY 1
        )
        SELECT p.name, p.kind, p.country, p.latitude, p.longitude, x.count, x.what
        FROM (SELECT * FROM venues UNION ALL SELECT * FROM mentioned) x JOIN places p ON p.name = x.name
        ORDER BY x.count DESC, p.name, x.what LIMIT ?""", params + named_params + [limit])


def actor_profile(con: Connection, filters: Filters, actor: str) -> dict[str, object]:
    """An actor's catalog entry, how often and when the filtered articles name it, and (`tone`) the
    mean tone of the sentences naming it per month: one read of its rows for both."""
    periods = _actor_periods(con, filters, actor, "month")
    keys = ("type", "affiliation", "aliases", "demonyms", "wikidata")
    entry = _rows(con, f"SELECT {', '.join(keys)} FROM actors WHERE name = ?", [actor])
    return {
        **dict(zip(keys, entry[0] if entry else [None] * len(keys))),
        "mentions": int(periods.mentions.sum()), "articles": int(periods.articles.sum()),
        "first_seen": periods.first_seen.min() if periods.first_seen.notna().any() else None,
        "last_seen": periods.last_seen.max() if periods.last_seen.notna().any() else None,
        "tone": _tone_per_period(periods),
    }


def actor_sentences(
    con: Connection, filters: Filters, actor: str, limit: int = 20, offset: int = 0
) -> pd.DataFrame:
    """Sentences naming an actor, newest articles first: one page of them, never the whole text."""
    where, params = _where(con, filters, "aa")
    # Each article gives at least one sentence, so the page lies within the newest offset + limit
    # articles, whose rows in article_actors list the sentences naming the actor.
    newest = _rows(con, f"""
        SELECT aa.article_id, aa.sentence_indexes FROM article_actors aa WHERE aa.actor = ? AND {where}
        ORDER BY aa.published_at DESC NULLS LAST, aa.article_id LIMIT ?""", [actor] + params + [offset + limit])
    ids = [article_id for article_id, _ in newest]
    articles = {row[0]: row for row in _rows(con, f"""
        SELECT a.article_id, a.title, a.source, a.published_at, {ANALYSED_TEXT} FROM articles a
        WHERE a.article_id IN ({placeholders(ids)})""", ids)}  # tested in the scan: only these texts are read

    def newest_first(named: tuple[str, int]) -> tuple:
        published_at = articles[named[0]][3]
        return (published_at is None, -published_at.timestamp() if published_at else 0, *named)

    shown = sorted(((article_id, index) for article_id, indexes in newest for index in indexes or []),
                   key=newest_first)[offset : offset + limit]
    # The sentences are cut from their texts by the splitter and scored by the scorer that made
    # the stored ones: cheaper than reading them from the sentence table, the largest of all.
    # A sentence's tone depends on its words alone, so only the sentences shown are cut and scored.
    last_needed: dict[str, int] = {}
    for article_id, index in shown:
        last_needed[article_id] = max(index, last_needed.get(article_id, index))
    spans = {article_id: list(islice(iter_sentences(articles[article_id][-1]), last + 1))
             for article_id, last in last_needed.items()}
    page = []
    for article_id, index in shown:
        _, title, source, published_at, text = articles[article_id]
        start, end = spans[article_id][index]
        sentence = text[start:end]
        tone = tone_scorer().sentence_tones(sentence, [(0, len(sentence))])[0]
        page.append((article_id, title, source, published_at and published_at.date(), sentence, tone))
    return pd.DataFrame(page, columns=["article_id", "title", "source", "published", "sentence", "tone"])


def search_articles(
    con: Connection, filters: Filters, text: str = "", limit: int = 50, offset: int = 0
) -> tuple[int, pd.DataFrame]:
    """(number of matches, one page of them) for a case-insensitive search in titles and texts."""
    if not text.strip():
        # Without a search, the count and the page's earliest date come from the slim roll-up, and
        # only articles dated on or after that date are read from `articles`.
        where, params = _where(con, filters, "st")
        total = _rows(con, f"SELECT count(*) FROM article_stats st WHERE {where}", params)[0][0]
        last = _nth_newest_date(con, where, params, offset + limit)
        if last is not None:
            where += " AND st.published_at >= ?"
            params = [*params, last]
        articles = _articles_with_stats(where)
        search, search_params = "", []
    else:
        articles, params = _articles(con, filters)
        pattern = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        search, search_params = "WHERE a.title ILIKE ? ESCAPE '\\' OR a.text ILIKE ? ESCAPE '\\'", [pattern, pattern]
        total = _rows(con, f"SELECT count(*) FROM {articles} {search}", params + search_params)[0][0]
    page = _query(con, f"""
        SELECT a.article_id, a.title, a.source, a.published_at::DATE AS published, a.published_precision AS precision,
               a.published_from AS date_from, a.word_count
        FROM {articles} {search}
        ORDER BY a.published_at DESC NULLS LAST, a.title LIMIT ? OFFSET ?""", params + search_params + [limit, offset])
    return total, page.assign(story_articles=_story_sizes(con, page.article_id.tolist()))


def _story_sizes(con: Connection, article_ids: list[str]) -> list[int]:
    """How many articles each of these articles' stories has (1 for an article alone, or not grouped yet)."""
    sizes = dict(_rows(con, f"""
        SELECT mine.article_id, count(*) FROM {STORIES} mine JOIN {STORIES} s ON s.story_id = mine.story_id
        WHERE mine.article_id IN ({placeholders(article_ids)}) GROUP BY 1""", article_ids))
    return [int(sizes.get(article_id, 1)) for article_id in article_ids]


def article(con: Connection, article_id: str) -> dict[str, object] | None:
    found = _query(con, "SELECT * EXCLUDE (ingest_id) FROM articles WHERE article_id = ?", [article_id])
    return None if found.empty else found.iloc[0].to_dict()


def story(con: Connection, article_id: str) -> pd.DataFrame:
    """The other articles of this article's story (its agency copy as other outlets published it)
    and the copies of its articles' very texts from other outlets, earliest first; none for an
    article alone in its story and never copied."""
    return _query(con, f"""
        WITH mine AS (SELECT story_id FROM {STORIES} WHERE article_id = ?)
        SELECT a.article_id, a.title, a.source, a.url, a.published_at::DATE AS published
        FROM {STORIES} s JOIN articles a ON a.article_id = s.article_id
        WHERE s.story_id IN (SELECT story_id FROM mine) AND s.article_id <> ?
        UNION ALL
        SELECT c.article_id, c.title, c.source, c.url, c.published_at::DATE
        FROM article_copies c JOIN {STORIES} s ON s.article_id = c.article_id
        WHERE s.story_id IN (SELECT story_id FROM mine)
        ORDER BY published NULLS LAST, article_id, source""", [article_id, article_id])


def article_spans(con: Connection, article_id: str) -> pd.DataFrame:
    """Every highlighted span of one article: kind, offsets and what it means."""
    return _query(con, """
        SELECT 'actor' AS kind, char_start, char_end, actor AS label FROM actor_mentions WHERE article_id = ?
        UNION ALL SELECT 'place', char_start, char_end, place FROM place_mentions WHERE article_id = ?
        UNION ALL SELECT 'date', char_start, char_end,
               coalesce(strftime(date, '%Y-%m-%d') || ' (' || precision || ')', 'date not resolved') FROM date_mentions WHERE article_id = ?
        UNION ALL SELECT 'issue', char_start, char_end, issue FROM issue_mentions WHERE article_id = ?
        ORDER BY char_start""", [article_id] * 4)


def round_sentences(con: Connection, record_id: str, days_before: int = 7, days_after: int = 30) -> pd.DataFrame:
    """Sentences about a round: from the article its record came from, and sentences naming its
    venue in articles published from a week before it began to a month after it ended."""
    return _query(con, f"""
        WITH round AS (SELECT * FROM records WHERE record_id = ?),
        candidates AS (
            SELECT pm.article_id, pm.sentence_index
            FROM place_mentions pm JOIN articles a ON a.article_id = pm.article_id CROSS JOIN round r
            WHERE pm.place = coalesce(r.venue_city, r.venue_country)
              AND (a.article_id = r.article_id
                   OR a.published_at BETWEEN r.start_date - INTERVAL {int(days_before)} DAY
                                         AND coalesce(r.end_date, r.start_date) + INTERVAL {int(days_after)} DAY)
        )
        SELECT DISTINCT a.article_id, a.title, a.published_at::DATE AS published,
               {SENTENCE} AS sentence, s.sentence_index
        FROM candidates c JOIN sentences s USING (article_id, sentence_index) JOIN articles a USING (article_id)
        ORDER BY published DESC NULLS LAST, a.article_id, s.sentence_index LIMIT 50""", [record_id])


def filter_options(con: Connection) -> dict[str, object]:
    """What the sidebar filters can offer: date span, places, actors and sources in the store."""
    first, last = _rows(con, """
        SELECT min(d), max(d) FROM (SELECT published_at::DATE AS d FROM articles UNION ALL SELECT start_date FROM records
                                    UNION ALL SELECT end_date FROM records) AS dates""")[0]
    locations = [r[0] for r in _rows(con, """
        SELECT name FROM (SELECT place AS name FROM article_places UNION SELECT venue_city FROM records
                          UNION SELECT venue_country FROM records UNION SELECT country FROM places
                          WHERE name IN (SELECT place FROM article_places)) AS names WHERE name IS NOT NULL ORDER BY name""")]
    actors = [r[0] for r in _rows(con, """
        SELECT name FROM (SELECT actor AS name, sum(mentions) AS n FROM article_actors GROUP BY actor
                          UNION ALL SELECT unnest(list_concat(parties, mediators)), 1 FROM records) AS named
        GROUP BY name ORDER BY sum(n) DESC, name LIMIT 500""")]
    sources = [r[0] for r in _rows(
        con, "SELECT source FROM articles WHERE source IS NOT NULL GROUP BY source ORDER BY count(*) DESC, source LIMIT 500")]
    return {"first": first, "last": last, "locations": locations, "actors": sorted(actors), "sources": sources}


def data_version(con: Connection) -> tuple:
    """Changes with every ingest or re-extraction (or publication to a server, which keeps no
    ingest history): part of every cache key."""
    ingested = ("(SELECT max(ingest_id) FROM ingests)" if isinstance(as_engine(con), DuckDBEngine) else
                "(SELECT count(*) FROM articles) + (SELECT count(*) FROM records) + (SELECT count(*) FROM events)")
    return tuple(_rows(
        con, f"SELECT {ingested}, (SELECT count(*) FROM article_actors), (SELECT count(*) FROM actors), "
        "(SELECT count(*) FROM round_decisions), (SELECT max(decided_at) FROM round_decisions)"
    )[0])


# The dashboard reconciles at most this many candidates (the newest): reconciling is pure Python.
NEWS_ROUND_CANDIDATES = 2000


def news_rounds(con: Connection, filters: Filters) -> list[NewsRound]:
    """Rounds reconstructed from the filtered articles' candidates, matched to all loaded records,
    after analysts' decisions (rejected candidates are left out), keeping those the filters select."""
    found = _newest_candidates(con, filters, NEWS_ROUND_CANDIDATES)
    candidates = [Candidate.from_row(row) for row in found]
    published = {row[0]: row[-1] for row in found if row[-1]}
    records = [RecordSpan(*row) for row in _rows(con, """
        SELECT record_id, venue_city, venue_country, start_date, end_date, start_precision, outcome FROM records""")]
    decisions = {r[0]: (r[1], r[2]) for r in _rows(con, "SELECT candidate_id, decision, record_id FROM round_decisions")}
    return [r for r in reconcile(candidates, records, published, decisions) if filters.keeps(r)]


def _newest_candidates(con: Connection, filters: Filters, limit: int) -> list[tuple]:
    """The newest `limit` candidates of the filtered articles (each row: the candidate, its article's
    date last). They lie among the newest `limit` articles that have any, so candidates are read
    from the date of the newest `limit` filtered articles on, from further back while too few turn
    up. Candidates are stored by date, so the rest are skipped instead of sorting every candidate
    of a large store."""
    where, params = _where(con, filters, "st")
    articles = limit
    while True:
        cutoff = _nth_newest_date(con, where, params, articles)
        if cutoff is not None:
            recent, kept = "c.published >= CAST(? AS DATE) AND", f"{where} AND st.published_at >= ?"
            recent_params, kept_params = [cutoff], [*params, cutoff]
        else:  # fewer filtered articles than that (or undated ones among them): all of them
            recent, kept, recent_params, kept_params = "", where, [], params
        # Rows, not a DataFrame: dates, NULLs and lists come back as Python values on every engine.
        found = _rows(con, f"""
            SELECT c.* FROM round_candidates c
            WHERE {recent} c.article_id IN (SELECT st.article_id FROM article_stats st WHERE {kept})
            ORDER BY c.published DESC NULLS LAST, c.article_id, c.venue LIMIT ?""", recent_params + kept_params + [limit])
        if len(found) >= limit or not recent:
            return found
        articles *= 4


def news_round_evidence(con: Connection, candidate_ids: list[str], limit: int = 300) -> pd.DataFrame:
    """Each field of these candidates with the sentence it came from, newest articles first (one page)."""
    return _query(con, f"""
        SELECT e.field, e.value, a.title, a.published_at::DATE AS published, e.article_id, e.sentence_index,
               {SENTENCE} AS sentence
        FROM round_evidence e JOIN sentences s USING (article_id, sentence_index) JOIN articles a USING (article_id)
        WHERE e.article_id || ':' || e.venue IN (SELECT unnest(CAST(? AS VARCHAR[])))
        ORDER BY published DESC NULLS LAST, e.article_id, e.sentence_index, e.field LIMIT ?""", [candidate_ids, limit])


def unknown_names(con: Connection, min_articles: int = 2, limit: int = 50) -> pd.DataFrame:
    """The review queue: unknown names (analysis/names.py) named in at least `min_articles` articles,
    most articles first, without those dismissed or that are a catalog actor's name or alias now
    (the catalog changed after those articles were analysed). With how they were found (the kind
    most of their mentions have), their mentions and a sentence naming them."""
    return _query(con, f"""
        WITH known AS (
            SELECT lower(name) AS name FROM name_dismissals
            UNION ALL SELECT lower(name) FROM actors UNION ALL SELECT lower(unnest(aliases)) FROM actors
        ), counted AS (
            SELECT name, mode(kind) AS kind, count(DISTINCT article_id) AS articles, count(*) AS mentions,
                   min({{'article_id': article_id, 'sentence_index': sentence_index}}) AS first
            FROM name_mentions WHERE lower(name) NOT IN (SELECT name FROM known WHERE name IS NOT NULL)
            GROUP BY name HAVING count(DISTINCT article_id) >= ?
            ORDER BY articles DESC, mentions DESC, name LIMIT ?
        )
        SELECT c.name, c.kind, c.articles, c.mentions,
               {SENTENCE} AS sentence, a.title
        FROM counted c
        JOIN sentences s ON s.article_id = c.first.article_id AND s.sentence_index = c.first.sentence_index
        JOIN articles a ON a.article_id = s.article_id
        ORDER BY c.articles DESC, c.mentions DESC, c.name""", [min_articles, limit])


def name_sentences(con: Connection, name: str, limit: int = 5) -> pd.DataFrame:
    """Sentences naming an unknown name, newest articles first, one per article: the admin's samples."""
    return _query(con, f"""
        WITH named AS (
            SELECT article_id, min(sentence_index) AS sentence_index FROM name_mentions WHERE name = ? GROUP BY 1
        )
        SELECT a.article_id, a.title, a.published_at::DATE AS published,
               {SENTENCE} AS sentence
        FROM named n JOIN sentences s USING (article_id, sentence_index) JOIN articles a USING (article_id)
        ORDER BY a.published_at DESC NULLS LAST, a.article_id LIMIT ?""", [name, limit])


def article_texts(con: duckdb.DuckDBPyConnection) -> Iterator[str]:
    """Every stored article's text as extraction reads it (title included), a batch at a time (on a
    cursor of its own: a partly fetched result holds its connection)."""
    with con.cursor() as cursor:
        result = cursor.execute(f"SELECT {ANALYSED_TEXT} FROM articles a")
        while batch := result.fetchmany(1000):
            yield from (row[0] for row in batch)


def stored_articles(con: Connection, forms: Sequence[str] | None = None) -> pd.DataFrame:
    """The stored `articles` rows, or those whose title or text holds one of `forms` in any case (a
    superset of those naming it as a whole word: the caller's store tells them apart)."""
    if forms is None:
        return _query(con, "SELECT * FROM articles a", [])
    words = [" ".join(form.split()) for form in dict.fromkeys(forms) if form.strip()]
    where = " OR ".join("a.title ILIKE ? OR a.text ILIKE ?" for _ in words) or "FALSE"
    return _query(con, f"SELECT * FROM articles a WHERE {where}", [f"%{word}%" for word in words for _ in (0, 1)])


def stored_keys(con: Connection, table: str, key: str, values: Sequence[str]) -> int:
    """How many of `values` the table already holds as its key (tables and keys are the caller's, never a user's)."""
    return _rows(con, f"SELECT count(*) FROM {table} WHERE {key} IN (SELECT unnest(CAST(? AS VARCHAR[])))", [list(values)])[0][0]
