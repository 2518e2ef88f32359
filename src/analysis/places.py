"""Place mentions in text, geocoded offline through the gazetteer."""

from __future__ import annotations

from dataclasses import dataclass

from ceasefire.analysis.matcher import Phrase, PhraseMatcher, case_rule
from ceasefire.loaders.gazetteer import Gazetteer, Place

# Countries whose towns news about the talks names; elsewhere only big cities count,
# which keeps English words that are also small towns ("Of", "Reading") out.
REGION = {
    "Israel", "Palestine", "Egypt", "Qatar", "Jordan", "Lebanon", "Syria", "Turkey", "Iran", "Iraq",
    "Saudi Arabia", "United Arab Emirates", "Yemen", "Kuwait", "Bahrain", "Oman",
}
MIN_WORLD_CITY_POPULATION = 1_000_000
NOT_PLACES = {"of", "side", "van", "batman", "bam", "hope", "ma'an", "most", "mobile", "male", "university"}


@dataclass(frozen=True)
class PlaceMention:
    start: int
    end: int
    place: Place


def mentionable(place: Place) -> bool:
    return (
        place.curated
        or place.kind == "country"
        or place.population >= MIN_WORLD_CITY_POPULATION
        or (place.country in REGION and len(place.name) > 3)
    )


class PlaceExtractor:
    def __init__(self, gazetteer: Gazetteer):
        self._matcher = PhraseMatcher(
            Phrase(name, place, case_rule(name))
            for name, place in gazetteer.items()
            if mentionable(place) and name.casefold() not in NOT_PLACES
        )

    def find(self, text: str, padded: str | None = None) -> list[PlaceMention]:
        mentions = []
        for match in self._matcher.find(text, padded):
            # "US-backed", "Egypt-brokered": an attribute of an actor, not a location.
            if text[match.end : match.end + 1] == "-" and text[match.end + 1 : match.end + 2].isalpha():
                continue
            mentions.append(PlaceMention(match.start, match.end, match.phrase.value))
        return mentions
