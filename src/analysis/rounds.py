"""Negotiation rounds reconstructed from the news, each field with the sentence it came from.

`find_candidates` reads one article's sentences and mentions (as extraction stores them)
and returns a candidate round per venue where talks are reported: venue, date normalised
against the publication date, parties, mediators, people, outcome cue, issues and proposal.
`reconcile` groups the candidates of many articles into rounds, matches them to loaded
records and flags disagreements between sources instead of hiding them.
"""

from __future__ import annotations

import hashlib
import re
from calendar import monthrange
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ceasefire.analysis.catalog import Catalog

# A sentence reports talks when it names one of these.
TRIGGER = re.compile(
    r"\b(talks|negotiat\w*|delegations?|mediat\w*|proposals?|truce|round of|last round|rounds? in|summit|"
    r"meet|meets|meeting|met|discussions|deal|ceasefire (?:agreement|plan|framework)|agreed|signed)\b",
    re.IGNORECASE,
)
# The same, on text folded by analysis.matcher.fold (lower case, punctuation as spaces): twice as fast.
TRIGGER_FOLDED = re.compile(TRIGGER.pattern)
# A place is a venue when the sentence says talks happen there: "in Cairo", "to Doha", "the Cairo talks".
_VENUE_BEFORE = re.compile(r"\b(?:in|to|at|left|leave|leaves|leaving|visited|visits|reached|hosted by)\s+(?:the\s+)?$",
                           re.IGNORECASE)
_VENUE_AFTER = re.compile(r"^\W{0,2}\s*(?:talks|meeting|round|summit|negotiations|discussions|process)\b", re.IGNORECASE)
# A venue the sentence places in the past ("the last round in Doha") is an earlier round, undated.
_PAST = re.compile(r"\b(?:last|previous|earlier|former|prior)\s+(?:round|talks|negotiations|meeting)s?\b", re.IGNORECASE)

# Outcome cues, most decisive first; the first cue found in a candidate's venue sentences wins.
OUTCOME_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((outcome, re.compile(pattern, re.IGNORECASE)) for outcome, pattern in (
    ("collapsed", (r"\b(?:collaps\w*|crumbl\w*|broke down|break(?:s)? down|fell apart|fallen apart|ended without|"
                   r"walked out|failed)\b")),
    ("agreement", (r"\b(?:agreed (?:to|on)|signed|reached an? (?:deal|agreement)|struck an? (?:deal|agreement)|"
                   r"clinched|sealed)\b")),
    ("partial agreement", r"\b(?:partial (?:deal|agreement)|first phase agreed|agreed the first phase)\b"),
    ("stalled", r"\b(?:stalled|(?<!break the )deadlock(?:ed)?|impasse|stalemate|stuck)\b"),
    ("postponed", r"\b(?:postponed|delayed|called off|put off)\b"),
    ("ongoing", (r"\b(?:arrived|arrives|arriving|under ?way|ongoing|resumed|resume|kicking off|kicked off|began|begin|"
                r"continu\w+|working overtime|are holding|held talks|hold talks|headed to|heading to|met|meets)\b")),
))
_PROPOSAL = re.compile(r"\b(\d+|[a-z]+)-day\s+(?:\w+[ -]){0,2}?(ceasefire|truce)\b", re.IGNORECASE)

# Who mediates and who negotiates, by the actor an actor belongs to (Khalil al-Hayya -> Hamas).
MEDIATOR_ROOTS = frozenset({"Egypt", "Qatar", "United States", "Türkiye"})
PARTY_ROOTS = frozenset({"Israel", "Hamas", "Palestinian Islamic Jihad"})
_NOT_VENUE_COUNTRIES = frozenset({"Palestine"})  # the war is there; talks are not held in Gaza
# How far apart two reports of one round may date it: days for day-precise dates, else the same month.
DAY_TOLERANCE = 5
# An undated "last round in Doha" is looked for up to this long before the article.
PAST_WINDOW = timedelta(days=120)


@dataclass(frozen=True)
class Sentence:
    index: int
    text: str


@dataclass(frozen=True)
class Mention:
    """A mention of something in a sentence, as the extraction tables store it."""

    sentence: int
    start: int  # offsets within the sentence
    end: int
    name: str


@dataclass(frozen=True)
class DateMention:
    sentence: int
    value: date | None
    precision: str | None
    kind: str


@dataclass(frozen=True)
class PlaceInfo:
    name: str
    kind: str
    country: str | None


@dataclass
class Candidate:
    """A round one article reports. `evidence` maps each field to (value, sentence index) pairs."""

    article_id: str
    venue: str
    country: str | None
    date: date | None
    precision: str | None
    past: bool
    parties: list[str]
    mediators: list[str]
    people: list[str]
    outcome: str | None
    issues: list[str]
    proposal: str | None
    evidence: list[tuple[str, str, int]] = field(default_factory=list)  # (field, value, sentence index)

    @property
    def candidate_id(self) -> str:
        return f"{self.article_id}:{self.venue}"

    def as_row(self) -> tuple:
        """The `round_candidates` row (see analysis/extract.py TABLES); `from_row` reads it back."""
        return (self.article_id, self.venue, self.country, self.date, self.precision, self.past, self.parties,
                self.mediators, self.people, self.outcome, self.issues, self.proposal)

    @classmethod
    def from_row(cls, row: Sequence) -> Candidate:
        return cls(*row[:5], bool(row[5]), *(list(v) for v in row[6:9]), row[9], list(row[10]), row[11])


def root_actor(catalog: Catalog, name: str) -> str:
    """The actor at the top of the affiliation chain: Khalil al-Hayya -> Hamas."""
    seen = set()
    actor = catalog.actors.get(name)
    while actor and actor.affiliation and actor.name not in seen:
        seen.add(actor.name)
        actor = catalog.actors.get(actor.affiliation)
    return actor.name if actor else name


def find_candidates(
    article_id: str, published: date | None, published_precision: str | None, sentences: Sequence[Sentence],
    actors: Sequence[Mention], places: Sequence[Mention], dates: Sequence[DateMention], issues: Sequence[Mention],
    place_info: dict[str, PlaceInfo], catalog: Catalog,
) -> list[Candidate]:
    """The rounds an article reports: one candidate per venue named in a sentence about talks.

    `sentences` may hold just the article's sentences about talks (those TRIGGER matches);
    the mentions are the whole article's, with offsets within their sentence."""
    text = {s.index: s.text for s in sentences}
    triggered = [s.index for s in sentences if TRIGGER.search(s.text)]
    by_venue: dict[str, list[int]] = {}
    past_venues: set[str] = set()
    for index in triggered:
        for mention in places:
            if mention.sentence == index and _is_venue(text[index], mention, place_info.get(mention.name)):
                by_venue.setdefault(mention.name, []).append(index)
                if _PAST.search(text[index]):
                    past_venues.add(mention.name)
    if not by_venue:
        return []
    # Sentences about talks that name no venue ("discussions with Egyptian mediators will focus on…")
    # describe the article's main round: the first current venue named, or the only venue.
    current = [v for v in by_venue if v not in past_venues]
    main = current[0] if current else next(iter(by_venue)) if len(by_venue) == 1 else None
    venue_sentences = {s for found in by_venue.values() for s in found}
    unplaced = [i for i in triggered if i not in venue_sentences]
    candidates = []
    for venue, indexes in by_venue.items():
        past = venue in past_venues and venue != main
        about = sorted(set(indexes) | (set(unplaced) if venue == main else set()))
        candidates.append(_candidate(
            article_id, venue, place_info.get(venue), past, indexes, about, text, published, published_precision,
            actors, dates, issues, catalog,
        ))
    return candidates


def _is_venue(sentence: str, mention: Mention, place: PlaceInfo | None) -> bool:
    if place is None or place.kind not in ("city", "country") or place.country in _NOT_VENUE_COUNTRIES:
        return False
    before, after = sentence[: mention.start], sentence[mention.end:]
    if _VENUE_BEFORE.search(before):
        return True
    return place.kind == "city" and bool(_VENUE_AFTER.search(after) or re.search(r"\b(?:this|the|these)\s+$", before))


def _candidate(
    article_id: str, venue: str, place: PlaceInfo | None, past: bool, venue_indexes: list[int], about: list[int],
    text: dict[int, str], published: date | None, published_precision: str | None,
    actors: Sequence[Mention], dates: Sequence[DateMention], issues: Sequence[Mention], catalog: Catalog,
) -> Candidate:
    evidence: list[tuple[str, str, int]] = [("venue", venue, venue_indexes[0])]
    when, precision = None, None
    # An earlier round keeps only a date written out ("July 2025"); "Tuesday" in its sentence is about now.
    found = next((d for d in dates if d.sentence in venue_indexes and d.value
                  and (d.kind == "absolute" if past else d.kind != "duration")), None)
    if found:
        when, precision = found.value, found.precision
        evidence.append(("date", f"{found.value} ({found.precision})", found.sentence))
    elif not past and published:
            when, precision = published, published_precision or "day"
            evidence.append(("date", f"{published} ({precision}, from the publication date)", venue_indexes[0]))
    parties, mediators, people = [], [], []
    for mention in actors:
        if mention.sentence not in about:
            continue
        actor = catalog.actors.get(mention.name)
        root = root_actor(catalog, mention.name)
        role = "mediators" if root in MEDIATOR_ROOTS else "parties" if root in PARTY_ROOTS else None
        if role is None or (actor and actor.type == "media"):
            continue
        chosen = mediators if role == "mediators" else parties
        if root not in chosen:
            chosen.append(root)
            evidence.append((role, root, mention.sentence))
        if actor and actor.type == "person" and mention.name not in people:
            people.append(mention.name)
            evidence.append(("people", mention.name, mention.sentence))
    outcome = None
    for index in venue_indexes:
        outcome = next((o for o, cue in OUTCOME_CUES if cue.search(text[index])), None)
        if outcome:
            evidence.append(("outcome", outcome, index))
            break
    tagged = []
    for mention in issues:
        if mention.sentence in about and mention.name not in tagged:
            tagged.append(mention.name)
            evidence.append(("issues", mention.name, mention.sentence))
    proposal = None
    for index in about:
        match = _PROPOSAL.search(text[index])
        if match:
            proposal = f"{match.group(1).lower()}-day {'truce' if match.group(2).lower() in ('truce', 'ceasefire') else ''}".strip()
            evidence.append(("proposal", proposal, index))
            break
    return Candidate(article_id, venue, place.country if place else None, when, precision, past, sorted(parties),
                     sorted(mediators), people, outcome, tagged, proposal, evidence)


@dataclass(frozen=True)
class RecordSpan:
    """A loaded round, as far as matching needs it."""

    record_id: str
    venue_city: str | None
    venue_country: str | None
    start: date
    end: date | None
    precision: str
    outcome: str | None


@dataclass
class NewsRound:
    """Candidates from one or more articles that report the same round, and what they agree on."""

    venue: str
    country: str | None
    first: date | None
    last: date | None
    candidates: list[Candidate]
    record_id: str | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Stable while the same candidates make up the round."""
        ids = "|".join(sorted(c.candidate_id for c in self.candidates))
        return hashlib.sha256(ids.encode()).hexdigest()[:16]

    @property
    def articles(self) -> list[str]:
        return list(dict.fromkeys(c.article_id for c in self.candidates))

    @property
    def outcome(self) -> str | None:
        counts = Counter(c.outcome for c in self.candidates if c.outcome)
        return counts.most_common(1)[0][0] if counts else None

    def union(self, name: str) -> list[str]:
        return list(dict.fromkeys(v for c in self.candidates for v in getattr(c, name)))

    @property
    def proposal(self) -> str | None:
        return next((c.proposal for c in self.candidates if c.proposal), None)


def _shift(day: date, by: timedelta) -> date:
    """`day + by`, held at date.min or date.max: a store may hold a date in year 1 or 9999
    (loaded before dates were range-checked), and the page must still work out its rounds."""
    try:
        return day + by
    except OverflowError:
        return date.max if by > timedelta(0) else date.min


def _span(when: date | None, precision: str | None) -> tuple[date, date] | None:
    if when is None:
        return None
    if precision == "day":
        return when, when
    if precision == "week":
        return when, _shift(when, timedelta(days=6))
    if precision == "month":
        return when.replace(day=1), when.replace(day=monthrange(when.year, when.month)[1])
    return date(when.year, 1, 1), date(when.year, 12, 31)


def _overlaps(a: tuple[date, date], b: tuple[date, date], slack: int = 0) -> bool:
    return _shift(a[0], -timedelta(days=slack)) <= b[1] and _shift(b[0], -timedelta(days=slack)) <= a[1]


def reconcile(
    candidates: Iterable[Candidate], records: Iterable[RecordSpan] = (), published: dict[str, date] | None = None,
    decisions: dict[str, tuple[str, str | None]] | None = None,
) -> list[NewsRound]:
    """Group candidates into rounds (same venue, compatible dates), attach them to matching records,
    and flag disagreements. `published` gives articles' dates, to place undated past rounds;
    `decisions` maps candidate ids to (decision, record id) from analysts' reviews."""
    published = published or {}
    decisions = decisions or {}
    records = list(records)
    at_venue: dict[str, list[NewsRound]] = {}  # each venue's rounds, in date order
    remaining = [c for c in candidates if decisions.get(c.candidate_id, ("",))[0] != "rejected"]
    # In date order a candidate can only extend the latest round at its venue.
    for candidate in sorted((c for c in remaining if c.date), key=lambda c: (c.venue, c.date)):
        span = _span(candidate.date, candidate.precision)
        venue_rounds = at_venue.setdefault(candidate.venue, [])
        latest = venue_rounds[-1] if venue_rounds else None
        if latest and _overlaps((latest.first, latest.last), span, DAY_TOLERANCE):  # type: ignore[arg-type]
            latest.candidates.append(candidate)
            latest.first, latest.last = min(latest.first, span[0]), max(latest.last, span[1])  # type: ignore[type-var]
        else:
            venue_rounds.append(NewsRound(candidate.venue, candidate.country, span[0], span[1], [candidate]))
    for candidate in (c for c in remaining if not c.date):
        when = published.get(candidate.article_id)
        window = (_shift(when, -PAST_WINDOW), when) if when else None
        venue_rounds = at_venue.setdefault(candidate.venue, [])
        earlier = [r for r in venue_rounds if r.first and (window is None or _overlaps((r.first, r.last), window))]
        if earlier:
            earlier[-1].candidates.append(candidate)
        else:
            venue_rounds.append(NewsRound(candidate.venue, candidate.country, None, None, [candidate]))
    rounds = [r for venue_rounds in at_venue.values() for r in venue_rounds]
    for news_round in rounds:
        _match_record(news_round, records, published, decisions)
        _flag(news_round, records)
    return sorted(rounds, key=lambda r: (r.first or date.min, r.venue), reverse=True)


def _match_record(news_round: NewsRound, records: list[RecordSpan], published: dict[str, date],
                  decisions: dict[str, tuple[str, str | None]]) -> None:
    chosen = [decisions[c.candidate_id][1] for c in news_round.candidates
              if decisions.get(c.candidate_id, ("",))[0] in ("accepted", "merged")]
    if chosen and chosen[0]:
        news_round.record_id = chosen[0]
        return
    if news_round.first:
        span = (news_round.first, news_round.last)
    else:  # an undated earlier round: before the article that mentions it
        dates = [published[a] for a in news_round.articles if a in published]
        if not dates:
            return
        span = (_shift(min(dates), -PAST_WINDOW), max(dates))
    best = None
    for record in records:
        if news_round.venue not in (record.venue_city, record.venue_country):
            continue
        record_span = _span(record.start, record.precision)
        record_span = (record_span[0], max(record_span[1], record.end or record.start))
        if _overlaps(span, record_span, DAY_TOLERANCE if news_round.first else 0):
            distance = abs((record.start - span[0]).days)
            if best is None or distance < best[0]:
                best = (distance, record.record_id)
    news_round.record_id = best[1] if best else None


def _flag(news_round: NewsRound, records: list[RecordSpan]) -> None:
    outcomes = Counter(c.outcome for c in news_round.candidates if c.outcome)
    if len(outcomes) > 1:
        news_round.flags.append("sources disagree on the outcome: " + ", ".join(
            f"{o} ({n} article{'s' if n > 1 else ''})" for o, n in outcomes.most_common()))
    days = sorted({c.date for c in news_round.candidates if c.date and c.precision == "day"})
    if len(days) > 1 and (days[-1] - days[0]).days > 1:
        news_round.flags.append(f"sources date it differently: {', '.join(str(d) for d in days)}")
    record = next((r for r in records if r.record_id == news_round.record_id), None)
    if record and record.outcome and news_round.outcome and record.outcome != news_round.outcome:
        news_round.flags.append(f"the news says {news_round.outcome}, the record says {record.outcome}")
