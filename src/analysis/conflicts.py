"""Conflicts as a dimension: the conflicts file (data/conflicts.yaml), and which conflict an article,
a round from the news or a negotiation record is about, with the reason.

A conflict is told by the actors that fight in it (the catalog's `conflicts` field and the
conflict's `parties`) and the countries where it is fought. Actors count by what they belong to
(Netanyahu, the IDF and Israel are one piece of evidence: Israel), places by their country. A
group, force or person that belongs to one conflict only ("Rapid Support Forces") weighs two; a
state ("India" in a statement on Istanbul), the places of a country, or anything shared by
several conflicts ("Israel": Gaza, Lebanon, Iran; Saudi Arabia, a party in Yemen and a mediator
for Sudan) one. An item is about every conflict whose evidence weighs two or more and holds at
least one piece of its own, so two shared names (Israel and Turkey) make no conflict, and a
state is one only with more said (Ukraine and Russia; Sudan and a place in it). Mediators are
no evidence: Qatar mediates half the world's talks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ceasefire.analysis.catalog import Catalog, CatalogError, yaml_list
from ceasefire.config import CONFLICTS_YAML
from ceasefire.loaders.schema import describe_validation_error

# Evidence a conflict needs before an item is assigned to it (see the module's docstring).
ENOUGH = 2


class Conflict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, pattern=r"^[^,]+$")  # commas separate values in URLs
    aliases: list[str] = []
    countries: list[str] = []  # where it is fought: places there are evidence
    parties: list[str] = []
    mediators: list[str] = []  # its usual mediators, for a round whose text names none
    start: int | None = Field(default=None, ge=1900, le=2100)
    end: int | None = Field(default=None, ge=1900, le=2100)
    note: str | None = None


def read_conflicts(path: Path = CONFLICTS_YAML) -> tuple[Conflict, ...]:
    """The conflicts file, validated; errors name the entry and the problem."""
    conflicts = []
    for number, entry in enumerate(yaml_list(path, "conflicts"), start=1):
        try:
            conflicts.append(Conflict.model_validate(entry))
        except ValidationError as error:
            name = entry.get("name", "?") if isinstance(entry, dict) else "?"
            raise CatalogError(f"{path}: conflict #{number} ({name}): {describe_validation_error(error)}") from None
    names = [c.name for c in conflicts]
    if len(set(names)) != len(names):
        raise CatalogError(f"{path}: a conflict is listed twice: {sorted(n for n in set(names) if names.count(n) > 1)}")
    return tuple(conflicts)


@lru_cache(maxsize=2)
def _conflicts_of_file(path: Path, mtime: float) -> tuple[Conflict, ...]:
    return read_conflicts(path)


def current_conflicts(path: Path = CONFLICTS_YAML) -> tuple[Conflict, ...]:
    """The conflicts file, read again when it changes."""
    return _conflicts_of_file(path, path.stat().st_mtime)


def conflict_names(path: Path = CONFLICTS_YAML) -> tuple[str, ...]:
    return tuple(c.name for c in current_conflicts(path))


@dataclass(frozen=True)
class Assignment:
    conflict: str
    reason: str  # the evidence, e.g. "Hamas, Israel, places in Palestine"


def reasons(assignments: Iterable[Assignment]) -> str | None:
    """Assignments as a stored reason: "Gaza: Hamas, Israel; Lebanon: Hezbollah", or None for none."""
    return "; ".join(f"{a.conflict}: {a.reason}" for a in assignments) or None


class ConflictFinder:
    """Which conflicts a set of actors and places points to (see the module's docstring)."""

    def __init__(self, conflicts: Iterable[Conflict], catalog: Catalog):
        self.conflicts = tuple(conflicts)
        self._order = {c.name: i for i, c in enumerate(self.conflicts)}  # the file's, for ties
        self.canonical = catalog.canonical  # places carry GeoNames' country names: "Democratic Republic of the Congo"
        self.states = {a.name for a in catalog.actors.values() if a.type in ("state", "territory")}
        self._names = {form.casefold(): c.name for c in self.conflicts for form in (c.name, *c.aliases)}
        known = {c.name for c in self.conflicts}
        self.of_actor: dict[str, set[str]] = {}
        for actor in catalog.actors.values():
            unknown = set(actor.conflicts) - known
            if unknown:
                raise CatalogError(f"{actor.name}: unknown conflict(s) {', '.join(sorted(unknown))} (not in conflicts.yaml)")
            if actor.conflicts:
                self.of_actor[actor.name] = set(actor.conflicts)
        self.of_country: dict[str, set[str]] = {}
        self.mediates: dict[str, set[str]] = {}  # a party here, a mediator there: evidence shared by both
        for conflict in self.conflicts:
            missing = [n for n in (*conflict.parties, *conflict.mediators, *conflict.countries) if n not in catalog.actors]
            if missing:
                raise CatalogError(f"conflict {conflict.name}: {', '.join(missing)} not in the actor catalog")
            for party in conflict.parties:
                self.of_actor.setdefault(party, set()).add(conflict.name)
            for mediator in conflict.mediators:
                self.mediates.setdefault(mediator, set()).add(conflict.name)
            for country in conflict.countries:
                self.of_country.setdefault(country, set()).add(conflict.name)
        # A person or a unit counts for what it belongs to when it has no conflicts of its own, and
        # as the same evidence as what it belongs to.
        self.root: dict[str, str] = {}
        for actor in catalog.actors.values():
            root = catalog.root(actor.name)
            if root != actor.name and root in self.of_actor:
                self.root[actor.name] = root
                self.of_actor.setdefault(actor.name, self.of_actor[root])

    def conflict_named(self, name: str) -> str | None:
        """The conflict a name or alias means, whatever its case ("sudan", "Israel-Hamas war"); None if none."""
        return self._names.get(" ".join(name.split()).casefold())

    def assign(self, actors: Iterable[str], countries: Iterable[str] = ()) -> list[Assignment]:
        """The conflicts these actors and these countries (of the places named) point to, by name."""
        found: dict[str, set[str]] = {}  # piece of evidence → its conflicts
        named: dict[str, list[str]] = {}  # piece of evidence → the names behind it
        for name in dict.fromkeys(actors):
            if name in self.of_actor:
                key = self.root.get(name, name)
                found.setdefault(key, set()).update(self.of_actor[name])
                named.setdefault(key, []).append(name)
        for country in dict.fromkeys(self.canonical(c) for c in countries):
            if country in self.of_country:  # apart from the state: its places are more said of it
                found.setdefault(f"places in {country}", set()).update(self.of_country[country])
                named.setdefault(f"places in {country}", []).append(f"places in {country}")
        weight: dict[str, int] = {}
        own: dict[str, bool] = {}
        for key, conflicts in found.items():
            single = len(conflicts | self.mediates.get(key, set())) == 1
            strong = single and key not in self.states and not key.startswith("places in ")
            for conflict in conflicts:
                weight[conflict] = weight.get(conflict, 0) + (2 if strong else 1)
                own[conflict] = own.get(conflict, False) or single
        return [Assignment(conflict, ", ".join(n for key, conflicts in found.items() if conflict in conflicts for n in named[key]))
                for conflict in sorted(weight, key=lambda c: (-weight[c], self._order[c]))
                if weight[conflict] >= ENOUGH and own[conflict]]
