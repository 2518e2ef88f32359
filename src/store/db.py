"""The DuckDB store: one file holding the tables of store/schema.py. It persists; it never reads
files or analyses text (ingest.py does, and hands it the rows)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd
import pyarrow as pa

from ceasefire.config import duckdb_memory_limit, store_path
from ceasefire.loaders.schema import (
    ARTICLE_COLUMNS,
    RECORD_COLUMNS,
    Decision,
    Rejection,
    printable,
)
from ceasefire.store.lake import LakeError, lake_connection, lake_folder
from ceasefire.store.schema import (
    ANALYSED_TEXT,
    ANALYSIS_TABLES,
    ARTICLE_FACETS,
    CORE_DDL,
    FACET_BITS,
    FACET_TABLES,
    FACETS,
    FACETS_OUTDATED,
    ROLLUPS,
    STORED_EVENT_COLUMNS,
    STORIES,
    TABLES,
    ddl,
    rollup_columns,
)

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

_LIST = pa.list_(pa.string())
_ARROW_TYPES = {"string": pa.string(), "int64": pa.int64(), "Int64": pa.int64(), "float64": pa.float64(),
                "datetime64[us]": pa.timestamp("us"), "object": _LIST, "bool": pa.bool_()}


def _arrow(frame: pd.DataFrame, columns: dict[str, str]) -> pa.Table:
    """Explicit Arrow types, so an all-empty column still has the table's type."""
    schema = pa.schema([(name, _ARROW_TYPES[dtype]) for name, dtype in columns.items()])
    return pa.Table.from_pandas(frame[list(columns)], schema=schema, preserve_index=False)


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


class AnalysisRows(Protocol):
    """What extraction hands the store for a batch of articles (analysis.extract.Extraction)."""

    def frames(self) -> dict[str, pd.DataFrame]: ...  # a frame for each of ANALYSIS_TABLES

    def places_frame(self) -> pd.DataFrame: ...  # the places they name, geocoded


# What the newest versions added, one (table, column) each: a store lacking any was made earlier.
_NEWEST = (("events", "event_id"), ("articles", "text_pending"), ("article_copies", "article_id"))


class OutdatedStore(Exception):
    """A store made by an earlier version, opened read-only (so it cannot be upgraded)."""


class Store:
    """One DuckDB file. Writers hold it alone; use `read_only=True` for readers."""

    def __init__(self, path: str | Path | None = None, read_only: bool = False):
        # One writer at a time: dashboard sessions are threads sharing this connection;
        # readers use their own cursors and see only committed ingests.
        self.write_lock = threading.Lock()
        if (lake := lake_folder(path if path is not None else store_path())) is not None:
            if not read_only:
                raise LakeError(f"the lake {lake} is read-only: ingest into a DuckDB store, then "
                                f"`ceasefire publish lake:{lake}` (docs/scaling.md)")
            self.path, self.con = lake, lake_connection(lake)
            return
        self.path = Path(path) if path is not None else store_path()
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = _connect(self.path, read_only)
        self.con.execute("SET enable_progress_bar = false")  # long rebuilds and compactions print nothing
        if not read_only:
            self.con.execute(CORE_DDL + ddl())
            self._upgrade()
        elif self._has("articles", "article_id") and not all(self._has(table, column) for table, column in _NEWEST):
            self.close()  # the newest table and column this version adds: any store that has them is up to date
            raise OutdatedStore(f"{self.path} was made by an earlier version of Ceasefire Talks Dashboard; open it once "
                                f"for writing to bring it up to date, e.g. `ceasefire --db {self.path} stats`")

    def _has(self, table: str, column: str) -> bool:
        return bool(self._scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = ?",
                                 [table, column]))

    def _upgrade(self) -> None:
        """Bring a store made by an earlier version up to date, in place."""
        has = self._has  # (table, column)
        if not has("article_actors", "published_at"):  # roll-ups gained their article's date and source (pairs' columns were renamed)
            with self.writing():
                self.con.execute("ALTER TABLE actor_pairs RENAME COLUMN source TO actor")
                self.con.execute("ALTER TABLE actor_pairs RENAME COLUMN target TO other")
                for name in (n for n in ROLLUPS if not has(n, "published_at")):  # a newer roll-up has them
                    self.con.execute(f"ALTER TABLE {name} ADD COLUMN published_at TIMESTAMP")
                    self.con.execute(f"ALTER TABLE {name} ADD COLUMN source VARCHAR")
                    self.con.execute(f"UPDATE {name} SET published_at = a.published_at, source = a.source "
                                     f"FROM articles a WHERE {name}.article_id = a.article_id")
        if not has("article_actors", "place_bits"):  # ... and then their article's place and actor bits
            with self.writing():
                for kind, names in (
                    ("place", "SELECT place FROM article_places GROUP BY place ORDER BY count(*) DESC, place"),
                    ("place", "SELECT name FROM places ORDER BY name"),
                    ("actor", "SELECT actor FROM article_actors GROUP BY actor ORDER BY count(*) DESC, actor"),
                ):
                    self._give_bits(kind, [row[0] for row in self.con.execute(names).fetchall()])
                ids = [row[0] for row in self.con.execute("SELECT article_id FROM articles").fetchall()]
                self.con.execute(f"CREATE TEMP TABLE upgrade_facets AS WITH place_mentions AS (FROM article_places), "
                                 f"actor_mentions AS (FROM article_actors), {ARTICLE_FACETS} FROM article_facets", [ids])
                for name in (n for n in ROLLUPS if not has(n, "place_bits")):
                    self.con.execute(f"ALTER TABLE {name} ADD COLUMN place_bits BIGINT")
                    self.con.execute(f"ALTER TABLE {name} ADD COLUMN actor_bits BIGINT")
                    self.con.execute(f"UPDATE {name} SET place_bits = f.place_bits, actor_bits = f.actor_bits "
                                     f"FROM upgrade_facets f WHERE {name}.article_id = f.article_id")
                self.con.execute("DROP TABLE upgrade_facets")
        if has("facet_actors_outdated", "since"):
            with self.writing():  # ... and one mark of outdated facet tables replaced facet_actors' own
                self.con.execute(f"INSERT INTO {FACETS_OUTDATED} FROM facet_actors_outdated")
                self.con.execute("DROP TABLE facet_actors_outdated")
        if any(not self.count(facet.name) and self.count(facet.rollup) for facet in FACET_TABLES.values()):
            self.rebuild_facets()  # ... and roll-ups by facet and day were added (actors, then pairs)
        if not has("article_actors", "sentence_indexes"):
            with self.writing():  # ... and an actor's row the indexes of its sentences
                self.con.execute("ALTER TABLE article_actors ADD COLUMN sentence_indexes INTEGER[]")
                # An actor at a time: all at once ran out of DuckDB's memory at 1M articles.
                for (actor,) in self.con.execute("SELECT DISTINCT actor FROM article_actors").fetchall():
                    self.con.execute("""UPDATE article_actors SET sentence_indexes = m.indexes FROM (
                        SELECT article_id, list(DISTINCT sentence_index ORDER BY sentence_index) AS indexes
                        FROM actor_mentions WHERE actor = $actor GROUP BY ALL) m
                        WHERE article_actors.actor = $actor AND article_actors.article_id = m.article_id""", {"actor": actor})
        if not has("round_candidates", "published"):
            with self.writing():  # ... and candidates their article's date
                self.con.execute("ALTER TABLE round_candidates ADD COLUMN published DATE")
                self.con.execute("UPDATE round_candidates SET published = a.published_at::DATE FROM articles a "
                                 "WHERE round_candidates.article_id = a.article_id")
        if has("article_conflicts", "reason"):  # ... whose evidence table was first named as its roll-up is now
            with self.writing():
                self.con.execute("DROP TABLE article_conflicts")
                self.con.execute(ddl())
        if not has("ingests", "events_added"):  # ... and ingests count the events they add
            with self.writing():
                self.con.execute("ALTER TABLE ingests ADD COLUMN events_added INTEGER")
        if not has("articles", "text_pending"):  # ... and articles may be known by title and URL until fetched
            with self.writing():
                self.con.execute("ALTER TABLE articles ADD COLUMN text_pending BOOLEAN DEFAULT false")
        if not has("article_stats", "story_id"):  # ... and articles their story (grouped by `ceasefire extract`)
            with self.writing():
                self.con.execute("ALTER TABLE article_stats ADD COLUMN story_id VARCHAR")
        if not has("records", "conflicts"):
            # ... and records and candidates their conflicts (found by `ceasefire extract`, which says so).
            with self.writing():
                # Filled by an UPDATE, not a DEFAULT: DuckDB replays a list default from its log only by
                # loading an extension, so a store whose process died right after was unreadable offline.
                self.con.execute("ALTER TABLE records ADD COLUMN IF NOT EXISTS conflicts VARCHAR[]")
                self.con.execute("UPDATE records SET conflicts = []::VARCHAR[] WHERE conflicts IS NULL")
                self.con.execute("ALTER TABLE records ADD COLUMN IF NOT EXISTS conflict_reason VARCHAR")
            if not has("round_candidates", "conflicts"):
                columns = [c for c in ANALYSIS_TABLES["round_candidates"] if c not in ("conflicts", "published")]
                self.con.execute(f"CREATE TABLE upgraded_candidates AS SELECT {', '.join(columns)}, []::VARCHAR[] AS conflicts, "
                                 "published FROM round_candidates")
                self.con.execute("DROP TABLE round_candidates")
                self.con.execute("ALTER TABLE upgraded_candidates RENAME TO round_candidates")
            self.con.execute("CHECKPOINT")

    def close(self) -> None:
        self.con.close()

    @contextmanager
    def writing(self) -> Iterator[None]:
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

    def is_big_addition(self, added: int) -> bool:
        """Whether `added` new articles are 1/COMPACT_SHARE of the store or more: their ingest compacts."""
        return bool(added) and added * COMPACT_SHARE >= self.count("articles")

    def compact_if_due(self, articles_added: int) -> None:
        """After an ingest: compact when it added a big share of the store, or left the facets outdated."""
        if self.is_big_addition(articles_added) or self._facets_outdated():
            self.compact()

    def next_ingest_id(self) -> int:
        return self._scalar("SELECT nextval('ingest_ids')")

    def write_batch(self, articles: pd.DataFrame, records: pd.DataFrame, events: pd.DataFrame, extraction: AnalysisRows,
                    stories: pd.DataFrame, new_article_ids: list[str], ingest_id: int) -> tuple[int, int, int]:
        """Insert a batch's new articles, records, events, their stories and analysis (inside the
        caller's transaction); returns how many articles, records and events were new."""
        articles_added = self._insert_new("articles", "article_id", articles, ARTICLE_COLUMNS, ingest_id)
        self.save_stories(stories)
        records_added = self._insert_new("records", "record_id", records, RECORD_COLUMNS, ingest_id)
        # ACLED revises events under their ids (fatalities, actors): the newest file's row replaces the stored one.
        replaced = self._delete_stored("events", "event_id", events)
        events_added = self._insert_new("events", "event_id", events, STORED_EVENT_COLUMNS, ingest_id) - replaced
        self._save_extraction(extraction, new_article_ids)
        return articles_added, records_added, events_added

    def add_copies(self, articles: pd.DataFrame, ingest_id: int) -> int:
        """Keep the incoming articles whose text is stored under another outlet or address as copies
        of it (inside the caller's transaction, after the batch's articles); returns how many were new."""
        if articles.empty:
            return 0
        # read by name in the SQL below
        incoming_copies = articles[["article_id", "source", "url", "title", "published_at", "origin_file"]]  # noqa: F841
        before = self.count("article_copies")
        self.con.execute("""
            INSERT INTO article_copies
            SELECT c.article_id, c.source, c.url, c.title, c.published_at, c.origin_file, ?
            FROM (SELECT DISTINCT ON (article_id, source, url) * FROM incoming_copies) c JOIN articles a USING (article_id)
            WHERE (c.source IS DISTINCT FROM a.source OR c.url IS DISTINCT FROM a.url)
              AND NOT EXISTS (SELECT 1 FROM article_copies k WHERE k.article_id = c.article_id
                              AND k.source IS NOT DISTINCT FROM c.source AND k.url IS NOT DISTINCT FROM c.url)""", [ingest_id])
        return self.count("article_copies") - before

    def log_ingest(self, ingest_id: int, started: datetime, paths: list[str], counts: tuple[int, int, int, int, int],
                   rejections: list[Rejection], events_added: int = 0) -> None:
        """The ingest's row and its rejections (files read, articles added and repeated, records added and repeated)."""
        if rejections:
            self.con.executemany(
                'INSERT INTO rejections (ingest_id, file, "row", reason) VALUES (?, ?, ?, ?)',
                [(ingest_id, r.file, r.row, r.reason) for r in rejections],
            )
        self.con.execute("INSERT INTO ingests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [ingest_id, started, datetime.now(), paths, *counts, len(rejections), events_added])

    def update_changed_articles(self, articles: pd.DataFrame) -> list[str]:
        """Articles identified by their URL that are stored with another text (a page fetched again,
        a title-only article now fetched) take the incoming row's values, their analysis emptied for
        extraction to run again, the rounds of its tables found again (inside the caller's transaction);
        returns their ids. A title-only row never replaces a stored one."""
        if articles.empty:
            return []
        incoming = _arrow(articles, ARTICLE_COLUMNS)  # noqa: F841 (read by name in the SQL below)
        changed = [row[0] for row in self.con.execute(
            "SELECT a.article_id FROM articles a JOIN incoming i USING (article_id) "
            "WHERE a.content_hash <> i.content_hash AND NOT i.text_pending").fetchall()]
        if changed:
            columns = [c for c in ARTICLE_COLUMNS if c != "article_id"]
            # The rounds found in the old text's tables go: the new text's are found again.
            self.con.execute("DELETE FROM records r USING articles a WHERE r.article_id = a.article_id "
                             "AND (r.origin_file = a.origin_file OR starts_with(r.origin_file, a.origin_file || '#')) "
                             "AND a.article_id IN (SELECT unnest(?))", [changed])
            self.con.execute(f"UPDATE articles SET {', '.join(f'{c} = i.{c}' for c in columns)} FROM incoming i "
                             "WHERE articles.article_id = i.article_id AND articles.article_id IN (SELECT unnest(?))", [changed])
            self.clear_analysis(changed)
        return changed

    def pending_articles(self) -> list[dict[str, object]]:
        """The url, title, published_at and source of the articles known by title and URL only, oldest first."""
        frame = self.con.execute("SELECT url, title, published_at, source FROM articles WHERE text_pending "
                                 "ORDER BY ingest_id, article_id").df()
        return frame.astype(object).where(frame.notna(), None).to_dict("records")

    def watch(self, url: str, every_seconds: int) -> bool:
        """Watch `url` (or change how often); returns whether it is new."""
        known = bool(self._scalar("SELECT count(*) FROM watched_sources WHERE url = ?", [url]))
        with self.writing():
            if known:
                self.con.execute("UPDATE watched_sources SET every_seconds = ? WHERE url = ?", [every_seconds, url])
            else:
                self.con.execute("INSERT INTO watched_sources (url, every_seconds, added_at, seen_entries, refreshes, "
                                 "articles_added, articles_updated) VALUES (?, ?, now()::TIMESTAMP, []::VARCHAR[], 0, 0, 0)",
                                 [url, every_seconds])
        return not known

    def unwatch(self, url: str) -> bool:
        """Stop watching `url`; returns whether it was watched."""
        with self.writing():
            return bool(self.con.execute("DELETE FROM watched_sources WHERE url = ? RETURNING url", [url]).fetchall())

    def watched_sources(self, due_at: datetime | None = None) -> pd.DataFrame:
        """Every watched source, or those due at `due_at` (never refreshed, or `every` past the last refresh)."""
        due = ("WHERE last_refresh IS NULL OR last_refresh + to_seconds(every_seconds) <= ?" if due_at else "")
        return self.con.execute(f"SELECT * FROM watched_sources {due} ORDER BY url", [due_at] if due_at else []).df()

    def save_refresh(self, url: str, kind: str | None, etag: str | None, last_modified: str | None, seen: list[str],
                     added: int, updated: int, error: str | None) -> None:
        """What one refresh of a watched source found (inside the caller's transaction, or its own)."""
        self.con.execute(
            "UPDATE watched_sources SET kind = coalesce(?, kind), last_refresh = now()::TIMESTAMP, "
            "etag = ?, last_modified = ?, seen_entries = ?, "
            "refreshes = refreshes + 1, articles_added = articles_added + ?, articles_updated = articles_updated + ?, "
            "last_error = ? WHERE url = ?", [kind, etag, last_modified, seen, added, updated, error, url])

    def existing_ids(self, article_ids: list[str]) -> set[str]:
        if not article_ids:
            return set()
        found = self.con.execute(
            "SELECT article_id FROM articles WHERE article_id IN (SELECT unnest(?))", [article_ids]
        ).fetchall()
        return {row[0] for row in found}

    def stories_sharing(self, keys: list[int], most: int) -> list[tuple[str, bytes, list[int]]]:
        """(story id, signature, band keys) of the first article of each stored story with any of
        these LSH band keys, but for keys that more than `most` stories have (boilerplate): the
        candidates for the stories of new articles (analysis/stories.py)."""
        if not keys:
            return []
        return self.con.execute(f"""
            WITH hits AS (SELECT article_id, key FROM (SELECT article_id, unnest(band_keys) AS key FROM {STORIES})
                          WHERE key IN (SELECT DISTINCT unnest(?))),
            telling AS (SELECT key FROM hits GROUP BY key HAVING count(*) <= ?)
            SELECT s.story_id, s.signature, s.band_keys FROM {STORIES} s
            WHERE s.article_id IN (SELECT h.article_id FROM hits h WHERE h.key IN (SELECT key FROM telling))
            ORDER BY s.story_id""", [keys, most]).fetchall()

    def save_stories(self, stories: pd.DataFrame) -> None:
        """Add the stories of articles that have none (columns as the table's; inside the caller's transaction)."""
        if stories.empty:
            return
        incoming_stories = pa.Table.from_pandas(stories, preserve_index=False, schema=pa.schema([  # noqa: F841 (read in the SQL)
            ("article_id", pa.string()), ("story_id", pa.string()), ("signature", pa.binary()), ("band_keys", pa.list_(pa.int64()))]))
        self.con.execute(f"INSERT INTO {STORIES} SELECT * FROM incoming_stories")

    def _save_extraction(self, extraction: AnalysisRows, article_ids: list[str]) -> None:
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
        conflict_evidence_batch = frames["conflict_evidence"]  # noqa: F841
        batch_only = ("WITH sentences AS (FROM sentences_batch), actor_mentions AS (FROM actor_mentions_batch), "
                      "place_mentions AS (FROM place_mentions_batch), issue_mentions AS (FROM issue_mentions_batch), "
                      f"conflict_evidence AS (FROM conflict_evidence_batch), {ARTICLE_FACETS} ")
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
        summed by facet and day only within the batch, and a large ingest would pile up tens of
        millions of them (docs/performance.md)."""
        if self._facets_outdated() or self.is_big_addition(len(article_ids)):
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

    def venues_without_place(self) -> list[str]:
        """Venues of rounds that are not on the map yet."""
        return [row[0] for row in self.con.execute(
            "SELECT DISTINCT coalesce(venue_city, venue_country) FROM records "
            "WHERE coalesce(venue_city, venue_country) NOT IN (SELECT name FROM places)").fetchall()]

    def add_venue_places(self, rows: list[tuple]) -> None:
        """Geocoded venues (name, kind, country, latitude, longitude) on the map, each with a bit:
        a venue filtered by needs one even if no article names it, or it would fall back to the semi-join."""
        if rows:
            self.con.executemany("INSERT OR REPLACE INTO places VALUES (?, ?, ?, ?, ?)", rows)
            self._give_bits("place", sorted(row[0] for row in rows))

    def clear_analysis(self, article_ids: list[str] | None = None) -> list[str]:
        """Empty every analysis table before extraction runs again (inside the caller's transaction),
        or only the rows of `article_ids`; returns the ids of the articles to analyse. The facet
        tables are derived once, at the compaction (`rebuild_facets` after a few articles)."""
        if article_ids is not None:  # their texts are unchanged, and so are their stories
            for name in (*ANALYSIS_TABLES, *ROLLUPS):
                self.con.execute(f"DELETE FROM {name} WHERE article_id IN (SELECT unnest(?))", [article_ids])
            self._outdate_facets()
            return sorted(self.existing_ids(article_ids))
        for name in (*ANALYSIS_TABLES, *ROLLUPS, *FACETS, "facet_bits", STORIES):
            self.con.execute(f"DELETE FROM {name}")
        self._outdate_facets()
        # In the order they were stored (an ingest's articles by id, as ingest groups them): a story keeps its first article's id.
        return [row[0] for row in self.con.execute("SELECT article_id FROM articles ORDER BY ingest_id, article_id").fetchall()]

    def articles_naming(self, forms: Iterable[str]) -> list[str]:
        """The articles whose text names any of these forms, as a whole word in any case: every
        article that may mention the actor they now make, not only those where a name was found."""
        words = "|".join(re.escape(" ".join(form.split())) for form in dict.fromkeys(forms) if form.strip())
        if not words:
            return []
        return [row[0] for row in self.con.execute(
            f"SELECT article_id FROM articles a WHERE regexp_matches({ANALYSED_TEXT}, ?, 'i') ORDER BY 1",
            [rf"\b(?:{words})\b"]).fetchall()]

    def dismiss_name(self, name: str, dismissed_by: str | None) -> None:
        """Keep an unknown name out of the review queue (an admin's decision)."""
        self.con.execute("INSERT OR REPLACE INTO name_dismissals VALUES (?, now()::TIMESTAMP, ?)", [name, dismissed_by])

    def article_texts(self, article_ids: list[str]) -> list[tuple]:
        """(article_id, text, published_at, published_precision) of these articles, as extraction takes
        them: the text with its title (analysis.text.analysed_text)."""
        return self.con.execute(f"SELECT article_id, {ANALYSED_TEXT}, published_at, published_precision FROM articles a "
                                "WHERE article_id IN (SELECT unnest(?))", [article_ids]).fetchall()

    def bit_every_place(self) -> None:
        """Places no article names any more (venues of records) keep a bit to be filtered by."""
        self._give_bits("place", [row[0] for row in self.con.execute("SELECT name FROM places ORDER BY name").fetchall()])

    def compact(self) -> None:
        """Rewrite the analysis tables in the order the dashboard reads them (COMPACT_ORDER), so
        DuckDB skips the row groups a query cannot need: an actor's rows, a date range. Ingests
        append in arrival order; an ingest that adds a fifth of the store or more compacts again."""
        with self.writing():
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
        with self.writing():
            self._derive_facets()

    def records_without_named_conflict(self) -> pd.DataFrame:
        """The records whose file named no conflict, as `ingest._with_conflicts` takes them."""
        return self.con.execute("SELECT record_id, parties, mediators, []::VARCHAR[] AS conflicts, NULL AS conflict_reason, "
                                "origin_file, origin_row FROM records "
                                "WHERE conflict_reason IS DISTINCT FROM 'named in the file'").df()

    def set_record_conflicts(self, records: pd.DataFrame) -> None:
        """Replace these records' conflicts and reasons (inside the caller's transaction)."""
        incoming = records[["record_id", "conflicts", "conflict_reason"]]  # noqa: F841 (read by name in the SQL below)
        self.con.execute("UPDATE records SET conflicts = i.conflicts, conflict_reason = i.conflict_reason "
                         "FROM incoming i WHERE records.record_id = i.record_id")

    def save_catalog(self, catalog: pd.DataFrame) -> None:
        """The actor catalog the analysis used, replacing the one stored."""
        self.con.execute("DELETE FROM actors")
        incoming_actors = catalog  # noqa: F841 (read by name in the SQL below)
        self.con.execute("INSERT INTO actors SELECT name, type, affiliation, aliases, demonyms, wikidata FROM incoming_actors")

    def _delete_stored(self, table: str, key: str, frame: pd.DataFrame) -> int:
        """Delete the stored rows these rows replace; returns how many there were."""
        if frame.empty:
            return 0
        before = self.count(table)
        self.con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT unnest(?))", [frame[key].tolist()])
        return before - self.count(table)

    def _insert_new(self, table: str, key: str, frame: pd.DataFrame, types: dict[str, str], ingest_id: int) -> int:
        if frame.empty:
            return 0
        # Data goes in by DuckDB's scan of a local variable, not `register`: a view registered and
        # dropped inside a transaction keeps its data alive until the commit (memory grows per batch).
        incoming = _arrow(frame, types)  # noqa: F841 (read by name in the SQL below)
        columns = ", ".join(types)
        before = self.count(table)
        self.con.execute(
            f"INSERT INTO {table} ({columns}, ingest_id) "
            f"SELECT {columns}, ? FROM incoming AS new "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS old WHERE old.{key} = new.{key})",
            [ingest_id],
        )
        return self.count(table) - before

    def save_review(self, candidate_ids: list[str], decision: Decision, record_id: str | None,
                    decided_by: str | None) -> None:
        self.con.executemany("INSERT OR REPLACE INTO round_decisions VALUES (?, ?, ?, now()::TIMESTAMP, ?)",
                             [(candidate, decision, record_id, decided_by) for candidate in candidate_ids])

    def add_reviewed_record(self, row: list) -> None:
        """A round accepted from the news, as a record of its own ingest (the review)."""
        ingest_id = self.next_ingest_id()
        self.con.execute("INSERT INTO ingests VALUES (?, now()::TIMESTAMP, now()::TIMESTAMP, ['review of news rounds'], "
                         "0, 0, 0, 1, 0, 0, 0)", [ingest_id])
        columns = ("record_id", "start_date", "start_precision", "venue_city", "venue_country", "parties", "mediators",
                   "outcome", "outcome_text", "key_issues", "proposal", "source", "article_id", "conflicts", "conflict_reason",
                   "origin_file", "origin_row", "ingest_id")
        # By name: a store brought up to date has its newer columns last.
        self.con.execute(f"INSERT OR REPLACE INTO records ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                         [*row, 0, ingest_id])

    def add_articles(self, articles: pd.DataFrame) -> None:
        """Stored articles copied from another store, as they are (a staging store's starting point)."""
        copied_articles = articles  # noqa: F841 (read by name in the SQL below)
        with self.writing():
            self.con.execute("INSERT INTO articles BY NAME SELECT * FROM copied_articles")

    def keep_articles(self, article_ids: list[str]) -> None:
        """Forget every other article that has no analysis here (a staging store's extra rows)."""
        with self.writing():
            self.con.execute("DELETE FROM articles WHERE article_id NOT IN (SELECT unnest(?::VARCHAR[]))", [article_ids])

    def keys(self, table: str, key: str) -> list[str]:
        """The values of a table's key column (both named by the caller, never by a user)."""
        return [row[0] for row in self.con.execute(f"SELECT {key} FROM {table}").fetchall()]

    def count(self, table: str) -> int:
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}; tables are: {', '.join(TABLES)}")
        return self._scalar(f"SELECT count(*) FROM {table}")

    def _scalar(self, sql: str, params: list | None = None) -> object:
        # fetchall, not fetchone: DuckDB keeps a partly fetched result open and refuses other work.
        return self.con.execute(sql, params or []).fetchall()[0][0]
