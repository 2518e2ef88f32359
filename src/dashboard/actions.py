"""What the dashboard's admin changes, for the pages: uploads, catalog edits, reviews of news rounds
and of unknown names, and downloads. Pages call these and open no store themselves. On a server
database, each change is made in a staging store and published to the server (`_writable`)."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ceasefire.analysis.catalog import (
    ACTOR_TYPES,
    Actor,
    Catalog,
    CatalogError,
    current_catalog,
    write_overlay,
)
from ceasefire.analysis.conflicts import conflict_names
from ceasefire.analysis.extract import Extractors
from ceasefire.analysis.names import with_alias, with_new_actor
from ceasefire.analysis.rounds import NewsRound
from ceasefire.config import store_location
from ceasefire.dashboard.frame import connection, on_a_server, signed_in_email, store
from ceasefire.fetching import FetchReport, fetch_pending_articles, fetch_urls, watch
from ceasefire.ingest import IngestReport, add_name_to_catalog, dismiss_name, ingest, reextract, review_round
from ceasefire.loaders.datasets import FORMATS
from ceasefire.loaders.files import AUTO_FORMAT, SUPPORTED_SUFFIXES, Kind, LoadOptions, load_uploads
from ceasefire.loaders.schema import Decision
from ceasefire.loaders.web import Progress
from ceasefire.read import log
from ceasefire.read.engines import publish
from ceasefire.read.exports import EXPORTABLE, Export, ExportFormat, export_bytes
from ceasefire.read.filters import Filters
from ceasefire.read.registry import Q
from ceasefire.store.db import Store
from ceasefire.store.schema import PUBLISHED_TABLES

CONFLICTS = conflict_names()  # the conflicts an actor added here may be a party to

__all__ = ["ACTOR_TYPES", "AUTO_FORMAT", "CONFLICTS", "EXPORTABLE", "FORMATS", "SUPPORTED_SUFFIXES", "Actor", "Catalog", "CatalogError", "add_name_as_actor",
           "add_name_as_alias", "current_catalog", "dismiss_unknown_name", "downloadable_tables", "ingest_uploads",
           "prepare_download", "review_news_round", "save_catalog",
           "FetchJob", "current_fetch", "start_fetch", "title_only_articles", "unwatch_source", "watch_source",
           "watched_sources"]


_EVERY_ARTICLE = None  # what `_writable` starts a staging store with to analyse every article again
_KEYS = {"articles": "article_id", "records": "record_id", "events": "event_id"}


@contextmanager
def _writable(articles: Sequence[str] | None = ()) -> Iterator[Store]:
    """Where an admin's change is made: the dashboard's own store; or, on a server database, a
    staging store holding the server's articles that name one of `articles` (every article for
    None), whose rows go to the server when the change is done: publishing replaces rows by key,
    so only what changed moves, in one transaction."""
    if not on_a_server():
        yield store()
        return
    with tempfile.TemporaryDirectory(prefix="ceasefire-staging-") as folder, Store(Path(folder) / "staging.duckdb") as staging:
        if articles is None or articles:
            with connection() as server:
                staging.add_articles(Q.stored_articles(server, articles))
        yield staging
        publish(staging.con, store_location(), tables=tuple(t for t in PUBLISHED_TABLES if staging.count(t)))


def ingest_uploads(files: Iterable[tuple[str, bytes]], names: list[str], kind: Kind, format: str = AUTO_FORMAT) -> IngestReport:
    """Load uploaded (file name, content) pairs and ingest them into the store; `format` forces a
    dataset's layout (loaders/datasets.py) instead of recognising it by its columns."""
    result = load_uploads(files, LoadOptions(kind=kind, format=format))
    with _writable() as target:
        report = ingest(target, result, names)
        return _counted_on_the_server(report, target) if on_a_server() else report


def _counted_on_the_server(report: IngestReport, staging: Store) -> IngestReport:
    """A staging store's report, with what the server already holds counted as already stored."""
    with connection() as server:
        known = {table: Q.stored_keys(server, table, key, staging.keys(table, key)) for table, key in _KEYS.items()}
    return replace(report, articles_added=report.articles_added - known["articles"],
                   articles_duplicate=report.articles_duplicate + known["articles"],
                   records_added=report.records_added - known["records"],
                   records_duplicate=report.records_duplicate + known["records"],
                   events_added=report.events_added - known["events"], events_duplicate=report.events_duplicate + known["events"])


def save_catalog(catalog: Catalog) -> int:
    """Keep the edited catalog as the user's layer over the built-in one and analyse every article again
    with it; returns how many articles were analysed."""
    write_overlay(catalog)
    with _writable(_EVERY_ARTICLE) as target:
        return reextract(target, Extractors.load())


def add_name_as_actor(name: str, type: str, affiliation: str | None = None, actor_name: str | None = None,
                      conflicts: Sequence[str] = ()) -> list[str]:
    """An unknown name as a new actor of the user's catalog; analyses again only the articles naming it
    (their ids are returned). Raises CatalogError, with the reason, when it cannot be added."""
    return _add_name(name, with_new_actor(current_catalog(), name, type, affiliation, actor_name, conflicts))


def add_name_as_alias(name: str, of: str) -> list[str]:
    """An unknown name as an alias of the existing actor `of` (see add_name_as_actor)."""
    return _add_name(name, with_alias(current_catalog(), name, of))


def _add_name(name: str, catalog: Catalog) -> list[str]:
    with _writable([name, catalog.canonical(name)]) as target:
        ids = add_name_to_catalog(target, name, catalog)
        if on_a_server():  # the staging store fetched more than name it as a word: those stay as they are
            target.keep_articles(ids)
        return ids


def dismiss_unknown_name(name: str) -> None:
    """The signed-in admin takes an unknown name out of the review queue."""
    dismiss_name(store(), name, dismissed_by=signed_in_email())


def review_news_round(news_round: NewsRound, decision: Decision, record_id: str | None = None) -> str | None:
    """The signed-in admin's decision on a round from the news (see ingest.review_round)."""
    with _writable() as target:
        return review_round(target, news_round, decision, record_id, decided_by=signed_in_email())


def downloadable_tables() -> tuple[str, ...]:
    """The tables the Data page offers: a shared database keeps no ingest history."""
    return tuple(t for t in EXPORTABLE if t not in ("rejections", "ingests")) if on_a_server() else EXPORTABLE


def prepare_download(table: str, fmt: ExportFormat, filters: Filters, limit: int) -> Export:
    with connection() as con:
        return export_bytes(con, table, fmt, filters, limit)


@dataclass
class FetchJob:
    """A fetch the admin started from the Data page, running in a thread of the server (never in a
    page's script thread): pages read its progress on every rerun."""

    progress: Progress = field(default_factory=Progress)
    report: FetchReport | None = None
    error: str | None = None
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


# One fetch at a time per server (the store has one writer); module state, not a Streamlit cache,
# which any browser can clear.
_FETCH: dict[str, FetchJob] = {}


def current_fetch() -> FetchJob | None:
    """The running fetch, or the last one finished."""
    return _FETCH.get("job")


def start_fetch(urls: list[str], pending: bool = False) -> FetchJob:
    """Fetch `urls` (and with `pending`, the pages of the title-only articles) into the store in the
    background; ValueError when a fetch is still running."""
    if (job := current_fetch()) and job.running:
        raise ValueError("a fetch is still running; wait for it to finish")
    opened = store()  # in the script thread: a busy store is the page's to report
    job = FetchJob()

    def run() -> None:
        try:
            report = fetch_urls(opened, urls, progress=job.progress) if urls else FetchReport()
            if pending:
                report.sources += fetch_pending_articles(opened, progress=job.progress).sources
            job.report = report
        except Exception as error:  # the thread's only report is the job: a failure must reach the page
            job.error = type(error).__name__  # its message may name server paths: the server's log has it
            raise

    job.thread = threading.Thread(target=run, name="ceasefire-fetch", daemon=True)
    _FETCH["job"] = job
    job.thread.start()
    return job


def title_only_articles() -> int:
    """How many articles are known by title and URL only (GDELT DOC lists), their pages not fetched yet."""
    with connection() as con:
        return log.title_only_articles(con)


def watched_sources() -> pd.DataFrame:
    with connection() as con:
        return log.watched_sources(con)


def watch_source(url: str, every: str) -> bool:
    """Watch `url`, refreshed every `every` ('1h') by `ceasefire refresh`; ValueError with the reason."""
    return watch(store(), url, every)


def unwatch_source(url: str) -> bool:
    return store().unwatch(url)
