"""Dates with their precision: parsing partial dates and inferring a publication date.

One dateparser parser is built once and reused: building it costs far more than
parsing a short candidate string.
"""

from __future__ import annotations

import math
import numbers
import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from dateparser.date import DateDataParser

from ceasefire.loaders.schema import Precision

MONTH_PATTERN = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
YEAR_PATTERN = r"(?:19|20)\d{2}"
# Explicit calendar dates that carry a year: '24 July 2025', 'July 24, 2025', 'July 2025', '2025-07-24'.
EXPLICIT_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH_PATTERN},?\s+{YEAR_PATTERN}"
    rf"|{MONTH_PATTERN}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{YEAR_PATTERN}"
    rf"|{MONTH_PATTERN},?\s+{YEAR_PATTERN}"
    rf"|{YEAR_PATTERN}-\d{{2}}-\d{{2}})\b",
    re.IGNORECASE,
)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:$|[T ]\d{2}:\d{2})")  # 2025-08-12, 2025-08-12T09:30...
_HAS_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
EARLIEST_DATE = datetime(1900, 1, 1)
FUTURE_YEARS = 10  # plans are dated ahead, but not by decades


def latest_date() -> datetime:
    """The last plausible date: today plus FUTURE_YEARS years."""
    today = datetime.now()
    day = 28 if (today.month, today.day) == (2, 29) else today.day
    return datetime(today.year + FUTURE_YEARS, today.month, day)


def check_plausible(moment: datetime) -> datetime:
    """The date itself, or ValueError when it lies outside EARLIEST_DATE .. latest_date().

    Every date a loader accepts passes here: year 1 or 9999 is a typo or an attack, and
    breaks date arithmetic downstream."""
    latest = latest_date()
    if not EARLIEST_DATE <= moment < latest + timedelta(days=1):
        raise ValueError(f"date {moment.date().isoformat()} is outside the plausible range "
                         f"{EARLIEST_DATE.date().isoformat()} to {latest.date().isoformat()}")
    return moment


@lru_cache(maxsize=1)
def _parser() -> DateDataParser:
    return DateDataParser(
        languages=["en"],
        settings={
            "PREFER_DAY_OF_MONTH": "first",
            "PREFER_MONTH_OF_YEAR": "first",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )


def truncate(moment: datetime, precision: Precision) -> datetime:
    """The start of the day, week (Monday), month or year that `moment` is known to."""
    moment = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if precision == "week":
        return moment - timedelta(days=moment.weekday())
    if precision == "month":
        return moment.replace(day=1)
    if precision == "year":
        return moment.replace(month=1, day=1)
    return moment


def parse_partial_date(value: object) -> tuple[datetime, Precision]:
    """Parse '2025', 'July 2025', '24 July 2025', ISO timestamps... into (start of period, precision).

    Raises ValueError naming the value when it is not a real date (e.g. '2025-02-30'), names
    no year (dateparser reads '-1' or '5' as a month of this year), or is not plausible.
    """
    moment, precision = _parse(value)
    return check_plausible(moment), precision


def _parse(value: object) -> tuple[datetime, Precision]:
    if isinstance(value, datetime):
        return _to_naive_utc(value), "day"
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day), "day"
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return _year_number(value)
    text = str(value).strip()
    if not text:
        raise ValueError("empty date")
    if not _HAS_YEAR.search(text):
        raise ValueError(f"date {text[:60]!r} names no year")
    if _ISO.match(text):  # the common cases, without dateparser's general machinery
        try:
            return _to_naive_utc(datetime.fromisoformat(text.replace("Z", "+00:00"))), "day"
        except ValueError:
            raise ValueError(f"impossible or unreadable date {text!r}") from None
    data = _parser().get_date_data(text)
    if data.date_obj is None:
        raise ValueError(f"impossible or unreadable date {text[:60]!r}")
    precision: Precision = data.period if data.period in ("day", "week", "month", "year") else "day"
    return truncate(data.date_obj, precision), precision


def _year_number(value: numbers.Real) -> tuple[datetime, Precision]:
    """A year given as a number (2025, or 2025.0 from a spreadsheet); any other number is no date."""
    number = float(value)
    if not (math.isfinite(number) and number.is_integer() and 1000 <= number <= 9999):
        raise ValueError(f"date {value} is a number, not a year")
    return datetime(int(number), 1, 1), "year"


def _to_naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def infer_publication_date(text: str, not_after: datetime | None = None) -> tuple[datetime, Precision] | None:
    """The latest explicit calendar date (day or month precision) mentioned in the text.

    A news article usually reports on the most recent event it names, so the
    latest date is a lower bound for its publication. Dates after `not_after`
    (default: now) are ignored: they are plans, not history.
    """
    not_after = not_after or datetime.now()
    found: list[tuple[datetime, Precision]] = []
    for match in EXPLICIT_DATE.finditer(text):
        try:
            moment, precision = parse_partial_date(match.group(0))
        except ValueError:
            continue
        if moment <= not_after:
            found.append((moment, precision))
    if not found:
        return None
    # Latest period wins; at equal starts the finer precision says more.
    order = {"day": 0, "week": 1, "month": 2, "year": 3}
    return max(found, key=lambda item: (item[0], -order[item[1]]))
