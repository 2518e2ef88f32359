"""Articles from text, markdown, HTML, feeds and tabular rows, validated as `Article`.

Each parser gets decoded text (or bytes, for feeds) and returns `ParsedFile`:
article rows, round rows found in tables inside them, and rejections.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import feedparser
import trafilatura
import yaml
from py3langid import langid
from py3langid.langid import LanguageIdentifier
from pydantic import ValidationError

from ceasefire.loaders.columns import map_columns
from ceasefire.loaders.dates import infer_publication_date, parse_partial_date
from ceasefire.loaders.schema import (
    Article,
    DateOrigin,
    Precision,
    Rejection,
    clean_text,
    describe_validation_error,
)
from ceasefire.loaders.tables import records_in_html, records_in_text

ARTICLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("headline", "heading", "name"),
    "text": ("body", "content", "article", "full text", "fulltext", "article text", "story", "summary"),
    "source": ("publisher", "outlet", "site", "sitename", "site name", "source name", "newspaper"),
    "url": ("link", "href", "permalink", "web url"),
    "published_at": ("published", "date", "pubdate", "publication date", "published date", "datetime",
                     "timestamp", "seendate", "published on"),
    "language": ("lang", "locale"),
}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


@dataclass
class ParsedFile:
    articles: list[dict] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)  # from the event datasets (loaders/datasets.py)

    def extend(self, other: ParsedFile) -> None:
        self.articles += other.articles
        self.records += other.records
        self.rejections += other.rejections
        self.events += other.events


@dataclass(frozen=True)
class UserDate:
    """A publication date the user set for everything in one ingest."""

    moment: datetime
    precision: Precision


@lru_cache(maxsize=1)
def _language_identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code when the identifier is confident, else None."""
    # 600 characters identify the language as well as the whole text, at a fraction of the cost.
    language, probability = _language_identifier().classify(text[:600])
    return language if probability >= 0.9 else None


def build_article(
    fields: Mapping[str, object],
    origin_file: str,
    date_origin: DateOrigin,
    user_date: UserDate | None = None,
    by_url: bool = False,
    pending: bool = False,
) -> Article:
    """Validate one article. The date comes from the user, else the input (`date_origin`), else the text.
    `by_url`: identified by its URL (fetched); `pending`: known by its title only until fetched."""
    text = clean_text(fields.get("text"))
    if text is None:
        raise ValueError("article text is empty")
    if not isinstance(fields.get("text"), str):  # a JSON number or a spreadsheet cell: -0.0 is no article
        raise ValueError(f"article text is a {type(fields.get('text')).__name__} ({text[:40]}), not text")
    title = clean_text(fields.get("title")) or _first_line(text)
    published = fields.get("published_at")
    published = published if isinstance(published, datetime) else clean_text(published)
    if user_date is not None:
        moment, precision, origin = user_date.moment, user_date.precision, "user"
    elif published:
        moment, precision = parse_partial_date(published)
        origin = date_origin
    elif inferred := infer_publication_date(text):
        (moment, precision), origin = inferred, "inferred"
    else:
        moment, precision, origin = None, None, "unknown"
    try:
        return Article(
            title=title, text=text, source=clean_text(fields.get("source")), url=clean_text(fields.get("url")),
            published_at=moment, published_precision=precision, published_from=origin,
            language=clean_text(fields.get("language")) or (detect_language(text) if text.strip() else None),
            origin_file=origin_file, keyed_by_url=by_url, text_pending=pending,
        )
    except ValidationError as error:
        raise ValueError(describe_validation_error(error)) from None


def _first_line(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line[:200]


def article_with_tables(
    fields: Mapping[str, object], origin_file: str, date_origin: DateOrigin, user_date: UserDate | None,
    row: int | None = None, html: str | None = None, by_url: bool = False, pending: bool = False,
) -> ParsedFile:
    """One article plus the rounds in its tables; a bad article becomes a rejection."""
    try:
        article = build_article(fields, origin_file, date_origin, user_date, by_url, pending)
    except ValueError as error:
        return ParsedFile(rejections=[Rejection(origin_file, row, str(error))])
    article_row = article.to_row()
    where = origin_file if row is None else f"{origin_file}#row{row}"
    records, rejections = records_in_text(article.text, where, article_row["article_id"])
    if html is not None:
        found, rejected = records_in_html(html, where, article_row["article_id"])
        records, rejections = records + found, rejections + rejected
    return ParsedFile([article_row], records, rejections)


def parse_plain_text(text: str, origin_file: str, user_date: UserDate | None) -> ParsedFile:
    """First non-empty line is the title, the rest the text (as in a copy-pasted news page)."""
    if _FRONT_MATTER.match(text):
        return parse_markdown(text, origin_file, user_date)
    lines = text.strip().split("\n", 1)
    body = lines[1] if len(lines) > 1 else ""
    if not body.strip():
        return ParsedFile(rejections=[Rejection(origin_file, None, "only a title line, no article text")])
    return article_with_tables({"title": lines[0], "text": body}, origin_file, "metadata", user_date)


def parse_markdown(text: str, origin_file: str, user_date: UserDate | None) -> ParsedFile:
    """Markdown or text with optional YAML front matter (title, date, source, url, language)."""
    meta: dict = {}
    if match := _FRONT_MATTER.match(text):
        try:
            meta = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" at line {mark.line + 2}" if mark else ""
            return ParsedFile(rejections=[Rejection(origin_file, None, f"front matter is not valid YAML{where}")])
        if not isinstance(meta, dict):
            return ParsedFile(rejections=[Rejection(origin_file, None, "front matter is not a YAML mapping of key: value")])
        text = text[match.end():]
    fields = _pick(meta, ARTICLE_SYNONYMS)
    body_lines = text.strip().split("\n")
    heading = _MARKDOWN_HEADING.match(body_lines[0]) if body_lines else None
    if not fields.get("title"):
        fields["title"] = heading.group(1) if heading else body_lines[0]
        body_lines = body_lines[1:]
    elif heading and heading.group(1).strip() == str(fields["title"]).strip():
        body_lines = body_lines[1:]
    fields["text"] = "\n".join(body_lines)
    return article_with_tables(fields, origin_file, "front_matter", user_date)


def _pick(meta: Mapping[str, object], synonyms: Mapping[str, tuple[str, ...]]) -> dict[str, object]:
    """Fields from a metadata mapping whose keys may use any of the synonyms."""
    return {field: meta[key] for key, field in map_columns(meta.keys(), synonyms).items()}


NO_PAGE_TEXT = "no article text found in the HTML page"


def html_fields(html: str) -> dict[str, object] | None:
    """An article's fields from a page: main text and metadata by trafilatura, the date only from the
    page's markup, never guessed. None when the page has no article text."""
    document = trafilatura.bare_extraction(
        html, with_metadata=True, include_tables=False, include_comments=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if document is None or not (document.text or "").strip():
        return None
    return {
        "title": document.title, "text": document.text, "source": document.sitename or document.hostname,
        "url": document.url, "published_at": document.date, "language": document.language,
    }


def parse_html(html: str, origin_file: str, user_date: UserDate | None) -> ParsedFile:
    """The article of an HTML page (html_fields), with the rounds in its tables."""
    if (fields := html_fields(html)) is None:
        return ParsedFile(rejections=[Rejection(origin_file, None, NO_PAGE_TEXT)])
    return article_with_tables(fields, origin_file, "metadata", user_date, html=html)


def _feed_text(html: str) -> str:
    """Entry content is an HTML fragment; html2txt wants a whole document (it drops scripts too)."""
    return trafilatura.html2txt(f"<html><body>{html}</body></html>") if "<" in html else html


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed: its id (the feed's, else its link) and its article's fields."""

    key: str | None
    fields: dict[str, object]


def feed_entries(data: bytes) -> list[FeedEntry]:
    """The entries of an RSS or Atom feed, their HTML content reduced to text; ValueError with the
    reason when it is no readable feed or has no entries."""
    feed = feedparser.parse(data)
    if not feed.entries:
        problem = f": {feed.bozo_exception}" if feed.bozo else ""
        raise ValueError(f"not a readable RSS/Atom feed, or it has no entries{problem}")
    source = feed.feed.get("title")
    entries = []
    for entry in feed.entries:
        html = entry["content"][0]["value"] if entry.get("content") else entry.get("summary", "")
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        entries.append(FeedEntry(clean_text(entry.get("id")) or clean_text(entry.get("link")), {
            "title": entry.get("title"),
            "text": _feed_text(html),
            "source": source, "url": entry.get("link"),
            "published_at": datetime(*published[:6]) if published else None,
            "language": entry.get("language") or feed.feed.get("language"),
        }))
    return entries


def parse_feed(data: bytes, origin_file: str, user_date: UserDate | None) -> ParsedFile:
    """Every entry of an RSS or Atom file is an article."""
    try:
        entries = feed_entries(data)
    except ValueError as error:
        return ParsedFile(rejections=[Rejection(origin_file, None, str(error))])
    result = ParsedFile()
    for number, entry in enumerate(entries, start=1):
        result.extend(article_with_tables(entry.fields, origin_file, "metadata", user_date, row=number))
    return result
