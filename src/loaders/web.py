"""Articles from the web: a page, a feed (each entry's page) or a GDELT DOC list (each listed page),
fetched by `loaders.http` and parsed by the same parsers as files (docs/fetching.md).

Fetched articles are identified by their URL (`Article.keyed_by_url`). A URL that fails becomes
one rejection naming it; the other URLs and entries are kept. Nothing here touches the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ceasefire.loaders.articles import (
    NO_PAGE_TEXT,
    ParsedFile,
    article_with_tables,
    feed_entries,
    html_fields,
)
from ceasefire.loaders.files import InputError, LoadOptions, decode, parse_csv, parse_json
from ceasefire.loaders.http import Fetched, FetchError, HttpClient
from ceasefire.loaders.schema import Rejection, SourceKind, clean_text

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml"})
LIST_TYPES = {"application/json": "json", "text/csv": "csv"}  # a GDELT DOC list, as the API or a CSV export sends it
_HINTS = ("title", "published_at", "source", "language")  # what a list says of a page the page may not say


@dataclass
class Progress:
    """How far a fetch is: items to fetch (a page, or an entry of a feed or list) and done. `listener`
    is told of every change (the CLI's progress bar); the Data page reads the object itself."""

    total: int = 0
    done: int = 0
    current: str = ""
    listener: Callable[[Progress], None] | None = field(default=None, repr=False)

    def expect(self, items: int) -> None:
        self.total += items
        self._tell()

    def step(self, url: str) -> None:
        self.done, self.current = self.done + 1, url
        self._tell()

    def _tell(self) -> None:
        if self.listener:
            self.listener(self)


@dataclass(frozen=True)
class SourceState:
    """What a watched source remembers from its last refresh."""

    etag: str | None = None
    last_modified: str | None = None
    seen: frozenset[str] = frozenset()  # feed entry ids and listed URLs already stored


@dataclass
class SourceFetch:
    """What fetching one URL gave."""

    url: str
    kind: SourceKind | None = None
    parsed: ParsedFile = field(default_factory=ParsedFile)
    etag: str | None = None  # to send back next time: only once everything it gave was read
    last_modified: str | None = None
    seen: list[str] = field(default_factory=list)  # the entries now stored, for the next refresh
    error: str | None = None  # why the URL itself failed
    not_modified: bool = False


@dataclass(frozen=True)
class Listed:
    """A page a feed or a list names: its key, what the list says of it, and what to keep when the
    page cannot be read (the feed's summary, or the listed title for later)."""

    url: str | None
    key: str | None
    hints: dict[str, object]
    fallback: ParsedFile
    kept: str = "nothing kept"  # what the fallback is, for the reason when the page cannot be read


def fetch_source(client: HttpClient, url: str, state: SourceState = SourceState(),
                 progress: Progress | None = None) -> SourceFetch:
    """Fetch `url` and, for a feed or a DOC list, the pages of its entries not in `state.seen`."""
    progress = progress or Progress()
    progress.expect(1)
    result = SourceFetch(url)
    try:
        fetched = client.get(url, state.etag, state.last_modified)
    except FetchError as error:
        result.error = str(error)
    else:
        if fetched.not_modified:
            result.not_modified, result.seen = True, sorted(state.seen)
            result.etag, result.last_modified = fetched.etag or state.etag, fetched.last_modified or state.last_modified
        else:
            _read_source(client, fetched, state, progress, result)
    progress.step(url)
    if result.error:
        result.parsed.rejections.insert(0, Rejection(url, None, result.error))
    return result


def _read_source(client: HttpClient, fetched: Fetched, state: SourceState, progress: Progress, result: SourceFetch) -> None:
    try:
        result.kind = source_kind(fetched)
        if result.kind == "page":
            result.parsed = read_page(fetched, result.url, {})
            result.etag, result.last_modified = fetched.etag, fetched.last_modified
            return
        listed = feed_items(fetched.body, result.url) if result.kind == "feed" else list_items(fetched, result.url)
    except ValueError as error:
        result.error = str(error)
        return
    new = [item for item in listed if item.key is None or item.key not in state.seen]
    result.parsed, stored = fetch_listed(client, new, progress)
    result.seen = sorted({item.key for item in listed if item.key in state.seen} | stored)
    if all(item.key is None or item.key in stored for item in new):
        # Remembered only when every entry was stored: else the next refresh must not be told "not
        # modified", so that it tries again the entries that left nothing.
        result.etag, result.last_modified = fetched.etag, fetched.last_modified


def source_kind(fetched: Fetched) -> SourceKind:
    """A page, a feed or a DOC list, by the content type (or, sent as none of those, the first bytes)."""
    media = fetched.content_type
    if media in PAGE_TYPES:
        return "page"
    if media in FEED_TYPES or media.endswith("+xml"):
        return "feed"
    if media in LIST_TYPES:
        return "doc-list"
    start = fetched.body[:512].lstrip().lower()
    if media in ("", "text/plain", "application/octet-stream"):
        if start.startswith((b"<!doctype html", b"<html")):
            return "page"
        if start.startswith((b"<?xml", b"<rss", b"<feed")):
            return "feed"
    raise ValueError(f"content type {media or '(none)'!r} is neither a web page, an RSS/Atom feed nor a GDELT DOC list")


def read_page(fetched: Fetched, url: str, hints: dict[str, object]) -> ParsedFile:
    """The article of a fetched page, known by `url`; what a list says (`hints`) fills what the page does not."""
    if source_kind(fetched) != "page":
        raise ValueError(f"content type {fetched.content_type!r} is not a web page")
    html = fetched.body.decode(fetched.charset or "utf-8", "replace")
    fields = html_fields(html)
    if fields is None:
        raise ValueError(NO_PAGE_TEXT)
    merged = {**hints, **{key: value for key, value in fields.items() if clean_text(value) is not None}, "url": url}
    return article_with_tables(merged, url, "metadata", None, html=html, by_url=True)


def feed_items(data: bytes, url: str) -> list[Listed]:
    """A feed's entries: each page to fetch, the feed's own date and summary kept for when it cannot be."""
    items = []
    for entry in feed_entries(data):
        link = clean_text(entry.fields.get("url"))
        fallback = article_with_tables(entry.fields, link or url, "metadata", None, by_url=True)
        items.append(Listed(link, entry.key, {k: entry.fields.get(k) for k in _HINTS}, fallback,
                            "kept the feed's summary" if fallback.articles else "nothing kept"))
    return items


def list_items(fetched: Fetched, url: str) -> list[Listed]:
    """A GDELT DOC list's rows, each an article known by title and URL until its page is fetched."""
    options = LoadOptions(format="gdelt-doc")
    try:
        text = decode(fetched.body)
        if LIST_TYPES[fetched.content_type] == "csv":
            parsed = parse_csv(url, text, options, None)
        else:
            parsed = parse_json(url, text, options, None, lines=False)
    except InputError as error:
        raise ValueError(f"not a readable GDELT DOC list: {error}") from None
    items = [Listed(row["url"], row["url"], {k: row.get(k) for k in _HINTS}, ParsedFile(articles=[row]),
                    "kept its title until `ceasefire fetch --pending`") for row in parsed.articles]
    if parsed.rejections:  # rows the list could not give: kept as the list's own rejections
        items.append(Listed(None, None, {}, ParsedFile(rejections=parsed.rejections)))
    return items


def fetch_listed(client: HttpClient, items: Iterable[Listed], progress: Progress) -> tuple[ParsedFile, set[str]]:
    """Each listed page, fetched; one that cannot be read keeps its fallback (and says why). Returns
    what was read and the keys of the items now stored (retried next time are those that left nothing)."""
    items = list(items)
    progress.expect(sum(1 for item in items if item.url))
    parsed, stored = ParsedFile(), set()
    for item in items:
        if item.url is None:
            parsed.extend(item.fallback)
            continue
        try:
            page = read_page(client.get(item.url), item.url, item.hints)
        except (FetchError, ValueError) as error:
            page = ParsedFile(item.fallback.articles, item.fallback.records,
                              [Rejection(item.url, None, f"page not read: {error}; {item.kept}"), *item.fallback.rejections])
        else:
            if not page.articles:  # the page gave no article: the fallback, if any, stands
                page.extend(ParsedFile(item.fallback.articles))
        if page.articles and item.key:
            stored.add(item.key)
        parsed.extend(page)
        progress.step(item.url)
    return parsed, stored


def fetch_pending(client: HttpClient, articles: Iterable[dict[str, object]], progress: Progress) -> ParsedFile:
    """The pages of articles known by title only (their url, title, published_at and source), each
    failure a rejection naming it."""
    pending = (Listed(str(row["url"]), None, {k: row.get(k) for k in _HINTS}, ParsedFile(), "it stays known by its title")
               for row in articles)
    parsed, _ = fetch_listed(client, pending, progress)
    return parsed
