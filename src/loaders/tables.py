"""Tables of negotiation rounds embedded in articles.

Handles markdown/pipe, tab and space-aligned tables, HTML <table>s, and plain-text
tables whose delimiters were lost in copy-paste, such as

    Date Location Outcome Key Issues
    July 2025 Doha Talks collapsed Ceasefire conditions unmet

A header is recognised when its words split exactly into known column names. A row
without delimiters is then split by what each column holds: a date, a known place,
an outcome phrase; a free-text column takes the words up to where the next column's
recogniser matches (or the rest of the line when it is last).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from io import StringIO

import pandas as pd

from ceasefire.loaders.columns import map_columns, normalise_header
from ceasefire.loaders.dates import MONTH_PATTERN, YEAR_PATTERN
from ceasefire.loaders.gazetteer import load_gazetteer
from ceasefire.loaders.records import (
    HEADER_LOOKUP,
    HEADER_SYNONYMS,
    OUTCOME_CUES,
    build_record,
    missing_required,
    records_from_frame,
)
from ceasefire.loaders.schema import Rejection

_DATE_CELL = re.compile(
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH_PATTERN},?\s+{YEAR_PATTERN}|{MONTH_PATTERN}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{YEAR_PATTERN}"
    rf"|{MONTH_PATTERN},?\s+{YEAR_PATTERN}|{YEAR_PATTERN}-\d{{2}}(?:-\d{{2}})?|{YEAR_PATTERN})",
    re.IGNORECASE,
)
_OUTCOME_CELL = re.compile(
    r"(?:(?:talks|negotiations|round|truce|ceasefire|deal|mediation)\s+)?(?:"
    + "|".join(cue for _, cue in OUTCOME_CUES)
    + r")",
    re.IGNORECASE,
)
_MAX_CELL_WORDS = 5
_SEPARATOR_LINE = re.compile(r"^[\s|:+-]+$")

Recogniser = Callable[[list[str], int], int]


def _longest(tokens: list[str], start: int, accepts: Callable[[str], bool]) -> int:
    """Number of tokens of the longest span from `start` that `accepts`, or 0."""
    for size in range(min(_MAX_CELL_WORDS, len(tokens) - start), 0, -1):
        if accepts(" ".join(tokens[start : start + size])):
            return size
    return 0


def _date_cell(tokens: list[str], start: int) -> int:
    return _longest(tokens, start, lambda span: bool(_DATE_CELL.fullmatch(span)))


def _outcome_cell(tokens: list[str], start: int) -> int:
    return _longest(tokens, start, lambda span: bool(_OUTCOME_CELL.fullmatch(span)))


def _venue_cell(tokens: list[str], start: int) -> int:
    if start >= len(tokens) or not tokens[start][:1].isupper():
        return 0
    gazetteer = load_gazetteer()
    known = _longest(tokens, start, lambda span: gazetteer.lookup(span.rstrip(",.;")) is not None)
    return known or 1  # an unknown capitalised word can still be a venue


RECOGNISERS: dict[str, Recogniser] = {
    "start_date": _date_cell,
    "end_date": _date_cell,
    "venue": _venue_cell,
    "outcome": _outcome_cell,
}


def split_row(tokens: list[str], fields: list[str]) -> dict[str, str] | None:
    """Split the words of a delimiter-less row into the header's fields, or None if they do not fit."""
    cells: dict[str, str] = {}
    position = 0
    for index, field in enumerate(fields):
        recognise = RECOGNISERS.get(field)
        if recognise is not None:
            size = recognise(tokens, position)
        elif index == len(fields) - 1:
            size = len(tokens) - position
        else:
            following = RECOGNISERS.get(fields[index + 1])
            if following is None:  # two free-text columns side by side cannot be told apart
                return None
            end = next((j for j in range(position + 1, len(tokens)) if following(tokens, j)), None)
            size = 0 if end is None else end - position
        if size == 0:
            return None
        cells[field] = " ".join(tokens[position : position + size])
        position += size
    return cells if position == len(tokens) else None


def _split_delimited(line: str) -> list[str] | None:
    if "|" in line:
        return [cell.strip() for cell in line.strip().strip("|").split("|")]
    if "\t" in line:
        return [cell.strip() for cell in line.split("\t")]
    if re.search(r"\S {2,}\S", line.strip()):
        return re.split(r" {2,}", line.strip())
    return None


def _header_fields(cells: list[str]) -> list[str] | None:
    fields = [HEADER_LOOKUP.get(normalise_header(cell)) for cell in cells]
    return fields if all(fields) and len(set(fields)) == len(fields) else None  # type: ignore[return-value]


def _segment_header(line: str) -> list[str] | None:
    """'Date Location Outcome Key Issues' -> ['start_date', 'venue', 'outcome', 'key_issues']."""
    words = line.split()
    fields: list[str] = []
    position = 0
    while position < len(words):
        for size in (3, 2, 1):
            field = HEADER_LOOKUP.get(normalise_header(" ".join(words[position : position + size])))
            if field and position + size <= len(words):
                fields.append(field)
                position += size
                break
        else:
            return None
    return fields if len(set(fields)) == len(fields) else None


def _parse_header(line: str) -> tuple[list[str], bool] | None:
    """(fields, delimited) when the line is the header of a rounds table."""
    cells = _split_delimited(line)
    fields = _header_fields(cells) if cells else _segment_header(line)
    if fields and len(fields) >= 3 and "start_date" in fields and ("venue" in fields or "venue_country" in fields):
        return fields, cells is not None
    return None


def records_in_text(text: str, origin_file: str, article_id: str | None) -> tuple[list[dict], list[Rejection]]:
    """Rounds from every table in an article's text. Row numbers are line numbers in the text."""
    lines = text.split("\n")
    rows: list[dict] = []
    rejections: list[Rejection] = []
    index = 0
    while index < len(lines):
        header = _parse_header(lines[index])
        index += 1
        if header is None:
            continue
        fields, delimited = header
        while index < len(lines) and lines[index].strip():
            line, line_number = lines[index], index + 1
            index += 1
            if _SEPARATOR_LINE.match(line):
                continue
            cells = _split_delimited(line) if delimited else None
            split = dict(zip(fields, cells)) if cells and len(cells) == len(fields) else split_row(line.split(), fields)
            if split is None:
                rejections.append(Rejection(origin_file, line_number, f"table row {line.strip()[:80]!r} does not split into columns {', '.join(fields)}"))
                continue
            try:
                rows.append(build_record(split, origin_file, line_number, article_id).to_row())
            except ValueError as error:
                rejections.append(Rejection(origin_file, line_number, f"table row: {error}"))
    return rows, rejections


def records_in_html(html: str, origin_file: str, article_id: str | None) -> tuple[list[dict], list[Rejection]]:
    """Rounds from the HTML <table>s of a page; tables that are not about rounds are ignored."""
    if "<table" not in html.lower():
        return [], []
    try:
        tables = pd.read_html(StringIO(html))
    except ValueError:  # pandas says "No tables found" this way
        return [], []
    rows: list[dict] = []
    rejections: list[Rejection] = []
    for number, table in enumerate(tables, start=1):
        table.columns = [" ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in table.columns]
        mapped = map_columns(table.columns, HEADER_SYNONYMS)
        if missing_required(mapped, table.columns) or len(mapped) < 3:
            continue
        found, rejected = records_from_frame(table, f"{origin_file}#table{number}", article_id=article_id)
        rows += found
        rejections += rejected
    return rows, rejections
