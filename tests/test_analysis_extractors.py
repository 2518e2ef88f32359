"""Actors, places, dates, issues, sentences and tone, on the seed and on articles written for the tests."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from samples import SEED
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from ceasefire.analysis.actors import ActorExtractor
from ceasefire.analysis.catalog import ACTOR_TYPES, ACTORS_DIR, CatalogError, read_catalog
from ceasefire.analysis.extract import Extractors, extract_articles
from ceasefire.analysis.text import split_sentences
from ceasefire.analysis.text_dates import find_dates

SEED_TEXT = SEED.read_text(encoding="utf-8").split("\n", 1)[1].strip()
SEED_ACTORS = {
    "Hamas", "Khalil al-Hayya", "Taher al-Nono", "Israel", "Israel's Security Cabinet", "Benjamin Netanyahu",
    "United States", "Egypt", "Palestinian Authority", "Palestine", "Reuters", "Al-Qahera News",
}


@pytest.fixture(scope="module")
def extractors() -> Extractors:
    return Extractors.load()


def frames(extractors, text, published=datetime(2025, 8, 13), precision="day"):
    return extract_articles(extractors, [("a1", text, published, precision)]).frames()


def test_seed_actors_are_exactly_the_expected_ones(extractors):
    mentions = frames(extractors, SEED_TEXT)["actor_mentions"]
    assert set(mentions.actor) == SEED_ACTORS
    by_surface = dict(zip(mentions.surface, zip(mentions.actor, mentions.match_kind)))
    assert by_surface["Israeli"] == ("Israel", "demonym")  # "Israeli soldiers"
    assert by_surface["Egyptian"] == ("Egypt", "demonym")  # "Egyptian mediators"
    assert by_surface["Palestinians"] == ("Palestine", "demonym")  # "Palestinians would be allowed to leave Gaza"
    assert by_surface["Netanyahu"] == ("Benjamin Netanyahu", "surname")
    assert by_surface["US"] == ("United States", "alias")  # "US-backed"
    assert by_surface["PA"] == ("Palestinian Authority", "alias")
    assert by_surface["Security Cabinet"] == ("Israel's Security Cabinet", "alias")
    # Offsets point back at the words in the text.
    for row in mentions.itertuples():
        assert SEED_TEXT[row.char_start:row.char_end] == row.surface


def test_seed_places_dates_and_issues(extractors):
    found = frames(extractors, SEED_TEXT)
    assert set(found["place_mentions"].place) == {"Cairo", "Doha", "Gaza Strip", "Israel", "Egypt"}
    dates = found["date_mentions"]
    assert list(zip(dates.surface, dates.date.astype(str), dates.precision)) == [
        ("Tuesday", "2025-08-12", "day"),  # the Tuesday before Wednesday 13 August
        ("last week", "2025-08-04", "week"),
        ("over two years", "2023-01-01", "year"),
        ("July 2025", "2025-07-01", "month"),
        ("August 2025", "2025-08-01", "month"),
    ]
    issues = set(found["issue_mentions"].issue)
    assert {"ceasefire", "hostages", "aid", "withdrawal", "governance", "violations"} <= issues


def test_relative_dates_are_no_more_precise_than_the_publication_date(extractors):
    dates = frames(extractors, SEED_TEXT, datetime(2025, 8, 1), "month")["date_mentions"]
    assert dates.set_index("surface").loc["Tuesday", "precision"] == "month"
    assert str(dates.set_index("surface").loc["last week", "date"]) == "2025-08-01"


def test_relative_dates_without_a_publication_date_stay_unresolved():
    mentions = find_dates("Talks resumed on Tuesday after the July 2025 collapse.")
    assert [(m.text, m.date, m.precision) for m in mentions] == [
        ("Tuesday", None, None), ("July 2025", datetime(2025, 7, 1), "month")]


def test_no_false_dates():
    text = "We now have 2000 people and a 60-day truce. May we hope? Now is the time; we must act."
    assert find_dates(text, datetime(2025, 8, 13), "day") == []


def test_more_date_expressions():
    text = ("Talks began on 12 August and ended last Tuesday. Two days ago, in March, since 2024, yesterday, "
            "next week, three weeks ago, 31 February 2025, for the past 18 months, 2025-10-06.")
    found = {m.text: (m.date.date().isoformat(), m.precision) for m in find_dates(text, datetime(2025, 8, 13), "day")}
    assert found == {
        "12 August": ("2025-08-12", "day"), "last Tuesday": ("2025-08-12", "day"), "Two days ago": ("2025-08-11", "day"),
        "March": ("2025-03-01", "month"), "2024": ("2024-01-01", "year"), "yesterday": ("2025-08-12", "day"),
        "next week": ("2025-08-18", "week"), "three weeks ago": ("2025-07-21", "week"),
        "for the past 18 months": ("2024-02-01", "month"), "2025-10-06": ("2025-10-06", "day"),
    }


ARTICLE = (
    "Prime Minister Benjamin Netanyahu met Steve Witkoff in Jerusalem. Netanyahu said the U.S. envoy was welcome.\n"
    "Yahya Sinwar was killed in Rafah in October 2024. Later, Sinwar's brother took over.\n"
    "Israel Katz visited the Philadelphi corridor and the Rafah crossing near Khan Younis.\n"
    "Let us be clear: the fire burns. Critics accuse the IDF of delays.\n"
)


def test_written_article_resolves_names_and_avoids_common_words(extractors):
    mentions = frames(extractors, ARTICLE)["actor_mentions"]
    pairs = list(zip(mentions.surface, mentions.actor))
    assert ("Netanyahu", "Benjamin Netanyahu") in pairs
    assert ("U.S.", "United States") in pairs
    assert ("Sinwar", "Yahya Sinwar") in pairs  # the Sinwar named in full earlier, not Mohammed Sinwar
    assert ("Israel Katz", "Israel Katz") in pairs and ("Israel", "Israel") not in pairs  # longest match
    assert ("IDF", "Israel Defense Forces") in pairs
    assert "us" not in set(mentions.surface) and "burns" not in set(mentions.surface)


def test_bare_shared_surname_without_introduction_is_dropped(extractors):
    assert frames(extractors, "Sinwar was seen in Khan Younis.")["actor_mentions"].empty


def test_conflict_places_are_geocoded(extractors):
    places = extract_articles(extractors, [("a1", ARTICLE, None, None)])
    assert {"Jerusalem", "Rafah", "Philadelphi corridor", "Rafah crossing", "Khan Younis"} <= set(places.places)
    assert places.places["Philadelphi corridor"].kind == "corridor"
    assert places.places["Khan Younis"].country == "Palestine"


def test_ambiguous_and_attributive_place_names(extractors):
    found = extract_articles(extractors, [("a1", "Talks in Cairo stalled. A US-backed plan. Reading the text, Of course.", None, None)])
    assert found.places["Cairo"].country == "Egypt"  # not Cairo, Georgia
    assert set(found.places) == {"Cairo"}  # not "US" in "US-backed", not Reading (UK) or Of (Turkey)


def test_issue_terms_match_whole_words_and_stems(extractors):
    issues = frames(extractors, "Hostages were freed. Aides met. The aid arrived. Troops withdrew from the buffer zone.")["issue_mentions"]
    assert list(zip(issues.term, issues.issue)) == [
        ("hostage", "hostages"), ("aid", "aid"), ("troop", "withdrawal"), ("withdrew", "withdrawal"), ("buffer zone", "withdrawal")]


def test_sentences_respect_abbreviations_and_lines():
    text = "The U.S. envoy met Mr. Netanyahu. Talks ended.\nHeading without a period\nA. Smith spoke."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "The U.S. envoy met Mr. Netanyahu.", "Talks ended.", "Heading without a period", "A. Smith spoke."]


def test_tone_agrees_with_full_vader_on_the_seed(extractors):
    spans = split_sentences(SEED_TEXT)
    fast = extractors.tone.sentence_tones(SEED_TEXT, spans)
    vader = SentimentIntensityAnalyzer()
    full = [vader.polarity_scores(SEED_TEXT[s:e])["compound"] for s, e in spans]

    def sign(x: float) -> int:
        return 0 if abs(x) < 0.05 else (1 if x > 0 else -1)

    agreement = sum(sign(a) == sign(b) for a, b in zip(fast, full)) / len(spans)
    assert agreement >= 0.9, agreement
    tones = extractors.tone.sentence_tones("The deal is good. It is not good at all.", [(0, 17), (18, 40)])
    assert tones[0] > 0.3 and tones[1] < -0.3


def test_a_sentence_scored_alone_has_its_tone_in_the_article(extractors):
    # The dashboard scores only the sentences it shows (queries.actor_sentences).
    text = SEED_TEXT + "\nNot good. Talks did not fail, no. Hardly a win!"
    spans = split_sentences(text)
    alone = [extractors.tone.sentence_tones(text[s:e], [(0, e - s)])[0] for s, e in spans]
    in_article = extractors.tone.sentence_tones(text, spans)
    assert alone == in_article and sum(tone != 0 for tone in alone) > 10


def write_catalog(tmp_path: Path, extra: list[dict]) -> Path:
    """The built-in catalog folder with one more file of `extra` actors."""
    path = shutil.copytree(ACTORS_DIR, tmp_path / "actors")
    (path / "extra.yaml").write_text(yaml.safe_dump(extra, allow_unicode=True), encoding="utf-8")
    return path


def test_users_add_actors_without_code(tmp_path):
    text = "Envoy Jane Dorian of the Example Council met Hamas. Dorian said talks go on."
    before = ActorExtractor(read_catalog()).find(text)
    path = write_catalog(tmp_path, [{"name": "Example Council", "type": "mediator/IGO"},
                                    {"name": "Jane Dorian", "type": "person", "affiliation": "Example Council"}])
    after = ActorExtractor(read_catalog(path)).find(text)
    assert [m.actor for m in before] == ["Hamas"]
    assert [m.actor for m in after] == ["Jane Dorian", "Example Council", "Hamas", "Jane Dorian"]


@pytest.mark.parametrize(("extra", "message"), [
    ([{"name": "Hamas 2", "type": "armed group", "aliases": ["Islamic Resistance Movement"]}], "claimed by both 'Hamas' and 'Hamas 2'"),
    ([{"name": "X", "type": "person", "affiliation": "Nowhere"}], "X: affiliation 'Nowhere' is not an actor"),
    ([{"name": "Y", "type": "wizard"}], "extra.yaml: actor #1 (Y): type: Input should be"),
])
def test_catalog_mistakes_are_explained(tmp_path, extra, message):
    with pytest.raises(CatalogError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_catalog(write_catalog(tmp_path, extra))


def test_catalog_has_the_actors_of_the_negotiations():
    catalog = read_catalog()
    assert len(catalog.actors) >= 150
    assert catalog.actors["Benjamin Netanyahu"].affiliation == "Israel"
    assert catalog.actors["Khalil al-Hayya"].affiliation == "Hamas"
    types = {a.type for a in catalog.actors.values()}
    assert types == set(ACTOR_TYPES)
    assert catalog.canonical("U.S.") == "United States" and catalog.canonical("Unknown Group") == "Unknown Group"


def test_the_issue_tagger_follows_its_file(tmp_path, monkeypatch):
    from ceasefire.analysis import issues

    path = tmp_path / "issues.yaml"
    path.write_text("- key: aid\n  label: Aid\n  terms: [aid]\n", encoding="utf-8")
    monkeypatch.setattr(issues, "ISSUES_YAML", path)
    assert issues.default_issue_tagger().labels == {"aid": "Aid"}
    path.write_text("- key: aid\n  label: Humanitarian aid\n  terms: [aid, convoy*]\n", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)  # a later edit, whatever the clock's resolution
    tagger = issues.default_issue_tagger()
    assert tagger.labels == {"aid": "Humanitarian aid"}
    assert [(m.issue, m.term) for m in tagger.find("Convoys carried aid.")] == [("aid", "convoy"), ("aid", "aid")]


def test_dates_in_text_stay_in_the_plausible_range_even_from_a_publication_date_in_year_1():
    # A store loaded before dates were range-checked may hold year 1 (issue 15).
    text = "Talks resumed on Tuesday, three days ago, after last week's meeting. A vote is set for 3 March 2099."
    for published in (datetime(1, 1, 1), datetime(9999, 12, 31), datetime(2025, 8, 13)):
        mentions = find_dates(text, published, "day")
        assert all(datetime(1900, 1, 1) <= m.date <= datetime(2100, 1, 1) for m in mentions if m.date), mentions
        assert "3 March 2099" not in [m.text for m in mentions]


def test_the_gazetteer_follows_edits_of_the_curated_places(tmp_path):
    import os

    from ceasefire.loaders.gazetteer import PLACES_CSV, load_gazetteer

    curated = tmp_path / "places.csv"
    curated.write_text(PLACES_CSV.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_gazetteer(curated).lookup("Zorgon Crossing") is None
    header = curated.read_text(encoding="utf-8").splitlines()[0].split(",")
    row = {"name": "Zorgon Crossing", "kind": "crossing", "country": "Palestine", "latitude": "31.2", "longitude": "34.2"}
    with curated.open("a", encoding="utf-8") as handle:
        handle.write(",".join(row.get(column, "") for column in header) + "\n")
    os.utime(curated, (curated.stat().st_atime, curated.stat().st_mtime + 5))
    assert load_gazetteer(curated).lookup("Zorgon Crossing").name == "Zorgon Crossing"


@pytest.mark.parametrize(("text", "actors"), [
    # an office named as its holder's title is the holder; named alone it is the office
    ("The Spokesman for UN Secretary-General António Guterres issued a statement.", ["António Guterres"]),
    ("The Personal Envoy of the Secretary-General for Sudan, Ramtane Lamamra, spoke.", ["Ramtane Lamamra"]),
    ("The UN Secretary-General said so.", ["Office of the UN Secretary-General"]),
    ("The Israel Defense Forces, Benjamin Netanyahu said, will withdraw.", ["Israel Defense Forces", "Benjamin Netanyahu"]),
    ("The Security Council, Guterres said, must act.", ["UN Security Council", "António Guterres"]),
    # a state's government is the state
    ("The Government of Colombia and the ELN met.", ["Colombia", "National Liberation Army"]),
    ("The Colombian Government spoke.", ["Colombia"]),
    # a full stop inside a name
    ("Mr. Geir O. Pedersen spoke.", ["Geir Pedersen"]),
    ("Palestinians and Israelis", ["Palestine", "Israel"]),
])
def test_what_a_name_in_the_text_counts_as(extractors, text, actors):
    assert frames(extractors, text)["actor_mentions"].actor.tolist() == actors
