"""Scoring what extraction finds in articles against what a person read in them: the actors named,
and the rounds of talks with their fields.

Used by tests/test_rounds.py and bench/rounds_eval.py on data/eval/rounds.yaml (written for
evaluation), data/eval/real.yaml (real texts, by conflict) and the seed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from ceasefire.analysis.extract import Extractors, extract_articles
from ceasefire.analysis.rounds import Candidate
from ceasefire.analysis.text import analysed_text
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
    conflict: str | None = None
    actors: frozenset[str] | None = None  # None: not annotated


@dataclass(frozen=True)
class Found:
    """What extraction finds in one article."""

    candidates: list[Candidate]
    actors: frozenset[str]


def read_eval(path: Path = EVAL_YAML) -> list[EvalArticle]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["articles"]
    return [EvalArticle(a["id"], a.get("published"), a["text"], tuple(
        Expected(r["venue"], None if r["date"] is None else str(r["date"]), r["outcome"], frozenset(r["parties"]),
                 frozenset(r["mediators"]), r["proposal"]) for r in a["rounds"]), "day", a.get("conflict"),
        frozenset(a["actors"]) if "actors" in a else None) for a in raw]


def analyse(extractors: Extractors, article: EvalArticle) -> Found:
    """What extraction finds in an article (its first line is the title, as in the loaders, and is
    read with the text as the store reads it)."""
    from datetime import datetime

    title, body = article.text.split("\n", 1) if "\n" in article.text else (None, article.text)
    published = datetime.combine(article.published, datetime.min.time()) if article.published else None
    extraction = extract_articles(extractors, [(article.article_id, analysed_text(body, title), published,
                                                article.precision if published else None)])
    return Found([Candidate.from_row(row) for row in extraction.rows["round_candidates"]],
                 frozenset(row[4] for row in extraction.rows["actor_mentions"]))


def candidates_of(extractors: Extractors, article: EvalArticle) -> list[Candidate]:
    return analyse(extractors, article).candidates


def field_correct(name: str, expected: Expected, found: Candidate, actor_name: Callable[[str], str] = lambda actor: actor) -> bool:
    if name == "date":
        if expected.date is None:
            return found.date is None
        if found.date is None:
            return False
        return found.date.isoformat()[: len(expected.date)] == expected.date and (
            len(expected.date) < 10 or found.precision == "day")
    value, wanted = getattr(found, name), getattr(expected, name)
    if name in ("parties", "mediators"):
        return frozenset(value) == frozenset(map(actor_name, wanted))
    return value == wanted


def score(pairs: Iterable[tuple[EvalArticle, list[Candidate] | Found]],
          venue_name: Callable[[str], str] = lambda venue: venue,
          actor_name: Callable[[str], str] = lambda actor: actor) -> dict[str, object]:
    """Precision and recall of actors (per article, where annotated), of rounds (matched by article
    and venue, `venue_name` giving the gazetteer's name of an expected venue), and of each field
    over matched rounds. `actor_name` gives the catalog's name of an annotated actor, so that an
    annotator's spelling of a known actor ("Government of Yemen") counts as that actor."""
    expected_n = found_n = matched = 0
    actors = [0, 0, 0]  # right, found, expected
    fields = {name: [0, 0, 0] for name in FIELDS}  # correct, found with a value, expected with a value
    misses: list[str] = []
    for article, result in pairs:
        found = result.candidates if isinstance(result, Found) else result
        if isinstance(result, Found) and article.actors is not None:
            named = frozenset(map(actor_name, article.actors))
            actors[0] += len(result.actors & named)
            actors[1] += len(result.actors)
            actors[2] += len(named)
            misses += [f"{article.article_id}: missed actor {name}" for name in sorted(named - result.actors)]
            misses += [f"{article.article_id}: spurious actor {name}" for name in sorted(result.actors - named)]
        expected_n += len(article.rounds)
        found_n += len(found)
        by_venue = {c.venue: c for c in found}
        for expected in article.rounds:
            candidate = by_venue.get(expected.venue) or by_venue.get(venue_name(expected.venue))
            if candidate is None:
                misses.append(f"{article.article_id}: missed the {expected.venue} round")
                continue
            matched += 1
            for name in FIELDS:
                ok = field_correct(name, expected, candidate, actor_name)
                value, wanted = getattr(candidate, name), getattr(expected, name)
                fields[name][0] += ok and bool(wanted)
                fields[name][1] += bool(value)
                fields[name][2] += bool(wanted)
                if not ok:
                    shown = sorted(wanted) if isinstance(wanted, frozenset) else wanted  # in one order, run after run
                    misses.append(f"{article.article_id} {expected.venue} {name}: found {value!r}, expected {shown!r}")
        wanted = {name for e in article.rounds for name in (e.venue, venue_name(e.venue))}
        misses += [f"{article.article_id}: spurious {c.venue} round" for c in found if c.venue not in wanted]

    def ratio(a: int, b: int) -> float:
        return round(a / b, 3) if b else 1.0

    return {
        "actors": {"expected": actors[2], "found": actors[1], "right": actors[0],
                   "precision": ratio(actors[0], actors[1]), "recall": ratio(actors[0], actors[2])},
        "rounds": {"expected": expected_n, "found": found_n, "matched": matched,
                   "precision": ratio(matched, found_n), "recall": ratio(matched, expected_n)},
        "fields": {name: {"precision": ratio(c, f), "recall": ratio(c, e)} for name, (c, f, e) in fields.items()},
        "errors": misses,
    }
