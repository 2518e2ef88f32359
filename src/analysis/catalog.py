"""The actor catalog: canonical names, types, affiliations and aliases, read from YAML."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ceasefire.config import ACTORS_DIR, user_actors_path
from ceasefire.loaders.datasets import GOVERNMENT_OF
from ceasefire.loaders.schema import describe_validation_error

ActorType = Literal["state", "territory", "person", "armed group", "government body", "mediator/IGO", "humanitarian",
                    "media", "other"]
ACTOR_TYPES: tuple[str, ...] = ActorType.__args__  # type: ignore[attr-defined]


class Role(BaseModel):
    """An office a person holds, with years: a foreign minister replaced keeps the years they served."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    title: str = Field(min_length=1)
    of: str | None = None  # the state or organisation
    start: int | None = Field(default=None, ge=1900, le=2100)
    end: int | None = Field(default=None, ge=1900, le=2100)  # none while in office


class Actor(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1)
    type: ActorType
    affiliation: str | None = None
    aliases: list[str] = []
    demonyms: list[str] = []
    surnames: list[str] = []
    wikidata: str | None = Field(default=None, pattern=r"^Q\d+$")
    iso2: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    iso3: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    conflicts: list[str] = []  # the conflicts (data/conflicts.yaml) it is a party to
    roles: list[Role] = []

    @property
    def last_name(self) -> str | None:
        """The family name a person is called by once introduced ("Netanyahu", "al-Hayya")."""
        if self.type != "person" or " " not in self.name:
            return None
        last = self.name.split()[-1]
        return last if len(last) >= 4 else None


# How event datasets name actors: ACLED dates a state's forces by government ("Military Forces of
# Israel (2022-)"), UCDP names a state's side "Government of Sudan".
_PERIOD = re.compile(r"\s*\(\d{4}-(?:\d{4})?\)\s*$")
_FORCES_OF = re.compile(r"^(Military|Police) Forces of (?:the )?(.+)$")


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
                    first, second = sorted((owner, actor.name))
                    raise CatalogError(f"{form!r} is claimed by both {first!r} and {second!r}")

    def root(self, name: str, until: Collection[str] = ()) -> str:
        """The actor at the top of the affiliation chain (Khalil al-Hayya -> Hamas), or the first on
        the way up that is one of `until`."""
        seen = set()
        actor = self.actors.get(name)
        while actor and actor.name not in until and actor.affiliation and actor.name not in seen:
            seen.add(actor.name)
            actor = self.actors.get(actor.affiliation)
        return actor.name if actor else name

    def __len__(self) -> int:
        return len(self.actors)

    def dataset_actor(self, name: str) -> str:
        """The catalog name for an actor as an event dataset names it: ACLED's "Military Forces of
        Israel (2022-)" is the Israel Defense Forces (the force the catalog calls the Israeli
        military), UCDP's "Government of Sudan" is Sudan; unknown names unchanged."""
        bare = _PERIOD.sub("", name).strip()
        for form in dict.fromkeys((name, bare)):
            if (known := self.canonical(form)) in self.actors:
                return known
        if (government := GOVERNMENT_OF.match(bare)) and (state := self.canonical(government.group(1))) in self.actors:
            return state
        if (forces := _FORCES_OF.match(bare)) and (state := self.canonical(forces.group(2))) in self.actors:
            words = ("police",) if forces.group(1) == "Police" else ("military", "army", "armed forces")
            for demonym in self.actors[state].demonyms[:1]:
                for word in words:
                    if (force := self.canonical(f"{demonym} {word}")) in self.actors:
                        return force
            return state
        return name.strip()

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
                 "demonyms": a.demonyms, "wikidata": a.wikidata, "conflicts": a.conflicts}
                for a in self.actors.values()
            ]
        )


def _files(path: Path) -> list[Path]:
    """The catalog's files: `path` itself, or every *.yaml in a folder, in name order."""
    return sorted(path.glob("*.yaml")) if path.is_dir() else [path]


def catalog_mtime(path: Path) -> float:
    """The newest modification time of the catalog's files (a folder's own changes only on renames)."""
    return max((file.stat().st_mtime for file in _files(path)), default=0.0)


def yaml_list(path: Path, what: str = "actors") -> list:
    """The entries of a YAML file that holds a list (of actors, of conflicts); CatalogError if not."""
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as error:
        raise CatalogError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(entries, list):
        raise CatalogError(f"{path}: expected a list of {what}")
    return entries


def _actor(path: Path, number: int, entry: object) -> Actor:
    try:
        return Actor.model_validate(entry)
    except ValidationError as error:
        name = entry.get("name", "?") if isinstance(entry, dict) else "?"
        raise CatalogError(f"{path}: actor #{number} ({name}): {describe_validation_error(error)}") from None


def read_catalog(path: Path = ACTORS_DIR, overlay: Path | None = None) -> Catalog:
    """Parse and validate the YAML catalog (a file, or a folder of them); errors name the file, the
    entry and the problem. An `overlay` file
    (the user's own actors) is layered over it: an entry replaces the actor of the same name or adds
    one, and `{name: X, removed: true}` takes actor X out."""
    actors: dict[str, Actor] = {}
    for file in _files(path):
        for number, entry in enumerate(yaml_list(file), start=1):
            actor = _actor(file, number, entry)
            if actor.name in actors:
                raise CatalogError(f"{file}: actor #{number} ({actor.name}): already in the catalog")
            actors[actor.name] = actor
    if overlay is not None and overlay.exists():
        for number, entry in enumerate(yaml_list(overlay), start=1):
            if isinstance(entry, dict) and entry.get("removed") is True:
                actors.pop(str(entry.get("name", "")).strip(), None)
            else:
                actor = _actor(overlay, number, entry)
                actors[actor.name] = actor
    return Catalog(actors.values())


def write_overlay(catalog: Catalog, builtin: Path = ACTORS_DIR, path: Path | None = None) -> Path:
    """Write what `catalog` changes in the built-in one to the user's file (by default
    `config.user_actors_path()`): changed and new actors, and a removal mark for each one taken out.
    The built-in file is never written, so an upgrade brings its corrections and keeps the user's."""
    path = path or user_actors_path()
    base = read_catalog(builtin).actors
    changed = [a for name, a in catalog.actors.items() if base.get(name) != a]
    removed = sorted(set(base) - set(catalog.actors))
    lines = ["# Your additions to the built-in actor catalog, layered over it (see docs/analysis.md)."]
    lines += ["- " + yaml.safe_dump(a.model_dump(exclude_defaults=True), default_flow_style=True, width=100_000,
                                    allow_unicode=True, sort_keys=False).strip()
              for a in sorted(changed, key=lambda a: a.name.casefold())]
    lines += ["- " + yaml.safe_dump({"name": name, "removed": True}, default_flow_style=True).strip() for name in removed]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@lru_cache(maxsize=4)
def _load_catalog(path: Path, overlay: Path, mtimes: tuple[float, float]) -> Catalog:
    return read_catalog(path, overlay)


def current_catalog(path: Path = ACTORS_DIR) -> Catalog:
    """The catalog with the user's actors layered over it, read again when either file changes."""
    overlay = user_actors_path()
    return _load_catalog(path, overlay, (catalog_mtime(path), overlay.stat().st_mtime if overlay.exists() else 0.0))
