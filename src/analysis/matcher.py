"""A gazetteer matcher on pyahocorasick: case-insensitive, whole words, leftmost-longest.

Text and phrases are lower-cased and every punctuation character becomes a space,
keeping offsets unchanged; phrases are then looked up with a space on each side.
So one automaton pass reports only whole-word hits, "Israel's" and "Israel’s" both
contain " israel ", and "al-Hayya" matches "al-Hayya". Overlaps are resolved
leftmost-longest ("Palestinian Authority" beats "Palestinian").
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from operator import itemgetter
from typing import Generic, TypeVar

import ahocorasick

T = TypeVar("T")
_ACRONYM = re.compile(r"^(?:[A-Z]\.?){1,5}$|^[A-Z][A-Z0-9]{1,4}$")
_LETTERS = re.compile(r"\W")
_TO_SPACE = str.maketrans({char: " " for char in string.punctuation + string.whitespace + "’‘“”„—–…«»·•\u00a0"})


def fold(text: str) -> str:
    """Lower-case, punctuation as spaces, same length as `text` (so offsets carry over)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters, such as 'İ', lower to two
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lowered.translate(_TO_SPACE)


def padded_fold(text: str) -> str:
    """What matchers search: the folded text with a space at each end. Compute once per
    text and pass it to every matcher (folding costs as much as a search)."""
    return " " + fold(text) + " "


class Case(Enum):
    EXACT = "exact"  # acronyms: "US" must not match "us"
    CAPITALISED = "capitalised"  # names: "Burns" must not match "burns"
    ANY = "any"  # names that start lower-case, such as "al-Hayya"


def case_rule(phrase: str) -> Case:
    if _ACRONYM.match(phrase):
        return Case.EXACT
    return Case.CAPITALISED if phrase[:1].isupper() else Case.ANY


@dataclass(frozen=True)
class Phrase(Generic[T]):
    text: str
    value: T
    case: Case
    prefix: bool = False  # match the start of a longer word too ("hostage" -> "hostages")


@dataclass(frozen=True)
class Match(Generic[T]):
    start: int
    end: int
    phrase: Phrase[T]


class PhraseMatcher(Generic[T]):
    def __init__(self, phrases: Iterable[Phrase[T]]):
        self._automaton = ahocorasick.Automaton()
        grouped: dict[str, list[Phrase[T]]] = {}
        for phrase in phrases:
            # Runs of spaces collapsed ("Israel – Hamas" as "Israel-Hamas"), and as folded, since a full
            # stop inside a name leaves two spaces in the text ("Geir O. Pedersen" folds to "geir o  pedersen").
            exact = fold(phrase.text).strip()
            for folded in dict.fromkeys((" ".join(exact.split()), exact)):
                if folded:
                    grouped.setdefault(" " + folded + ("" if phrase.prefix else " "), []).append(phrase)
        for key, group in grouped.items():
            # Each phrase with what the search tests of it, worked out once: a world catalog makes
            # tens of hits an article, and reading them off the phrase each time was a good part of the cost.
            tests = tuple((p, p.prefix, p.text[-1] if p.text[-1] in string.punctuation else "", p.case) for p in group)
            self._automaton.add_word(key, (len(key), tests))
        self._empty = not grouped
        if grouped:
            self._automaton.make_automaton()

    def find(self, text: str, padded: str | None = None) -> list[Match[T]]:
        """Non-overlapping matches, leftmost first, longest at each start. `padded` is
        `padded_fold(text)` when the caller has it already."""
        if self._empty:
            return []
        padded = padded or padded_fold(text)
        # (start, -end, phrase) tuples, made into Matches only once chosen: with a world catalog
        # most hits are dropped, and building an object for each was a good part of the cost.
        candidates: list[tuple[int, int, Phrase[T]]] = []
        append = candidates.append
        for last, (length, tests) in self._automaton.iter(padded):
            # padded[i] is text[i - 1]: the key's leading space sits at padded[start], i.e. just before text[start]
            start = last - length + 1
            for phrase, prefix, final, case in tests:
                end = _word_end(text, start + length - 1) if prefix else start + length - 2
                if final and text[end : end + 1] == final:
                    end += 1  # "U.S." keeps its final full stop
                if case is Case.ANY or (text[start].isupper() if case is Case.CAPITALISED else _case_ok(text, start, end, phrase)):
                    append((start, -end, phrase))
                    break
        candidates.sort(key=_position)
        chosen: list[Match[T]] = []
        reach = 0
        for start, negative_end, phrase in candidates:
            if start >= reach:
                chosen.append(Match(start, -negative_end, phrase))
                reach = -negative_end
        return chosen


_position = itemgetter(0, 1)


def _word_end(text: str, end: int) -> int:
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return end


def _case_ok(text: str, start: int, end: int, phrase: Phrase) -> bool:
    if phrase.case is Case.EXACT:  # same letters in the same case; punctuation may differ ("U.S" / "U.S.")
        return _LETTERS.sub("", text[start:end]) == _LETTERS.sub("", phrase.text)
    if phrase.case is Case.CAPITALISED:
        return text[start].isupper()
    return True
