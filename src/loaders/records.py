"""Negotiation records: mapping columns, normalising outcomes, validating rows.

Every source of rounds (CSV, XLSX, JSON files, tables found in articles) goes
through `build_record`, so a round means the same thing wherever it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd
from pydantic import ValidationError

from ceasefire.loaders.columns import header_lookup, map_columns, missing_fields
from ceasefire.loaders.dates import parse_partial_date
from ceasefire.loaders.gazetteer import load_gazetteer
from ceasefire.loaders.schema import (
    OUTCOMES,
    NegotiationRecord,
    Outcome,
    Rejection,
    clean_text,
    describe_validation_error,
    is_blank,
)

# Column names people use, by the record field they mean. Keys are compared case-insensitively
# with spaces, dashes and underscores treated alike.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "start_date": ("start date", "date", "start", "dates", "when", "date start", "round date"),
    "end_date": ("end date", "end", "until", "date end"),
    "venue": ("venue", "location", "city", "place", "where", "venue city", "host city"),
    "venue_country": ("country", "venue country", "host country"),
    "parties": ("parties", "party", "participants", "delegations", "negotiating parties"),
    "mediators": ("mediators", "mediator", "mediation", "facilitators", "facilitator", "brokers"),
    "outcome": ("outcome", "result", "status", "results"),
    "key_issues": ("key issues", "issues", "key issue", "topics", "agenda", "main issues"),
    "proposal": ("proposal", "proposals", "plan", "framework"),
    "source": ("source", "source url", "sources", "url", "reference", "citation"),
    "conflict": ("conflict", "conflict name", "war"),
}
HEADER_LOOKUP = header_lookup(HEADER_SYNONYMS)
REQUIRED_FIELDS = ("start_date", "venue")

# Outcome cues, checked in order: the first that matches names the outcome.
OUTCOME_CUES: tuple[tuple[Outcome, str], ...] = (
    ("partial agreement", r"partial(?:ly)? (?:agreement|deal|agreed)|framework agreed|first phase agreed"),
    ("collapsed", r"collaps\w*|broke down|break ?down|fell apart|failed|ended without (?:a )?(?:deal|agreement)|resumed fighting"),
    ("postponed", r"postpon\w*|delayed|suspend\w*|called off|adjourned"),
    ("stalled", r"stall\w*|deadlock\w*|impasse|no (?:breakthrough|progress)|stuck"),
    ("ongoing", r"ongoing|continu\w*|in progress|under ?way|resum\w*"),
    ("agreement", r"agreement|agreed|deal (?:reached|signed)|signed|accepted|reached|took effect"),
)
_LETTER = re.compile(r"[^\W\d_]")
_OUTCOME_PATTERNS = [(outcome, re.compile(rf"\b(?:{cue})\b", re.IGNORECASE)) for outcome, cue in OUTCOME_CUES]


def missing_required(mapping: Mapping[str, str], columns: Iterable[object]) -> str | None:
    return missing_fields(mapping, REQUIRED_FIELDS, HEADER_SYNONYMS, columns)


def normalise_outcome(text: str | None) -> Outcome | None:
    """Map free text such as 'Talks collapsed' onto the outcome vocabulary; ValueError if it says none."""
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    if text.casefold() in OUTCOMES:
        return text.casefold()  # type: ignore[return-value]
    for outcome, pattern in _OUTCOME_PATTERNS:
        if pattern.search(text):
            return outcome
    raise ValueError(f"outcome {text!r} is not one of: {', '.join(OUTCOMES)}")


def split_list(value: object) -> list[str]:
    """'Egypt; Qatar, United States' -> ['Egypt', 'Qatar', 'United States']; lists pass through."""
    if is_blank(value):
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in re.split(r"[;,|]", str(value)) if part.strip()]


def build_record(
    fields: Mapping[str, object], origin_file: str, origin_row: int, article_id: str | None = None
) -> NegotiationRecord:
    """Validate one round given as {field: raw value}. Raises ValueError with a readable reason."""
    values = {k: (None if is_blank(v) else v) for k, v in fields.items()}
    if values.get("start_date") is None:
        raise ValueError("start_date is empty")
    start, start_precision = parse_partial_date(values["start_date"])
    end, end_precision = parse_partial_date(values["end_date"]) if values.get("end_date") is not None else (None, None)
    city, country = _venue(values.get("venue"), values.get("venue_country"))
    outcome_text = None if values.get("outcome") is None else str(values["outcome"]).strip()
    try:
        return NegotiationRecord(
            start_date=start, start_precision=start_precision, end_date=end, end_precision=end_precision,
            venue_city=city, venue_country=country,
            parties=split_list(values.get("parties")), mediators=split_list(values.get("mediators")),
            outcome=normalise_outcome(outcome_text), outcome_text=outcome_text,
            key_issues=split_list(values.get("key_issues")),
            proposal=clean_text(values.get("proposal")), source=clean_text(values.get("source")),
            conflict=clean_text(values.get("conflict")), article_id=article_id, origin_file=origin_file, origin_row=origin_row,
        )
    except ValidationError as error:
        raise ValueError(describe_validation_error(error)) from None


def _venue(venue: object, country: object) -> tuple[str | None, str | None]:
    """Geocode the venue: a city gets its country filled in, a country name is a country."""
    venue_text, country_text = clean_text(venue), clean_text(country)
    for text in (venue_text, country_text):
        if text is not None and not _LETTER.search(text):
            raise ValueError(f"venue {text[:60]!r} is not a place name (it has no letters)")
    place = load_gazetteer().lookup(venue_text) if venue_text else None
    if place is None:
        return venue_text, country_text
    if place.kind == "country":
        return None, country_text or place.name
    return place.name, country_text or place.country


def records_from_frame(
    frame: pd.DataFrame, origin_file: str, overrides: Mapping[str, str] | None = None,
    row_numbers: Sequence[int] | None = None, article_id: str | None = None,
) -> tuple[list[dict], list[Rejection]]:
    """Validate every row of a table of rounds.

    Row numbers default to spreadsheet numbering (the header is row 1, the first round row 2).
    """
    mapping = map_columns(frame.columns, HEADER_SYNONYMS, overrides)
    if reason := missing_required(mapping, frame.columns):
        return [], [Rejection(origin_file, None, reason)]
    row_numbers = row_numbers or range(2, len(frame) + 2)
    rows, rejections = [], []
    for row_number, raw in zip(row_numbers, frame.to_dict("records")):
        fields = {field: raw.get(column) for column, field in mapping.items()}
        try:
            rows.append(build_record(fields, origin_file, row_number, article_id).to_row())
        except ValueError as error:
            rejections.append(Rejection(origin_file, row_number, str(error)))
    return rows, rejections
