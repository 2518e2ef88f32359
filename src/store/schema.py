"""Every table of the store, in one place: the core tables (articles, negotiation rounds and what
was done to them), the analysis tables extraction fills, the per-article roll-ups and the facet
tables the dashboard reads. Allowed values come from the domain types in loaders.schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ceasefire.loaders.schema import (
    EVENT_COLUMNS,
    DateOrigin,
    Decision,
    EventDataset,
    EventType,
    Outcome,
    Precision,
    SourceKind,
)

# The columns of an events row as ingest writes them: the loaded event's, its actors as the dataset
# names them (`actors` holds the catalog's names), and its conflicts with why.
STORED_EVENT_COLUMNS = {**EVENT_COLUMNS, "dataset_actors": "object", "conflicts": "object", "conflict_reason": "string"}

# analysis.text.analysed_text in SQL, of the articles row `a`: the text offsets and sentences refer to.
ANALYSED_TEXT = ("(a.text || CASE WHEN a.title <> '' AND NOT starts_with(a.text, a.title) "
                 "THEN chr(10) || chr(10) || a.title ELSE '' END)")

# How many names of a kind (places, actors) get a bit in the roll-ups' place_bits and actor_bits.
FACET_BITS = 63


def _allowed(values: Any) -> str:
    """A Literal's values as an SQL list."""
    return ", ".join(f"'{value}'" for value in values.__args__)


CORE_DDL = f"""
CREATE SEQUENCE IF NOT EXISTS ingest_ids START 1;
CREATE TABLE IF NOT EXISTS ingests (
    ingest_id INTEGER PRIMARY KEY,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    paths VARCHAR[] NOT NULL,
    files_read INTEGER NOT NULL,
    articles_added INTEGER NOT NULL,
    articles_duplicate INTEGER NOT NULL,
    records_added INTEGER NOT NULL,
    records_duplicate INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    events_added INTEGER  -- none for ingests before events were stored
);
CREATE TABLE IF NOT EXISTS articles (
    article_id VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    source VARCHAR,
    url VARCHAR,
    published_at TIMESTAMP,
    published_precision VARCHAR CHECK (published_precision IN ({_allowed(Precision)})),
    published_from VARCHAR NOT NULL CHECK (published_from IN ({_allowed(DateOrigin)})),
    language VARCHAR,
    text VARCHAR NOT NULL,
    word_count INTEGER NOT NULL,
    content_hash VARCHAR NOT NULL,
    origin_file VARCHAR NOT NULL,
    ingest_id INTEGER NOT NULL,
    text_pending BOOLEAN NOT NULL DEFAULT false  -- known by title and URL until its page is fetched
);
CREATE TABLE IF NOT EXISTS records (
    record_id VARCHAR PRIMARY KEY,
    start_date DATE NOT NULL,
    start_precision VARCHAR NOT NULL,
    end_date DATE,
    end_precision VARCHAR,
    venue_city VARCHAR,
    venue_country VARCHAR,
    parties VARCHAR[] NOT NULL,
    mediators VARCHAR[] NOT NULL,
    outcome VARCHAR CHECK (outcome IN ({_allowed(Outcome)})),
    outcome_text VARCHAR,
    key_issues VARCHAR[] NOT NULL,
    proposal VARCHAR,
    source VARCHAR,
    article_id VARCHAR,
    conflicts VARCHAR[] NOT NULL DEFAULT [],  -- data/conflicts.yaml names: the file's, or by the parties
    conflict_reason VARCHAR,
    origin_file VARCHAR NOT NULL,
    origin_row INTEGER NOT NULL,
    ingest_id INTEGER NOT NULL
);
-- Events of the conflict-event datasets (ACLED, UCDP GED, GDELT; loaders/datasets.py), keyed by
-- the dataset's own id so a re-import adds nothing: actors as the dataset names them and as the
-- catalog does, the conflicts they belong to (analysis/conflicts.py) and why.
CREATE TABLE IF NOT EXISTS events (
    event_id VARCHAR PRIMARY KEY,
    dataset VARCHAR NOT NULL CHECK (dataset IN ({_allowed(EventDataset)})),
    dataset_event_id VARCHAR NOT NULL,
    date DATE NOT NULL,
    date_precision VARCHAR NOT NULL CHECK (date_precision IN ({_allowed(Precision)})),
    end_date DATE,
    event_type VARCHAR CHECK (event_type IN ({_allowed(EventType)})),
    dataset_type VARCHAR,
    dataset_actors VARCHAR[] NOT NULL,
    actors VARCHAR[] NOT NULL,
    location VARCHAR,
    country VARCHAR,
    latitude DOUBLE,
    longitude DOUBLE,
    fatalities INTEGER,
    source VARCHAR,
    notes VARCHAR,
    url VARCHAR,
    conflicts VARCHAR[] NOT NULL,
    conflict_reason VARCHAR,
    origin_file VARCHAR NOT NULL,
    origin_row INTEGER NOT NULL,
    ingest_id INTEGER NOT NULL
);
-- Analysts' reviews of rounds reconstructed from the news (analysis/rounds.py); kept through
-- re-ingest and re-extraction because candidate ids are "article id:venue".
CREATE TABLE IF NOT EXISTS round_decisions (
    candidate_id VARCHAR PRIMARY KEY,
    decision VARCHAR NOT NULL CHECK (decision IN ({_allowed(Decision)})),
    record_id VARCHAR,
    decided_at TIMESTAMP NOT NULL,
    decided_by VARCHAR
);
-- Unknown names the admin dismissed from the review queue (analysis/names.py); kept through
-- re-ingest and re-extraction, matched case-insensitively.
CREATE TABLE IF NOT EXISTS name_dismissals (
    name VARCHAR PRIMARY KEY,
    dismissed_at TIMESTAMP NOT NULL,
    dismissed_by VARCHAR
);
-- Pages, feeds and GDELT DOC lists `ceasefire refresh` fetches again when due (docs/fetching.md):
-- what the last fetch was told (ETag, Last-Modified) and the feed entries seen, so a refresh
-- fetches only what is new; counts over every refresh, and the last error.
-- The same text as a stored article, published by another outlet or at another address (agency
-- copy republished word for word): one article, whose reader lists every outlet (queries.story).
CREATE TABLE IF NOT EXISTS article_copies (
    article_id VARCHAR NOT NULL,
    source VARCHAR,
    url VARCHAR,
    title VARCHAR NOT NULL,
    published_at TIMESTAMP,
    origin_file VARCHAR NOT NULL,
    ingest_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS watched_sources (
    url VARCHAR PRIMARY KEY,
    kind VARCHAR CHECK (kind IN ({_allowed(SourceKind)})),  -- none until first fetched
    every_seconds INTEGER NOT NULL CHECK (every_seconds > 0),
    added_at TIMESTAMP NOT NULL,
    last_refresh TIMESTAMP,
    etag VARCHAR,
    last_modified VARCHAR,
    seen_entries VARCHAR[] NOT NULL,
    refreshes INTEGER NOT NULL,
    articles_added INTEGER NOT NULL,
    articles_updated INTEGER NOT NULL,
    last_error VARCHAR
);
CREATE TABLE IF NOT EXISTS rejections (
    ingest_id INTEGER NOT NULL,
    file VARCHAR NOT NULL,
    "row" INTEGER,
    reason VARCHAR NOT NULL
);
"""


# Column names and DuckDB types of the tables extraction fills, in order.
ANALYSIS_TABLES: dict[str, dict[str, str]] = {
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
                         "conflicts": "VARCHAR[]", "published": "DATE"},
    # The conflicts (data/conflicts.yaml) an article is about, and the evidence (analysis/conflicts.py).
    "conflict_evidence": {"article_id": "VARCHAR", "conflict": "VARCHAR", "reason": "VARCHAR"},
    "round_evidence": {"article_id": "VARCHAR", "venue": "VARCHAR", "field": "VARCHAR", "value": "VARCHAR",
                       "sentence_index": "INTEGER"},
    # Names neither the catalog nor the gazetteer knows (analysis/names.py), for the admin's review queue.
    "name_mentions": {"article_id": "VARCHAR", "sentence_index": "INTEGER", "char_start": "INTEGER", "char_end": "INTEGER",
                      "name": "VARCHAR", "kind": "VARCHAR"},
}



# Each article's story (analysis/stories.py): the id of the story's first article (the article's own
# when it began one); for a story's first article, its MinHash signature and the keys of the
# signature's LSH bands, by which a new article's candidates are looked up (other articles have none). Filled as articles are analysed; `ceasefire extract` groups
# every article again, in the order they were stored. Articles of a store from before stories have
# none until then, and count as stories of their own.
STORIES = "article_stories"
STORIES_DDL = f"CREATE TABLE IF NOT EXISTS {STORIES} (article_id VARCHAR, story_id VARCHAR NOT NULL, signature BLOB, band_keys BIGINT[]);"

# Per-article roll-ups of the mention tables, derived in SQL whenever an article's mentions are
# stored. The dashboard aggregates these instead of raw mentions: counting distinct articles or
# pairing actors over millions of mention rows is far too slow for a page (docs/performance.md).
# Each carries what the filters test of its article — date, source, and the places and actors it
# names as bit sets (read.rollup.FacetBits) — so every filter is a condition on the row itself,
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
    "article_conflicts": (  # the conflicts each article is about: counted side by side without a join
        _ARTICLE + "conflict VARCHAR",
        (f"SELECT article_id, {_CARRIED}, conflict "
         f"FROM conflict_evidence {_DATED} WHERE article_id IN (SELECT unnest(?)) GROUP BY ALL"),
    ),
    "article_stats": (  # one row for every article, so the articles (or their stories) filters keep can be counted here
        _ARTICLE + "sentences INTEGER, tone DOUBLE, story_id VARCHAR",
        (f"SELECT article_id, {_CARRIED}, count(s.sentence_index), avg(s.tone), story.story_id "
         f"FROM articles a JOIN article_facets f USING (article_id) LEFT JOIN sentences s USING (article_id) "
         f"LEFT JOIN {STORIES} story USING (article_id) WHERE article_id IN (SELECT unnest(?)) GROUP BY ALL"),
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
        for name, columns in ANALYSIS_TABLES.items()
    ]
    statements += [f"CREATE TABLE IF NOT EXISTS {name} ({columns});" for name, (columns, _) in ROLLUPS.items()]
    statements += [STORIES_DDL, *(facet.ddl() for facet in FACET_TABLES.values())]
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



FACETS = tuple(facet.name for facet in FACET_TABLES.values())
TABLES = ("articles", "article_copies", "records", "events", "rejections", "ingests", "watched_sources", "round_decisions", "name_dismissals", *ANALYSIS_TABLES, *ROLLUPS, *FACETS, "places",
          "actors", "facet_bits", STORIES)
# Copied to another engine by `ceasefire publish`; the bit columns are numbered per store, so they stay,
# and so do the unknown names and the ingest history: the admin reviews them in the store. Its
# decisions on rounds from the news go along, so the server shows the rounds as reviewed. So do the
# stories' signatures and band keys, which only grouping reads: a story's articles are published by
# their story id.
PUBLISHED_TABLES = ("articles", "article_copies", "records", "events", "actors", "places", "round_decisions",
                    *(t for t in ANALYSIS_TABLES if t != "name_mentions"), *ROLLUPS, STORIES)
UNPUBLISHED_COLUMNS = ("place_bits", "actor_bits", "signature", "band_keys")
