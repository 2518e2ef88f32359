"""Ingest: files → loaders → extraction → store, in one transaction.

This is the one place that runs the loaders and the analysis and hands their rows to the store;
re-extraction after a catalog edit and analysts' reviews of rounds from the news go the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path

import duckdb
import pandas as pd

from ceasefire.analysis.catalog import Catalog, CatalogError, write_overlay
from ceasefire.analysis.conflicts import Assignment, ConflictFinder, reasons
from ceasefire.analysis.extract import (
    Extraction,
    Extractors,
    default_extractors,
    extract_articles,
    extract_in_parallel,
)
from ceasefire.analysis.rounds import NewsRound
from ceasefire.analysis.stories import COMMON_BAND, Signed, assign_stories
from ceasefire.analysis.text import analysed_text
from ceasefire.config import SAMPLE_DIR, store_path
from ceasefire.loaders.files import LoadOptions, load_batches, process_pool, safe_name
from ceasefire.loaders.gazetteer import load_gazetteer
from ceasefire.loaders.schema import Decision, LoadResult, Rejection, printable
from ceasefire.store.db import Store
from ceasefire.store.lake import lake_folder


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
    events_added: int = 0
    events_duplicate: int = 0
    articles_updated: int = 0  # fetched again by URL with a changed text (docs/fetching.md)
    articles_copied: int = 0  # stored texts that arrived from another outlet or address, kept as copies

    def summary(self) -> str:
        lines = [f"files read: {self.files_read}"]
        if self.stored:
            lines += [
                f"articles: {self.articles_added} added, "
                + (f"{self.articles_updated} updated (fetched again with a changed text), " if self.articles_updated else "")
                + f"{self.articles_duplicate} already stored or repeated"
                + (f" ({self.articles_copied} of them from another outlet or address, kept as copies)" if self.articles_copied else ""),
                f"negotiation rounds: {self.records_added} added, {self.records_duplicate} already stored or repeated",
            ]
            if self.events_added or self.events_duplicate:
                lines.append(f"events: {self.events_added} added, {self.events_duplicate} already stored (now as this "
                             "input has them) or repeated")
        else:
            lines += [
                "nothing was stored (--strict and some input was rejected)",
                f"articles: {self.articles_added} new, {self.articles_duplicate} already stored or repeated; none stored",
                f"negotiation rounds: {self.records_added} new, {self.records_duplicate} already stored or repeated; none stored",
            ]
            if self.events_added or self.events_duplicate:
                lines.append(f"events: {self.events_added} new, {self.events_duplicate} already stored or repeated; none stored")
        lines.append(f"rejected: {len(self.rejections)}")
        lines += [f"  - {printable(str(rejection))}" for rejection in self.rejections]
        if self.after_commit_error:
            lines.append(f"stored as above; reordering the tables afterwards failed ({self.after_commit_error}). "
                         "Every query still answers correctly, if more slowly until `ceasefire extract` or a large ingest reorders them.")
        return "\n".join(lines)


class _NothingStored(Exception):
    """A strict ingest met a rejection: its transaction is rolled back."""


@dataclass
class _Batch:
    """A loaded batch on its way into the store, its new articles' analysis under way."""

    result: LoadResult
    articles: pd.DataFrame  # without repeats
    records: pd.DataFrame  # without repeats, parties and mediators by canonical name
    events: pd.DataFrame  # without repeats, actors by canonical name, with their conflicts
    new_article_ids: list[str]  # and those updated: analysed again
    extraction: Callable[[], Extraction]  # waits for the analysis
    updated: int = 0  # stored articles that took this batch's text (Store.update_changed_articles)
    records_rejected: int = 0  # for a conflict data/conflicts.yaml does not have


def ingest(
    store: Store, result: LoadResult, paths: Iterable[str | Path] = (), strict: bool = False,
    extractors: Extractors | None = None, pool: ProcessPoolExecutor | None = None,
) -> IngestReport:
    """Store what was loaded, and the analysis of its new articles, in one transaction:
    all of it or, on any error, none of it.

    Re-ingesting the same input adds nothing. With `strict`, any rejection stores nothing.
    """
    return ingest_batches(store, [result], paths, strict, extractors, pool)


def ingest_paths(
    store: Store, paths: Iterable[str | Path], options: LoadOptions = LoadOptions(), strict: bool = False,
    on_file: Callable[[str], None] | None = None, workers: int = 1, batch_articles: int = 20_000,
) -> IngestReport:
    """Load and ingest files, `batch_articles` at a time so memory stays bounded, in one transaction.
    With `workers` > 1, parsing and analysis run in that many processes (the writes stay in
    this one: DuckDB has a single writer)."""
    paths = list(paths)
    with process_pool(workers) as pool:
        batches = load_batches(paths, options, on_file, pool, batch_articles)
        return ingest_batches(store, batches, paths, strict, pool=pool)


def ingest_batches(
    store: Store, batches: Iterable[LoadResult], paths: Iterable[str | Path] = (), strict: bool = False,
    extractors: Extractors | None = None, pool: ProcessPoolExecutor | None = None,
) -> IngestReport:
    """Ingest loaded batches in one transaction (see `ingest`)."""
    extractors = extractors or default_extractors()
    started = datetime.now()
    try:
        with store.writing():
            report = IngestReport(store.next_ingest_id(), 0, 0, 0, 0, 0)
            # A batch is written while the pool analyses the next one (and loads the one after).
            seen: set[str] = set()
            waiting: _Batch | None = None
            for result in batches:
                batch = _prepare_batch(store, result, extractors, pool, seen)
                if waiting:
                    _write_batch(store, waiting, report)
                waiting = batch
            if waiting:
                _write_batch(store, waiting, report)
            if strict and report.rejections:
                raise _NothingStored
            _add_venue_places(store)
            store.save_catalog(extractors.catalog.frame())
            counts = (report.files_read, report.articles_added, report.articles_duplicate, report.records_added,
                      report.records_duplicate)
            store.log_ingest(report.ingest_id, started, [safe_name(str(p)) for p in paths], counts, report.rejections,
                             report.events_added)
    except _NothingStored:  # rolled back: the counts say what would have been added
        report.ingest_id, report.stored = None, False
        return report
    try:
        store.compact_if_due(report.articles_added)
    except duckdb.Error as error:  # e.g. a full disk: the ingest is committed, the compaction rolled back
        report.after_commit_error = str(error).splitlines()[0]
    return report


def _prepare_batch(store: Store, result: LoadResult, extractors: Extractors, pool: ProcessPoolExecutor | None,
                   seen: set[str]) -> _Batch:
    """One loaded batch, its articles that are neither stored nor in an earlier batch of this
    ingest (`seen`, which this adds to), and their analysis: started in the pool, if any."""
    articles = result.articles.drop_duplicates("article_id")
    records = result.records.drop_duplicates("record_id")
    known = records_with_conflicts(records, extractors, result.rejections)
    events = events_with_conflicts(result.events.drop_duplicates("event_id"), extractors)
    rejected, records = len(records) - len(known), known
    ids = articles.article_id.tolist()
    updated = store.update_changed_articles(articles[~articles.article_id.isin(seen)])
    stored = store.existing_ids([i for i in ids if i not in seen]) - set(updated)
    new_articles = articles[~articles.article_id.isin(stored) & ~articles.article_id.isin(seen)]
    seen.update(ids)
    rows = analysed_rows(new_articles)
    extraction = extract_in_parallel(rows, pool) if pool else partial(extract_articles, extractors, rows)
    return _Batch(result, articles, records, events, new_articles.article_id.tolist(), extraction, len(updated), rejected)


def analysed_rows(articles: pd.DataFrame) -> list[tuple]:
    """(article_id, text, published_at, published_precision) of articles rows, as extraction takes
    them: the text with its title (analysis.text.analysed_text)."""
    return [(article_id, analysed_text(text, title), published_at, precision) for article_id, text, title, published_at, precision
            in articles[["article_id", "text", "title", "published_at", "published_precision"]].itertuples(index=False, name=None)]


def records_with_conflicts(records: pd.DataFrame, extractors: Extractors, rejections: list[Rejection]) -> pd.DataFrame:
    """Records with their parties and mediators by the catalog's names, as datasets write them too
    (UCDP's "Government of Sudan" is Sudan), and their conflicts (`_with_conflicts`)."""
    records = records.assign(**{
        column: records[column].map(lambda names: [extractors.catalog.dataset_actor(n) for n in names])
        for column in ("parties", "mediators")
    })
    return _with_conflicts(records, extractors.conflicts, rejections)


def _with_conflicts(records: pd.DataFrame, finder: ConflictFinder, rejections: list[Rejection]) -> pd.DataFrame:
    """Records with their conflicts: the one the file names, by name or alias in any case, which must
    be known (else the row is rejected, with the names to choose from), or those the parties point to."""
    if records.empty:
        return records
    known = ", ".join(sorted(c.name for c in finder.conflicts))
    kept, conflicts, why = [], [], []
    for row in records.itertuples():
        named = [finder.conflict_named(name) for name in row.conflicts]
        if None in named:
            rejections.append(Rejection(row.origin_file, row.origin_row, f"conflict {', '.join(row.conflicts)!r} is not in "
                                        f"data/conflicts.yaml (by name or alias); choose from: {known}"))
            kept.append(False)
            continue
        kept.append(True)
        if named:
            conflicts.append(named)
            why.append(row.conflict_reason)
        else:
            found = finder.assign([*row.parties, *row.mediators])
            conflicts.append([a.conflict for a in found])
            why.append(reasons(found))
    return records[kept].assign(conflicts=conflicts, conflict_reason=why)


def events_with_conflicts(events: pd.DataFrame, extractors: Extractors) -> pd.DataFrame:
    """Events with their actors by the catalog's names (the dataset's kept beside them) and their
    conflicts: those their actors and country point to, else the one conflict fought in their
    country ("fought in Sudan")."""
    if events.empty:
        return events.assign(dataset_actors=[], conflicts=[], conflict_reason=[])
    canonical, finder = extractors.catalog.dataset_actor, extractors.conflicts
    actors, conflicts, why = [], [], []
    for named, country in zip(events.actors, events.country, strict=True):
        countries = [country] if isinstance(country, str) else []  # a missing country is NA
        names = list(dict.fromkeys(canonical(n) for n in named))
        found = finder.assign(names, countries)
        fought = sorted({c for place in countries for c in finder.of_country.get(place, ())})
        actors.append(names)
        if not found and len(fought) == 1:
            found = [Assignment(fought[0], f"fought in {country}")]
        conflicts.append([a.conflict for a in found])
        why.append(reasons(found))
    return events.assign(dataset_actors=events.actors, actors=actors, conflicts=conflicts, conflict_reason=why)


def _write_batch(store: Store, batch: _Batch, report: IngestReport) -> None:
    """Write one batch (inside the ingest's transaction) and count it in the report."""
    extraction = batch.extraction()
    stories = _stories(store, extraction.signatures, sorted(batch.new_article_ids))
    articles_added, records_added, events_added = store.write_batch(
        batch.articles, batch.records, batch.events, extraction, stories, batch.new_article_ids, report.ingest_id)
    report.articles_copied += store.add_copies(batch.result.articles, report.ingest_id)
    report.files_read += batch.result.files_read
    report.articles_added += articles_added
    report.articles_updated += batch.updated
    report.articles_duplicate += len(batch.result.articles) - articles_added - batch.updated
    report.records_added += records_added
    report.records_duplicate += len(batch.result.records) - batch.records_rejected - records_added
    report.events_added += events_added
    report.events_duplicate += len(batch.result.events) - events_added
    report.rejections += batch.result.rejections


def _stories(store: Store, signatures: dict[str, bytes | None], order: list[str]) -> pd.DataFrame:
    """The stories rows of these new articles, grouped in `order` with each other and with the stored
    stories sharing an LSH band with them (analysis/stories.py); the signature and band keys are kept
    for an article beginning a story, which is what later articles are compared with."""
    signed = [Signed.of(article_id, signatures[article_id]) for article_id in order]
    stored = store.stories_sharing([key for article in signed for key in article.keys], COMMON_BAND)
    stories = assign_stories(signed, [Signed(story, signature, tuple(keys)) for story, signature, keys in stored])
    begins = [story == article.id for article, story in zip(signed, stories, strict=True)]
    return pd.DataFrame({"article_id": order, "story_id": stories,
                         "signature": [a.signature if b else None for a, b in zip(signed, begins, strict=True)],
                         "band_keys": [list(a.keys) if b else [] for a, b in zip(signed, begins, strict=True)]})


def _add_venue_places(store: Store) -> None:
    """Venues of rounds go on the map too, geocoded like mentioned places."""
    store.add_venue_places(venue_places(store.venues_without_place()))


def venue_places(venues: Iterable[str]) -> list[tuple]:
    """The places rows (name, kind, country, latitude, longitude) of the venues the gazetteer knows by that name."""
    gazetteer = load_gazetteer()
    return [(p.name, p.kind, p.country, p.latitude, p.longitude) for venue in venues
            if (p := gazetteer.lookup(venue)) is not None and p.name == venue]


def reextract(store: Store, extractors: Extractors | None = None, batch_size: int = 5000,
              on_batch: Callable[[int], None] | None = None, article_ids: list[str] | None = None) -> int:
    """Run extraction again over every stored article (after editing the actor catalog,
    the issues or the places), or only over `article_ids`, replacing their analysis rows in one
    transaction; returns how many articles were analysed. Every article's story is worked out
    again too, in the order they were stored; `article_ids`' stories stay (their texts are the same)."""
    extractors = extractors or default_extractors()
    with store.writing():
        ids = store.clear_analysis(article_ids)
        for offset in range(0, len(ids), batch_size):
            batch = ids[offset : offset + batch_size]
            extraction = extract_articles(extractors, store.article_texts(batch))
            if article_ids is None:
                store.save_stories(_stories(store, extraction.signatures, batch))
            store._save_extraction(extraction, batch)
            if on_batch:
                on_batch(len(batch))
        store.save_catalog(extractors.catalog.frame())
        store.set_record_conflicts(_with_conflicts(store.records_without_named_conflict(), extractors.conflicts, []))
        store.bit_every_place()
    if article_ids is None:
        store.compact()
    else:  # the facet tables summed every article's rows: derived again, the other tables stay as they are
        store.rebuild_facets()
    return len(ids)


def add_name_to_catalog(store: Store, name: str, catalog: Catalog) -> list[str]:
    """An unknown name the admin added to the catalog (`catalog`, now covering it: a new actor, or
    an alias of one): keep `catalog` as the user's layer over the built-in one, and analyse again
    only the articles whose text names it or the actor it now means. Returns their ids."""
    if name not in catalog.actors and catalog.canonical(name) == name.strip():
        raise CatalogError(f"{name!r} is neither an actor nor an alias in the catalog")
    write_overlay(catalog)
    ids = store.articles_naming([name, catalog.canonical(name)])
    reextract(store, Extractors.load(), article_ids=ids)
    return ids


def dismiss_name(store: Store, name: str, dismissed_by: str | None = None) -> None:
    """Take an unknown name out of the review queue for good (it stays in name_mentions)."""
    with store.writing():
        store.dismiss_name(" ".join(name.split()), dismissed_by)


def review_round(store: Store, news_round: NewsRound, decision: Decision, record_id: str | None = None,
                 decided_by: str | None = None) -> str | None:
    """Record an analyst's decision on a round reconstructed from the news, for all its candidates.

    accepted: it becomes a negotiation round of its own (returned id), its provenance the articles;
    merged: its evidence belongs to the existing round `record_id`; rejected: it is not a round.
    """
    if decision == "merged" and not record_id:
        raise ValueError("choose the record to merge this round into")
    if decision == "accepted" and news_round.first is None:
        raise ValueError("this round has no date in the news; merge it into a record instead")
    with store.writing():
        if decision == "accepted":
            record_id = "news-" + news_round.key
            store.add_reviewed_record(_record_row(record_id, news_round))
        store.save_review([c.candidate_id for c in news_round.candidates], decision,
                          record_id if decision != "rejected" else None, decided_by)
    return record_id


def _record_row(record_id: str, news_round: NewsRound) -> list:
    """The records row of a round accepted from the news (without its ingest id)."""
    precisions = [c.precision for c in news_round.candidates if c.date]
    precision = "day" if "day" in precisions else precisions[0]  # the finest any article gives
    city = news_round.venue if news_round.venue != news_round.country else None
    return [record_id, news_round.first, precision, city, news_round.country, news_round.union("parties"),
            news_round.union("mediators"), news_round.outcome, "reconstructed from the news",
            news_round.union("issues"), news_round.proposal, f"news: {len(news_round.articles)} article(s)",
            news_round.articles[0], news_round.union("conflicts"), "from the news reports" if news_round.union("conflicts") else None,
            "review of news reports"]


def open_store(path: str | Path | None = None, read_only: bool = False) -> Store:
    """The configured store; the bundled sample data is ingested into it when it does not exist yet."""
    path = Path(path) if path is not None else store_path()
    if lake_folder(path) is not None:  # a lake is written elsewhere (`ceasefire publish lake:PATH`) and only read
        return Store(path, read_only=True)
    if not path.exists():
        with Store(path) as fresh:
            ingest_paths(fresh, [SAMPLE_DIR])
    return Store(path, read_only=read_only)
