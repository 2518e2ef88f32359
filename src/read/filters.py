"""The filter model shared by the CLI export, the queries and the dashboard.

Built from URL-style parameters, it yields parameterised SQL (values never enter
the SQL text) and a sentence describing itself, like datasette's filters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date

from ceasefire.loaders.schema import OUTCOMES

# URL parameter name for each filter field; list-valued ones may repeat or be comma-separated.
PARAMS = {
    "start": "start", "end": "end", "locations": "location", "actors": "actor", "sources": "source", "outcomes": "outcome",
}



@dataclass(frozen=True)
class FacetBits:
    """The bit of each place and actor in one store's roll-ups (table facet_bits), and each place's
    country, so a location or actor filter becomes a mask tested on the row: `bits & mask <> 0`."""

    places: Mapping[str, tuple[str | None, int | None]]  # name → (country, bit or None)
    actors: Mapping[str, int]

    def location_mask(self, locations: Sequence[str]) -> int | None:
        """The mask of the places at these locations (a place, or any place in a country); None if
        one of them has no bit (the filter then needs the semi-join)."""
        wanted = set(locations)
        bits = [bit for name, (country, bit) in self.places.items() if name in wanted or country in wanted]
        return None if None in bits else _mask(bits)  # type: ignore[arg-type]

    def actor_mask(self, actors: Sequence[str]) -> int | None:
        """The mask of these actors; None if one of them has no bit (never named, or past the 63rd)."""
        bits = [self.actors.get(name) for name in actors]
        return None if None in bits else _mask(bits)  # type: ignore[arg-type]

    def facet(self, locations: Sequence[str], actors: Sequence[str]) -> tuple[str, int] | None:
        """The one facet these location and actor filters select, as (kind, bit): ("all", -1) for
        neither, a place's or an actor's bit for just one of them; None for anything else (several
        places, as a country has, several actors, both kinds, or a name without a bit)."""
        if not locations and not actors:
            return ("all", -1)
        if locations and actors:
            return None
        mask = self.location_mask(locations) if locations else self.actor_mask(actors)
        if not mask or mask & (mask - 1):  # none, or more than one bit
            return None
        return ("place" if locations else "actor", mask.bit_length() - 1)


def _mask(bits: Sequence[int]) -> int:
    return sum({1 << bit for bit in bits})


@dataclass(frozen=True)
class Filters:
    start: date | None = None
    end: date | None = None
    locations: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start date {self.start} is after end date {self.end}")
        unknown = set(self.outcomes) - set(OUTCOMES)
        if unknown:
            raise ValueError(f"unknown outcome(s) {', '.join(sorted(unknown))}; choose from: {', '.join(OUTCOMES)}")

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

        return cls(
            start=one_date(PARAMS["start"]), end=one_date(PARAMS["end"]),
            locations=values(PARAMS["locations"]), actors=values(PARAMS["actors"]),
            sources=values(PARAMS["sources"]), outcomes=values(PARAMS["outcomes"]),
        )

    def to_params(self) -> dict[str, str | list[str]]:
        """The inverse of from_params, leaving out what is not set."""
        params: dict[str, str | list[str]] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, date):
                params[PARAMS[item.name]] = value.isoformat()
            elif value:
                params[PARAMS[item.name]] = list(value)
        return params

    def describe(self, noun: str = "items") -> str:
        """'Articles from 2025-07-01 to 2025-08-31 mentioning Cairo or Doha'."""
        parts = [noun]
        if self.start and self.end:
            parts.append(f"from {self.start:%-d %b %Y} to {self.end:%-d %b %Y}")
        elif self.start:
            parts.append(f"since {self.start:%-d %b %Y}")
        elif self.end:
            parts.append(f"until {self.end:%-d %b %Y}")
        if self.locations:
            parts.append(f"at {_either(self.locations)}")
        if self.actors:
            parts.append(f"involving {_either(self.actors)}")
        if self.sources:
            parts.append(f"from source {_either(self.sources)}")
        if self.outcomes:
            parts.append(f"with outcome {_either(self.outcomes)}")
        return " ".join(parts) if len(parts) > 1 else f"all {noun}"

    def articles_where(self, alias: str = "a", bits: FacetBits | None = None) -> tuple[str, list]:
        """SQL condition and parameters selecting the articles these filters keep: on `articles`, or on
        any per-article table with the article's `article_id`, `published_at` and `source`. Given the
        store's `bits`, on a roll-up (which has `place_bits` and `actor_bits`), location and actor
        filters test the row's bits instead of looking up the articles that name them."""
        clauses, params = [], []
        if self.start:
            clauses.append(f"{alias}.published_at >= ?")
            params.append(self.start)
        if self.end:
            clauses.append(f"{alias}.published_at < ? + INTERVAL 1 DAY")
            params.append(self.end)
        location_mask = bits.location_mask(self.locations) if bits and self.locations else None
        actor_mask = bits.actor_mask(self.actors) if bits and self.actors else None
        if location_mask is not None:
            clauses.append(f"({alias}.place_bits & ?) <> 0")
            params.append(location_mask)
        elif self.locations:
            # An article is "at" a place it mentions, or at any place in a country it is filtered by.
            marks = placeholders(self.locations)
            # The few place names first, then the articles naming them (not a join of every mention).
            clauses.append(
                f"{alias}.article_id IN (SELECT ap.article_id FROM article_places ap WHERE ap.place IN "
                f"(SELECT p.name FROM places p WHERE p.name IN ({marks}) OR p.country IN ({marks})))"
            )
            params += list(self.locations) * 2
        if actor_mask is not None:
            clauses.append(f"({alias}.actor_bits & ?) <> 0")
            params.append(actor_mask)
        elif self.actors:
            clauses.append(f"{alias}.article_id IN "
                           f"(SELECT aa.article_id FROM article_actors aa WHERE aa.actor IN ({placeholders(self.actors)}))")
            params += list(self.actors)
        if self.sources:
            clauses.append(f"{alias}.source IN ({placeholders(self.sources)})")
            params += list(self.sources)
        return _join(clauses), params

    def records_where(self, alias: str = "r") -> tuple[str, list]:
        """SQL condition and parameters selecting the negotiation rounds these filters keep."""
        clauses, params = [], []
        if self.start:
            clauses.append(f"coalesce({alias}.end_date, {alias}.start_date) >= ?")
            params.append(self.start)
        if self.end:
            clauses.append(f"{alias}.start_date <= ?")
            params.append(self.end)
        if self.locations:
            marks = placeholders(self.locations)
            clauses.append(f"({alias}.venue_city IN ({marks}) OR {alias}.venue_country IN ({marks}))")
            params += list(self.locations) * 2
        if self.actors:
            clauses.append(f"list_has_any(list_concat({alias}.parties, {alias}.mediators), CAST(? AS VARCHAR[]))")
            params.append(list(self.actors))
        if self.sources:
            clauses.append(f"{alias}.source IN ({placeholders(self.sources)})")
            params += list(self.sources)
        if self.outcomes:
            clauses.append(f"{alias}.outcome IN ({placeholders(self.outcomes)})")
            params += list(self.outcomes)
        return _join(clauses), params


def placeholders(values: Sequence[object]) -> str:
    """Parameter marks for an IN list of these values (`x IN (?, ?)`): constants, which DuckDB
    tests in the scan, skipping row groups of a sorted column, where a sub-query of `unnest(?)`
    is a join that reads them all; NULL for no values, which matches nothing."""
    return ", ".join("?" for _ in values) or "NULL"


def _join(clauses: list[str]) -> str:
    return " AND ".join(clauses) if clauses else "TRUE"


def _either(values: Sequence[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + f" or {values[-1]}"
