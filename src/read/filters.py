"""The filters shared by the dashboard, the command line, the queries and the exports: one table
of fields, each declared once with its URL parameter, its command-line flag, its SQL on articles,
on negotiation rounds and on events, its test of a round from the news, its description and its widget, in
the spirit of datasette's filters. Values never enter the SQL text: every one is a parameter."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Protocol

from ceasefire.analysis.conflicts import conflict_names
from ceasefire.analysis.rounds import NewsRound
from ceasefire.loaders.schema import OUTCOMES

Sql = Callable[[str, Any], tuple[str, list]]  # (table alias, value) → condition and parameters


@dataclass(frozen=True)
class Clause:
    """One field's condition in a query (what a rewrite step such as the roll-up's may replace)."""

    field: str
    value: Any
    sql: str
    params: list
    alias: str


class ClauseRewrite(Protocol):
    def rewrite(self, clauses: list[Clause]) -> list[Clause]: ...


@dataclass(frozen=True)
class FilterField:
    name: str  # the attribute of Filters
    param: str  # URL parameter (lists may repeat it or separate values with commas)
    flag: str  # command-line option
    flag_help: str
    describe: Callable[[Any], str]  # "at Cairo or Doha"
    articles: Sql | None  # on `articles`, or any per-article table with article_id, published_at, source
    rounds: Sql | None  # on `records`
    keeps: Callable[[NewsRound, Any], bool]  # whether a round from the news passes
    label: str | None = None  # the sidebar's widget (the dates share one range widget)
    help: str | None = None
    choices: tuple[str, ...] = ()  # the only values allowed (else: any, and the sidebar offers what is stored)
    events: Sql | None = None  # on `events` (ACLED, UCDP, GDELT)


def placeholders(values: Sequence[object]) -> str:
    """Parameter marks for an IN list of these values (`x IN (?, ?)`): constants, which DuckDB
    tests in the scan, skipping row groups of a sorted column, where a sub-query of `unnest(?)`
    is a join that reads them all; NULL for no values, which matches nothing."""
    return ", ".join("?" for _ in values) or "NULL"


def _in(column: str) -> Sql:
    return lambda alias, values: (f"{alias}.{column} IN ({placeholders(values)})", list(values))


def _either(values: Sequence[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + f" or {values[-1]}"


def _articles_at(alias: str, locations: Sequence[str]) -> tuple[str, list]:
    # An article is "at" a place it mentions, or at any place in a country it is filtered by: the
    # few place names first, then the articles naming them (not a join of every mention).
    marks = placeholders(locations)
    return (f"{alias}.article_id IN (SELECT ap.article_id FROM article_places ap WHERE ap.place IN "
            f"(SELECT p.name FROM places p WHERE p.name IN ({marks}) OR p.country IN ({marks})))", list(locations) * 2)


def _rounds_at(alias: str, locations: Sequence[str]) -> tuple[str, list]:
    marks = placeholders(locations)
    return f"({alias}.venue_city IN ({marks}) OR {alias}.venue_country IN ({marks}))", list(locations) * 2


def _events_at(alias: str, locations: Sequence[str]) -> tuple[str, list]:
    marks = placeholders(locations)
    return f"({alias}.location IN ({marks}) OR {alias}.country IN ({marks}))", list(locations) * 2


def _has_any(column: str) -> Sql:
    return lambda alias, values: (f"list_has_any({alias}.{column}, CAST(? AS VARCHAR[]))", [list(values)])


FIELDS: tuple[FilterField, ...] = (
    FilterField("start", "start", "--since", "first date, YYYY-MM-DD", lambda d: f"since {d:%-d %b %Y}",
                lambda a, d: (f"{a}.published_at >= ?", [d]),
                lambda a, d: (f"coalesce({a}.end_date, {a}.start_date) >= ?", [d]),
                lambda r, d: not (r.last and r.last < d),
                label="Date range", help="Articles by publication date; rounds and events that overlap the range.",
                events=lambda a, d: (f"coalesce({a}.end_date, {a}.date) >= ?", [d])),
    FilterField("end", "end", "--until", "last date, YYYY-MM-DD", lambda d: f"until {d:%-d %b %Y}",
                lambda a, d: (f"{a}.published_at < ? + INTERVAL 1 DAY", [d]),
                lambda a, d: (f"{a}.start_date <= ?", [d]),
                lambda r, d: not (r.first and r.first > d), events=lambda a, d: (f"{a}.date <= ?", [d])),
    FilterField("conflicts", "conflict", "--conflict", "conflict (data/conflicts.yaml); repeatable", lambda v: f"in {_either(v)}",
                lambda a, v: (f"{a}.article_id IN (SELECT ac.article_id FROM article_conflicts ac WHERE ac.conflict IN "
                              f"({placeholders(v)}))", list(v)),
                _has_any("conflicts"), lambda r, v: bool(set(v) & set(r.union("conflicts"))),
                label="Conflicts", help="Articles, rounds, records and events about the conflict (by their actors and places).",
                choices=conflict_names(), events=_has_any("conflicts")),
    FilterField("locations", "location", "--location", "venue or place; repeatable", lambda v: f"at {_either(v)}",
                _articles_at, _rounds_at, lambda r, v: bool({r.venue, r.country} & set(v)),
                label="Locations", help="Venues of rounds, events at the place or in the country, and articles that "
                                        "mention the place (or a place in the country).", events=_events_at),
    FilterField("actors", "actor", "--actor", "actor; repeatable", lambda v: f"involving {_either(v)}",
                lambda a, v: (f"{a}.article_id IN (SELECT aa.article_id FROM article_actors aa WHERE aa.actor IN "
                              f"({placeholders(v)}))", list(v)),
                lambda a, v: (f"list_has_any(list_concat({a}.parties, {a}.mediators), CAST(? AS VARCHAR[]))", [list(v)]),
                lambda r, v: bool(set(v) & {*r.union("parties"), *r.union("mediators"), *r.union("people")}),
                label="Actors", help="Articles that mention the actor; rounds where it is a party or mediator; events "
                                     "it took part in.", events=_has_any("actors")),
    FilterField("sources", "source", "--source", "source; repeatable", lambda v: f"from source {_either(v)}",
                _in("source"), _in("source"), lambda r, v: True,  # already applied to the rounds' articles
                label="Sources", events=_in("source")),
    FilterField("outcomes", "outcome", "--outcome", "round outcome; repeatable", lambda v: f"with outcome {_either(v)}",
                None, _in("outcome"), lambda r, v: r.outcome in v, label="Round outcomes", choices=OUTCOMES),
)
FIELD = {field.name: field for field in FIELDS}
PARAMS = {field.name: field.param for field in FIELDS}  # URL parameter of each filter field


@dataclass(frozen=True)
class Filters:
    start: date | None = None
    end: date | None = None
    conflicts: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start date {self.start} is after end date {self.end}")
        for field in FIELDS:
            unknown = set(getattr(self, field.name) or ()) - set(field.choices) if field.choices else set()
            if unknown:
                raise ValueError(f"unknown {field.name.rstrip('s')}(s) {', '.join(sorted(unknown))}; "
                                 f"choose from: {', '.join(field.choices)}")

    def set_fields(self) -> list[tuple[FilterField, Any]]:
        """The fields that are set, with their values, in the table's order."""
        return [(field, value) for field in FIELDS if (value := getattr(self, field.name))]

    @classmethod
    def from_params(cls, params: Mapping[str, str | Sequence[str]]) -> Filters:
        """From query parameters such as {'start': '2025-07-01', 'location': ['Cairo', 'Doha']}."""

        def values(name: str) -> tuple[str, ...]:
            raw = params.get(name, ())
            items = [raw] if isinstance(raw, str) else list(raw)
            return tuple(dict.fromkeys(v.strip() for item in items for v in item.split(",") if v.strip()))

        def one_date(name: str) -> date | None:
            found = values(name)
            if not found:
                return None
            try:
                return date.fromisoformat(found[0])
            except ValueError:
                raise ValueError(f"{name} must be a date like 2025-08-12, got {found[0]!r}") from None

        return cls(**{field.name: one_date(field.param) if field.name in ("start", "end") else values(field.param)
                      for field in FIELDS})

    def to_params(self) -> dict[str, str | list[str]]:
        """The inverse of from_params, leaving out what is not set."""
        return {field.param: value.isoformat() if isinstance(value, date) else list(value)
                for field, value in self.set_fields()}

    def describe(self, noun: str = "items") -> str:
        """'articles from 1 Jul 2025 to 31 Aug 2025 at Cairo or Doha'."""
        parts = [field.describe(value) for field, value in self.set_fields()]
        if self.start and self.end:  # one range reads better than "since … until …"
            parts[:2] = [f"from {self.start:%-d %b %Y} to {self.end:%-d %b %Y}"]
        return f"{noun} {' '.join(parts)}" if parts else f"all {noun}"

    def clauses(self, target: Literal["articles", "rounds", "events"], alias: str) -> list[Clause]:
        """Each set field's condition on articles (or a per-article table), on rounds or on events."""
        found = []
        for field, value in self.set_fields():
            sql = {"articles": field.articles, "rounds": field.rounds, "events": field.events}[target]
            if sql is not None:
                found.append(Clause(field.name, value, *sql(alias, value), alias))
        return found

    def articles_where(self, alias: str = "a", rewrite: ClauseRewrite | None = None) -> tuple[str, list]:
        """SQL condition and parameters selecting the articles these filters keep: on `articles`, or on
        any per-article table with the article's `article_id`, `published_at` and `source`; `rewrite`
        (read.rollup.FacetBits, on a roll-up) may replace clauses by cheaper ones."""
        clauses = self.clauses("articles", alias)
        return _where(rewrite.rewrite(clauses) if rewrite else clauses)

    def records_where(self, alias: str = "r") -> tuple[str, list]:
        """SQL condition and parameters selecting the negotiation rounds these filters keep."""
        return _where(self.clauses("rounds", alias))

    def events_where(self, alias: str = "e") -> tuple[str, list]:
        """SQL condition and parameters selecting the events these filters keep (a round outcome
        does not select events)."""
        return _where(self.clauses("events", alias))

    def keeps(self, news_round: NewsRound) -> bool:
        """Whether a round reconstructed from the news passes these filters."""
        return all(field.keeps(news_round, value) for field, value in self.set_fields())


def _where(clauses: list[Clause]) -> tuple[str, list]:
    return " AND ".join(c.sql for c in clauses) or "TRUE", [p for c in clauses for p in c.params]
