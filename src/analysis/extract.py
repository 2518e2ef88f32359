"""Run every extractor over articles and return rows for the analysis tables.

Every mention keeps its character offsets in the article text and the index of
its sentence, so any figure can be traced back to the sentence it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import rounds
from analysis.actors import ActorExtractor
from analysis.catalog import ACTORS_YAML, Catalog, read_catalog
from analysis.gazetteer import PLACES_CSV, Place, load_gazetteer
from analysis.issues import ISSUES_YAML, IssueTagger, read_issues
from analysis.matcher import padded_fold
from analysis.places import PlaceExtractor
from analysis.text import SentenceIndex, split_sentences
from analysis.text_dates import find_dates
from analysis.tone import ToneScorer, tone_scorer

# Column names and DuckDB types of the tables extraction fills, in order.
TABLES: dict[str, dict[str, str]] = {
    "sentences": {"article_id": "VARCHAR", "sentence_index": "INTEGER", "char_start": "INTEGER", "char_end": "INTEGER",
                  "tone": "DOUBLE"},
    "actor_mentions": {"article_id": "VARCHAR", "sentence_index": "INTEGER", "char_start": "INTEGER", "char_end": "INTEGER",
                       "actor": "VARCHAR", "match_kind": "VARCHAR", "surface": "VARCHAR"},
    "place_mentions": {"article_id": "VARCHAR", "sentence_index": "INTEGER", "char_start": "INTEGER", "char_end": "INTEGER",
                       "place": "VARCHAR", "surface": "VARCHAR"},
    "date_mentions": {"article_id": "VARCHAR", "sentence_index": "INTEGER", "char_start": "INTEGER", "char_end": "INTEGER",
                      "surface": "VARCHAR", "kind": "VARCHAR", "date": "DATE", "precision": "VARCHAR"},
    "issue_mentions": {"article_id": "VARCHAR", "sentence_index": "INTEGER", "char_start": "INTEGER", "char_end": "INTEGER",
                       "issue": "VARCHAR", "term": "VARCHAR"},
    # Negotiation rounds the article reports (analysis/rounds.py), and the sentence behind each field.
    # A candidate carries its article's publication date last, so the newest can be read without
    # looking up every candidate's article (Candidate.from_row reads the columns before it).
    "round_candidates": {"article_id": "VARCHAR", "venue": "VARCHAR", "country": "VARCHAR", "date": "DATE",
                         "precision": "VARCHAR", "past": "BOOLEAN", "parties": "VARCHAR[]", "mediators": "VARCHAR[]",
                         "people": "VARCHAR[]", "outcome": "VARCHAR", "issues": "VARCHAR[]", "proposal": "VARCHAR",
                         "published": "DATE"},
    "round_evidence": {"article_id": "VARCHAR", "venue": "VARCHAR", "field": "VARCHAR", "value": "VARCHAR",
                       "sentence_index": "INTEGER"},
}


@dataclass
class Extractors:
    """The configured extractors; build once and reuse (building the automata is the slow part)."""

    catalog: Catalog
    actors: ActorExtractor
    places: PlaceExtractor
    issues: IssueTagger
    tone: ToneScorer

    @classmethod
    def load(cls, actors_path: Path = ACTORS_YAML, issues_path: Path = ISSUES_YAML, places_path: Path = PLACES_CSV) -> Extractors:
        catalog = read_catalog(actors_path)
        return cls(catalog, ActorExtractor(catalog), PlaceExtractor(load_gazetteer(places_path)),
                   IssueTagger(read_issues(issues_path)), tone_scorer())


# Per-article roll-ups of the mention tables, derived in SQL whenever an article's mentions are
# stored. The dashboard aggregates these instead of raw mentions: counting distinct articles or
# pairing actors over millions of mention rows is far too slow for a page (docs/performance.md).
# Each carries what the filters test of its article — date, source, and the places and actors it
# names as bit sets (store.filters.FacetBits) — so every filter is a condition on the row itself,
# never a join: a location filter as a semi-join of article ids was several times slower.
_ARTICLE = "article_id VARCHAR, published_at TIMESTAMP, source VARCHAR, place_bits BIGINT, actor_bits BIGINT, "
_CARRIED = "a.published_at, a.source, f.place_bits, f.actor_bits"
# `article_facets` (article_id, place_bits, actor_bits) is provided by the statement that runs these.
_DATED = "JOIN articles a USING (article_id) JOIN article_facets f USING (article_id)"
ROLLUPS: dict[str, tuple[str, str]] = {
    "article_actors": (  # with the number, summed tone and indexes of the sentences naming the actor
        _ARTICLE + "actor VARCHAR, mentions INTEGER, sentences INTEGER, tone_sum DOUBLE, sentence_indexes INTEGER[]",
        (f"SELECT article_id, {_CARRIED}, actor, sum(n), count(*), sum(s.tone), list(sentence_index ORDER BY sentence_index) FROM ("
         "SELECT article_id, actor, sentence_index, count(*) AS n FROM actor_mentions "
         "WHERE article_id IN (SELECT unnest(?)) GROUP BY ALL) "
         f"JOIN sentences s USING (article_id, sentence_index) {_DATED} GROUP BY ALL"),
    ),
    "article_places": (
        _ARTICLE + "place VARCHAR, mentions INTEGER",
        (f"SELECT article_id, {_CARRIED}, place, count(*) "
         f"FROM place_mentions {_DATED} WHERE article_id IN (SELECT unnest(?)) GROUP BY ALL"),
    ),
    "article_issues": (
        _ARTICLE + "issue VARCHAR, sentences INTEGER",
        (f"SELECT article_id, {_CARRIED}, issue, count(DISTINCT sentence_index) "
         f"FROM issue_mentions {_DATED} WHERE article_id IN (SELECT unnest(?)) GROUP BY ALL"),
    ),
    "article_stats": (  # one row for every article, so the articles filters keep can be counted here
        _ARTICLE + "sentences INTEGER, tone DOUBLE",
        (f"SELECT article_id, {_CARRIED}, count(s.sentence_index), avg(s.tone) "
         f"FROM articles a JOIN article_facets f USING (article_id) LEFT JOIN sentences s USING (article_id) "
         "WHERE article_id IN (SELECT unnest(?)) GROUP BY ALL"),
    ),
    "actor_pairs": (  # actors named in the same sentence: one row per article and pair (actor < other)
        _ARTICLE + "actor VARCHAR, other VARCHAR, sentences INTEGER",
        (f"SELECT x.article_id, {_CARRIED}, x.actor, y.actor, count(DISTINCT x.sentence_index) "
         "FROM actor_mentions x JOIN actor_mentions y ON x.article_id = y.article_id "
         "AND x.sentence_index = y.sentence_index AND x.actor < y.actor "
         "JOIN articles a ON a.article_id = x.article_id JOIN article_facets f ON f.article_id = x.article_id "
         "WHERE x.article_id IN (SELECT unnest(?)) GROUP BY ALL"),
    ),
}
@dataclass(frozen=True)
class FacetTable:
    """A roll-up summed per day over every article (facet 'all', bit -1), and over the articles
    naming one place or one actor (facet 'place' or 'actor' and its bit). The filters of most views
    (none, a date range, one place, one actor) read their facet's few rows instead of scanning the
    roll-up: tens of thousands of rows, not millions. A key may
    repeat (one row per ingest batch) until `Store.compact` adds them up."""

    name: str
    rollup: str
    keys: tuple[str, ...]  # besides the facet, its bit and the day
    sums: dict[str, str]  # column → its sum over the roll-up's rows

    def ddl(self) -> str:
        keys = ", ".join(f"{key} VARCHAR" for key in self.keys)
        sums = ", ".join(f"{column} BIGINT" for column in self.sums)
        return f"CREATE TABLE IF NOT EXISTS {self.name} (facet VARCHAR, bit SMALLINT, published_at DATE, {keys}, {sums});"

    def selects(self, source: str) -> list[str]:
        """The queries giving this table's rows of the roll-up rows in `source` (a table): one per
        kind of facet, so a whole store's are made a kind at a time, each in the order it is read
        (a facet's rows together, by date), which spares sorting them all again afterwards."""
        keys, sums = ", ".join(self.keys), ", ".join(self.sums.values())

        def by(facet: str, bits: str) -> str:
            return (f"SELECT '{facet}', b, published_at::DATE, {keys}, {sums} "
                    f"FROM {source}, range(63) AS r(b) WHERE ({bits} >> b) & 1 = 1 GROUP BY ALL ORDER BY 2, 3")
        return [f"SELECT 'all', -1, published_at::DATE, {keys}, {sums} FROM {source} GROUP BY ALL ORDER BY 3",
                by("place", "place_bits"), by("actor", "actor_bits")]

    def summed(self) -> str:
        """The table with the rows of each key added up, each facet's rows together."""
        sums = ", ".join(f"sum({column})::BIGINT AS {column}" for column in self.sums)
        return (f"SELECT facet, bit, published_at, {', '.join(self.keys)}, {sums} FROM {self.name} "
                f"GROUP BY ALL ORDER BY facet, bit, published_at, {', '.join(self.keys)}")


FACET_TABLES = {
    facet.rollup: facet for facet in (
        FacetTable("facet_actors", "article_actors", ("actor",), {"mentions": "sum(mentions)", "articles": "count(*)"}),
        FacetTable("facet_pairs", "actor_pairs", ("actor", "other"), {"sentences": "sum(sentences)"}),
    )
}
# A row here: the facet tables lag behind their roll-ups until `Store.compact` derives them again.
FACETS_OUTDATED = "facets_outdated"


# The bits of each article's places and actors, from its mentions and the store's facet_bits
# (one ? for the article ids); articles naming none get 0.
ARTICLE_FACETS = """article_facets AS (
    SELECT ids.article_id, coalesce(p.bits, 0) AS place_bits, coalesce(x.bits, 0) AS actor_bits
    FROM (SELECT unnest(?) AS article_id) ids
    LEFT JOIN (SELECT m.article_id, bit_or(1::BIGINT << b.bit) AS bits FROM (SELECT DISTINCT article_id, place FROM place_mentions) m
               JOIN facet_bits b ON b.kind = 'place' AND b.name = m.place GROUP BY 1) p USING (article_id)
    LEFT JOIN (SELECT m.article_id, bit_or(1::BIGINT << b.bit) AS bits FROM (SELECT DISTINCT article_id, actor FROM actor_mentions) m
               JOIN facet_bits b ON b.kind = 'actor' AND b.name = m.actor GROUP BY 1) x USING (article_id)
)"""


def rollup_columns(name: str) -> list[str]:
    return [column.split()[0] for column in ROLLUPS[name][0].split(", ")]


def ddl() -> str:
    """CREATE TABLE statements for the analysis tables."""
    statements = [
        f"CREATE TABLE IF NOT EXISTS {name} ({', '.join(f'{column} {kind}' for column, kind in columns.items())});"
        for name, columns in TABLES.items()
    ]
    statements += [f"CREATE TABLE IF NOT EXISTS {name} ({columns});" for name, (columns, _) in ROLLUPS.items()]
    statements += [facet.ddl() for facet in FACET_TABLES.values()]
    statements.append(f"CREATE TABLE IF NOT EXISTS {FACETS_OUTDATED} (since TIMESTAMP);")
    statements += [
        # The bit (0–62) of a place or an actor in the roll-ups' place_bits and actor_bits, given on
        # first sight; names past the 63rd have none and are filtered by a semi-join instead.
        "CREATE TABLE IF NOT EXISTS facet_bits (kind VARCHAR, name VARCHAR, bit INTEGER NOT NULL, PRIMARY KEY (kind, name));",
        "CREATE TABLE IF NOT EXISTS places (name VARCHAR PRIMARY KEY, kind VARCHAR, country VARCHAR,"
        " latitude DOUBLE, longitude DOUBLE);",
        "CREATE TABLE IF NOT EXISTS actors (name VARCHAR PRIMARY KEY, type VARCHAR NOT NULL, affiliation VARCHAR,"
        " aliases VARCHAR[], demonyms VARCHAR[], wikidata VARCHAR);",
    ]
    return "\n".join(statements)


@lru_cache(maxsize=2)
def _load_extractors(mtimes: tuple[float, ...]) -> Extractors:
    return Extractors.load()


def default_extractors() -> Extractors:
    """Extractors for the files in data/, rebuilt when one of them has changed."""
    return _load_extractors(tuple(path.stat().st_mtime for path in (ACTORS_YAML, ISSUES_YAML, PLACES_CSV)))


@dataclass
class Extraction:
    """Rows for each analysis table, plus the places they refer to."""

    rows: dict[str, list[tuple]] = field(default_factory=lambda: {name: [] for name in TABLES})
    places: dict[str, Place] = field(default_factory=dict)

    def frames(self) -> dict[str, pd.DataFrame]:
        return {name: pd.DataFrame(self.rows[name], columns=list(columns)) for name, columns in TABLES.items()}

    def places_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [(p.name, p.kind, p.country, p.latitude, p.longitude) for p in self.places.values()],
            columns=["name", "kind", "country", "latitude", "longitude"],
        )


def extract_article(
    extractors: Extractors, extraction: Extraction, article_id: str, text: str,
    published_at: datetime | None, published_precision: str | None,
) -> None:
    """Add one article's sentences and mentions to `extraction`."""
    spans = split_sentences(text)
    sentences = SentenceIndex(spans)
    padded = padded_fold(text)
    rows = extraction.rows
    actor_rows = [(article_id, sentences.of(m.start), m.start, m.end, m.actor, m.kind, text[m.start:m.end])
                  for m in extractors.actors.find(text, padded)]
    place_rows = []
    for m in extractors.places.find(text, padded):
        extraction.places[m.place.name] = m.place
        place_rows.append((article_id, sentences.of(m.start), m.start, m.end, m.place.name, text[m.start:m.end]))
    issue_rows = [(article_id, sentences.of(m.start), m.start, m.end, m.issue, m.term) for m in extractors.issues.find(text, padded)]
    date_rows = [(article_id, sentences.of(m.start), m.start, m.end, m.text, m.kind, m.date and m.date.date(), m.precision)
                 for m in find_dates(text, published_at, published_precision, padded)]  # type: ignore[arg-type]
    _add_round_candidates(extractors, extraction, article_id, text, spans, sentences, padded, published_at, published_precision,
                          actor_rows, place_rows, date_rows, issue_rows)
    tones = extractors.tone.sentence_tones(text, spans, padded)
    rows["sentences"].extend((article_id, index, start, end, tones[index]) for index, (start, end) in enumerate(spans))
    rows["actor_mentions"] += actor_rows
    rows["place_mentions"] += place_rows
    rows["issue_mentions"] += issue_rows
    rows["date_mentions"] += date_rows


def _add_round_candidates(
    extractors: Extractors, extraction: Extraction, article_id: str, text: str, spans: list[tuple[int, int]],
    sentence_of: SentenceIndex, padded: str, published_at: datetime | None, published_precision: str | None,
    actor_rows: list[tuple], place_rows: list[tuple], date_rows: list[tuple], issue_rows: list[tuple],
) -> None:
    if not place_rows:  # a round needs a venue
        return
    # Only sentences about talks matter: one pass over the text finds them.
    about_talks = sorted({sentence_of.of(match.start() - 1) for match in rounds.TRIGGER_FOLDED.finditer(padded)})
    if not about_talks:
        return

    def mentions(rows: list[tuple], name: int) -> list[rounds.Mention]:
        return [rounds.Mention(row[1], row[2] - spans[row[1]][0], row[3] - spans[row[1]][0], row[name]) for row in rows]

    published = published_at.date() if published_at else None
    found = rounds.find_candidates(
        article_id, published, published_precision,
        [rounds.Sentence(i, text[spans[i][0]:spans[i][1]]) for i in about_talks],
        mentions(actor_rows, 4), mentions(place_rows, 4),
        [rounds.DateMention(row[1], row[6], row[7], row[5]) for row in date_rows], mentions(issue_rows, 4),
        {row[4]: rounds.PlaceInfo(p.name, p.kind, p.country) for row in place_rows if (p := extraction.places[row[4]])},
        extractors.catalog,
    )
    for c in found:
        extraction.rows["round_candidates"].append((*c.as_row(), published))
        extraction.rows["round_evidence"] += [(article_id, c.venue, name, value, index) for name, value, index in c.evidence]


def extract_in_parallel(articles: list[tuple], pool: Any, chunk: int = 500) -> Callable[[], Extraction]:
    """Start `extract_articles` with the default extractors in a process pool, and return a function
    that waits for it: same rows, same order. The caller can write other work meanwhile."""
    parts = [pool.submit(_extract_chunk, articles[i : i + chunk]) for i in range(0, len(articles), chunk)]

    def merged() -> Extraction:
        extraction = Extraction()
        for part in parts:
            done = part.result()
            for name, rows in done.rows.items():
                extraction.rows[name] += rows
            extraction.places.update(done.places)
        return extraction

    return merged


def _extract_chunk(articles: list[tuple]) -> Extraction:
    return extract_articles(default_extractors(), articles)


def extract_articles(extractors: Extractors, articles: Iterable[tuple[str, str, datetime | None, str | None]]) -> Extraction:
    """Extract from (article_id, text, published_at, published_precision) tuples."""
    extraction = Extraction()
    for article_id, text, published_at, precision in articles:
        extract_article(extractors, extraction, article_id, text, _none_if_missing(published_at), _none_if_missing(precision))
    return extraction


def _none_if_missing(value):  # pandas hands NaT / <NA> for missing values
    return None if value is None or pd.isna(value) else (value.to_pydatetime() if hasattr(value, "to_pydatetime") else value)
