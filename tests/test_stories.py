"""Stories: agency copy republished by several outlets is grouped as one story, across ingests, and
counted as one on the Overview's coverage when the URL asks (?count=stories); the reader lists the
other outlets."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pytest
from samples import AGENCY_COPY, AGENCY_PARAGRAPHS, OTHER_REPORT, agency_article, as_upload, open_page, republications

from streamlit.testing.v1 import AppTest

from ceasefire.analysis.stories import COMMON_BAND, THRESHOLD, Signed, assign_stories, shingles, signature
from ceasefire.ingest import ingest, reextract
from ceasefire.loaders.files import load_uploads
from ceasefire.read import queries
from ceasefire.read.filters import Filters
from ceasefire.store.db import Store


def exact_similarity(a: str, b: str) -> float:
    """The exact Jaccard similarity of two texts' shingles, which the signatures estimate."""
    first, second = shingles(a), shingles(b)
    return len(first & second) / len(first | second)


def stories_of(store: Store) -> dict[str, str]:
    """Each article's story, by the article's source."""
    return dict(store.con.execute("SELECT a.source, s.story_id FROM article_stories s JOIN articles a USING (article_id)").fetchall())


def id_of(store: Store, source: str) -> str:
    return store.con.execute("SELECT article_id FROM articles WHERE source = ?", [source]).fetchall()[0][0]


def test_agency_copy_edited_by_each_outlet_is_one_story_and_another_report_is_not():
    byline = "By Jane Roe, Outlet B correspondent\n\n" + AGENCY_COPY
    dropped = "\n\n".join(AGENCY_PARAGRAPHS[:-1])
    added = AGENCY_COPY + "\n\nResidents said they would believe a truce only when the shelling stopped."
    retitled = AGENCY_COPY + "\n\nEgypt and Qatar put new ceasefire offer to Hamas"  # the title, as extraction reads it
    texts = {"copy": AGENCY_COPY, "byline": byline, "dropped": dropped, "added": added, "retitled": retitled,
             "other": OTHER_REPORT}
    assert exact_similarity(AGENCY_COPY, OTHER_REPORT) < 0.1 < THRESHOLD  # the same round, other words: not the same story
    stories = assign_stories([Signed.of(name, signature(text)) for name, text in texts.items()], [])
    assert dict(zip(texts, stories)) == {"copy": "copy", "byline": "copy", "dropped": "copy", "added": "copy",
                                         "retitled": "copy", "other": "other"}


def test_a_new_article_joins_a_stored_story_and_a_text_without_words_stands_alone():
    stored = [Signed.of("first", signature(AGENCY_COPY))]
    later = [Signed.of("later", signature(AGENCY_COPY + " Updated.")), Signed.of("blank", signature("…"))]
    assert assign_stories(later, stored) == ["first", "blank"]
    assert signature("…") is None


def test_a_band_key_that_many_stories_share_is_boilerplate_and_finds_none(tmp_path):
    copy = signature(AGENCY_COPY)
    stories = [Signed(f"story{number:02d}", copy, (7, 100 + number)) for number in range(COMMON_BAND + 1)]
    article = Signed("new", copy, (7,))
    assert assign_stories([article], stories[:COMMON_BAND]) == ["story00"]
    assert assign_stories([article], stories) == ["new"]  # key 7 is common to them all
    with Store(tmp_path / "boilerplate.duckdb") as store:
        rows = pd.DataFrame({"article_id": [s.id for s in stories], "story_id": [s.id for s in stories],
                             "signature": [copy] * len(stories), "band_keys": [list(s.keys) for s in stories]})
        store.save_stories(rows)
        assert [row[0] for row in store.stories_sharing([7, 103], COMMON_BAND)] == ["story03"]  # by its own key only
        assert len(store.stories_sharing([7], COMMON_BAND + 1)) == COMMON_BAND + 1


@pytest.fixture
def grouped(tmp_path):
    """A store of the republications, ingested in two batches: Wire A, Outlet B and E first, then C and D."""
    outlets = republications()
    with Store(tmp_path / "stories.duckdb") as store:
        ingest(store, load_uploads([as_upload("first.json", outlets["Wire A"], outlets["Outlet B"], outlets["Outlet E"])]))
        ingest(store, load_uploads([as_upload("second.json", outlets["Outlet C"], outlets["Outlet D"])]))
        yield store


def test_stories_group_across_ingests_named_by_their_first_article(grouped):
    first = min(id_of(grouped, "Wire A"), id_of(grouped, "Outlet B"))  # an ingest's articles are grouped in id order
    assert stories_of(grouped) == {"Wire A": first, "Outlet B": first, "Outlet C": first, "Outlet D": first,
                                   "Outlet E": id_of(grouped, "Outlet E")}


def test_an_exact_reingest_adds_nothing_and_changes_no_story(grouped):
    before = grouped.con.execute("SELECT * FROM article_stories ORDER BY article_id").fetchall()
    report = ingest(grouped, load_uploads([as_upload("again.json", *republications().values())]))
    assert (report.articles_added, report.articles_duplicate) == (0, 5)
    assert grouped.con.execute("SELECT * FROM article_stories ORDER BY article_id").fetchall() == before


def test_extract_groups_every_article_again_and_an_older_store_counts_articles_until_then(grouped):
    before = stories_of(grouped)
    grouped.con.execute("DROP TABLE article_stories")  # a store from before stories
    grouped.con.execute("ALTER TABLE article_stats DROP COLUMN story_id")
    grouped.close()
    with Store(grouped.path) as upgraded:
        assert stories_of(upgraded) == {}
        assert queries.coverage(upgraded.con, Filters(), "month", "stories").stories.tolist() == [5]  # each its own story
        assert reextract(upgraded) == 5
        assert stories_of(upgraded) == before
        assert queries.coverage(upgraded.con, Filters(), "month", "stories").stories.tolist() == [2]


def test_coverage_counts_articles_or_stories_in_each_period(grouped):
    weekly = {count: queries.coverage(grouped.con, Filters(), "week", count)[count].tolist() for count in ("articles", "stories")}
    assert weekly == {"articles": [4, 1], "stories": [2, 1]}  # Outlet D's copy, a week later, counts there too
    assert queries.coverage(grouped.con, Filters(sources=("Outlet E",)), "week", "stories").stories.tolist() == [1]
    with pytest.raises(ValueError, match="count must be one of articles, stories"):
        queries.coverage(grouped.con, Filters(), "week", "outlets")  # type: ignore[arg-type]


def test_the_article_list_gives_the_size_of_each_articles_story(grouped):
    _, page = queries.search_articles(grouped.con, Filters(), limit=10)
    assert dict(zip(page.source, page.story_articles)) == {"Wire A": 4, "Outlet B": 4, "Outlet C": 4, "Outlet D": 4, "Outlet E": 1}


def test_a_story_lists_its_other_articles_earliest_first(grouped):
    others = queries.story(grouped.con, id_of(grouped, "Outlet D"))
    assert others.source.tolist()[-1] == "Outlet C" and set(others.source) == {"Wire A", "Outlet B", "Outlet C"}
    assert queries.story(grouped.con, id_of(grouped, "Outlet E")).empty


@pytest.fixture
def dashboard_store(grouped, monkeypatch):
    grouped.con.execute("UPDATE articles SET source = ? WHERE source = 'Outlet C'", ["Outlet *C* [x](http://x.invalid)"])
    grouped.close()
    monkeypatch.setenv("CEASEFIRE_DB", str(grouped.path))
    return grouped.path


def coverage_shown(app: AppTest) -> tuple[str, list[int]]:
    """The Overview's coverage chart as drawn: its title and its bars' heights."""
    chart = app.get("vega_lite_chart")[0].proto
    spec = json.loads(chart.spec)
    bars = pa.ipc.open_stream(chart.datasets[0].data.data).read_all().column(spec["encoding"]["y"]["field"]).to_pylist()
    return spec["title"], bars


def count_toggle(app: AppTest):
    return next(group for group in app.get("button_group") if group.proto.id.endswith("overview_count"))


def test_the_overview_counts_stories_when_the_url_asks(dashboard_store):
    app = open_page()
    assert not app.exception and "count" not in app.query_params
    assert coverage_shown(app) == ("Articles per month", [5])
    count_toggle(app).set_value("stories").run()
    assert app.query_params["count"] in ("stories", ["stories"]) and coverage_shown(app) == ("Stories per month", [2])
    shared = open_page(count="stories")  # the link, opened afresh
    assert count_toggle(shared).value == "stories" and coverage_shown(shared) == ("Stories per month", [2])
    count_toggle(shared).set_value("articles").run()
    assert "count" not in shared.query_params and coverage_shown(shared) == ("Articles per month", [5])


def test_the_reader_says_who_else_published_the_story(dashboard_store):
    with Store(dashboard_store, read_only=True) as store:
        chosen, alone = id_of(store, "Outlet D"), id_of(store, "Outlet E")
    app = open_page("pages/5_Articles.py", article=chosen)
    listed = app.dataframe[0].value
    assert dict(zip(listed.Source, listed["Articles of its story"])) == {
        "Wire A": 4, "Outlet B": 4, "Outlet *C* [x](http://x.invalid)": 4, "Outlet D": 4, "Outlet E": 1}
    shown = [m.value for m in app.markdown]
    line = next(m for m in shown if m.startswith("**Also published by:**"))
    # Wire A linked from its URL (the only kind of link), Outlet B without one, Outlet C's markup as text.
    assert line == ("**Also published by:** [Wire A ↗](https://wire-a.example/truce-plan), Outlet B, "
                    "Outlet \\*C\\* \\[x\\](http:\u2060//x.invalid) (one story of 4 articles)")
    assert not any(m.value.startswith("**Also published by:**") for m in open_page("pages/5_Articles.py", article=alone).markdown)


def test_a_text_published_word_for_word_by_another_outlet_is_one_article_whose_reader_names_both(tmp_path, monkeypatch):
    wire = agency_article("Wire A", url="https://wire-a.example/truce-plan")
    word_for_word = [agency_article("Outlet F", title="Gaza truce plan", url="https://outlet-f.example/a"),
                     agency_article("Outlet G")]  # the very text, under other outlets
    path = tmp_path / "copies.duckdb"
    with Store(path) as store:
        first = ingest(store, load_uploads([as_upload("wire.json", wire)]))
        report = ingest(store, load_uploads([as_upload("outlets.json", *word_for_word)]))
        assert (first.articles_added, report.articles_added, report.articles_duplicate, report.articles_copied) == (1, 0, 2, 2)
        assert "2 already stored or repeated (2 of them from another outlet or address, kept as copies)" in report.summary()
        again = ingest(store, load_uploads([as_upload("outlets.json", *word_for_word), as_upload("wire.json", wire)]))
        assert (again.articles_added, again.articles_copied) == (0, 0)  # re-ingests stay idempotent
        assert store.count("articles") == 1 and store.count("article_copies") == 2
        (wire_id,) = store.keys("articles", "article_id")
        assert queries.story(store.con, wire_id).source.tolist() == ["Outlet F", "Outlet G"]
    monkeypatch.setenv("CEASEFIRE_DB", str(path))
    shown = [m.value for m in open_page("pages/5_Articles.py", article=wire_id).markdown]
    assert ("**Also published by:** [Outlet F ↗](https://outlet-f.example/a), Outlet G (one story of 3 articles)"
            in shown)
