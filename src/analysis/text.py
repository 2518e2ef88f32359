"""Sentences and word-boundary helpers shared by the extractors."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

# Splitting on punctuation with a short abbreviation list is much faster than a
# statistical sentence splitter and good enough for news prose; lines are always
# sentence boundaries (headings, bullet points and table rows stand alone).
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "rep", "sen", "gov",
    "st", "jr", "sr", "no", "vs", "etc", "u.s", "u.k", "u.n", "e.u", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "inc", "corp", "co", "ltd", "approx", "est",
}
_LINE = re.compile(r"[^\n]+")
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_LAST_WORD = re.compile(r"([\w.]+)[.!?]+[\"'”’)\]]*\s+$")

# What extraction reads of an article: its text, then a blank line and its title. Headlines name
# actors and rounds too; the title goes last so that offsets into the text are the same with or
# without it (stores analysed before titles were read stay right). A text that begins with its
# title (a title taken from the text's first line, a page that repeats its headline) is read once.
# The store's ANALYSED_TEXT is the same in SQL.
TITLE_SEPARATOR = "\n\n"


def analysed_text(text: str, title: str | None) -> str:
    return f"{text}{TITLE_SEPARATOR}{title}" if title and not text.startswith(title) else text


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of a text, whitespace trimmed."""
    return list(iter_sentences(text))


def iter_sentences(text: str) -> Iterator[tuple[int, int]]:
    """The sentences of `split_sentences`, found one at a time: a reader of the first few stops early."""
    for line in _LINE.finditer(text):
        start = line.start()
        for boundary in _BOUNDARY.finditer(text, line.start(), line.end()):
            word = _LAST_WORD.search(text, start, boundary.end())
            token = word.group(1).casefold() if word else ""
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue  # "Mr. Netanyahu", "U.S. envoy", initials such as "J. Smith"
            yield from _trimmed(text, start, boundary.start() + len(boundary.group().rstrip()))
            start = boundary.end()
        yield from _trimmed(text, start, line.end())


def _trimmed(text: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    """The span without its surrounding whitespace: one, or none if nothing else is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return ((start, end),) if end > start else ()


class SentenceIndex:
    """Which sentence an offset falls in."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.spans = spans
        self._starts = [start for start, _ in spans]

    def of(self, offset: int) -> int:
        return max(bisect_right(self._starts, offset) - 1, 0)
