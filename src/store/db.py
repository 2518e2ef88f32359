"""The DuckDB store: schema, transactional idempotent ingest, statistics and export."""

from __future__ import annotations

import re
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd
import pyarrow as pa

from analysis.extract import (
    ARTICLE_FACETS,
    FACET_TABLES,
    FACETS_OUTDATED,
    ROLLUPS,
    Extraction,
    Extractors,
    ddl,
    default_extractors,
    extract_articles,
    extract_in_parallel,
    rollup_columns,
)
from analysis.extract import TABLES as ANALYSIS_TABLES
from analysis.gazetteer import load_gazetteer
from analysis.rounds import Round
from config import SAMPLE_DIR, duckdb_memory_limit, store_path
from loaders.files import LoadOptions, load_batches, process_pool, safe_name
from loaders.schema import (
    ARTICLE_COLUMNS,
    OUTCOMES,
    RECORD_COLUMNS,
    LoadResult,
    Rejection,
)
from store.filters import FACET_BITS, Filters

# Row order of the analysis tables after `compact`: an actor's rows together (the profile and
# tone of one actor read a small share of the table's row groups), the rest by date, so date
# filters skip row groups too (docs/performance.md).
COMPACT_ORDER = {
    "article_actors": "actor, published_at, article_id",
    "actor_mentions": "actor, article_id, sentence_index",
    "article_stats": "published_at, article_id",
    "article_places": "published_at, article_id",
    "article_issues": "published_at, article_id",
    "actor_pairs": "published_at, article_id",
    "round_candidates": "published, article_id, venue",
}
# Compact after an ingest that adds at least 1/COMPACT_SHARE of the store's articles.
COMPACT_SHARE = 5
_OUTCOME_CHECK = ", ".join(f"'{o}'" for o in OUTCOMES)
SCHEMA = f"""
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
    rejected INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    article_id VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    source VARCHAR,
    url VARCHAR,
    published_at TIMESTAMP,
    published_precision VARCHAR CHECK (published_precision IN ('day', 'week', 'month', 'year')),
    published_from VARCHAR NOT NULL CHECK (published_from IN ('metadata', 'front_matter', 'inferred', 'user', 'unknown')),
    language VARCHAR,
    text VARCHAR NOT NULL,
    word_count INTEGER NOT NULL,
    content_hash VARCHAR NOT NULL,
    origin_file VARCHAR NOT NULL,
    ingest_id INTEGER NOT NULL
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
    outcome VARCHAR CHECK (outcome IN ({_OUTCOME_CHECK})),
    outcome_text VARCHAR,
    key_issues VARCHAR[] NOT NULL,
    proposal VARCHAR,
    source VARCHAR,
    article_id VARCHAR,
    origin_file VARCHAR NOT NULL,
    origin_row INTEGER NOT NULL,
    ingest_id INTEGER NOT NULL
);
-- Analysts' reviews of rounds reconstructed from the news (analysis/rounds.py); kept through
-- re-ingest and re-extraction because candidate ids are "article id:venue".
CREATE TABLE IF NOT EXISTS round_decisions (
    candidate_id VARCHAR PRIMARY KEY,
    decision VARCHAR NOT NULL CHECK (decision IN ('accepted', 'merged', 'rejected')),
    record_id VARCHAR,
    decided_at TIMESTAMP NOT NULL,
    decided_by VARCHAR
);
CREATE TABLE IF NOT EXISTS rejections (
    ingest_id INTEGER NOT NULL,
    file VARCHAR NOT NULL,
    "row" INTEGER,
    reason VARCHAR NOT NULL
);
"""

FACETS = tuple(facet.name for facet in FACET_TABLES.values())
TABLES = ("articles", "records", "rejections", "ingests", "round_decisions", *ANALYSIS_TABLES, *ROLLUPS, *FACETS, "places",
          "actors", "facet_bits")
ExportFormat = Literal["csv", "parquet"]
Decision = Literal["accepted", "merged", "rejected"]

_LIST = pa.list_(pa.string())
_ARROW_TYPES = {"string": pa.string(), "int64": pa.int64(), "datetime64[us]": pa.timestamp("us"), "object": _LIST}


def _arrow(frame: pd.DataFrame, columns: dict[str, str]) -> pa.Table:
    """Explicit Arrow types, so an all-empty column still has the table's type."""
    schema = pa.schema([(name, _ARROW_TYPES[dtype]) for name, dtype in columns.items()])
    return pa.Table.from_pandas(frame[list(columns)], schema=schema, preserve_index=False)


def printable(text: str) -> str:
    """`text` with every control, format or unpaired surrogate character written as an escape
    (\\n, \\x1b, \\u200e, \\udcff), so a file name cannot add lines or terminal codes to a report."""
    return "".join(repr(char)[1:-1] if unicodedata.category(char).startswith("C") else char for char in text)


@dataclass
class IngestReport:
    ingest_id: int | None
    files_read: int
    articles_added: int
    articles_duplicate: int
    records_added: int
    records_duplicate: int
    rejections: list[Rejection] = field(default_factory=list)
    stored: bool = True
    after_commit_error: str | None = None  # the post-commit compaction failed; what was stored stands

    def summary(self) -> str:
        lines = [f"files read: {self.files_read}"]
        if self.stored:
            lines += [
                f"articles: {self.articles_added} added, {self.articles_duplicate} already stored or repeated",
                f"negotiation rounds: {self.records_added} added, {self.records_duplicate} already stored or repeated",
            ]
        else:
            lines += [
                "nothing was stored (--strict and some input was rejected)",
                f"articles: {self.articles_added} new, {self.articles_duplicate} already stored or repeated; none stored",
                f"negotiation rounds: {self.records_added} new, {self.records_duplicate} already stored or repeated; none stored",
            ]
        lines.append(f"rejected: {len(self.rejections)}")
        lines += [f"  - {printable(str(rejection))}" for rejection in self.rejections]
        if self.after_commit_error:
            lines.append(f"stored as above; reordering the tables afterwards failed ({self.after_commit_error}). "
                         "Every query still answers correctly, if more slowly until `ceasefire extract` or a large ingest reorders them.")
        return "\n".join(lines)


class StoreBusy(Exception):
    """Another process holds the DuckDB file's lock: one writing process at a time, and no reader beside it."""

    def __init__(self, path: Path, pid: int | None):
        self.pid = pid
        holder = f"another process (PID {pid}: {_command_of(pid)})" if pid else "another process"
        super().__init__(f"the store {path} is busy: {holder} has it open for writing; try again when it ends")


def _command_of(pid: int) -> str:
    try:
        return printable(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip())
    except OSError:
        return "command unknown"


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only, config={"memory_limit": duckdb_memory_limit()})
    except duckdb.IOException as error:
        if "Could not set lock" not in str(error):
            raise
        pid = re.search(r"\(PID (\d+)\)", str(error))
        raise StoreBusy(path, int(pid.group(1)) if pid else None) from None


class OutdatedStore(Exception):
    """A store made by an earlier version, opened read-only (so it cannot be upgraded)."""


class _NothingStored(Exception):
    """A strict ingest met a rejection: its transaction is rolled back."""


@dataclass
class _Batch:
    """A loaded batch on its way into the store, its new articles' analysis under way."""

    result: LoadResult
    articles: pd.DataFrame  # without repeats
    records: pd.DataFrame  # without repeats, parties and mediators by canonical name
    new_article_ids: list[str]
    extraction: Callable[[], Extraction]  # waits for the analysis


class Store:
    """One DuckDB file. Writers hold it alone; use `read_only=True` for readers."""

    def __init__(self, path: str | Path | None = None, read_only: bool = False):
        self.path = Path(path) if path is not None else store_path()
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = _connect(self.path, read_only)
        self.con.execute("SET enable_progress_bar = false")  # long rebuilds and compactions print nothing
        # One writer at a time: dashboard sessions are threads sharing this connection;
        # readers use their own cursors and see only committed ingests.
        self.write_lock = threading.Lock()
        if not read_only:
            self.con.execute(SCHEMA + ddl())
            self._upgrade()
        elif self._has("articles", "article_id") and not self._has("article_actors", "sentence_indexes"):
            self.close()  # the newest column this version adds: any store that has it is up to date
            raise OutdatedStore(f"{self.path} was made by an earlier version of Ceasefire Talks Dashboard; open it once "
                                f"for writing to bring it up to date, e.g. `ceasefire --db {self.path} stats`")

    def _has(self, table: str, column: str) -> bool:
        return bool(self._scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = ?",
                                 [table, column]))

    def _upgrade(self) -> None:
        """Bring a store made by an earlier version up to date, in place."""
        has = self._has  # (table, column)
        if not has("article_actors", "published_at"):  # roll-ups gained their article's date and source (pairs' columns were renamed)
            with self._writing():
                self.con.execute("ALTER TABLE actor_pairs RENAME COLUMN source TO actor")
                self.con.execute("ALTER TABLE actor_pairs RENAME COLUMN target TO other")
                for name in ROLLUPS:
                    self.con.execute(f"ALTER TABLE {name} ADD COLUMN published_at TIMESTAMP")
                    self.con.execute(f"ALTER TABLE {name} ADD COLUMN source VARCHAR")
                    self.con.execute(f"UPDATE {name} SET published_at = a.published_at, source = a.source "
                                     f"FROM articles a WHERE {name}.article_id = a.article_id")
        if not has("article_actors", "place_bits"):  # ... and then their article's place and actor bits
            with self._writing():
                for kind, names in (
                    ("place", "SELECT place FROM article_places GROUP BY place ORDER BY count(*) DESC, place"),
                    ("place", "SELECT name FROM places ORDER BY name"),
                    ("actor", "SELECT actor FROM article_actors GROUP BY actor ORDER BY count(*) DESC, actor"),
                ):
                    self._give_bits(kind, [row[0] for row in self.con.execute(names).fetchall()])
                ids = [row[0] for row in self.con.execute("SELECT article_id FROM articles").fetchall()]
                self.con.execute(f"CREATE TEMP TABLE upgrade_facets AS WITH place_mentions AS (FROM article_places), "
                                 f"actor_mentions AS (FROM article_actors), {ARTICLE_FACETS} FROM article_facets", [ids])
                for name in ROLLUPS:
                    self.con.execute(f"ALTER TABLE {name} ADD COLUMN place_bits BIGINT")
                    self.con.execute(f"ALTER TABLE {name} ADD COLUMN actor_bits BIGINT")
                    self.con.execute(f"UPDATE {name} SET place_bits = f.place_bits, actor_bits = f.actor_bits "
                                     f"FROM upgrade_facets f WHERE {name}.article_id = f.article_id")
                self.con.execute("DROP TABLE upgrade_facets")
        if has("facet_actors_outdated", "since"):
            with self._writing():  # ... and one mark of outdated facet tables replaced facet_actors' own
                self.con.execute(f"INSERT INTO {FACETS_OUTDATED} FROM facet_actors_outdated")
                self.con.execute("DROP TABLE facet_actors_outdated")
        if any(not self.count(facet.name) and self.count(facet.rollup) for facet in FACET_TABLES.values()):
            self.rebuild_facets()  # ... and roll-ups by facet and day were added (actors, then pairs)
        if not has("article_actors", "sentence_indexes"):
            with self._writing():  # ... and an actor's row the indexes of its sentences
                self.con.execute("ALTER TABLE article_actors ADD COLUMN sentence_indexes INTEGER[]")
                # An actor at a time: all at once ran out of DuckDB's memory at 1M articles.
                for (actor,) in self.con.execute("SELECT DISTINCT actor FROM article_actors").fetchall():
                    self.con.execute("""UPDATE article_actors SET sentence_indexes = m.indexes FROM (
                        SELECT article_id, list(DISTINCT sentence_index ORDER BY sentence_index) AS indexes
                        FROM actor_mentions WHERE actor = $actor GROUP BY ALL) m
                        WHERE article_actors.actor = $actor AND article_actors.article_id = m.article_id""", {"actor": actor})
        if not has("round_candidates", "published"):
            with self._writing():  # ... and candidates their article's date
                self.con.execute("ALTER TABLE round_candidates ADD COLUMN published DATE")
                self.con.execute("UPDATE round_candidates SET published = a.published_at::DATE FROM articles a "
                                 "WHERE round_candidates.article_id = a.article_id")

    def close(self) -> None:
        self.con.close()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One write transaction with the write lock held: committed at the end, rolled back on any error."""
        with self.write_lock:
            self.con.begin()
            try:
                yield
                self.con.commit()
            except BaseException:
                # A failed commit has already ended the transaction; rolling back again would
                # replace its error with "no transaction is active".
                with suppress(duckdb.TransactionException):
                    self.con.rollback()
                raise

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ingest(
        self, result: LoadResult, paths: Iterable[str | Path] = (), strict: bool = False,
        extractors: Extractors | None = None, pool: ProcessPoolExecutor | None = None,
    ) -> IngestReport:
        """Store what was loaded, and the analysis of its new articles, in one transaction:
        all of it or, on any error, none of it.

        Re-ingesting the same input adds nothing. With `strict`, any rejection stores nothing.
        """
        return self.ingest_batches([result], paths, strict, extractors, pool)

    def ingest_paths(self, paths: Iterable[str | Path], options: LoadOptions = LoadOptions(),
                     strict: bool = False, on_file=None, workers: int = 1, batch_articles: int = 20_000) -> IngestReport:
        """Load and ingest files, `batch_articles` at a time so memory stays bounded, in one transaction.
        With `workers` > 1, parsing and analysis run in that many processes (the writes stay in
        this one: DuckDB has a single writer)."""
        paths = list(paths)
        with process_pool(workers) as pool:
            batches = load_batches(paths, options, on_file, pool, batch_articles)
            return self.ingest_batches(batches, paths, strict, pool=pool)

    def ingest_batches(
        self, batches: Iterable[LoadResult], paths: Iterable[str | Path] = (), strict: bool = False,
        extractors: Extractors | None = None, pool: ProcessPoolExecutor | None = None,
    ) -> IngestReport:
        """Ingest loaded batches in one transaction (see `ingest`)."""
        extractors = extractors or default_extractors()
        started = datetime.now()
        try:
            with self._writing():
                ingest_id = self._scalar("SELECT nextval('ingest_ids')")
                report = IngestReport(ingest_id, 0, 0, 0, 0, 0)
                # A batch is written while the pool analyses the next one (and loads the one after).
                seen: set[str] = set()
                waiting: _Batch | None = None
                for result in batches:
                    batch = self._prepare_batch(result, extractors, pool, seen)
                    if waiting:
                        self._write_batch(waiting, ingest_id, report)
                    waiting = batch
                if waiting:
                    self._write_batch(waiting, ingest_id, report)
                if strict and report.rejections:
                    raise _NothingStored
                self._add_venue_places()
                self._store_catalog(extractors)
                if report.rejections:
                    self.con.executemany(
                        'INSERT INTO rejections (ingest_id, file, "row", reason) VALUES (?, ?, ?, ?)',
                        [(ingest_id, r.file, r.row, r.reason) for r in report.rejections],
                    )
                self.con.execute(
                    "INSERT INTO ingests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [ingest_id, started, datetime.now(), [safe_name(str(p)) for p in paths], report.files_read,
                     report.articles_added, report.articles_duplicate, report.records_added,
                     report.records_duplicate, len(report.rejections)],
                )
        except _NothingStored:  # rolled back: the counts say what would have been added
            report.ingest_id, report.stored = None, False
            return report
        try:
            if self._a_big_addition(report.articles_added) or self._facets_outdated():
                self.compact()
        except duckdb.Error as error:  # e.g. a full disk: the ingest is committed, the compaction rolled back
            report.after_commit_error = str(error).splitlines()[0]
        return report

    def _a_big_addition(self, added: int) -> bool:
        """Whether `added` new articles are 1/COMPACT_SHARE of the store or more: their ingest compacts."""
        return bool(added) and added * COMPACT_SHARE >= self.count("articles")

    def _prepare_batch(self, result: LoadResult, extractors: Extractors, pool: ProcessPoolExecutor | None,
                       seen: set[str]) -> _Batch:
        """One loaded batch, its articles that are neither stored nor in an earlier batch of this
        ingest (`seen`, which this adds to), and their analysis: started in the pool, if any."""
        articles = result.articles.drop_duplicates("article_id")
        records = result.records.drop_duplicates("record_id")
        records = records.assign(**{
            column: records[column].map(lambda names: [extractors.catalog.canonical(n) for n in names])
            for column in ("parties", "mediators")
        })
        ids = articles.article_id.tolist()
        stored = self._existing_ids([i for i in ids if i not in seen])
        new_articles = articles[~articles.article_id.isin(stored) & ~articles.article_id.isin(seen)]
        seen.update(ids)
        rows = list(new_articles[["article_id", "text", "published_at", "published_precision"]].itertuples(index=False, name=None))
        extraction = extract_in_parallel(rows, pool) if pool else partial(extract_articles, extractors, rows)
        return _Batch(result, articles, records, new_articles.article_id.tolist(), extraction)

    def _write_batch(self, batch: _Batch, ingest_id: int, report: IngestReport) -> None:
        """Insert one batch's new articles, records and analysis (inside the caller's transaction)."""
        extraction = batch.extraction()
        articles_added = self._insert_new("articles", "article_id", _arrow(batch.articles, ARTICLE_COLUMNS), ingest_id)
        records_added = self._insert_new("records", "record_id", _arrow(batch.records, RECORD_COLUMNS), ingest_id)
        self._save_extraction(extraction, batch.new_article_ids)
        report.files_read += batch.result.files_read
        report.articles_added += articles_added
        report.articles_duplicate += len(batch.result.articles) - articles_added
        report.records_added += records_added
        report.records_duplicate += len(batch.result.records) - records_added
        report.rejections += batch.result.rejections

    def _existing_ids(self, article_ids: list[str]) -> set[str]:
        if not article_ids:
            return set()
        found = self.con.execute(
            "SELECT article_id FROM articles WHERE article_id IN (SELECT unnest(?))", [article_ids]
        ).fetchall()
        return {row[0] for row in found}

    def _save_extraction(self, extraction: Extraction, article_ids: list[str]) -> None:
        """Add the analysis rows of these articles, which have none yet: new articles, or every article
        after `reextract` emptied the tables (inside the caller's transaction)."""
        if not article_ids:
            return
        frames = extraction.frames()
        for name, frame in frames.items():
            self.con.from_df(frame).insert_into(name)
        # Roll-ups are derived from this batch's rows only: the mention tables are shadowed by the
        # batch's frames (read by name), so the cost of a batch does not grow with the store.
        sentences_batch, actor_mentions_batch = frames["sentences"], frames["actor_mentions"]  # noqa: F841
        place_mentions_batch, issue_mentions_batch = frames["place_mentions"], frames["issue_mentions"]  # noqa: F841
        batch_only = ("WITH sentences AS (FROM sentences_batch), actor_mentions AS (FROM actor_mentions_batch), "
                      "place_mentions AS (FROM place_mentions_batch), issue_mentions AS (FROM issue_mentions_batch), "
                      f"{ARTICLE_FACETS} ")
        incoming_places = extraction.places_frame()  # noqa: F841 (read by name in the SQL below)
        self.con.execute("INSERT OR REPLACE INTO places SELECT * FROM incoming_places")
        self._give_bits("place", place_mentions_batch.place.value_counts().index)
        self._give_bits("actor", actor_mentions_batch.actor.value_counts().index)
        for name, (_, select) in ROLLUPS.items():
            self.con.execute(f"INSERT INTO {name} ({', '.join(rollup_columns(name))}) {batch_only}{select}",
                             [article_ids, article_ids])
        self._add_facets(article_ids)

    def _add_facets(self, article_ids: list[str]) -> None:
        """Add these new articles' rows to the facet tables; or, for a batch of a fifth of the store or
        more, leave them outdated until the ingest's compaction derives them again: a batch's rows are
        summed by facet and day only within the batch (~85 actors a synthetic article), and a
        million-article ingest would pile up 85M of them (inserting them cost ~7% of its throughput)."""
        if self._facets_outdated() or self._a_big_addition(len(article_ids)):
            self._outdate_facets()
            return
        for facet in FACET_TABLES.values():
            # The batch's roll-up rows are found by id: a scan of the article_id column only.
            self.con.execute(f"CREATE TEMP TABLE batch_rows AS FROM {facet.rollup} WHERE article_id IN (SELECT unnest(?))",
                             [article_ids])
            for select in facet.selects("batch_rows"):
                self.con.execute(f"INSERT INTO {facet.name} {select}")
            self.con.execute("DROP TABLE batch_rows")

    def _facets_outdated(self) -> bool:
        return bool(self._scalar(f"SELECT count(*) FROM {FACETS_OUTDATED}"))

    def _outdate_facets(self) -> None:
        if not self._facets_outdated():
            self.con.execute(f"INSERT INTO {FACETS_OUTDATED} VALUES (now())")

    def _give_bits(self, kind: str, names: Iterable[str]) -> None:
        """Give these names (most frequent first) that have no bit yet the next free bits, while any are left."""
        have = dict(self.con.execute("SELECT name, bit FROM facet_bits WHERE kind = ?", [kind]).fetchall())
        new = [name for name in dict.fromkeys(names) if name is not None and name not in have]
        rows = [(kind, name, bit) for bit, name in enumerate(new, max(have.values(), default=-1) + 1) if bit < FACET_BITS]
        if rows:
            self.con.executemany("INSERT INTO facet_bits VALUES (?, ?, ?)", rows)

    def _add_venue_places(self) -> None:
        """Venues of rounds go on the map too, geocoded like mentioned places."""
        venues = self.con.execute(
            "SELECT DISTINCT coalesce(venue_city, venue_country) FROM records "
            "WHERE coalesce(venue_city, venue_country) NOT IN (SELECT name FROM places)"
        ).fetchall()
        gazetteer = load_gazetteer()
        rows = [(p.name, p.kind, p.country, p.latitude, p.longitude)
                for (venue,) in venues if (p := gazetteer.lookup(venue)) is not None and p.name == venue]
        if rows:
            self.con.executemany("INSERT OR REPLACE INTO places VALUES (?, ?, ?, ?, ?)", rows)
            # A venue filtered by needs a bit even if no article names it, or it would fall back to the semi-join.
            self._give_bits("place", sorted(row[0] for row in rows))

    def reextract(self, extractors: Extractors | None = None, batch_size: int = 5000, on_batch=None) -> int:
        """Run extraction again over every stored article (after editing the actor catalog,
        the issues or the places), replacing all analysis rows in one transaction."""
        extractors = extractors or default_extractors()
        with self._writing():
            ids = [row[0] for row in self.con.execute("SELECT article_id FROM articles ORDER BY article_id").fetchall()]
            for name in (*ANALYSIS_TABLES, *ROLLUPS, *FACETS, "facet_bits"):
                self.con.execute(f"DELETE FROM {name}")
            self._outdate_facets()  # derived once, by the compaction at the end
            for offset in range(0, len(ids), batch_size):
                batch = ids[offset : offset + batch_size]
                rows = self.con.execute(
                    "SELECT article_id, text, published_at, published_precision FROM articles "
                    "WHERE article_id IN (SELECT unnest(?))", [batch]
                ).fetchall()
                self._save_extraction(extract_articles(extractors, rows), batch)
                if on_batch:
                    on_batch(len(batch))
            self._store_catalog(extractors)
            # Places no article names any more (venues of records) keep a bit to be filtered by.
            self._give_bits("place", [row[0] for row in self.con.execute("SELECT name FROM places ORDER BY name").fetchall()])
        self.compact()
        return len(ids)

    def compact(self) -> None:
        """Rewrite the analysis tables in the order the dashboard reads them (COMPACT_ORDER), so
        DuckDB skips the row groups a query cannot need: an actor's rows, a date range. Ingests
        append in arrival order; an ingest that adds a fifth of the store or more compacts again."""
        with self._writing():
            for table, order in COMPACT_ORDER.items():
                self._replace_table(table, f"SELECT * FROM {table} ORDER BY {order}")
            if self._facets_outdated():
                self._derive_facets()  # one row a key, in order
            else:
                self._sum_facets()  # add up the rows that ingests added since

    def _derive_facets(self) -> None:
        for facet in FACET_TABLES.values():
            self.con.execute(f"DROP TABLE {facet.name}")  # not DELETE: a new table is written in order, not into gaps
            self.con.execute(facet.ddl())
            for select in facet.selects(facet.rollup):  # a kind at a time: less memory at once
                self.con.execute(f"INSERT INTO {facet.name} {select}")
        self.con.execute(f"DELETE FROM {FACETS_OUTDATED}")

    def _sum_facets(self) -> None:
        """Add up the rows of one key in each facet table (one came from each ingest batch)."""
        for facet in FACET_TABLES.values():
            self._replace_table(facet.name, facet.summed())

    def _replace_table(self, table: str, select: str) -> None:
        """Write `table` anew as the rows of `select` (which may read it), in their order."""
        self.con.execute(f"CREATE TABLE {table}_compacted AS {select}")
        self.con.execute(f"DROP TABLE {table}")
        self.con.execute(f"ALTER TABLE {table}_compacted RENAME TO {table}")

    def rebuild_facets(self) -> None:
        """Derive the facet tables again from all of their roll-ups (a store from before them, or rows copied in)."""
        with self._writing():
            self._derive_facets()

    def _store_catalog(self, extractors: Extractors) -> None:
        self.con.execute("DELETE FROM actors")
        incoming_actors = extractors.catalog.frame()  # noqa: F841 (read by name in the SQL below)
        self.con.execute("INSERT INTO actors SELECT name, type, affiliation, aliases, demonyms, wikidata FROM incoming_actors")

    def _insert_new(self, table: str, key: str, incoming: pa.Table, ingest_id: int) -> int:
        # Data goes in by DuckDB's scan of a local variable, not `register`: a view registered and
        # dropped inside a transaction keeps its data alive until the commit (memory grows per batch).
        columns = ", ".join(ARTICLE_COLUMNS if table == "articles" else RECORD_COLUMNS)
        before = self.count(table)
        self.con.execute(
            f"INSERT INTO {table} ({columns}, ingest_id) "
            f"SELECT {columns}, ? FROM incoming AS new "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS old WHERE old.{key} = new.{key})",
            [ingest_id],
        )
        return self.count(table) - before

    def review_round(self, round_: Round, decision: Decision, record_id: str | None = None,
                     decided_by: str | None = None) -> str | None:
        """Record an analyst's decision on a round reconstructed from the news, for all its candidates.

        accepted: it becomes a negotiation record (returned id), its provenance the articles;
        merged: its evidence belongs to the existing record `record_id`; rejected: it is not a round.
        """
        if decision == "merged" and not record_id:
            raise ValueError("choose the record to merge this round into")
        if decision == "accepted" and round_.first is None:
            raise ValueError("this round has no date in the news; merge it into a record instead")
        with self._writing():
            if decision == "accepted":
                record_id = self._record_from_round(round_)
            self.con.executemany(
                "INSERT OR REPLACE INTO round_decisions VALUES (?, ?, ?, now()::TIMESTAMP, ?)",
                [(c.candidate_id, decision, record_id if decision != "rejected" else None, decided_by)
                 for c in round_.candidates],
            )
        return record_id

    def _record_from_round(self, round_: Round) -> str:
        record_id = "news-" + round_.key
        ingest_id = self._scalar("SELECT nextval('ingest_ids')")
        self.con.execute("INSERT INTO ingests VALUES (?, now()::TIMESTAMP, now()::TIMESTAMP, ['review of news rounds'], "
                         "0, 0, 0, 1, 0, 0)", [ingest_id])
        precisions = [c.precision for c in round_.candidates if c.date]
        precision = "day" if "day" in precisions else precisions[0]  # the finest any article gives
        city = round_.venue if round_.venue != round_.country else None
        self.con.execute(
            "INSERT OR REPLACE INTO records VALUES (?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
            [record_id, round_.first, precision, city, round_.country, round_.union("parties"), round_.union("mediators"),
             round_.outcome, "reconstructed from the news", round_.union("issues"), round_.proposal,
             f"news: {len(round_.articles)} article(s)", round_.articles[0], "review of news reports", ingest_id],
        )
        return record_id

    def count(self, table: str) -> int:
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}; tables are: {', '.join(TABLES)}")
        return self._scalar(f"SELECT count(*) FROM {table}")

    def _scalar(self, sql: str, params: list | None = None) -> object:
        # fetchall, not fetchone: DuckDB keeps a partly fetched result open and refuses other work.
        return self.con.execute(sql, params or []).fetchall()[0][0]

    def _row(self, sql: str) -> tuple:
        return self.con.execute(sql).fetchall()[0]

    def stats(self) -> dict[str, object]:
        """Headline figures about what is stored."""
        articles = self._row(
            "SELECT count(*), min(published_at)::DATE, max(published_at)::DATE, count(DISTINCT source), "
            "count(*) FILTER (WHERE published_from = 'inferred'), count(*) FILTER (WHERE published_at IS NULL) "
            "FROM articles"
        )
        records = self._row("SELECT count(*), min(start_date), max(start_date), count(DISTINCT venue_city) FROM records")
        outcomes = dict(self.con.execute(
            "SELECT coalesce(outcome, 'unknown'), count(*) FROM records GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall())
        return {
            "store": str(self.path),
            "articles": articles[0], "articles_first_date": articles[1], "articles_last_date": articles[2],
            "sources": articles[3], "articles_date_inferred": articles[4], "articles_date_unknown": articles[5],
            "rounds": records[0], "rounds_first_date": records[1], "rounds_last_date": records[2],
            "venues": records[3], "rounds_by_outcome": outcomes,
            "ingests": self.count("ingests"), "rejections": self.count("rejections"),
        }

    def select(self, table: str, filters: Filters = Filters()) -> duckdb.DuckDBPyRelation:
        return select(self.con, table, filters)

    def export(self, table: str, out: str | Path, fmt: ExportFormat | None = None, filters: Filters = Filters()) -> int:
        """Write a table's filtered rows to CSV or Parquet; returns the number of rows written."""
        out = Path(out)
        return export_file(self.con, table, fmt or ("parquet" if out.suffix.lower() == ".parquet" else "csv"), out, filters)

EXPORTABLE = ("articles", "records", "rejections", "ingests")


def select(con: duckdb.DuckDBPyConnection, table: str, filters: Filters = Filters()) -> duckdb.DuckDBPyRelation:
    """A lazy relation of a table's rows that pass the filters."""
    if table == "articles":
        where, params = filters.articles_where("a")
        return con.query(f"SELECT * EXCLUDE (ingest_id) FROM articles a WHERE {where} ORDER BY published_at, article_id", params=params)
    if table == "records":
        where, params = filters.records_where("r")
        return con.query(f"SELECT * EXCLUDE (ingest_id) FROM records r WHERE {where} ORDER BY start_date, record_id", params=params)
    if table in ("rejections", "ingests"):
        return con.query(f"SELECT * FROM {table} ORDER BY ingest_id")
    raise ValueError(f"cannot export {table!r}; choose from: {', '.join(EXPORTABLE)}")


@dataclass(frozen=True)
class Export:
    content: bytes
    rows: int


def export_file(con: duckdb.DuckDBPyConnection, table: str, fmt: ExportFormat, out: Path, filters: Filters = Filters(),
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


def export_bytes(con: duckdb.DuckDBPyConnection, table: str, fmt: ExportFormat, filters: Filters = Filters(),
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


def open_store(path: str | Path | None = None, read_only: bool = False) -> Store:
    """The configured store; the bundled sample data is ingested into it when it does not exist yet."""
    path = Path(path) if path is not None else store_path()
    if not path.exists():
        with Store(path) as fresh:
            fresh.ingest_paths([SAMPLE_DIR])
    return Store(path, read_only=read_only)
