"""Aggregations over a small store built in code, through the real ingest pipeline."""

from __future__ import annotations

import json
import shutil
from datetime import date

import numpy as np
import pandas as pd
import pytest

from ceasefire.analysis.catalog import ACTORS_DIR, read_catalog
from ceasefire.analysis.extract import Extractors
from ceasefire.ingest import ingest_paths, reextract
from ceasefire.read import queries
from ceasefire.read.filters import Filters

ARTICLES = [
    {"title": "Doha talks", "published": "2025-07-07", "source": "Wire A",
     "text": "Hamas and Israel began indirect talks in Doha. Qatar hosted the hostage negotiations.\n"
             "Israel said aid would flow."},
    {"title": "Doha collapse", "published": "2025-07-25", "source": "Wire B",
     "text": "Talks in Doha collapsed. Israel and Hamas traded accusations of violations.\n"
             "The United States recalled Steve Witkoff."},
    {"title": "Cairo round", "published": "2025-08-13", "source": "Wire A",
     "text": "A Hamas delegation arrived in Cairo. Egyptian mediators pressed for a truce.\n"
             "Egypt and Qatar drafted a proposal on hostages and aid."},
    {"title": "Undated note", "source": "Wire C",
     "text": "Hamas and Egypt discussed governance of Gaza."},
]
ROUNDS = ("start_date,venue,parties,mediators,outcome\n"
          "2025-07-06,Doha,Israel; Hamas,Qatar; Egypt; US,collapsed\n"
          "2025-08-12,Cairo,Hamas,Egypt; Qatar,ongoing\n"
          "2025-10-06,Sharm el-Sheikh,Israel; Hamas,Egypt; Qatar; Turkey; US,agreement\n")


@pytest.fixture
def con(store, write):
    ingest_paths(store, [write("articles.json", json.dumps(ARTICLES)), write("rounds.csv", ROUNDS)])
    return store.con


def test_coverage_by_week_and_month(con):
    weekly = queries.coverage(con, Filters(), "week")
    assert weekly.articles.tolist() == [1, 1, 1] and weekly.period.astype(str).tolist() == ["2025-07-07", "2025-07-21", "2025-08-11"]
    monthly = queries.coverage(con, Filters(), "month")
    assert dict(zip(monthly.period.astype(str), monthly.articles)) == {"2025-07-01": 2, "2025-08-01": 1}


def test_top_actors_counts_mentions_and_articles(con):
    top = queries.top_actors(con, Filters()).set_index("actor")
    assert top.loc["Hamas", "mentions"] == 4 and top.loc["Hamas", "articles"] == 4
    assert top.loc["Egypt", "mentions"] == 3  # "Egyptian mediators" counts for Egypt
    assert top.loc["Steve Witkoff", "type"] == "person"
    july = queries.top_actors(con, Filters(start=date(2025, 7, 1), end=date(2025, 7, 31))).set_index("actor")
    assert "Egypt" not in july.index and july.loc["Israel", "mentions"] == 3


def test_filters_by_actor_location_and_source(con):
    assert queries.coverage(con, Filters(actors=("Steve Witkoff",)), "month").articles.sum() == 1
    assert queries.coverage(con, Filters(locations=("Cairo",)), "month").articles.sum() == 1
    # Doha is in Qatar; the Cairo article names Qatar itself.
    assert queries.coverage(con, Filters(locations=("Qatar",)), "month").articles.sum() == 3
    assert queries.coverage(con, Filters(sources=("Wire A",)), "month").articles.sum() == 2


def test_co_mentions_by_sentence_and_by_article(con):
    sentence = queries.co_mentions(con, Filters(), "sentence")
    weights = {(s, t): w for s, t, w in sentence.itertuples(index=False)}
    assert weights[("Hamas", "Israel")] == 2  # two sentences name both
    assert ("Egypt", "Hamas") in weights  # the undated note
    article = {(s, t): w for s, t, w in queries.co_mentions(con, Filters(), "article").itertuples(index=False)}
    assert article[("Hamas", "Israel")] == 2 and article[("Egypt", "Qatar")] == 1
    assert ("Egypt", "Qatar") not in weights or weights[("Egypt", "Qatar")] == 1


def test_mentions_over_time(con):
    frame = queries.mentions_over_time(con, Filters(), "month", actors=["Hamas", "Israel"])
    assert {(f"{p:%Y-%m-%d}", a): m for p, a, m in frame.itertuples(index=False)} == {
        ("2025-07-01", "Hamas"): 2, ("2025-07-01", "Israel"): 3, ("2025-08-01", "Hamas"): 1}


def test_actor_venues_use_canonical_names(con):
    frame = queries.actor_venues(con, Filters())
    rows = {(a, v): r for a, v, r in frame.itertuples(index=False)}
    assert rows[("United States", "Doha")] == 1  # "US" in the CSV is canonicalised
    assert rows[("Egypt", "Cairo")] == 1 and rows[("Turkey", "Sharm el-Sheikh")] == 1
    assert set(queries.actor_venues(con, Filters(actors=("Turkey",))).venue) == {"Sharm el-Sheikh"}


def test_issue_salience_shares(con):
    frame = queries.issue_salience(con, Filters(), "month")
    july = frame[frame.period.astype(str) == "2025-07-01"].set_index("issue")
    assert july.loc["hostages", "sentences"] == 1 and july.loc["violations", "sentences"] == 1
    assert july.loc["aid", "share"] == pytest.approx(1 / 8)  # one of the eight July sentences (two of them titles)


def test_rounds_by_venue_and_outcome(con):
    frame = queries.rounds_by_venue_outcome(con, Filters())
    assert list(frame.itertuples(index=False, name=None)) == [
        ("Cairo", "ongoing", 1), ("Doha", "collapsed", 1), ("Sharm el-Sheikh", "agreement", 1)]
    assert queries.rounds_by_venue_outcome(con, Filters(outcomes=("collapsed",))).venue.tolist() == ["Doha"]


def test_tone_trend_for_articles_and_for_an_actor(con):
    overall = queries.tone_trend(con, Filters(), "month")
    assert overall.sentences.tolist() == [8, 4]  # each article's title is a sentence too
    assert overall.tone.between(-1, 1).all()
    witkoff = queries.tone_trend(con, Filters(), "month", actor="Steve Witkoff")
    assert witkoff.sentences.tolist() == [1]


def test_actor_profile_counts_from_the_mentions_and_tones_the_sentences_naming_it(con):
    hamas = queries.actor_profile(con, Filters(), "Hamas")
    assert (hamas["type"], hamas["mentions"], hamas["articles"]) == ("armed group", 4, 4)  # one of them undated
    assert (str(hamas["first_seen"])[:10], str(hamas["last_seen"])[:10]) == ("2025-07-07", "2025-08-13")
    # The monthly tone is the mean of the stored tones of the dated sentences naming Hamas.
    expected = con.execute("""
        SELECT date_trunc('month', a.published_at)::DATE, avg(s.tone), count(*) FROM sentences s
        JOIN articles a USING (article_id) WHERE a.published_at IS NOT NULL AND (s.article_id, s.sentence_index) IN
            (SELECT (article_id, sentence_index) FROM actor_mentions WHERE actor = 'Hamas') GROUP BY 1 ORDER BY 1""").fetchall()
    tone = hamas["tone"]
    assert [(p.date(), round(t, 9), n) for p, t, n in tone.itertuples(index=False)] == [
        (p, round(t, 9), n) for p, t, n in expected]
    assert queries.tone_trend(con, Filters(), "month", actor="Hamas").equals(tone)
    july = queries.actor_profile(con, Filters(end=date(2025, 7, 31)), "Hamas")
    assert (july["mentions"], july["articles"], len(july["tone"])) == (2, 2, 1)
    nobody = queries.actor_profile(con, Filters(), "Nobody")
    assert (nobody["type"], nobody["mentions"], nobody["first_seen"], len(nobody["tone"])) == (None, 0, None, 0)


def test_empty_filters_give_empty_frames_not_errors(con):
    nothing = Filters(actors=("Nobody",))
    for frame in (queries.coverage(con, nothing), queries.top_actors(con, nothing), queries.co_mentions(con, nothing),
                  queries.issue_salience(con, nothing), queries.tone_trend(con, nothing),
                  queries.mentions_over_time(con, Filters(), "month", actors=[])):
        assert isinstance(frame, pd.DataFrame) and frame.empty


def test_reextract_picks_up_catalog_edits(store, write, tmp_path):
    ingest_paths(store, [write("a.txt", "Talks\nThe Gaza Reconstruction Board met Hamas in Cairo.")])
    assert queries.top_actors(store.con, Filters()).actor.tolist() == ["Hamas"]
    catalog = shutil.copytree(ACTORS_DIR, tmp_path / "actors")
    (catalog / "extra.yaml").write_text("- {name: Gaza Reconstruction Board, type: mediator/IGO}\n", encoding="utf-8")
    assert reextract(store, Extractors.load(actors_path=catalog)) == 1
    assert "facet_actors" in queries._named(store.con, Filters())[0]  # derived again, so read again
    assert sorted(queries.top_actors(store.con, Filters()).actor) == ["Gaza Reconstruction Board", "Hamas"]
    assert store.count("actors") == len(read_catalog()) + 1


def test_grain_is_checked(con):
    with pytest.raises(ValueError, match="grain must be one of"):
        queries.coverage(con, Filters(), "fortnight; DROP TABLE articles")


BIT_FILTERS = [
    Filters(locations=("Cairo",)),
    Filters(locations=("Egypt", "Doha")),  # a country: every place in it
    Filters(actors=("Hamas", "Qatar"), locations=("Egypt",), start=date(2025, 7, 1)),
    Filters(actors=("Steve Witkoff",)),
    Filters(locations=("Atlantis",), actors=("Nobody",)),  # no place (mask 0), an actor with no bit (semi-join)
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from ceasefire.config import SAMPLE_DIR
    from ceasefire.store.db import Store

    with Store(tmp_path_factory.mktemp("bits") / "sample.duckdb") as store:
        ingest_paths(store, [SAMPLE_DIR])
        yield store


@pytest.mark.parametrize("filters", BIT_FILTERS, ids=lambda f: f.describe("articles"))
def test_place_and_actor_bits_select_what_the_semi_joins_select(sample, filters):
    from ceasefire.cli.main import AGGREGATIONS

    bits = queries._bits(sample.con)
    where, _ = filters.articles_where("aa", bits)
    assert "_bits & ?" in where
    with_bits = {name: getattr(queries, name)(sample.con, filters) for name in AGGREGATIONS}
    # Without bits every location and actor filter is a semi-join on article ids (as on PostgreSQL).
    with sample.con.cursor() as cursor:
        cursor.begin()
        cursor.execute("DELETE FROM facet_bits")
        assert filters.locations == ("Atlantis",) or "_bits &" not in filters.articles_where("aa", queries._bits(cursor))[0]
        by_semi_join = {name: getattr(queries, name)(cursor, filters) for name in AGGREGATIONS}
        cursor.rollback()
    for name, expected in by_semi_join.items():
        if isinstance(expected, pd.DataFrame):
            pd.testing.assert_frame_equal(with_bits[name], expected, obj=name)
        else:
            assert with_bits[name] == expected, name
    assert filters.locations == ("Atlantis",) or len(with_bits["top_actors"]) > 0


@pytest.mark.parametrize("filters", [Filters(), *BIT_FILTERS], ids=lambda f: f.describe("articles"))
def test_article_co_mentions_from_the_actor_bits_equal_pairing_each_articles_actors(sample, filters):
    with_bits = queries.co_mentions(sample.con, filters, "article", limit=100, among=12)
    with sample.con.cursor() as cursor:
        cursor.begin()
        cursor.execute("DELETE FROM facet_bits")  # no actor has a bit: every article's actors are paired
        paired = queries.co_mentions(cursor, filters, "article", limit=100, among=12)
        cursor.rollback()
    pd.testing.assert_frame_equal(with_bits, paired)
    assert filters.locations == ("Atlantis",) or len(paired) > 3


def test_pair_counts_stay_exact_past_what_float32_holds():
    # Combinations 0b011 (2**24 + 1 articles), 0b110 (3) and 0b101 (2**20, in a chunk of its own).
    combos, articles = np.array([0b011, 0b110, 0b101]), np.array([2**24 + 1, 3, 2**20])
    both = queries._articles_naming_both(combos, articles, [0, 1, 2], chunk=2)
    assert both.tolist() == [[2**24 + 1 + 2**20, 2**24 + 1, 2**20], [2**24 + 1, 2**24 + 4, 3], [2**20, 3, 3 + 2**20]]


@pytest.mark.parametrize("filters", [Filters(), Filters(locations=("Egypt",)), Filters(outcomes=("collapsed",))],
                         ids=lambda f: f.describe("rounds"))
def test_venues_alone_are_the_venue_rows_of_all_places(sample, filters):
    places = queries.place_counts(sample.con, filters)
    venues = queries.place_counts(sample.con, filters, mentioned=False)
    assert set(places.what) == {"venue", "articles"} and set(venues.what) == {"venue"}
    pd.testing.assert_frame_equal(venues, places[places.what == "venue"].reset_index(drop=True))


FACET_FILTERS = [  # what the facet tables answer: no place or actor, or one of them, with or without dates
    Filters(), Filters(start=date(2024, 1, 1), end=date(2024, 12, 31)), Filters(end=date(2025, 8, 1)),
    Filters(locations=("Cairo",)), Filters(locations=("Doha",), start=date(2025, 7, 1)),
    Filters(actors=("Hamas",)), Filters(actors=("Qatar",), start=date(2024, 3, 1), end=date(2025, 8, 31)),
]


@pytest.mark.parametrize("filters", FACET_FILTERS, ids=lambda f: f.describe("articles"))
def test_rollups_by_facet_and_day_equal_the_scan_of_the_rollups(sample, filters, monkeypatch):
    from ceasefire.read.rollup import FacetBits

    def reads_facets() -> bool:
        pairs = queries._rollup(sample.con, filters, "actor_pairs", "p", {"actor": "actor"})[0]
        return "facet_actors" in queries._named(sample.con, filters)[0] and "facet_pairs" in pairs

    assert reads_facets()
    calls = {"top": lambda: queries.top_actors(sample.con, filters),
             "over time": lambda: queries.mentions_over_time(sample.con, filters, "week", ["Hamas", "Egypt", "Qatar", "Israel"]),
             "pairs": lambda: queries.co_mentions(sample.con, filters, "sentence", limit=1000)}
    from_facets = {name: call() for name, call in calls.items()}
    monkeypatch.setattr(FacetBits, "facet", lambda self, locations, actors: None)
    assert not reads_facets()
    for name, call in calls.items():
        pd.testing.assert_frame_equal(from_facets[name], call(), obj=name)
    assert len(from_facets["top"]) > 1 and len(from_facets["pairs"]) > 0


def test_outdated_facet_tables_are_not_read(sample):
    with sample.con.cursor() as cursor:
        cursor.begin()
        cursor.execute("INSERT INTO facets_outdated VALUES (now())")  # as between a big ingest and its compaction
        assert "facet_actors" not in queries._named(cursor, Filters())[0]
        cursor.rollback()
    assert "facet_actors" in queries._named(sample.con, Filters())[0]


def test_a_big_ingest_derives_the_facet_tables_once_and_a_small_one_adds_to_them(tmp_path, write, monkeypatch):
    from ceasefire.store.db import Store

    more = [{**article, "text": article["text"] + f" Update {i}."} for i, article in enumerate(ARTICLES)]
    with Store(tmp_path / "s.duckdb") as store:
        ingest_paths(store, [write(f"a-{i}.json", json.dumps(article)) for i, article in enumerate(ARTICLES + more[:3])])
        assert not store._facets_outdated() and store.count("facet_actors") > 0 and store.count("facet_pairs") > 0
        pairs = queries.co_mentions(store.con, Filters()).set_index(["source", "target"]).weight
        monkeypatch.setattr(Store, "_derive_facets", lambda self: pytest.fail("a small ingest derived them all"))
        ingest_paths(store, [write("b.json", json.dumps(more[3]))])  # an eighth of the store: its rows are added
        assert not store._facets_outdated()
        assert queries.top_actors(store.con, Filters()).set_index("actor").loc["Egypt", "articles"] == 4
        after = queries.co_mentions(store.con, Filters()).set_index(["source", "target"]).weight
        assert after[("Egypt", "Hamas")] == pairs[("Egypt", "Hamas")] + 1  # the new article's sentence naming both


def test_facets_are_only_one_place_or_one_actor_with_a_bit(sample):
    bits = queries._bits(sample.con)
    assert bits.facet((), ()) == ("all", -1)
    assert bits.facet(("Cairo",), ())[0] == "place" and bits.facet((), ("Hamas",))[0] == "actor"
    for locations, actors in [(("Cairo", "Doha"), ()), (("Cairo",), ("Hamas",)), ((), ("Hamas", "Egypt")), (("Atlantis",), ())]:
        assert bits.facet(locations, actors) is None, (locations, actors)
    assert "facet_actors" not in queries._named(sample.con, Filters(locations=("Cairo",), sources=("Wire A",)))[0]


def test_actors_by_facet_add_up_over_ingests_and_compaction(tmp_path, write, monkeypatch):
    from ceasefire.store import db

    monkeypatch.setattr(db, "COMPACT_SHARE", 0)  # no ingest compacts: each adds its own rows
    same_day = [{**article, "published": "2025-07-07", "text": article["text"] + " Again."} for article in ARTICLES[:3]]
    files = [write(f"article-{i}.json", json.dumps(article)) for i, article in enumerate(ARTICLES + same_day)]
    with db.Store(tmp_path / "s.duckdb") as store:
        for file in files:  # one ingest each: a facet's actor and day get a row from each
            ingest_paths(store, [file])
        assert not store._facets_outdated()  # every ingest added its rows
        filters = [Filters(), Filters(locations=("Doha",)), Filters(actors=("Israel",))]
        calls = [lambda f: queries.top_actors(store.con, f), lambda f: queries.co_mentions(store.con, f)]
        before = [call(f) for f in filters for call in calls]
        rows = store.count("facet_actors"), store.count("facet_pairs")
        store.compact()
        assert store.count("facet_actors") < rows[0] and store.count("facet_pairs") < rows[1]
        for (f, call), expected in zip([(f, call) for f in filters for call in calls], before):
            pd.testing.assert_frame_equal(call(f), expected)
        everyone = queries.top_actors(store.con, Filters()).set_index("actor")
        assert everyone.loc["Hamas", "articles"] == 7 and everyone.loc["Israel", "articles"] == 4


def test_names_past_the_63rd_get_no_bit_and_are_filtered_by_semi_join(tmp_path):
    from ceasefire.store.db import Store
    from ceasefire.store.schema import FACET_BITS

    with Store(tmp_path / "s.duckdb") as store:
        store.con.executemany("INSERT INTO places VALUES (?, 'city', 'Nowhere', 0, 0)", [[f"Town {i}"] for i in range(100)])
        store._give_bits("place", [f"Town {i}" for i in range(100)])
        assert store.con.execute("SELECT count(*), max(bit) FROM facet_bits").fetchall() == [(FACET_BITS, FACET_BITS - 1)]
        bits = queries._bits(store.con)
    assert "place_bits & ?" in Filters(locations=("Town 62",)).articles_where("aa", bits)[0]
    assert "article_places" in Filters(locations=("Town 63",)).articles_where("aa", bits)[0]
    assert "article_places" in Filters(locations=("Nowhere",)).articles_where("aa", bits)[0]  # the country: all 100


def test_actor_sentences_are_the_stored_sentences_with_their_stored_tone(sample):
    page = queries.actor_sentences(sample.con, Filters(), "Hamas", limit=200)
    stored = sample.con.execute("""
        SELECT DISTINCT a.article_id, substring(a.text || chr(10) || chr(10) || a.title, s.char_start + 1, s.char_end - s.char_start),
               s.tone, a.published_at
        FROM actor_mentions m JOIN sentences s USING (article_id, sentence_index) JOIN articles a USING (article_id)
        WHERE m.actor = 'Hamas' ORDER BY a.published_at DESC NULLS LAST, a.article_id""").fetchall()
    assert len(page) == len(stored) > 20
    assert sorted(zip(page.article_id, page.sentence, page.tone)) == sorted((a, s, t) for a, s, t, _ in stored)
    assert page.published.tolist() == sorted(page.published, reverse=True)  # newest first
    second = queries.actor_sentences(sample.con, Filters(), "Hamas", limit=5, offset=5)
    assert second.sentence.tolist() == page.sentence.tolist()[5:10]


def test_a_store_without_bits_opened_read_only_filters_by_semi_join(tmp_path):
    from ceasefire.config import SAMPLE_DIR
    from ceasefire.store.db import Store

    path = tmp_path / "old.duckdb"
    filters = Filters(locations=("Egypt",), actors=("Qatar",))
    with Store(path) as store:
        ingest_paths(store, [SAMPLE_DIR])
        expected = queries.top_actors(store.con, filters)
        store.con.execute("DROP TABLE facet_bits")  # as stores made before the bits
    with Store(path, read_only=True) as store:
        assert queries._bits(store.con) is None
        pd.testing.assert_frame_equal(queries.top_actors(store.con, filters), expected)


# ---------------------------------------------------------------- events around agreements

@pytest.fixture(scope="module")
def with_events(tmp_path_factory):
    from samples import write_sample_events

    from ceasefire.config import SAMPLE_DIR
    from ceasefire.store.db import Store

    folder = tmp_path_factory.mktemp("events")
    with Store(folder / "events.duckdb") as store:
        ingest_paths(store, [SAMPLE_DIR, write_sample_events(folder)])
        yield store.con


def test_events_before_and_after_each_agreement(with_events):
    # SAMPLE_EVENTS: Gaza on 2, 10 (5 and 7 killed) and 20 January 2025 (1) around the 15 January Doha agreement.
    gaza = queries.agreement_windows(with_events, Filters(conflicts=("Gaza",)), days=30).set_index("start_date")
    doha = gaza.loc[pd.Timestamp("2025-01-15")]
    assert (doha.venue, doha.events_before, doha.fatalities_before, doha.events_after, doha.fatalities_after) == ("Doha", 2, 12, 1, 1)
    assert (gaza.drop(pd.Timestamp("2025-01-15"))[["events_before", "events_after"]] == 0).all().all()
    # a week either side: 10 January before, 20 January after; 2 January is outside
    week = queries.agreement_windows(with_events, Filters(conflicts=("Gaza",)), days=7).set_index("start_date")
    assert week.loc[pd.Timestamp("2025-01-15"), ["events_before", "events_after"]].tolist() == [1, 1]
    # Sudan: 10 May 2023 (12 killed) and 25 May (3) around the 20 May Jeddah agreement; 1 August is outside.
    sudan = queries.agreement_windows(with_events, Filters(conflicts=("Sudan",)), days=30).set_index("start_date")
    assert sudan.loc[pd.Timestamp("2023-05-20"), ["events_before", "fatalities_before", "events_after", "fatalities_after"]].tolist() == [1, 12, 1, 3]


def test_the_date_range_chooses_agreements_not_the_days_around_them(with_events):
    only = Filters(conflicts=("Gaza",), start=date(2025, 1, 15), end=date(2025, 1, 15))
    windows = queries.agreement_windows(with_events, only, days=30)
    assert windows.start_date.dt.date.tolist() == [date(2025, 1, 15)] and windows.events_before.tolist() == [2]
    listed = queries.events(with_events, only, window=(date(2024, 12, 16), date(2025, 2, 14)))
    assert listed.dataset_event_id.tolist() == ["PSE3", "PSE2", "PSE1"]  # newest first
    # a bar's period stays within the filters' dates, as the bar counted it
    january = Filters(conflicts=("Gaza",), start=date(2025, 1, 5))
    assert queries.events(with_events, january, period=(date(2025, 1, 1), date(2025, 2, 1))).dataset_event_id.tolist() == [
        "PSE3", "PSE2"]
    assert queries.events(with_events, january, period=(date(2025, 1, 1), date(2025, 2, 1)), event_type="battle"
                          ).dataset_event_id.tolist() == ["PSE3"]


def test_events_take_the_filters(with_events):
    sudan = queries.events_over_time(with_events, Filters(conflicts=("Sudan",)), "month")
    assert list(sudan.itertuples(index=False, name=None)) == [
        (pd.Timestamp("2023-05-01"), "battle", 1, 12), (pd.Timestamp("2023-05-01"), "violence against civilians", 1, 3),
        (pd.Timestamp("2023-08-01"), "battle", 1, 0)]
    assert len(queries.events(with_events, Filters(actors=("Israel Defense Forces",)))) == 3  # ACLED's "Military Forces of Israel"
    assert queries.events(with_events, Filters(locations=("Rafah",))).location.tolist() == ["Rafah"]
    assert len(queries.events(with_events, Filters(locations=("Sudan",)))) == 3  # by country
    assert queries.events(with_events, Filters(start=date(2023, 8, 1))).dataset_event_id.tolist()[-1] == "SDN3"
    places = queries.event_places(with_events, Filters()).set_index("name")
    assert places.loc["Omdurman", ["events", "fatalities"]].tolist() == [1, 12] and len(places) == 6
