"""Places that can be venues of talks: capitals whatever their population, talk sites, the towns of
the conflicts' countries; and the names kept out because they mean something else."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ceasefire.analysis.conflicts import Conflict
from ceasefire.analysis.extract import Extractors, extract_articles
from ceasefire.analysis.places import MIDDLE_EAST, PlaceExtractor, mentionable, region
from ceasefire.analysis.rounds import Candidate
from ceasefire.loaders.gazetteer import Place, find_capital, load_gazetteer, read_geonames

# The capitals of GeoNames' country file that text naming them does not give, and why.
DROPPED_CAPITALS = {
    ("Male", "Maldives"): "an English word (NOT_PLACES)",
    ("The Valley", "Anguilla"): "'The valley' opening a sentence (NOT_PLACES)",
    ("Victoria", "Seychelles"): "the name means the larger Victoria in Hong Kong (and a given name, a state, a lake)",
    ("Hamilton", "Bermuda"): "the name means the larger Hamilton in Canada (and a surname)",
    ("Stanley", "Falkland Islands"): "the name means the larger Stanley in England (and a given name, Morgan Stanley)",
    ("Douglas", "Isle of Man"): "the name means the larger Douglas in Ireland (and a given name)",
    ("George Town", "Cayman Islands"): "the name means the larger George Town in Malaysia",
    ("Plymouth", "Montserrat"): "the name means Plymouth in England (Montserrat's is abandoned)",
    ("Kingston", "Norfolk Island"): "the name means Kingston in Jamaica, also a capital",
    ("Saint-Pierre", "Saint Pierre and Miquelon"): "the name means the larger Saint-Pierre in Réunion",
    ("Jamestown", "Saint Helena"): "the name means the larger Jamestown in the United States",
}


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


@pytest.fixture(scope="module")
def places(gazetteer):
    return PlaceExtractor(gazetteer)


@pytest.fixture(scope="module")
def extractors():
    return Extractors.load()


def _found(places: PlaceExtractor, text: str) -> list[tuple[str, str, str | None]]:
    return [(text[m.start:m.end], m.place.name, m.place.country) for m in places.find(text)]


@pytest.mark.parametrize(("text", "named", "place"), [
    ("Talks resumed in Putrajaya.", "Putrajaya", "Putrajaya"),
    ("Talks resumed in Lusaka.", "Lusaka", "Lusaka"),
    ("Talks resumed in Luanda.", "Luanda", "Luanda"),
    ("Leaders met at Camp David.", "Camp David", "Camp David"),
    ("Leaders met at the White House.", "White House", "Washington, D.C."),
    ("Envoys were received in the Kremlin.", "Kremlin", "Moscow"),
    ("A summit at the Élysée Palace.", "Élysée Palace", "Paris"),
    ("Delegations met at Dolmabahce Palace.", "Dolmabahce Palace", "Istanbul"),
    ("The summit at the Bürgenstock closed.", "Bürgenstock", "Bürgenstock"),
    ("The summit at the Buergenstock closed.", "Buergenstock", "Bürgenstock"),
    ("Talks were held in Chișinău.", "Chișinău", "Chisinau"),
    ("Talks were held in Alma-Ata.", "Alma-Ata", "Almaty"),
    ("Talks were held in Lome.", "Lome", "Lomé"),  # the country file's spelling of a capital
    ("Talks were held in Nur-Sultan.", "Nur-Sultan", "Astana"),  # and its name of the time
    ("Talks were held in Naypyidaw.", "Naypyidaw", "Naypyidaw"),
    ("Talks were held in Nay Pyi Taw.", "Nay Pyi Taw", "Naypyidaw"),
    ("Talks were held at Lancaster House.", "Lancaster House", "Lancaster House"),
    ("Talks were held at Mar-a-Lago.", "Mar-a-Lago", "Mar-a-Lago"),
])
def test_capitals_and_talk_sites_are_places(places, text, named, place):
    assert [(words, name) for words, name, _ in _found(places, text)] == [(named, place)]


def test_sites_that_name_a_government_are_their_city(places):
    assert _found(places, "Envoys met at the White House and in the Kremlin.") == [
        ("White House", "Washington, D.C.", "United States"), ("Kremlin", "Moscow", "Russia")]


def test_talks_at_the_white_house_are_a_round_in_washington(extractors):
    text = "Talks were held at the White House on Monday."
    extraction = extract_articles(extractors, [("a1", text, datetime(2025, 8, 13), "day")])
    found = [Candidate.from_row(row) for row in extraction.rows["round_candidates"]]
    assert [(c.venue, c.country, c.date) for c in found] == [("Washington, D.C.", "United States", date(2025, 8, 11))]


@pytest.mark.parametrize("capital", ["Lusaka", "Luanda", "Juba", "Tbilisi", "Yerevan", "Baku", "Gaborone", "Dili", "Vaduz",
                                     "Palikir"])
def test_capitals_are_mentionable_whatever_their_population_and_country(gazetteer, capital):
    place = gazetteer.lookup(capital)
    assert place.capital and not place.curated
    assert mentionable(place, towns_of=())


@pytest.mark.parametrize("capital", ["Gaborone", "Dili", "Vaduz", "Palikir"])
def test_a_small_capital_is_mentionable_only_as_a_capital(gazetteer, capital):
    place = gazetteer.lookup(capital)
    assert place.population < 1_000_000 and place.country not in MIDDLE_EAST
    assert not mentionable(Place(place.name, "city", place.country, 0.0, 0.0, place.population))


def test_a_capital_is_found_by_the_country_files_spelling_or_its_former_name():
    cities = [{"name": "Bogotá", "alternatenames": ["Bogota", "Santafe de Bogota"], "population": 7_674_366},
              {"name": "Soacha", "alternatenames": [], "population": 500_000}]
    assert find_capital("Bogota", cities)["name"] == "Bogotá"
    assert find_capital(" Bogotá", cities)["name"] == "Bogotá"
    assert find_capital("", cities) is None and find_capital("Medellín", cities) is None


def test_countries_whose_capital_is_spelled_otherwise_are_places(gazetteer):
    # Their capitals are written "Bogota", "Brasilia", "Lome" in the country file: a lookup by the
    # city's own name missed them, and "Colombia" was a village in Cuba.
    for country in ("Colombia", "Brazil", "Togo", "Kazakhstan", "Iceland", "Paraguay"):
        assert gazetteer.lookup(country).kind == "country", country
    assert gazetteer.lookup("Seychelles").longitude == pytest.approx(55.45, abs=0.1)  # at Victoria, Seychelles


def test_the_capitals_dropped_are_listed_with_why(places):
    dropped = set()
    for place, _ in read_geonames():
        if place.capital:
            hits = [m for m in places.find(place.name)
                    if (m.start, m.end) == (0, len(place.name)) and m.place.country == place.country]
            if not hits:
                dropped.add((place.name, place.country))
    assert dropped == set(DROPPED_CAPITALS)


def test_towns_of_the_conflicts_countries_are_mentionable_by_the_gazetteers_name_of_the_country(gazetteer):
    conflicts = [Conflict(name="M23", countries=["DR Congo"]), Conflict(name="Sahel", countries=["Mali"])]
    towns_of = region(gazetteer, conflicts)
    assert {"DR Congo", "Mali", "Israel", "Oman"} <= towns_of and "Kenya" not in towns_of
    goma = gazetteer.lookup("Goma")
    assert goma.country == "DR Congo" and goma.population < 1_000_000
    assert mentionable(goma, towns_of) and not mentionable(goma)
    assert _found(PlaceExtractor(gazetteer, conflicts), "The M23 holds Goma.")[0][1] == "Goma"
    assert _found(PlaceExtractor(gazetteer, []), "The M23 holds Goma.") == []


def test_town_names_that_are_words_or_names_of_people_stay_out(places):
    # Towns in Russia, India, Colombia, Armenia..., countries of the conflicts, that open a
    # sentence or name a person the news names.
    text = ("Along the border, Tank fire was heard. Vladimir Putin spoke to Ararat Mirzoyan and Jafar Hassan. "
            "Kennedy and Morales arrived. The valley was quiet.")
    assert _found(places, text) == []
