"""The validated shapes every loader produces.

Loaders build one pydantic model per input row so that a bad row fails with a
precise reason; the accepted rows are then turned into DataFrames whose columns
and dtypes are fixed here, so the store and the analysis can rely on them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Precision = Literal["day", "week", "month", "year"]
DateOrigin = Literal["metadata", "front_matter", "inferred", "user", "unknown"]
SourceKind = Literal["page", "feed", "doc-list"]  # what a fetched URL held (loaders/web.py)
Decision = Literal["accepted", "merged", "rejected"]  # an analyst's review of a round from the news
Outcome = Literal["agreement", "partial agreement", "ongoing", "stalled", "collapsed", "postponed"]
EventDataset = Literal["acled", "ucdp", "gdelt"]  # the event datasets an Event comes from (loaders/datasets.py)
# The small common vocabulary every dataset's own event types are mapped onto (docs/datasets.md).
EventType = Literal["battle", "explosion or remote violence", "violence against civilians", "protest", "riot",
                    "strategic development", "agreement", "ceasefire violation"]

OUTCOMES: tuple[str, ...] = Outcome.__args__  # type: ignore[attr-defined]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]


def normalise_text(text: str) -> str:
    """NFC, unified line endings, no trailing spaces, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def content_hash(text: str) -> str:
    """Hash of the text with whitespace and case folded, so a re-saved copy of an article is a duplicate."""
    folded = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def url_key(url: str) -> str:
    """The id of an article fetched from `url` (docs/fetching.md): the URL with its scheme and host in
    lower case and without its #fragment, hashed; fetched again with a changed text, it is the same article."""
    parts = urlsplit(url.strip())
    canonical = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))
    return hashlib.sha256(f"url|{canonical}".encode()).hexdigest()[:16]


def is_blank(value: object) -> bool:
    """None, NaN/NA or an empty string: what an empty cell looks like after pandas read it."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def clean_text(value: object) -> str | None:
    """A stripped string, or None for a blank cell."""
    return None if is_blank(value) else str(value).strip()


def _check_http_url(url: str | None) -> str | None:
    if url is None or not url.strip():
        return None
    url = url.strip()
    if not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
        raise ValueError(f"url must start with http:// or https://, got {url[:60]!r}")
    return url


class Article(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=1000)
    text: str = Field(min_length=1)
    source: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    published_precision: Precision | None = None
    published_from: DateOrigin = "unknown"
    language: str | None = None
    origin_file: str
    # Known by its title and URL only (a GDELT DOC list's row) until its page is fetched.
    text_pending: bool = False
    # Identified by its URL, not its text (fetched from the web); not stored: the id says it.
    keyed_by_url: bool = False

    @field_validator("url")
    @classmethod
    def _url(cls, url: str | None) -> str | None:
        return _check_http_url(url)

    @field_validator("text")
    @classmethod
    def _text(cls, text: str) -> str:
        text = normalise_text(text)
        if not re.search(r"\w", text):
            raise ValueError("article text has no words")
        return text

    @model_validator(mode="after")
    def _date_consistency(self) -> Article:
        if self.published_at is None:
            self.published_precision, self.published_from = None, "unknown"
        elif self.published_precision is None:
            raise ValueError("published_at given without its precision")
        if (self.keyed_by_url or self.text_pending) and not self.url:
            raise ValueError("url: an article fetched or listed by its URL needs one")
        return self

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)

    def to_row(self) -> dict:
        digest = self.content_hash
        return {
            "article_id": url_key(self.url) if self.keyed_by_url or self.text_pending else digest[:16],
            **self.model_dump(exclude={"origin_file", "keyed_by_url"}),
            "word_count": len(self.text.split()),
            "content_hash": digest,
            "origin_file": self.origin_file,
        }


class NegotiationRecord(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    start_date: datetime
    start_precision: Precision
    end_date: datetime | None = None
    end_precision: Precision | None = None
    venue_city: str | None = None
    venue_country: str | None = None
    parties: list[str] = []
    mediators: list[str] = []
    outcome: Outcome | None = None
    outcome_text: str | None = None
    key_issues: list[str] = []
    proposal: str | None = None
    source: str | None = None
    conflict: str | None = None  # as the file names it (checked against data/conflicts.yaml at ingest)
    article_id: str | None = None
    # The round's id in the dataset it was imported from ('pax:1234'): when given it is the record's
    # identity, so re-importing an agreement the dataset has since re-coded is still the same round.
    dataset_id: str | None = None
    origin_file: str
    origin_row: int

    @model_validator(mode="after")
    def _checks(self) -> NegotiationRecord:
        if not (self.venue_city or self.venue_country):
            raise ValueError("a round needs a venue (city or country)")
        if self.end_date is not None:
            if self.end_precision is None:
                raise ValueError("end_date given without its precision")
            if self.end_date < self.start_date:
                raise ValueError(f"end date {self.end_date:%Y-%m-%d} is before start date {self.start_date:%Y-%m-%d}")
        return self

    @property
    def record_id(self) -> str:
        """Identity of a round: its dataset's id, else what happened, where and when, as stated by which source."""
        if self.dataset_id:
            return self.dataset_id
        key = "|".join(
            str(part)
            for part in (
                self.start_date.date(), self.start_precision, self.venue_city, self.venue_country,
                self.outcome, self.outcome_text, sorted(self.parties), sorted(self.mediators),
                self.key_issues, self.proposal, self.source, self.article_id,
            )  # not the conflict: a classification, which a file gaining the column must not turn into new rounds
        )
        return hashlib.sha256(key.casefold().encode("utf-8")).hexdigest()[:16]

    def to_row(self) -> dict:
        # The conflicts are the file's, or worked out at ingest from the parties (ceasefire.ingest).
        row = {"record_id": self.record_id, **self.model_dump(exclude={"conflict", "dataset_id"})}
        return {**row, "conflicts": [self.conflict] if self.conflict else [],
                "conflict_reason": "named in the file" if self.conflict else None}


class Event(BaseModel):
    """One event of a conflict-event dataset (ACLED, UCDP GED, GDELT), as the dataset records it.

    Actors are named as the dataset names them: the catalog canonicalises them in the analysis,
    not here. Dates are checked as plausible by the importer (loaders/dates.check_plausible)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    dataset: EventDataset
    dataset_event_id: str = Field(min_length=1, max_length=100)
    date: datetime
    date_precision: Precision
    end_date: datetime | None = None  # UCDP gives a span; the others a day
    event_type: EventType | None = None  # None: none of the common types (a GDELT statement, say)
    dataset_type: str | None = None  # the dataset's own type, as text ("Battles: Armed clash", CAMEO "0871")
    actors: list[str] = []
    location: str | None = None
    country: str | None = None  # a country name as the gazetteer writes it ("DR Congo", "Palestine")
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    fatalities: int | None = Field(default=None, ge=0)
    source: str | None = None
    notes: str | None = None
    url: str | None = None
    origin_file: str
    origin_row: int

    @field_validator("url")
    @classmethod
    def _url(cls, url: str | None) -> str | None:
        return _check_http_url(url)

    @model_validator(mode="after")
    def _checks(self) -> Event:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude must be given together")
        if self.end_date is not None and self.end_date < self.date:
            raise ValueError(f"end date {self.end_date:%Y-%m-%d} is before start date {self.date:%Y-%m-%d}")
        return self

    @property
    def event_id(self) -> str:
        """Stable across re-imports: the dataset's own id, prefixed by the dataset ('acled:SDN12345')."""
        return f"{self.dataset}:{self.dataset_event_id}"

    def to_row(self) -> dict:
        return {"event_id": self.event_id, **self.model_dump()}


ARTICLE_COLUMNS: dict[str, str] = {
    "article_id": "string",
    "title": "string",
    "source": "string",
    "url": "string",
    "published_at": "datetime64[us]",
    "published_precision": "string",
    "published_from": "string",
    "language": "string",
    "text": "string",
    "word_count": "int64",
    "content_hash": "string",
    "origin_file": "string",
    "text_pending": "bool",
}

RECORD_COLUMNS: dict[str, str] = {
    "record_id": "string",
    "start_date": "datetime64[us]",
    "start_precision": "string",
    "end_date": "datetime64[us]",
    "end_precision": "string",
    "venue_city": "string",
    "venue_country": "string",
    "parties": "object",
    "mediators": "object",
    "outcome": "string",
    "outcome_text": "string",
    "key_issues": "object",
    "proposal": "string",
    "source": "string",
    "article_id": "string",
    "conflicts": "object",
    "conflict_reason": "string",
    "origin_file": "string",
    "origin_row": "int64",
}


EVENT_COLUMNS: dict[str, str] = {
    "event_id": "string",
    "dataset": "string",
    "dataset_event_id": "string",
    "date": "datetime64[us]",
    "date_precision": "string",
    "end_date": "datetime64[us]",
    "event_type": "string",
    "dataset_type": "string",
    "actors": "object",
    "location": "string",
    "country": "string",
    "latitude": "float64",
    "longitude": "float64",
    "fatalities": "Int64",
    "source": "string",
    "notes": "string",
    "url": "string",
    "origin_file": "string",
    "origin_row": "int64",
}


def to_frame(rows: list[dict], columns: dict[str, str]) -> pd.DataFrame:
    """Rows as a DataFrame with exactly the schema's columns and dtypes (also when empty)."""
    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.astype(columns)


@dataclass(frozen=True)
class Rejection:
    """Input that was not stored, with where it came from and why."""

    file: str
    row: int | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}, row {self.row}"
        return f"{where}: {self.reason}"


@dataclass
class LoadResult:
    """What loading some input produced: accepted rows as DataFrames, and rejections."""

    articles: pd.DataFrame = field(default_factory=lambda: to_frame([], ARTICLE_COLUMNS))
    records: pd.DataFrame = field(default_factory=lambda: to_frame([], RECORD_COLUMNS))
    rejections: list[Rejection] = field(default_factory=list)
    files_read: int = 0
    events: pd.DataFrame = field(default_factory=lambda: to_frame([], EVENT_COLUMNS))  # last: callers pass the others by position

    @classmethod
    def from_rows(
        cls, articles: list[dict], records: list[dict], rejections: list[Rejection], files_read: int,
        events: list[dict] | None = None,
    ) -> LoadResult:
        return cls(to_frame(articles, ARTICLE_COLUMNS), to_frame(records, RECORD_COLUMNS), rejections, files_read,
                   to_frame(events or [], EVENT_COLUMNS))


def describe_validation_error(error: Exception) -> str:
    """A pydantic error in one readable line: 'field: message; field: message'."""
    errors = getattr(error, "errors", None)
    if not callable(errors):
        return str(error)
    parts = []
    for item in errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "__root__")
        message = item.get("msg", "invalid").removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def printable(text: str) -> str:
    """`text` with every control, format or unpaired surrogate character written as an escape
    (\\n, \\x1b, \\u200e, \\udcff), so a file name cannot add lines or terminal codes to a report."""
    return "".join(repr(char)[1:-1] if unicodedata.category(char).startswith("C") else char for char in text)
