"""Place mentions in text, geocoded offline through the gazetteer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ceasefire.analysis.conflicts import Conflict, current_conflicts
from ceasefire.analysis.matcher import Phrase, PhraseMatcher, case_rule
from ceasefire.loaders.gazetteer import Gazetteer, Place

# Countries whose towns news about the talks names, besides those where a conflict of
# conflicts.yaml is fought (see `region`); elsewhere only big cities and capitals count,
# which keeps English words that are also small towns ("Of", "Reading") out.
MIDDLE_EAST = {
    "Israel", "Palestine", "Egypt", "Qatar", "Jordan", "Lebanon", "Syria", "Turkey", "Iran", "Iraq",
    "Saudi Arabia", "United Arab Emirates", "Yemen", "Kuwait", "Bahrain", "Oman",
}
MIN_WORLD_CITY_POPULATION = 1_000_000
# Names of places that are far more often English words or names of something else. The
# capitals among them are listed in tests/test_places.py with the reason.
NOT_PLACES = {
    "of", "side", "van", "batman", "bam", "hope", "ma'an", "most", "mobile", "male", "university",
    "the valley",  # Anguilla's capital: "The valley was shelled"
    # Towns of the conflicts' countries that open sentences as English words ("Along the border")
    "along", "tank", "tame", "weir", "marks", "manga", "mango", "agar", "tartar", "baud", "canning", "chaparral",
    # ... or are names of people, peoples and other things the news names (Vladimir Putin, Jafar
    # Hassan, Ararat Mirzoyan, the Azov brigade, the Moro Islamic Liberation Front, the Andes)
    "vladimir", "anna", "asha", "salem", "hassan", "samar", "tara", "mani", "bela", "patti", "lauri", "kennedy",
    "miranda", "morales", "pizarro", "plato", "pushkin", "gagarin", "chekhov", "kropotkin", "engels", "kirov",
    "dzerzhinsky", "danilov", "adler", "genet", "balboa", "honda", "mach", "wani", "ararat", "villavicencio",
    "calarcá", "moro", "berber", "andes", "azov", "aland",
    # ... or are words written in capitals in headlines and datelines
    "lice", "tire", "erode", "sari", "warder", "debark", "debark’",
}


@dataclass(frozen=True)
class PlaceMention:
    start: int
    end: int
    place: Place


def region(gazetteer: Gazetteer, conflicts: Iterable[Conflict]) -> frozenset[str]:
    """The countries whose towns are mentionable: the Middle East and where each conflict is
    fought, as the gazetteer names them (conflicts.yaml names countries as the catalog does)."""
    names = set(MIDDLE_EAST)
    for conflict in conflicts:
        for country in conflict.countries:
            place = gazetteer.lookup(country)
            names.add(place.country or place.name if place is not None and place.kind == "country" else country)
    return frozenset(names)


def mentionable(place: Place, towns_of: Iterable[str] = MIDDLE_EAST) -> bool:
    """Whether text naming this place is taken to mean it: curated places, countries, capitals,
    big cities, and towns of the countries `towns_of` (named longer than three letters)."""
    return (
        place.curated
        or place.kind == "country"
        or place.capital
        or place.population >= MIN_WORLD_CITY_POPULATION
        or (place.country in towns_of and len(place.name) > 3)
    )


class PlaceExtractor:
    def __init__(self, gazetteer: Gazetteer, conflicts: Iterable[Conflict] | None = None):
        towns_of = region(gazetteer, current_conflicts() if conflicts is None else conflicts)
        self._matcher = PhraseMatcher(
            Phrase(name, place, case_rule(name))
            for name, place in gazetteer.items()
            if mentionable(place, towns_of) and name.casefold() not in NOT_PLACES
        )

    def find(self, text: str, padded: str | None = None) -> list[PlaceMention]:
        mentions = []
        for match in self._matcher.find(text, padded):
            # "US-backed", "Egypt-brokered": an attribute of an actor, not a location.
            if text[match.end : match.end + 1] == "-" and text[match.end + 1 : match.end + 2].isalpha():
                continue
            mentions.append(PlaceMention(match.start, match.end, match.phrase.value))
        return mentions
