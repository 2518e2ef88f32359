"""Every ceasefire: the world catalog, conflicts as a dimension, roles and venues read from the text,
the most decisive outcome and dates about the future (issue 17)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from importlib import resources

import pandas as pd
import pycountry
import pytest

from ceasefire.analysis.catalog import read_catalog
from ceasefire.analysis.conflicts import ConflictFinder, read_conflicts
from ceasefire.analysis.extract import Extractors, extract_articles
from ceasefire.analysis.rounds import Candidate
from ceasefire.config import REPO_ROOT
from ceasefire.ingest import ingest, reextract
from ceasefire.loaders.files import load_uploads
from ceasefire.store.db import Store


@pytest.fixture(scope="module")
def extractors() -> Extractors:
    return Extractors.load()


def rounds_in(extractors: Extractors, text: str, published: date = date(2025, 5, 16)) -> dict[str, Candidate]:
    """The round candidates extraction finds in one article body, by venue, with their evidence."""
    extraction = extract_articles(extractors, [("a", text, datetime.combine(published, datetime.min.time()), "day")])
    found = {row[1]: Candidate.from_row(row) for row in extraction.rows["round_candidates"]}
    for _, venue, name, value, sentence in extraction.rows["round_evidence"]:
        found[venue].evidence.append((name, value, sentence))
    return found


def conflicts_of(extractors: Extractors, text: str) -> dict[str, str]:
    extraction = extract_articles(extractors, [("a", text, datetime(2025, 5, 16), "day")])
    return {conflict: reason for _, conflict, reason in extraction.rows["conflict_evidence"]}


# ---------------------------------------------------------------- the world catalog


def test_every_un_member_and_observer_is_in_the_catalog_with_its_codes():
    catalog = read_catalog()
    # country_converter's own table (its converter object does not load under pandas 3).
    table = pd.read_csv(resources.files("country_converter").joinpath("country_data.tsv"), sep="\t")
    members = table[table.UNmember.notna()]
    by_iso3 = {a.iso3: a for a in catalog.actors.values() if a.iso3}
    missing = sorted(set(members.ISO3) - set(by_iso3))
    assert len(members) == 193 and missing == []
    for iso3 in members.ISO3:
        actor = by_iso3[iso3]
        assert actor.type == "state" and actor.iso2 == pycountry.countries.get(alpha_3=iso3).alpha_2, iso3
        assert actor.wikidata, f"{actor.name} has no Wikidata id"
    assert {"PSE", "VAT"} <= set(by_iso3)  # the observer states
    assert {"Kosovo", "Taiwan", "Western Sahara"} <= {a.name for a in catalog.actors.values() if a.type == "territory"}


def test_the_states_file_is_what_its_generator_makes():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "build_states.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_the_catalog_is_a_world_catalog_with_roles_over_time():
    catalog = read_catalog()
    assert len(catalog) >= 1500
    for name in ("Ukraine", "Vladimir Putin", "Armenia", "Azerbaijan", "DR Congo", "Rwanda", "African Union",
                 "ASEAN", "Thailand", "Cambodia", "Malaysia", "India", "Sudanese Armed Forces", "Rapid Support Forces"):
        assert catalog.canonical(name) in catalog.actors, name
    kuleba = catalog.actors["Dmytro Kuleba"]
    assert [(r.title, r.of, r.start, r.end) for r in kuleba.roles] == [("Foreign Minister", "Ukraine", 2020, 2024)]
    for actor in catalog.actors.values():
        for role in actor.roles:
            assert role.start is None or role.end is None or role.start <= role.end, actor.name


def test_the_conflicts_file_names_actors_of_the_catalog():
    catalog = read_catalog()
    conflicts = read_conflicts()
    finder = ConflictFinder(conflicts, catalog)  # raises on a party, mediator or country the catalog lacks
    names = [c.name for c in finder.conflicts]
    assert {"Gaza", "Russia-Ukraine", "Sudan", "DR Congo-M23", "Yemen", "Armenia-Azerbaijan", "India-Pakistan",
            "Thailand-Cambodia", "Myanmar", "Colombia", "Israel-Lebanon", "Libya", "Sahel"} <= set(names)
    assert all(c.parties and c.countries for c in conflicts)


# ---------------------------------------------------------------- conflicts assigned with their reason


def test_articles_are_assigned_to_conflicts_by_their_actors_and_places(extractors):
    found = conflicts_of(extractors, "The Rapid Support Forces shelled El Fasher as the army held Port Sudan.")
    assert list(found) == ["Sudan"] and "Rapid Support Forces" in found["Sudan"]
    assert list(conflicts_of(extractors, "Israeli and Hamas negotiators met in Doha.")) == ["Gaza"]
    # Names shared by several conflicts make none on their own: Israel is in three, Qatar mediates.
    assert conflicts_of(extractors, "Israel thanked Qatar.") == {}
    # A state that is a party here and a mediator there is no evidence alone (Saudi Arabia: Yemen; Sudan's talks).
    assert conflicts_of(extractors, "Saudi Arabia hosted the talks in Jeddah.") == {}
    both = conflicts_of(extractors, "Ukraine and Russia swapped prisoners while the Rapid Support Forces attacked El Fasher.")
    assert set(both) == {"Russia-Ukraine", "Sudan"}
    # A state named once is not enough: India in a statement on Istanbul is not India-Pakistan.
    assert list(conflicts_of(extractors, "India welcomed the talks between Russia and Ukraine in Istanbul.")) == ["Russia-Ukraine"]
    assert conflicts_of(extractors, "Colombia and Brazil voted for the resolution.") == {}


def test_records_take_the_files_conflict_or_their_parties_and_an_unknown_one_is_rejected(tmp_path):
    rows = io.StringIO()
    csv.writer(rows).writerows([
        ["start_date", "venue", "parties", "mediators", "conflict"],
        ["2025-05-16", "Istanbul", "Russia; Ukraine", "Turkey", ""],
        ["2023-05-11", "Jeddah", "Sudanese Armed Forces; Rapid Support Forces", "Saudi Arabia; United States", "Sudan"],
        ["2024-01-01", "Doha", "Hamas; Israel", "Qatar", "Narnia"],
        ["2024-01-02", "Doha", "Hamas; Israel", "Qatar", "israel-hamas war"],  # an alias, in any case
        ["2024-01-02", "Doha", "Hamas; Israel", "Qatar", "israel-hamas war"],  # and repeated
    ])
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest(store, load_uploads([("talks.csv", rows.getvalue().encode())]))
        stored = store.con.execute("SELECT venue_city, conflicts, conflict_reason FROM records ORDER BY venue_city").fetchall()
        assert stored == [("Doha", ["Gaza"], "named in the file"),
                          ("Istanbul", ["Russia-Ukraine"], "Russia-Ukraine: Russia, Ukraine"),
                          ("Jeddah", ["Sudan"], "named in the file")]
        assert [(r.file, r.row) for r in report.rejections] == [("talks.csv", 4)]
        assert "conflict 'Narnia' is not in data/conflicts.yaml (by name or alias); choose from:" in report.rejections[0].reason
        assert (report.records_added, report.records_duplicate) == (3, 1)  # the rejected row is no repeat
        reextract(store)  # worked out again from the parties; the file's own stays
        assert store.con.execute("SELECT conflicts FROM records ORDER BY venue_city").fetchall() == [
            (["Gaza"],), (["Russia-Ukraine"],), (["Sudan"],)]


# ---------------------------------------------------------------- roles read from the text


@pytest.mark.parametrize(("text", "parties", "mediators"), [
    ("Russian and Ukrainian delegations met in Istanbul on Friday, in talks hosted by Turkey.",
     ["Russia", "Ukraine"], ["Turkey"]),
    ("Turkish and Egyptian mediators met Hamas negotiators in Cairo on Friday.", ["Hamas"], ["Egypt", "Turkey"]),
    ("Talks between the United States and Russia were held in Riyadh on Friday.", ["Russia", "United States"], []),
    ("Armenia and Azerbaijan signed the agreement at the White House on Friday, in a deal brokered by the United States.",
     ["Armenia", "Azerbaijan"], ["United States"]),
    ("The Sudanese Armed Forces and the Rapid Support Forces agreed in Jeddah on Friday to a truce mediated by Saudi "
     "Arabia and the United States.", ["Rapid Support Forces", "Sudanese Armed Forces"], ["Saudi Arabia", "United States"]),
    ("The Qatari-brokered talks between DR Congo and the M23 opened in Doha on Friday.", ["DR Congo", "M23"], ["Qatar"]),
])
def test_roles_come_from_what_the_sentence_says(extractors, text, parties, mediators):
    found = next(iter(rounds_in(extractors, text).values()))
    assert (sorted(found.parties), sorted(found.mediators)) == (parties, mediators)


def test_a_role_the_text_leaves_unsaid_is_the_conflicts_usual_one_and_says_so(extractors):
    found = rounds_in(extractors, "Thailand and Cambodia clashed again. The Joint Declaration was signed in Kuala Lumpur "
                                  "on 26 October.", published=date(2025, 12, 8))
    kuala_lumpur = found["Kuala Lumpur"]
    assert sorted(kuala_lumpur.parties) == ["Cambodia", "Thailand"]
    assert any(f == "parties" and "usual party of Thailand-Cambodia" in value for f, value, _ in kuala_lumpur.evidence)


# ---------------------------------------------------------------- venues


@pytest.mark.parametrize(("text", "venue"), [
    ("The envoy thanked South Africa for hosting the peace talks, which ended on Friday.", "South Africa"),
    ("Delegations gathered in Jeddah on Friday for talks.", "Jeddah"),
    ("Talks were held in Geneva on Friday.", "Geneva"),
])
def test_venues_of_talks(extractors, text, venue):
    assert venue in rounds_in(extractors, text)


@pytest.mark.parametrize("text", [
    "Talks on Friday focused on a truce in Yemen.",
    "The envoy discussed the attack in Israel on Friday.",
    "Negotiators discussed opening roads in Taiz on Friday.",
])
def test_a_place_of_fighting_or_of_a_truce_is_no_venue(extractors, text):
    assert rounds_in(extractors, text) == {}


def test_places_listed_after_a_venue_are_venues_too(extractors):
    found = rounds_in(extractors, "The leaders met several times since May, in Brussels, Chisinau, Washington and Moscow.")
    assert sorted(found) == ["Brussels", "Chisinau", "Moscow", "Washington, D.C."]


@pytest.mark.parametrize(("text", "venues"), [
    ("Negotiations resumed in Doha, Israel's delegation said.", ["Doha"]),  # a place after a venue, not listed with it
    ("The delegations met Egyptian mediators in Cairo and Israel is expected to reply.", ["Cairo"]),
    ("The two sides met in Washington, Moscow said.", ["Washington, D.C."]),
    ("Mediators in Cairo plan to present a new proposal on Friday.", ["Cairo"]),  # "plan to" is no document
])
def test_a_place_beside_a_venue_is_not_listed_with_it(extractors, text, venues):
    assert sorted(rounds_in(extractors, text)) == venues


@pytest.mark.parametrize("text", [
    "Both leaders reconfirmed their commitment to the 1991 Almaty Declaration as a framework for talks.",
    "Both sides must uphold their commitments to the Angola-mediated Luanda Process and resume talks.",
    "The talks aim at full implementation of the Jeddah Declaration of Commitment.",
])
def test_a_document_or_process_named_after_a_place_is_no_venue(extractors, text):
    assert rounds_in(extractors, text) == {}


def test_a_session_held_somewhere_is_a_round_and_a_recess_postpones_it(extractors):
    found = rounds_in(extractors, "The seventh session of the Constitutional Committee concluded today in Geneva.")
    assert list(found) == ["Geneva"]
    recessed = rounds_in(extractors, "The envoy announced a recess in the talks in Geneva until 25 February.")
    assert recessed["Geneva"].outcome == "postponed"


def test_a_country_named_as_host_beside_the_city_of_the_talks_is_that_round(extractors):
    found = rounds_in(extractors, "The talks in Geneva on Friday were co-hosted by Saudi Arabia and Switzerland.")
    assert list(found) == ["Geneva"]
    assert sorted(found["Geneva"].mediators) == ["Saudi Arabia", "Switzerland"]


# ---------------------------------------------------------------- outcomes and dates


def test_the_outcome_is_the_most_decisive_cue_of_all_the_rounds_sentences(extractors):
    found = rounds_in(extractors, "Having met for weeks, the delegations resumed talks in Kuala Lumpur on Friday. "
                                  "The ceasefire was signed at Kuala Lumpur on Friday.")
    kuala_lumpur = found["Kuala Lumpur"]
    assert kuala_lumpur.outcome == "agreement"
    assert any(f == "outcome" and value == "agreement" for f, value, _ in kuala_lumpur.evidence)


@pytest.mark.parametrize(("text", "outcome"), [
    # some measures agreed, not the settlement: a partial agreement, even beside "agreed"
    ("The delegations agreed to a further prisoner exchange at the talks in Istanbul on Monday.", "partial agreement"),
    ("The two delegations agreed to the opening of the land routes at the talks in Geneva on Friday.", "partial agreement"),
    ("Israel and Hamas agreed to a ceasefire and hostage release deal after talks in Doha on Wednesday.", "agreement"),
    ("At the talks in Doha, Israel and Hamas agreed on the release of all hostages and a permanent ceasefire.", "agreement"),
    ("At the talks in Doha, Hamas refused to agree to a prisoner exchange.", None),
    ("The peace agreement signed in Doha includes a prisoner exchange.", "agreement"),
    ("Talks in Doha resumed after a recess.", "ongoing"),
    ("Qatar offered to host talks in Doha next month.", None),
    # talks still to come are not under way
    ("The government and the ELN will begin formal negotiations on 27 October in Quito.", None),
    ("Negotiations to be convened in Astana next month are the next step.", None),
    ("The Secretary reiterated the need for participation in on-going peace talks in Switzerland.", "ongoing"),
])
def test_what_a_rounds_sentences_say_of_its_outcome(extractors, text, outcome):
    assert next(iter(rounds_in(extractors, text).values())).outcome == outcome


def test_an_envoy_named_at_the_talks_mediates_for_their_organisation(extractors):
    found = rounds_in(extractors, "Geir Pedersen said the talks in Geneva on Friday were frank.", published=date(2021, 10, 22))
    assert found["Geneva"].mediators == ["United Nations"]
    assert any(f == "mediators" and "UN Special Envoy for Syria" in value for f, value, _ in found["Geneva"].evidence)


def test_a_sides_envoy_negotiates_for_that_side(extractors):
    found = rounds_in(extractors, "Kirill Dmitriev met Ukrainian negotiators for talks in Istanbul on Friday.")
    assert "Russia" in found["Istanbul"].parties and "Russia" not in found["Istanbul"].mediators


def test_a_named_mediator_leaves_the_other_usual_mediators_out(extractors):
    found = rounds_in(extractors, "Russian and Ukrainian delegations met in Istanbul on Monday. We thank Türkiye for again "
                                  "hosting the discussions and the United States for creating the momentum.")
    assert found["Istanbul"].mediators == ["Turkey"]


@pytest.mark.parametrize("text", [
    # a people, not its state's side
    "Talks in Muscat on Friday between the Houthis and Saudi Arabia must serve the Yemeni people, the envoy said.",
    "Hamas negotiators met Qatari mediators in Doha on Friday, seeking peace for Israelis and Palestinians alike.",
    # the sides within a state, not the state
    "Talks between the two Libyan delegations opened in Geneva on Friday.",
])
def test_a_demonym_naming_a_people_or_the_sides_within_it_is_no_party(extractors, text):
    found = next(iter(rounds_in(extractors, text).values()))
    assert not {"Yemen", "Israel", "Palestine", "Libya"} & set(found.parties)


def test_who_welcomes_the_talks_takes_no_usual_role(extractors):
    between = "between the Libyan National Army and the Government of National Accord in Sirte on Friday"
    found = rounds_in(extractors, f"UNSMIL welcomes the convening of the fifth round of talks {between}.")
    assert found["Sirte"].mediators == []
    found = rounds_in(extractors, f"UNSMIL convened the fifth round of talks {between}.")
    assert found["Sirte"].mediators == ["United Nations"]


def test_talks_involving_name_their_parties(extractors):
    found = rounds_in(extractors, "Following talks involving the EU, US, Ukraine and Russia in Geneva, the ministers spoke.")
    assert sorted(found["Geneva"].parties) == ["European Union", "Russia", "Ukraine", "United States"]


def test_dates_in_a_sentence_about_the_future_resolve_forward(extractors):
    published = date(2024, 8, 8)  # a Thursday
    found = rounds_in(extractors, "Talks will resume in Doha on Thursday, August 15.", published)
    assert found["Doha"].date == date(2024, 8, 15)
    found = rounds_in(extractors, "Talks in Cairo are scheduled for Monday.", published)
    assert found["Cairo"].date == date(2024, 8, 12)
    found = rounds_in(extractors, "Talks in Cairo ended on Monday.", published)
    assert found["Cairo"].date == date(2024, 8, 5)
    # "will continue" beside a date long past is about that past, and "due to" is a cause.
    found = rounds_in(extractors, "Talks that began in Cairo on August 1 will continue next week.", published)
    assert found["Cairo"].date == date(2024, 8, 1)
    found = rounds_in(extractors, "Talks in Cairo on July 30 were postponed due to the shelling.", published)
    assert found["Cairo"].date == date(2024, 7, 30)



def test_a_store_from_before_conflicts_says_what_to_run_and_extract_fills_them(tmp_path, capsys):
    from samples import SAMPLE_RECORDS, SEED

    from ceasefire.cli.main import main
    from ceasefire.ingest import ingest_paths
    from ceasefire.read.log import stats

    path = tmp_path / "old.duckdb"
    with Store(path) as store:  # as the version before conflicts left it
        ingest_paths(store, [SEED, SAMPLE_RECORDS])
        for change in ("ALTER TABLE records DROP COLUMN conflicts", "ALTER TABLE records DROP COLUMN conflict_reason",
                       "DROP TABLE article_conflicts", "DROP TABLE conflict_evidence", "ALTER TABLE round_candidates DROP COLUMN conflicts"):
            store.con.execute(change)
    with Store(path) as store:  # opened for writing: brought up to date, but nothing assigned yet
        assert stats(store)["conflicts_unanalysed"] and store.count("records") > 0
    assert main(["--db", str(path), "stats"]) == 0
    assert "run `ceasefire extract`" in capsys.readouterr().err
    assert main(["--db", str(path), "extract"]) == 0
    with Store(path) as store:
        assert not stats(store)["conflicts_unanalysed"]
        # by their parties (the file's own column came after this store): those naming Hamas, not Israel alone
        assert store.con.execute("SELECT count(*) FROM records WHERE list_contains(conflicts, 'Gaza')").fetchone()[0] > 15
        assert store.con.execute("SELECT count(*) FROM round_candidates WHERE list_contains(conflicts, 'Gaza')").fetchone()[0]
