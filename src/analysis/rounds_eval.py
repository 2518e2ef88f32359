"""Scoring rounds reconstructed from articles against the rounds a person read in them.

Used by tests/test_rounds.py and bench/rounds_eval.py on data/eval/rounds.yaml and the seed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from ceasefire.analysis.extract import Extractors, extract_articles
from ceasefire.analysis.rounds import Candidate
from ceasefire.config import EVAL_YAML

FIELDS = ("date", "outcome", "parties", "mediators", "proposal")


@dataclass(frozen=True)
class Expected:
    venue: str
    date: str | None  # YYYY-MM-DD, or YYYY-MM when only the month is known
    outcome: str | None
    parties: frozenset[str]
    mediators: frozenset[str]
    proposal: str | None


@dataclass(frozen=True)
class EvalArticle:
    article_id: str
    published: date | None
    text: str
    rounds: tuple[Expected, ...]
    precision: str = "day"  # of the publication date


def read_eval(path: Path = EVAL_YAML) -> list[EvalArticle]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["articles"]
    return [EvalArticle(a["id"], a.get("published"), a["text"], tuple(
        Expected(r["venue"], None if r["date"] is None else str(r["date"]), r["outcome"], frozenset(r["parties"]),
                 frozenset(r["mediators"]), r["proposal"]) for r in a["rounds"])) for a in raw]


def candidates_of(extractors: Extractors, article: EvalArticle) -> list[Candidate]:
    """The candidates extraction finds in an article (its first line is the title, as in the loaders)."""
    from datetime import datetime

    body = article.text.split("\n", 1)[1] if "\n" in article.text else article.text
    published = datetime.combine(article.published, datetime.min.time()) if article.published else None
    extraction = extract_articles(extractors, [(article.article_id, body, published, article.precision if published else None)])
    return [Candidate.from_row(row) for row in extraction.rows["round_candidates"]]


def field_correct(name: str, expected: Expected, found: Candidate) -> bool:
    if name == "date":
        if expected.date is None:
            return found.date is None
        if found.date is None:
            return False
        return found.date.isoformat()[: len(expected.date)] == expected.date and (
            len(expected.date) < 10 or found.precision == "day")
    value = getattr(found, name)
    return (frozenset(value) if isinstance(value, list) else value) == getattr(expected, name)


def score(pairs: Iterable[tuple[EvalArticle, list[Candidate]]]) -> dict[str, object]:
    """Precision and recall of rounds (matched by article and venue), and of each field over matched rounds."""
    expected_n = found_n = matched = 0
    fields = {name: [0, 0, 0] for name in FIELDS}  # correct, found with a value, expected with a value
    misses: list[str] = []
    for article, found in pairs:
        expected_n += len(article.rounds)
        found_n += len(found)
        by_venue = {c.venue: c for c in found}
        for expected in article.rounds:
            candidate = by_venue.get(expected.venue)
            if candidate is None:
                misses.append(f"{article.article_id}: missed the {expected.venue} round")
                continue
            matched += 1
            for name in FIELDS:
                ok = field_correct(name, expected, candidate)
                value, wanted = getattr(candidate, name), getattr(expected, name)
                fields[name][0] += ok and bool(wanted)
                fields[name][1] += bool(value)
                fields[name][2] += bool(wanted)
                if not ok:
                    misses.append(f"{article.article_id} {expected.venue} {name}: found {value!r}, expected {wanted!r}")
        misses += [f"{article.article_id}: spurious {c.venue} round" for c in found
                   if c.venue not in {e.venue for e in article.rounds}]

    def ratio(a: int, b: int) -> float:
        return round(a / b, 3) if b else 1.0

    return {
        "rounds": {"expected": expected_n, "found": found_n, "matched": matched,
                   "precision": ratio(matched, found_n), "recall": ratio(matched, expected_n)},
        "fields": {name: {"precision": ratio(c, f), "recall": ratio(c, e)} for name, (c, f, e) in fields.items()},
        "errors": misses,
    }
