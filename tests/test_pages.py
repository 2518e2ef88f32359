"""Every dashboard page as a user sees it, with AppTest: URL parameters in, figures and rows out."""

from __future__ import annotations

import gc
from datetime import date

import pandas as pd
import pytest
from samples import open_page
from streamlit.testing.v1 import AppTest

from ceasefire.ingest import ingest, open_store
from ceasefire.loaders.files import load_uploads
from ceasefire.read import queries
from ceasefire.read.filters import Filters

SEED_ID = "4098c3c8c04cc12c"


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("pages") / "sample.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CEASEFIRE_DB", str(path))
        with open_store(path) as store:
            evil = ("Evil page\n<script>alert('x')</script> Hamas met in Cairo. "
                    "<img src=x onerror=alert(1)> javascript:alert(2)")
            ingest(store, load_uploads([("evil.txt", evil.encode())]))
            counts = {t: store.count(t) for t in ("articles", "records")}
        yield counts



def url(app: AppTest, key: str) -> list[str]:
    value = app.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def rounds(where: str = "TRUE") -> str:
    """How many stored rounds meet an SQL condition, as a page shows the figure: what the pages
    must count, read straight from the store."""
    with open_store() as store:
        return str(store.con.execute(f"SELECT count(*) FROM records WHERE {where}").fetchone()[0])


COLLAPSED = "outcome = 'collapsed'"
IN_2025 = "coalesce(end_date, start_date) >= '2025-01-01' AND start_date <= '2025-09-30'"


def test_overview_without_filters(sample_store):
    app = open_page()
    assert not app.exception
    assert app.title[0].value == "Overview"
    figures = metrics(app)
    assert figures["Articles"] == str(sample_store["articles"]) and figures["Negotiation rounds"] == str(sample_store["records"])
    with open_store() as store:
        first, last = store.con.execute("SELECT min(start_date), max(start_date) FROM records").fetchone()
    assert (figures["From"], figures["To"]) == (f"{first:%b %Y}", f"{last:%b %Y}")  # the first and last rounds
    with open_store() as store:
        named = store.con.execute("SELECT count(DISTINCT actor) FROM actor_mentions").fetchone()[0]
    assert named > 10 and figures["Actors mentioned"] == str(named)
    latest = next(d.value for d in app.dataframe if "Venue" in d.value.columns)
    side_by_side = next(d.value for d in app.dataframe if "Conflict" in d.value.columns)
    with open_store() as store:
        held = dict(store.con.execute("SELECT c, count(*) FROM records, unnest(conflicts) AS t(c) GROUP BY c").fetchall())
    assert {c: n for c, n in zip(side_by_side.Conflict, side_by_side.Rounds) if n} == held and len(held) >= 3
    with open_store() as store:
        newest = store.con.execute("SELECT coalesce(venue_city, venue_country) FROM records ORDER BY start_date DESC LIMIT 1").fetchone()[0]
    assert len(latest) == 8 and latest.iloc[0].Venue == newest
    # The map opens on the Middle East: a venue beyond it is named under the map.
    outside = next(c.value for c in app.caption if c.value.startswith("Also held outside this view (zoom out to see): "))
    assert "Washington, D.C." in outside and "Doha" not in outside
    # What the server holds once a page ran is exempt from garbage collection (a full collection
    # walking it paused a rerun ~120 ms).
    assert gc.get_freeze_count() > 100_000


def test_overview_deep_link_with_filters_sets_widgets_and_figures(sample_store):
    app = open_page(location="Cairo", outcome="ongoing")
    assert not app.exception
    assert app.multiselect(key="filter_locations").value == ["Cairo"]
    assert app.multiselect(key="filter_outcomes").value == ["ongoing"]
    assert metrics(app)["Negotiation rounds"] == "2"  # the CSV's August 2025 round and the seed's table row
    assert set(next(d.value for d in app.dataframe if "Venue" in d.value.columns).Venue) == {"Cairo"}
    assert int(metrics(app)["Articles"]) < sample_store["articles"]  # only articles naming Cairo
    with open_store() as store:
        named, everyone = store.con.execute("""
            SELECT count(DISTINCT actor) FILTER (WHERE article_id IN (SELECT article_id FROM place_mentions WHERE place = 'Cairo')),
                   count(DISTINCT actor) FROM actor_mentions""").fetchone()
    assert 0 < named < everyone and metrics(app)["Actors mentioned"] == str(named)  # actors of articles naming Cairo


def test_changing_a_filter_updates_figures_and_url(sample_store):
    app = open_page()
    app.multiselect(key="filter_outcomes").set_value(["collapsed"]).run()
    assert metrics(app)["Negotiation rounds"] == rounds(COLLAPSED) != "0"
    assert url(app, "outcome") == ["collapsed"]
    app.date_input(key="filter_dates").set_value((date(2025, 1, 1), date(2025, 9, 30))).run()
    assert metrics(app)["Negotiation rounds"] == rounds(f"{COLLAPSED} AND {IN_2025}") != "0"
    assert url(app, "start") == ["2025-01-01"]


def test_clearing_the_date_range_shows_every_date(sample_store):
    app = open_page(start="2025-01-01", end="2025-09-30")
    assert metrics(app)["Negotiation rounds"] == rounds(IN_2025) != "0"
    app.date_input(key="filter_dates").set_value(()).run()  # what the browser sends when the field is emptied
    assert not app.exception
    assert metrics(app)["Negotiation rounds"] == rounds() and url(app, "start") == [] and url(app, "end") == []


def test_a_conflict_in_the_link_scopes_every_page(sample_store):
    app = open_page(conflict="Sudan")
    assert not app.exception
    assert app.multiselect(key="filter_conflicts").value == ["Sudan"]
    assert metrics(app)["Negotiation rounds"] == rounds("list_contains(conflicts, 'Sudan')") != "0"
    assert not [d for d in app.dataframe if "Conflict" in d.value.columns]  # side by side only when none is chosen
    with open_store() as store:
        about = store.con.execute("SELECT count(*) FROM article_conflicts WHERE conflict = 'Sudan'").fetchone()[0]
    assert metrics(app)["Articles"] == str(about) and 0 < about < sample_store["articles"]
    negotiations = open_page("pages/1_Negotiations.py", conflict="Sudan")
    sudan = rounds("list_contains(conflicts, 'Sudan')")
    assert negotiations.subheader[0].value == f"{sudan} rounds"
    assert url(negotiations, "conflict") == ["Sudan"]
    app.multiselect(key="filter_conflicts").set_value(["Sudan", "Russia-Ukraine"]).run()
    assert url(app, "conflict") == ["Sudan", "Russia-Ukraine"]
    assert metrics(app)["Negotiation rounds"] == rounds("list_has_any(conflicts, ['Sudan', 'Russia-Ukraine'])")


def test_an_unknown_conflict_in_the_link_is_explained(sample_store):
    app = open_page(conflict="Narnia")
    assert not app.exception
    assert "unknown conflict(s) Narnia; choose from: Gaza" in app.sidebar.warning[0].value
    assert metrics(app)["Negotiation rounds"] == rounds()


def test_bad_link_parameters_are_explained_not_fatal(sample_store):
    app = open_page(start="yesterday")
    assert not app.exception
    assert "start must be a date" in app.sidebar.warning[0].value
    assert metrics(app)["Negotiation rounds"] == rounds()


def test_empty_result_is_a_friendly_message(sample_store):
    app = open_page("pages/1_Negotiations.py", location="Warsaw", outcome="agreement")
    assert not app.exception
    assert "Nothing to show: there are no rounds at Warsaw with outcome agreement" in app.info[0].value


def test_link_values_that_are_not_in_the_data_are_named(sample_store):
    app = open_page(actor="Nobody Atall")
    assert not app.exception
    assert "Not in the data, so not applied: Nobody Atall" in app.sidebar.warning[0].value


def test_negotiations_table_and_round_details(sample_store):
    app = open_page("pages/1_Negotiations.py", outcome="collapsed")
    assert not app.exception and app.title[0].value == "Negotiations"
    assert app.subheader[0].value == f"{rounds(COLLAPSED)} rounds"
    assert set(app.dataframe[0].value.Outcome) == {"collapsed"}
    with open_store() as store:
        from_csv, from_seed = (store.con.execute(f"SELECT record_id FROM records WHERE venue_city = 'Cairo' AND {where}")
                               .fetchall()[0][0] for where in ("start_date = '2025-08-12'", "article_id IS NOT NULL"
                                                                " AND start_date = '2025-08-01'"))
    app = open_page("pages/1_Negotiations.py", round=from_csv)
    assert app.subheader[1].value == "Cairo, 12 August 2025"
    text = " ".join(m.value for m in app.markdown)
    assert "**Mediators:** Egypt, Qatar" in text and "**Outcome:** ongoing" in text
    assert "Hamas accepts Egyptian-Qatari proposal" in text  # a briefing that names Cairo a week later
    text = " ".join(m.value for m in open_page("pages/1_Negotiations.py", round=from_seed).markdown)
    assert "A senior Hamas delegation, led by Khalil al-Hayya, arrived in Cairo on Tuesday" in text  # its article


def test_actors_page_profile_and_change(sample_store):
    app = open_page("pages/2_Actors.py")
    assert not app.exception
    assert app.selectbox(key="actors_profile").value == "Hamas"
    hamas = metrics(app)
    assert int(hamas["Mentions"]) > int(hamas["Articles"]) > 5
    sentences = app.dataframe[0].value
    assert 0 < len(sentences) <= 20 and sentences.Sentence.str.contains("Hamas").all()
    app.selectbox(key="actors_profile").set_value("Egypt").run()
    egypt = metrics(app)
    assert egypt != hamas
    assert "**Type:** state" in " ".join(m.value for m in app.markdown)


def test_network_page_lists_the_strongest_links_it_draws(sample_store):
    app = open_page("pages/3_Network.py")
    assert not app.exception and app.title[0].value == "Network"
    links = app.dataframe[0].value
    assert list(links.columns) == ["Actor", "Named with", "Sentences naming both"]
    assert 10 < len(links) <= 40 and links["Sentences naming both"].is_monotonic_decreasing
    strongest = links.iloc[0]
    app.radio(key="network_scope").set_value("article").run()
    by_article = app.dataframe[0].value.iloc[0]
    with open_store() as store:
        def naming_both(actor: str, other: str, unit: str) -> int:
            return store.con.execute(f"""
                SELECT count(*) FROM (SELECT DISTINCT {unit} FROM actor_mentions WHERE actor = ?
                                      INTERSECT SELECT DISTINCT {unit} FROM actor_mentions WHERE actor = ?)""",
                                     [actor, other]).fetchone()[0]
        assert strongest["Sentences naming both"] == naming_both(strongest.Actor, strongest["Named with"], "article_id, sentence_index")
        assert by_article["Articles naming both"] == naming_both(by_article.Actor, by_article["Named with"], "article_id")
    assert len(app.get("plotly_chart")) == 1


def test_network_page_under_a_filter_naming_nobody_together(sample_store):
    app = open_page("pages/3_Network.py", location="Warsaw")
    assert not app.exception
    assert "there are no actors named together in the same sentence at Warsaw" in app.info[0].value


def test_actors_page_follows_the_actor_filter(sample_store):
    app = open_page("pages/2_Actors.py", actor="Steve Witkoff")
    assert app.multiselect(key="filter_actors").value == ["Steve Witkoff"]
    # Only articles naming Witkoff: the top actors all come from them.
    assert int(metrics(app)["Articles"]) <= 5


def test_map_page_lists_venues_and_places(sample_store):
    app = open_page("pages/4_Map.py")
    assert not app.exception
    places = app.dataframe[0].value
    assert {"Doha", "Cairo", "Sharm el-Sheikh", "Gaza Strip"} <= set(places.Place)
    assert places[places.Counted == "venue"].set_index("Place").loc["Doha", "Count"] == int(rounds("venue_city = 'Doha'"))
    away = places[places.Place.isin(["United States", "Washington, D.C."])].sort_values("Count", ascending=False, kind="stable")
    outside = next(c.value for c in app.caption if c.value.startswith("Outside this view (zoom out to see): "))
    assert all(place in outside for place in away.Place) and "Doha" not in outside
    narrowed = open_page("pages/4_Map.py", location="Doha").dataframe[0].value
    assert set(narrowed[narrowed.Counted == "venue"].Place) == {"Doha"}


def test_articles_search_and_reader_escape_html(sample_store):
    app = open_page("pages/5_Articles.py", q="Cairo")
    assert not app.exception
    assert app.text_input(key="articles_search").value == "Cairo"
    assert len(app.dataframe[0].value) == int(app.caption[1].value.split()[0])
    app = open_page("pages/5_Articles.py", article=SEED_ID)
    assert app.subheader[0].value.startswith("Hamas Delegation Seeks Ceasefire Breakthrough")
    html = app.get("html")[0].proto.body
    assert '<mark class="actor" title="actor: Khalil al-Hayya">Khalil al-Hayya</mark>' in html
    assert '<mark class="date" title="date: 2025-08-01 (month)">Tuesday</mark>' in html
    assert "(from inferred)" in " ".join(m.value for m in app.markdown)
    with open_store() as store:
        evil_id = store.con.execute("SELECT article_id FROM articles WHERE title = 'Evil page'").fetchall()[0][0]
    html = open_page("pages/5_Articles.py", article=evil_id).get("html")[0].proto.body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html and "<script>" not in html and "<img" not in html


def test_issues_page(sample_store):
    app = open_page("pages/6_Issues.py")
    assert not app.exception
    issues = app.dataframe[0].value
    assert issues.iloc[0].Issue == "Ceasefire and truce terms" and len(issues) == 8
    recent = open_page("pages/6_Issues.py", start="2025-07-01").dataframe[0].value
    assert recent["Sentences raising it"].sum() < issues["Sentences raising it"].sum()


def test_data_page_history_and_download(sample_store):
    app = open_page("pages/7_Data.py", outcome="collapsed")
    assert not app.exception
    history = app.dataframe[0].value
    assert len(history) == 2 and str(history.Rounds.sum()) == rounds()
    app.selectbox(key="data_download_table").set_value("records").run()
    app.button(key="data_prepare").click().run()
    assert f"Download {rounds(COLLAPSED)} rows of records (csv)" in app.get("download_button")[0].proto.label


def test_sql_in_link_parameters_is_just_a_string(sample_store):
    app = open_page("pages/1_Negotiations.py", location="'); DROP TABLE records; --", source="x' OR '1'='1")
    assert not app.exception
    assert "Not in the data, so not applied: '); DROP TABLE records; --, x' OR '1'='1" in app.sidebar.warning[0].value
    assert app.subheader[0].value == f"{rounds()} rounds"


def test_news_rounds_show_evidence_and_can_be_reviewed(sample_store):
    app = open_page("pages/1_Negotiations.py", location="Cairo", start="2025-08-01", end="2025-08-31")
    assert app.header[0].value == "Rounds reported in the news"
    news = app.dataframe[1].value
    assert news[["Venue", "Outcome", "Proposal", "Record"]].values.tolist() == [["Cairo", "ongoing", "60-day truce", "matched"]]
    with open_store() as store:
        (cairo,) = queries.news_rounds(store.con, Filters(locations=("Cairo",), start=date(2025, 8, 1), end=date(2025, 8, 31)))
    app = open_page("pages/1_Negotiations.py", location="Cairo", start="2025-08-01", end="2025-08-31", news_round=cairo.key)
    assert "Cairo, 01 Aug 2025 – 31 Aug 2025" in [s.value for s in app.subheader]
    quotes = " ".join(m.value for m in app.markdown)
    assert "> A senior Hamas delegation, led by Khalil al-Hayya, arrived in Cairo on Tuesday" in quotes
    assert any("people: Khalil al-Hayya" in c.value for c in app.caption)
    assert [b.label for b in app.button] == ["Accept as a new round", "Merge", "Reject: not a round"]

    app.button(key="news_round_reject").click().run()
    assert not app.exception
    assert any("no rounds reported in the news" in i.value for i in app.info)


def test_the_timeline_without_events_says_where_to_get_them(sample_store):
    app = open_page("pages/8_Timeline.py")
    assert not app.exception
    assert "there are no events" in app.info[0].value
    assert "upload them on the Data page" in app.caption[-1].value


@pytest.fixture
def events_store(tmp_path, monkeypatch):
    from samples import write_sample_events

    from ceasefire.config import SAMPLE_DIR
    from ceasefire.ingest import ingest_paths

    path = tmp_path / "events.duckdb"
    with open_store(path) as store:
        ingest_paths(store, [SAMPLE_DIR, write_sample_events(tmp_path / "events")])
        jeddah = store.con.execute("SELECT record_id FROM records WHERE venue_city = 'Jeddah' AND start_date = '2023-05-20'").fetchone()[0]
    monkeypatch.setenv("CEASEFIRE_DB", str(path))
    return jeddah


def test_the_timeline_sets_each_agreement_against_the_events_around_it(events_store):
    app = open_page("pages/8_Timeline.py", conflict="Sudan", agreement=events_store)
    assert not app.exception
    windows = app.dataframe[0].value.set_index("Agreement")
    jeddah = windows.loc[pd.Timestamp(2023, 5, 20)]
    # SAMPLE_EVENTS: 10 May 2023 (12 killed) before it, 25 May (3) after; 1 August is outside the 30 days.
    assert (jeddah.Venue, jeddah["Events, 30 days before"], jeddah["Fatalities before"],
            jeddah["Events, 30 days from it"], jeddah["Fatalities after"]) == ("Jeddah", 1, 12, 1, 3)
    assert app.subheader[-1].value == "Events 30 days either side of Jeddah, 20 May 2023"
    listed = app.dataframe[1].value
    assert listed["Dataset event id"].tolist() == ["SDN2", "SDN1"] and listed.Fatalities.tolist() == [3, 12]
    assert url(app, "window") == ["30"]
    week = open_page("pages/8_Timeline.py", conflict="Sudan", agreement=events_store, window="7")
    in_a_week = week.dataframe[0].value.set_index("Agreement").loc[pd.Timestamp(2023, 5, 20)]
    assert (in_a_week["Events, 7 days before"], in_a_week["Events, 7 days from it"]) == (0, 1)  # 25 May only
    assert week.dataframe[1].value["Dataset event id"].tolist() == ["SDN2"]


def test_the_map_shows_the_places_of_events(events_store):
    app = open_page("pages/4_Map.py", conflict="Sudan")
    assert not app.exception
    places = app.dataframe[0].value
    events = places[places.Counted == "events"].set_index("Place")
    assert events.Count.to_dict() == {"Omdurman": 1, "Khartoum": 1, "El Fasher": 1}
