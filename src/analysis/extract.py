"""Run every extractor over articles and return rows for the analysis tables.

Every mention keeps its character offsets in the article text and the index of
its sentence, so any figure can be traced back to the sentence it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from ceasefire.analysis import rounds
from ceasefire.analysis.actors import ActorExtractor
from ceasefire.analysis.catalog import ACTORS_DIR, Catalog, catalog_mtime, read_catalog
from ceasefire.analysis.conflicts import ConflictFinder, read_conflicts
from ceasefire.analysis.issues import ISSUES_YAML, IssueTagger, read_issues
from ceasefire.analysis.matcher import padded_fold
from ceasefire.analysis.names import find_names
from ceasefire.analysis.places import PlaceExtractor
from ceasefire.analysis.stories import signature
from ceasefire.analysis.text import SentenceIndex, split_sentences
from ceasefire.analysis.text_dates import find_dates
from ceasefire.analysis.tone import ToneScorer, tone_scorer
from ceasefire.config import CONFLICTS_YAML, user_actors_path
from ceasefire.loaders.gazetteer import PLACES_CSV, Place, load_gazetteer
from ceasefire.store.schema import ANALYSIS_TABLES


@dataclass
class Extractors:
    """The configured extractors; build once and reuse (building the automata is the slow part)."""

    catalog: Catalog
    actors: ActorExtractor
    places: PlaceExtractor
    issues: IssueTagger
    tone: ToneScorer
    conflicts: ConflictFinder

    @classmethod
    def load(cls, actors_path: Path = ACTORS_DIR, issues_path: Path = ISSUES_YAML, places_path: Path = PLACES_CSV,
             conflicts_path: Path = CONFLICTS_YAML) -> Extractors:
        catalog = read_catalog(actors_path, user_actors_path())  # with the user's own actors layered over it
        conflicts = read_conflicts(conflicts_path)
        return cls(catalog, ActorExtractor(catalog), PlaceExtractor(load_gazetteer(places_path), conflicts),
                   IssueTagger(read_issues(issues_path)), tone_scorer(), ConflictFinder(conflicts, catalog))


@lru_cache(maxsize=2)
def _load_extractors(mtimes: tuple[float, ...]) -> Extractors:
    return Extractors.load()


def default_extractors() -> Extractors:
    """Extractors for the built-in files and the user's actors, rebuilt when one of them has changed."""
    overlay = user_actors_path()
    return _load_extractors((catalog_mtime(ACTORS_DIR), *(path.stat().st_mtime for path in (ISSUES_YAML, PLACES_CSV, CONFLICTS_YAML)),
                             overlay.stat().st_mtime if overlay.exists() else 0.0))


@dataclass
class Extraction:
    """Rows for each analysis table, plus the places they refer to and each article's story signature."""

    rows: dict[str, list[tuple]] = field(default_factory=lambda: {name: [] for name in ANALYSIS_TABLES})
    places: dict[str, Place] = field(default_factory=dict)
    signatures: dict[str, bytes | None] = field(default_factory=dict)  # article id → analysis.stories.signature

    def frames(self) -> dict[str, pd.DataFrame]:
        return {name: pd.DataFrame(self.rows[name], columns=list(columns)) for name, columns in ANALYSIS_TABLES.items()}

    def places_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [(p.name, p.kind, p.country, p.latitude, p.longitude) for p in self.places.values()],
            columns=["name", "kind", "country", "latitude", "longitude"],
        )


def extract_article(
    extractors: Extractors, extraction: Extraction, article_id: str, text: str,
    published_at: datetime | None, published_precision: str | None,
) -> None:
    """Add one article's sentences and mentions to `extraction`."""
    spans = split_sentences(text)
    sentences = SentenceIndex(spans)
    padded = padded_fold(text)
    rows = extraction.rows
    actor_rows = [(article_id, sentences.of(m.start), m.start, m.end, m.actor, m.kind, text[m.start:m.end])
                  for m in extractors.actors.find(text, padded)]
    place_rows = []
    for m in extractors.places.find(text, padded):
        extraction.places[m.place.name] = m.place
        place_rows.append((article_id, sentences.of(m.start), m.start, m.end, m.place.name, text[m.start:m.end]))
    issue_rows = [(article_id, sentences.of(m.start), m.start, m.end, m.issue, m.term) for m in extractors.issues.find(text, padded)]
    date_rows = [(article_id, sentences.of(m.start), m.start, m.end, m.text, m.kind, m.date and m.date.date(), m.precision)
                 for m in find_dates(text, published_at, published_precision, padded)]  # type: ignore[arg-type]
    # The countries of the towns and territories named (a country named is the state, counted as an actor).
    countries = [place.country for row in place_rows
                 if (place := extraction.places[row[4]]).kind in ("city", "territory") and place.country]
    conflicts = extractors.conflicts.assign([row[4] for row in actor_rows], countries)
    rows["conflict_evidence"] += [(article_id, c.conflict, c.reason) for c in conflicts]
    _add_round_candidates(extractors, extraction, article_id, text, spans, sentences, padded, published_at, published_precision,
                          actor_rows, place_rows, date_rows, issue_rows, [c.conflict for c in conflicts])
    rows["name_mentions"] += [
        (article_id, sentences.of(m.start), m.start, m.end, m.name, m.kind)
        for m in find_names(text, spans, sentences.of, [(r[2], r[3]) for r in actor_rows], [(r[2], r[3]) for r in place_rows])]
    tones = extractors.tone.sentence_tones(text, spans, padded)
    rows["sentences"].extend((article_id, index, start, end, tones[index]) for index, (start, end) in enumerate(spans))
    rows["actor_mentions"] += actor_rows
    rows["place_mentions"] += place_rows
    rows["issue_mentions"] += issue_rows
    rows["date_mentions"] += date_rows
    extraction.signatures[article_id] = signature(text)


def _add_round_candidates(
    extractors: Extractors, extraction: Extraction, article_id: str, text: str, spans: list[tuple[int, int]],
    sentence_of: SentenceIndex, padded: str, published_at: datetime | None, published_precision: str | None,
    actor_rows: list[tuple], place_rows: list[tuple], date_rows: list[tuple], issue_rows: list[tuple],
    article_conflicts: list[str],
) -> None:
    if not place_rows:  # a round needs a venue
        return
    # Only sentences about talks matter: one pass over the text finds them.
    about_talks = sorted({sentence_of.of(match.start() - 1) for match in rounds.TRIGGER_FOLDED.finditer(padded)})
    if not about_talks:
        return

    def mentions(rows: list[tuple], name: int, kind: int | None = None) -> list[rounds.Mention]:
        return [rounds.Mention(row[1], row[2] - spans[row[1]][0], row[3] - spans[row[1]][0], row[name],
                               *((row[kind],) if kind is not None else ())) for row in rows]

    published = published_at.date() if published_at else None
    found = rounds.find_candidates(
        article_id, published, published_precision,
        [rounds.Sentence(i, text[spans[i][0]:spans[i][1]], padded[spans[i][0] + 1:spans[i][1] + 1]) for i in about_talks],
        mentions(actor_rows, 4, 5), mentions(place_rows, 4),
        [rounds.DateMention(row[1], row[6], row[7], row[5], row[2] - spans[row[1]][0]) for row in date_rows],
        mentions(issue_rows, 4),
        {row[4]: rounds.PlaceInfo(p.name, p.kind, p.country) for row in place_rows if (p := extraction.places[row[4]])},
        extractors.catalog, extractors.conflicts, article_conflicts,
    )
    for c in found:
        extraction.rows["round_candidates"].append((*c.as_row(), published))
        extraction.rows["round_evidence"] += [(article_id, c.venue, name, value, index) for name, value, index in c.evidence]


def extract_in_parallel(articles: list[tuple], pool: Any, chunk: int = 500) -> Callable[[], Extraction]:
    """Start `extract_articles` with the default extractors in a process pool, and return a function
    that waits for it: same rows, same order. The caller can write other work meanwhile."""
    parts = [pool.submit(_extract_chunk, articles[i : i + chunk]) for i in range(0, len(articles), chunk)]

    def merged() -> Extraction:
        extraction = Extraction()
        for part in parts:
            done = part.result()
            for name, rows in done.rows.items():
                extraction.rows[name] += rows
            extraction.places.update(done.places)
            extraction.signatures.update(done.signatures)
        return extraction

    return merged


def _extract_chunk(articles: list[tuple]) -> Extraction:
    return extract_articles(default_extractors(), articles)


def extract_articles(extractors: Extractors, articles: Iterable[tuple[str, str, datetime | None, str | None]]) -> Extraction:
    """Extract from (article_id, text, published_at, published_precision) tuples."""
    extraction = Extraction()
    for article_id, text, published_at, precision in articles:
        extract_article(extractors, extraction, article_id, text, _none_if_missing(published_at), _none_if_missing(precision))
    return extraction


def _none_if_missing(value):  # pandas hands NaT / <NA> for missing values
    return None if value is None or pd.isna(value) else (value.to_pydatetime() if hasattr(value, "to_pydatetime") else value)
