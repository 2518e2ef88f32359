"""Date expressions in article text, normalised against the publication date.

Candidates are found by regular expressions; only they are given to dateparser
(one parser, built once, results cached). Running dateparser's own search over
whole texts is slow and finds false dates in words such as "we" and "now".
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Literal

from dateparser.date import DateDataParser

from ceasefire.analysis.matcher import Case, Phrase, PhraseMatcher, padded_fold
from ceasefire.loaders.dates import (
    EXPLICIT_DATE,
    MONTH_PATTERN,
    check_plausible,
    parse_partial_date,
    truncate,
)
from ceasefire.loaders.schema import Precision

DateKind = Literal["absolute", "relative", "weekday", "duration"]
_ORDER = {"day": 0, "week": 1, "month": 2, "year": 3}
_MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"),
    start=1)}
_WEEKDAYS = {d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
_NUMBER_WORDS = {w: i for i, w in enumerate(
    ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"))}
_NUMBER_WORDS.update({"a": 1, "an": 1})
_NUMBER = r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_UNIT = r"(?:day|week|month|year)s?"
_FULL_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"

# Order matters: earlier patterns win where matches overlap. A group named 'date' is the
# mention; the words around it only make the match trustworthy ("in 2024", not "2024 people").
PATTERNS: tuple[tuple[DateKind, re.Pattern[str]], ...] = (
    ("absolute", EXPLICIT_DATE),
    ("absolute", re.compile(r"\b(?:in|since|until|by|from|during|early|late|mid)[\s-](?P<date>(?:19|20)\d{2})\b", re.IGNORECASE)),
    ("relative", re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH_PATTERN}(?!,?\s*(?:19|20)\d{{2}})\b|\b{_FULL_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!,?\s*(?:19|20)\d{{2}})")),
    ("relative", re.compile(rf"\b(?:in|since|until|by|from|during|early|late|mid|last|this|next)[\s-](?P<date>{_FULL_MONTH})\b(?!\s+\d)")),
    ("relative", re.compile(
        rf"\b(?:today|yesterday|tomorrow|tonight|(?:earlier |later )?(?:this|last|next|past) (?:week|month|year|weekend)"
        rf"|{_NUMBER} {_UNIT} (?:ago|earlier|later))\b", re.IGNORECASE)),
    # A weekday written with its date ("Thursday, August 15") leaves the date to the pattern above.
    ("weekday", re.compile(r"\b(?:(?:on|this) )?(?P<date>(?:(?:last|next) )?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b"
                           rf"(?!,?\s+(?:the\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?)?{MONTH_PATTERN})")),
    ("duration", re.compile(rf"\b(?:over|for|more than|nearly|almost|about|around|some)\s+(?:the\s+(?:past|last)\s+)?{_NUMBER}\s+{_UNIT}\b(?!\s+(?:ago|earlier|later))", re.IGNORECASE)),
)


# A sentence about what will happen: its dates without a year resolve forward from the publication date.
FUTURE = re.compile(r"\b(?:will|shall|due (?:on|in|to (?:meet|begin|start|resume|hold|take place))|scheduled|upcoming|set to|"
                    r"expected to|planned for|plans? to|going to|to be held|"
                    r"to resume|is to|are to|next (?:round|meeting|session|talks|phase))\b", re.IGNORECASE)
FUTURE_FOLDED = re.compile(FUTURE.pattern)  # on folded text (lower case, punctuation as spaces): faster
_MONTH_STARTS = frozenset(month[:3] for month in _MONTHS)
# A day of the month in a sentence about the future is the next one only this close ahead.
FUTURE_REACH = timedelta(days=120)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    kind: DateKind
    date: datetime | None  # start of the period meant; None when it needs a publication date we lack
    precision: Precision | None


@lru_cache(maxsize=1)
def _relative_parser() -> tuple[DateDataParser, datetime]:
    # A fixed reference day (mid-month, a Wednesday) that relative phrases are parsed against;
    # the resulting offset is then applied to each article's own publication date.
    reference = datetime(2001, 6, 13)
    return DateDataParser(languages=["en"], settings={"RELATIVE_BASE": reference, "PREFER_DATES_FROM": "past"}), reference


@lru_cache(maxsize=4096)
def _relative_offset(phrase: str) -> tuple[str, int, Precision] | None:
    """('days'|'months'|'years', amount, precision) that the phrase moves from 'now'."""
    cleaned = re.sub(r"^(?:earlier|later) ", "", phrase.casefold()).replace("past ", "last ")
    parser, reference = _relative_parser()
    data = parser.get_date_data(cleaned)
    if data.date_obj is None:
        return None
    precision: Precision = data.period if data.period in _ORDER else "day"
    if precision == "month":
        return "months", (data.date_obj.year - reference.year) * 12 + data.date_obj.month - reference.month, precision
    if precision == "year":
        return "years", data.date_obj.year - reference.year, precision
    return "days", (data.date_obj.date() - reference.date()).days, precision


@lru_cache(maxsize=8192)
def _absolute(phrase: str) -> tuple[datetime, Precision]:
    return parse_partial_date(phrase)


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    return moment.replace(year=year, month=month + 1, day=min(moment.day, monthrange(year, month + 1)[1]))


def _within_base(moment: datetime, precision: Precision, base: datetime, base_precision: Precision) -> tuple[datetime, Precision]:
    """A date worked out from a publication date can be no more precise than that date."""
    if _ORDER[base_precision] > _ORDER[precision]:
        return truncate(base, base_precision), base_precision
    return truncate(moment, precision), precision


def _resolve(kind: DateKind, phrase: str, base: datetime | None, base_precision: Precision | None,
             future: bool = False) -> tuple[datetime, Precision] | None:
    """The date a phrase means, from the publication date `base` where it needs one; `future` when
    its sentence is about what will happen (a weekday or a day of the month then lies ahead)."""
    if kind == "absolute":
        return _absolute(phrase.rstrip("."))
    if base is None or base_precision is None:
        return None
    lowered = phrase.casefold()
    if kind == "weekday":
        weekday = _WEEKDAYS[lowered.split()[-1]]
        back = (base.weekday() - weekday) % 7
        if lowered.startswith("next "):
            moment = base + timedelta(days=(weekday - base.weekday()) % 7 or 7)
        elif future and not lowered.startswith("last "):  # "will meet on Thursday", written on a Thursday: that day
            moment = base + timedelta(days=(weekday - base.weekday()) % 7)
        else:
            moment = base - timedelta(days=back or (7 if lowered.startswith("last ") else 0))
        return _within_base(moment, "day", base, base_precision)
    if kind == "duration":
        amount_word, unit = re.findall(rf"{_NUMBER}\s+{_UNIT}", lowered)[0].split()[:2]
        amount = int(amount_word) if amount_word.isdigit() else _NUMBER_WORDS[amount_word]
        unit = unit.rstrip("s")
        if unit in ("day", "week"):
            moment = base - timedelta(days=amount * (7 if unit == "week" else 1))
        else:
            moment = _add_months(base, -amount * (12 if unit == "year" else 1))
        return _within_base(moment, unit, base, base_precision)  # type: ignore[arg-type]
    month_day = re.fullmatch(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH_PATTERN})|({_FULL_MONTH})(?:\s+(\d{{1,2}})(?:st|nd|rd|th)?)?", phrase, re.IGNORECASE)
    if month_day:
        day_text = month_day.group(1) or month_day.group(4)
        month_name = (month_day.group(2) or month_day.group(3)).rstrip(".").casefold()
        month = next(number for name, number in _MONTHS.items() if name.startswith(month_name[:3]))
        try:
            moment = _nearest_year(base, month, int(day_text or 1), future or base_precision == "year")
        except ValueError:
            return None
        return _within_base(moment, "day" if day_text else "month", base, base_precision)
    offset = _relative_offset(lowered)
    if offset is None:
        return None
    unit, amount, precision = offset
    moment = base + timedelta(days=amount) if unit == "days" else _add_months(base, amount * (12 if unit == "years" else 1))
    return _within_base(moment, precision, base, base_precision)


def _nearest_year(base: datetime, month: int, day: int, future: bool) -> datetime:
    """A day of the month without a year: the next one in a sentence about the future, else the
    nearer of the last and the next ("July 5" in a text of 4 July is tomorrow, not a year ago),
    the last on a tie. The publication day itself is that day in both cases."""
    past = datetime(base.year if (month, day) <= (base.month, base.day) else base.year - 1, month, day)
    ahead = datetime(base.year if (month, day) >= (base.month, base.day) else base.year + 1, month, day)
    base_day = datetime(base.year, base.month, base.day)
    if future and ahead - base_day <= FUTURE_REACH:  # "will continue" beside a date long past is about that past
        return ahead
    return ahead if (ahead - base_day) < (base_day - past) else past


# Every date expression contains a digit or one of these words. The patterns above are
# only run on short windows around them: a pass of the C automaton plus a few small
# regex searches is several times faster than running every pattern over the whole text.
_ANCHOR_WORDS = (
    [m for m in _MONTHS] + [m[:3] for m in _MONTHS] + ["sept"] + list(_WEEKDAYS)
    + ["today", "yesterday", "tomorrow", "tonight", "weekend"]
    + [f"{unit}{s}" for unit in ("day", "week", "month", "year") for s in ("", "s")]
)
_DIGITS = re.compile(r"\d+")
_WINDOW_BEFORE, _WINDOW_AFTER = 32, 24


@lru_cache(maxsize=1)
def _anchors() -> PhraseMatcher[str]:
    return PhraseMatcher(Phrase(word, word, Case.ANY) for word in _ANCHOR_WORDS)


def _windows(text: str, padded: str | None) -> list[tuple[int, int]]:
    """Merged stretches of text around date anchors."""
    spans = sorted([(m.start, m.end) for m in _anchors().find(text, padded)] + [m.span() for m in _DIGITS.finditer(text)])
    windows: list[tuple[int, int]] = []
    for start, end in spans:
        low, high = max(0, start - _WINDOW_BEFORE), min(len(text), end + _WINDOW_AFTER)
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], high))
        else:
            windows.append((low, high))
    return windows


def find_dates(
    text: str, published_at: datetime | None = None, published_precision: Precision | None = None, padded: str | None = None
) -> list[DateMention]:
    """Date expressions in reading order, each normalised with its precision."""
    taken: list[tuple[int, int]] = []
    mentions: list[DateMention] = []
    folded = padded or padded_fold(text)
    windows = _windows(text, folded)
    for kind, pattern in PATTERNS:
        for match in (m for low, high in windows for m in pattern.finditer(text, low, high)):
            group = "date" if "date" in pattern.groupindex else 0  # leave out a leading preposition
            start, end = match.span(group)
            if any(start < e and s < end for s, e in taken):
                continue
            phrase = match.group(group)
            future = _about_the_future(kind, phrase, text, start, end, folded)
            try:
                resolved = _resolve(kind, phrase, published_at, published_precision, future)
                if resolved:
                    check_plausible(resolved[0])
            except (ValueError, OverflowError):
                continue  # "31 February 2025", or worked out from an implausible publication date: not a date
            taken.append((start, end))
            date, precision = resolved if resolved else (None, None)
            mentions.append(DateMention(start, end, phrase, kind, date, precision))
    return sorted(mentions, key=lambda m: m.start)


def _sentence_around(text: str, start: int, end: int, reach: int = 300) -> tuple[int, int]:
    """Where the sentence holding text[start:end] begins and ends, roughly: at the nearest sentence
    ends within `reach`."""
    low, high = max(0, start - reach), min(len(text), end + reach)
    begin = max(text.rfind(mark, low, start) for mark in (". ", "! ", "? ", "\n"))
    stops = [i for mark in (". ", "! ", "? ", "\n") if (i := text.find(mark, end, high)) >= 0]
    return (begin + 1 if begin >= 0 else low), (min(stops) if stops else high)


def _about_the_future(kind: DateKind, phrase: str, text: str, start: int, end: int, folded: str) -> bool:
    """Whether a weekday or a day of the month (the phrases whose year or week depends on it) sits in
    a sentence about what will happen; `folded` is the padded fold of `text` (searched in lower case)."""
    lowered = phrase[:4].casefold()
    if kind == "weekday" and not lowered.startswith(("last", "next")) or (
            kind == "relative" and (phrase[0].isdigit() or lowered[:3] in _MONTH_STARTS)):
        begin, stop = _sentence_around(text, start, end)
        return bool(FUTURE_FOLDED.search(folded, begin + 1, stop + 1))
    return False
