"""The roll-up rewrite: on a per-article roll-up (which carries its article's `place_bits` and
`actor_bits`), a location or actor filter becomes a test of the row's bits instead of a look-up of
the articles that name them. A step applied to the filters' SQL clauses; the filter model itself
knows nothing of it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ceasefire.read.filters import Clause


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

    def rewrite(self, clauses: list[Clause]) -> list[Clause]:
        """The clauses with each location or actor filter tested on the row's bits, where every name
        it selects has a bit (else the clause stays the semi-join it is)."""
        return [self._on_bits(clause) for clause in clauses]

    def _on_bits(self, clause: Clause) -> Clause:
        mask = (self.location_mask(clause.value) if clause.field == "locations" else
                self.actor_mask(clause.value) if clause.field == "actors" else None)
        if mask is None:
            return clause
        column = "place_bits" if clause.field == "locations" else "actor_bits"
        return Clause(clause.field, clause.value, f"({clause.alias}.{column} & ?) <> 0", [mask], clause.alias)


def _mask(bits: Sequence[int]) -> int:
    return sum({1 << bit for bit in bits})
