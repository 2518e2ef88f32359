"""The actor catalog: canonical names, types, affiliations and aliases, read from YAML."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ceasefire.config import ACTORS_YAML
from ceasefire.loaders.schema import describe_validation_error

ActorType = Literal["state", "person", "armed group", "government body", "mediator/IGO", "media", "other"]
ACTOR_TYPES: tuple[str, ...] = ActorType.__args__  # type: ignore[attr-defined]


class Actor(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1)
    type: ActorType
    affiliation: str | None = None
    aliases: list[str] = []
    demonyms: list[str] = []
    surnames: list[str] = []
    wikidata: str | None = Field(default=None, pattern=r"^Q\d+$")

    @property
    def last_name(self) -> str | None:
        """The family name a person is called by once introduced ("Netanyahu", "al-Hayya")."""
        if self.type != "person" or " " not in self.name:
            return None
        last = self.name.split()[-1]
        return last if len(last) >= 4 else None


class CatalogError(ValueError):
    pass


class Catalog:
    def __init__(self, actors: Iterable[Actor]):
        self.actors = {actor.name: actor for actor in actors}
        self._check()

    def _check(self) -> None:
        claimed: dict[str, str] = {}
        for actor in self.actors.values():
            if actor.affiliation and actor.affiliation not in self.actors:
                raise CatalogError(f"{actor.name}: affiliation {actor.affiliation!r} is not an actor in the catalog")
            for form in {actor.name, *actor.aliases, *actor.demonyms, *actor.surnames}:
                owner = claimed.setdefault(form.casefold(), actor.name)
                if owner != actor.name:
                    raise CatalogError(f"{form!r} is claimed by both {owner!r} and {actor.name!r}")

    def canonical(self, name: str) -> str:
        """The catalog name for a name, alias or demonym ("US" -> "United States"); unknown names unchanged."""
        if not hasattr(self, "_lookup"):
            self._lookup = {
                form.casefold(): actor.name
                for actor in self.actors.values()
                for form in (actor.name, *actor.aliases, *actor.demonyms, *actor.surnames)
            }
        return self._lookup.get(name.strip().casefold(), name.strip())

    @property
    def version(self) -> str:
        """Changes whenever the catalog does, so stale extractions can be told apart."""
        dump = "\n".join(a.model_dump_json() for a in sorted(self.actors.values(), key=lambda a: a.name))
        return hashlib.sha256(dump.encode()).hexdigest()[:12]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {"name": a.name, "type": a.type, "affiliation": a.affiliation, "aliases": a.aliases,
                 "demonyms": a.demonyms, "wikidata": a.wikidata}
                for a in self.actors.values()
            ]
        )


def write_catalog(catalog: Catalog, path: Path = ACTORS_YAML) -> None:
    """Write the catalog back as YAML, one line per actor, grouped by type, keeping the file's header comment."""
    header = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("- ") or (header and line.startswith("# ---")):
                break
            header.append(line)
    lines = [*header]
    for kind in ACTOR_TYPES:
        actors = sorted((a for a in catalog.actors.values() if a.type == kind), key=lambda a: a.name.casefold())
        if actors:
            lines += [f"# {'-' * 64} {kind}"]
            lines += ["- " + yaml.safe_dump(a.model_dump(exclude_defaults=True), default_flow_style=True, width=100_000,
                                            allow_unicode=True, sort_keys=False).strip() for a in actors]
            lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def read_catalog(path: Path = ACTORS_YAML) -> Catalog:
    """Parse and validate the YAML catalog; errors name the entry and the problem."""
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as error:
        raise CatalogError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(entries, list):
        raise CatalogError(f"{path}: expected a list of actors")
    actors = []
    for number, entry in enumerate(entries, start=1):
        try:
            actors.append(Actor.model_validate(entry))
        except ValidationError as error:
            name = entry.get("name", "?") if isinstance(entry, dict) else "?"
            raise CatalogError(f"{path}: actor #{number} ({name}): {describe_validation_error(error)}") from None
    return Catalog(actors)


@lru_cache(maxsize=4)
def load_catalog(path: Path = ACTORS_YAML, mtime: float | None = None) -> Catalog:
    """Cached by path and modification time: editing the file gives a fresh catalog."""
    return read_catalog(path)


def current_catalog(path: Path = ACTORS_YAML) -> Catalog:
    return load_catalog(path, path.stat().st_mtime)
