"""Fetching the web into the store: URLs given once, watched sources refreshed when due, and the
pages of articles known by title only (docs/fetching.md).

Each URL is fetched and then ingested on its own (one ingest, one transaction), through the same
path as files: a URL that fails loses nothing stored and nothing another URL gave.
"""

from __future__ import annotations

import fcntl
import re
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ceasefire.ingest import IngestReport, ingest
from ceasefire.loaders.http import FetchError, FetchSettings, HttpClient, check_http_url
from ceasefire.loaders.schema import LoadResult, Rejection, printable
from ceasefire.loaders.web import Progress, SourceFetch, SourceState, fetch_pending, fetch_source
from ceasefire.store.db import Store

_EVERY = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
SHORTEST_EVERY = 60  # seconds: a site is not asked more often than once a minute


def parse_every(text: str) -> int:
    """Seconds in '90s', '30m', '1h' or '2d'; ValueError for anything else or under a minute."""
    match = _EVERY.match(text)
    if not match:
        raise ValueError(f"--every expects a number and s, m, h or d (30m, 1h, 2d), got {text!r}")
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds < SHORTEST_EVERY:
        raise ValueError(f"--every {text} is more often than once a minute")
    return seconds


def describe_every(seconds: int) -> str:
    for unit in ("d", "h", "m"):
        if seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    return f"{seconds}s"


@dataclass
class SourceReport:
    """One URL: what it was, why it failed (if it did) and what its ingest stored."""

    url: str
    kind: str | None
    error: str | None
    not_modified: bool
    ingest: IngestReport

    def line(self) -> str:
        if self.error:
            return printable(f"{self.url}: failed: {self.error}")
        if self.not_modified:
            return printable(f"{self.url}: {self.kind or 'source'} not changed since the last refresh")
        report = self.ingest
        return printable(f"{self.url}: {self.kind}, {report.articles_added} articles added, {report.articles_updated} updated, "
                         f"{report.articles_duplicate} already stored; {len(report.rejections)} rejected")


@dataclass
class FetchReport:
    sources: list[SourceReport] = field(default_factory=list)

    @property
    def rejections(self) -> list[Rejection]:
        return [rejection for source in self.sources for rejection in source.ingest.rejections]

    @property
    def articles_added(self) -> int:
        return sum(source.ingest.articles_added for source in self.sources)

    @property
    def articles_updated(self) -> int:
        return sum(source.ingest.articles_updated for source in self.sources)

    def summary(self) -> str:
        lines = [source.line() for source in self.sources]
        lines.append(f"articles: {self.articles_added} added, {self.articles_updated} updated; rejected: {len(self.rejections)}")
        lines += [f"  - {printable(str(rejection))}" for rejection in self.rejections]
        return "\n".join(lines)


def fetch_urls(store: Store, urls: Iterable[str], settings: FetchSettings = FetchSettings(),
               progress: Progress | None = None) -> FetchReport:
    """Fetch pages, feeds and GDELT DOC lists by URL and ingest each."""
    report, progress = FetchReport(), progress or Progress()
    with HttpClient(settings) as client:
        for url in urls:
            report.sources.append(_ingest_fetch(store, fetch_source(client, url, progress=progress)))
    return report


def refresh(store: Store, settings: FetchSettings = FetchSettings(), progress: Progress | None = None,
            now: datetime | None = None) -> FetchReport:
    """Fetch the watched sources that are due, each asking only for what changed (ETag,
    Last-Modified) and fetching only the entries not seen before; record what each found."""
    report, progress = FetchReport(), progress or Progress()
    due = store.watched_sources(due_at=now or datetime.now())
    with HttpClient(settings) as client:
        for source in due.itertuples():
            state = SourceState(source.etag, source.last_modified, frozenset(source.seen_entries))
            fetched = fetch_source(client, source.url, state, progress)
            result = _ingest_fetch(store, fetched)
            with store.writing():
                store.save_refresh(source.url, fetched.kind, fetched.etag, fetched.last_modified, fetched.seen,
                                   result.ingest.articles_added, result.ingest.articles_updated, fetched.error)
            report.sources.append(result)
    return report


PENDING = "title-only articles"  # what the report calls the pending articles' fetch


def fetch_pending_articles(store: Store, settings: FetchSettings = FetchSettings(),
                           progress: Progress | None = None) -> FetchReport:
    """Fetch the pages of the articles known by title and URL only; each fetched replaces its title-only article."""
    pending = store.pending_articles()
    with HttpClient(settings) as client:
        parsed = fetch_pending(client, pending, progress or Progress())
    result = LoadResult.from_rows(parsed.articles, parsed.records, parsed.rejections, len(pending))
    return FetchReport([SourceReport(PENDING, "pages", None, False, ingest(store, result, [PENDING]))])


def watch(store: Store, url: str, every: str) -> bool:
    """Watch a URL, refreshed every `every` ('1h'); returns whether it is new."""
    try:
        url = check_http_url(url)
    except FetchError as error:
        raise ValueError(f"{url}: {error}") from None
    return store.watch(url, parse_every(every))


def _ingest_fetch(store: Store, fetched: SourceFetch) -> SourceReport:
    parsed = fetched.parsed
    result = LoadResult.from_rows(parsed.articles, parsed.records, parsed.rejections, 0 if fetched.error else 1, parsed.events)
    return SourceReport(fetched.url, fetched.kind, fetched.error, fetched.not_modified, ingest(store, result, [fetched.url]))


@contextmanager
def swapped(path: Path) -> Iterator[Path]:
    """A copy of the store at `path` to write into, renamed over it when the block succeeds: the way to
    update a store dashboards are reading (docs/deployment.md). One swap at a time (a lock file beside
    the store), so two never copy the same store and lose each other's writes; the copy is removed on failure."""
    copy = path.with_name(f".{path.name}.updating")
    with open(path.with_name(f".{path.name}.swap-lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if path.exists():
            shutil.copy2(path, copy)
        try:
            yield copy
            copy.replace(path)
        finally:
            copy.unlink(missing_ok=True)
