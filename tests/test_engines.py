"""The analysis queries give identical results on DuckDB and on PostgreSQL.

Needs a PostgreSQL server: `.ci/run` starts Debian's and sets CEASEFIRE_TEST_POSTGRES;
elsewhere these tests are skipped.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from samples import ENGINE_FILTERS as FILTERS
from samples import PAGE_QUERIES, SEED, as_upload, assert_same_results, normalised, republications, store_of_everything, write_sample_events

from ceasefire.cli.main import AGGREGATIONS, main
from ceasefire.config import SAMPLE_DIR
from ceasefire.ingest import ingest, ingest_paths
from ceasefire.loaders.files import load_uploads
from ceasefire.read import queries
from ceasefire.read.engines import (
    DuckDBEngine,
    PostgresEngine,
    connect,
    publish,
)
from ceasefire.read.filters import Filters
from ceasefire.store.db import Store

POSTGRES = os.environ.get("CEASEFIRE_TEST_POSTGRES")
pytestmark = pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL: set CEASEFIRE_TEST_POSTGRES (.ci/run does)")



def _schema_url(name: str) -> str:
    """A fresh schema of the test database, and a URL whose connections use it."""
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as pg:
        pg.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        pg.execute(f"CREATE SCHEMA {name}")
    return f"{POSTGRES}?options=-csearch_path%3D{name}"


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """One DuckDB store of all the sample data, and events."""
    store = store_of_everything(tmp_path_factory.mktemp("whole"))
    yield store
    store.close()


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    """The same data ingested as two shards in two stores, each published to PostgreSQL: the way
    a corpus too big for one machine is ingested in parallel."""
    url = _schema_url("engine_test")
    briefings = sorted((SAMPLE_DIR / "articles" / "briefings").iterdir())
    records = sorted((SAMPLE_DIR / "records").glob("*.csv"))
    events = write_sample_events(tmp_path_factory.mktemp("events"))
    shards = [[SEED, *records[::2], *briefings[::2], events], [*records[1::2], *briefings[1::2]]]
    for number, files in enumerate(shards):
        with Store(tmp_path_factory.mktemp("shard") / f"shard{number}.duckdb") as shard:
            ingest_paths(shard, files)
            publish(shard.con, url)
    engine = connect(url)
    yield engine
    engine.close()


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f.describe("articles"))
@pytest.mark.parametrize("name", AGGREGATIONS)
def test_aggregation_is_identical_on_duckdb_and_on_postgresql(whole, sharded, name, filters):
    on_duckdb = getattr(queries, name)(DuckDBEngine(whole.con), filters)
    on_postgres = getattr(queries, name)(sharded, filters)
    assert normalised(on_postgres) == normalised(on_duckdb)
    if filters == Filters():
        assert len(on_duckdb) > 0


def test_filter_options_and_article_pages_are_identical(whole, sharded):
    assert queries.filter_options(sharded) == queries.filter_options(whole.con)
    total, page = queries.search_articles(sharded, Filters(), "Cairo", limit=5)
    expected_total, expected_page = queries.search_articles(whole.con, Filters(), "Cairo", limit=5)
    assert total == expected_total > 0
    assert normalised(page) == normalised(expected_page)
    sentences = queries.actor_sentences(whole.con, Filters(), "Hamas", limit=30)
    assert len(sentences) == 30
    assert normalised(queries.actor_sentences(sharded, Filters(), "Hamas", limit=30)) == normalised(sentences)


def test_publishing_a_shard_twice_changes_nothing(whole, tmp_path):
    url = _schema_url("engine_republish")
    first = publish(whole.con, url)
    publish(whole.con, url)
    engine = connect(url)
    try:
        assert engine.rows("SELECT count(*) FROM articles", [])[0][0] == first["articles"] == whole.count("articles")
        assert engine.rows("SELECT count(*) FROM actor_mentions", [])[0][0] == whole.count("actor_mentions")
    finally:
        engine.close()


def test_publishing_again_adds_the_columns_a_newer_version_has(whole):
    url = _schema_url("engine_upgrade")
    import psycopg

    publish(whole.con, url)
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute("ALTER TABLE article_actors DROP COLUMN sentence_indexes")  # as published by an older version
    publish(whole.con, url)
    engine = connect(url)
    try:
        expected = queries.actor_sentences(whole.con, Filters(), "Qatar")
        assert len(expected) > 0 and normalised(queries.actor_sentences(engine, Filters(), "Qatar")) == normalised(expected)
    finally:
        engine.close()


def test_postgresql_gets_translated_sql_with_bound_parameters():
    engine = PostgresEngine.__new__(PostgresEngine)
    engine._translated = {}
    sql = engine.translate("SELECT actor, count(*) FROM t WHERE day < ? + INTERVAL 1 DAY AND name LIKE '%a' GROUP BY ALL")
    assert sql == "SELECT actor, COUNT(*) FROM t WHERE day < %s + INTERVAL '1 DAY' AND name LIKE '%%a' GROUP BY actor"


def test_cli_publishes_a_store_and_queries_it_by_url(whole, capsys):
    url = _schema_url("engine_cli")
    assert main(["--db", str(whole.path), "publish", url]) == 0
    assert "actor_mentions: " in capsys.readouterr().out
    args = ["query", "top_actors", "--since", "2025-07-01", "--actor", "Hamas"]
    assert main(["--db", str(whole.path), *args]) == 0
    on_duckdb = capsys.readouterr().out
    assert main([*args, "--engine", url]) == 0
    assert capsys.readouterr().out == on_duckdb
    assert on_duckdb.startswith("actor,type,mentions,articles\nHamas,")


def test_shards_published_at_the_same_time_do_not_duplicate_shared_tables(whole, tmp_path):
    url = _schema_url("engine_concurrent")
    with Store(tmp_path / "copy.duckdb") as copy:
        ingest_paths(copy, [SAMPLE_DIR])
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda store: publish(store.con.cursor(), url), [whole, copy]))
    engine = connect(url)
    try:
        for table in ("actors", "places", "articles", "article_actors"):
            assert engine.rows(f"SELECT count(*) FROM {table}", [])[0][0] == whole.count(table), table
    finally:
        engine.close()


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f.describe("articles"))
def test_every_page_query_is_identical_on_postgresql(whole, sharded, filters):
    assert_same_results(whole.con, sharded, filters, PAGE_QUERIES)


def test_the_dashboard_reads_postgresql(whole, monkeypatch):
    from samples import open_page

    url = _schema_url("engine_dashboard")
    publish(whole.con, url)
    monkeypatch.setenv("CEASEFIRE_DB", url)
    app = open_page()
    assert not app.exception
    figures = {m.label: m.value for m in app.metric}
    assert figures["Articles"] == str(whole.count("articles")) and figures["Negotiation rounds"] == str(whole.count("records"))
    assert open_page(conflict="Sudan").metric[0].value != figures["Articles"]  # the filters apply on the server
    data = open_page("pages/7_Data.py")
    assert not data.exception
    assert [t.label for t in data.tabs] == ["Upload", "Ingest history", "Actor catalog", "Download"]
    assert any("keeps no ingest history" in i.value for i in data.info)
    assert data.selectbox(key="data_download_table").options == ["articles", "records", "events"]
    data.button(key="data_prepare").click().run()
    assert data.get("download_button")[0].proto.label == f"Download {whole.count('articles'):,} rows of articles (csv)"
    for page in ("pages/1_Negotiations.py", "pages/2_Actors.py", "pages/3_Network.py", "pages/4_Map.py",
                 "pages/5_Articles.py", "pages/6_Issues.py", "pages/8_Timeline.py"):
        assert not open_page(page).exception, page


def test_the_admins_changes_on_a_dashboard_on_postgresql_go_to_the_server(whole, tmp_path, monkeypatch):
    from ceasefire.dashboard import actions

    url = _schema_url("engine_writes")
    publish(whole.con, url)
    monkeypatch.setenv("CEASEFIRE_DB", url)
    monkeypatch.setenv("CEASEFIRE_ACTORS", str(tmp_path / "my-actors.yaml"))
    engine = connect(url)
    count = lambda sql: engine.rows(sql, [])[0][0]  # noqa: E731
    stored = count("SELECT count(*) FROM articles")
    upload = [("zorvan.txt", b"Zorvan Kell talks\nHamas and Israel met Zorvan Kell in Cairo on 3 March 2025 for talks.")]
    report = actions.ingest_uploads(upload, ["zorvan.txt"], "articles")
    assert (report.articles_added, report.articles_duplicate) == (1, 0)
    assert count("SELECT count(*) FROM articles") == stored + 1
    again = actions.ingest_uploads(upload, ["zorvan.txt"], "articles")
    assert (again.articles_added, again.articles_duplicate) == (0, 1)  # counted against the server
    assert count("SELECT count(*) FROM articles") == stored + 1
    assert count("SELECT count(*) FROM actors") == whole.count("actors")  # the catalog went along, whole

    zorvan = engine.rows("SELECT article_id FROM articles WHERE title = 'Zorvan Kell talks'", [])[0][0]
    qatar = count("SELECT count(*) FROM actor_mentions WHERE actor = 'Qatar'")
    ids = actions.add_name_as_alias("Zorvan Kell", "Qatar")  # the server's articles naming it or Qatar, analysed again
    assert zorvan in ids
    # in its text and its title, and nothing else doubled
    assert count(f"SELECT count(*) FROM actor_mentions WHERE actor = 'Qatar' AND article_id = '{zorvan}'") == 2
    assert count("SELECT count(*) FROM actor_mentions WHERE actor = 'Qatar'") == qatar + 2
    assert count("SELECT count(*) FROM articles") == stored + 1

    cairo = next(r for r in queries.news_rounds(engine, Filters()) if zorvan in r.articles)
    record_id = actions.review_news_round(cairo, "accepted")
    assert count(f"SELECT count(*) FROM records WHERE record_id = '{record_id}'") == 1
    assert count("SELECT count(*) FROM round_decisions WHERE decision = 'accepted'") == len(cairo.candidates)
    engine.close()


def test_a_server_that_cannot_be_reached_says_so_without_its_address(monkeypatch):
    from samples import open_page

    monkeypatch.setenv("CEASEFIRE_DB", "postgresql://nobody:secret@127.0.0.1:9/nowhere")
    monkeypatch.setattr("ceasefire.read.engines.CONNECT_SECONDS", 1)
    app = open_page()
    assert not app.exception
    shown = " ".join(e.value for e in app.error)
    assert "cannot be read right now" in shown and "127.0.0.1" not in shown and "secret" not in shown


def test_stories_are_counted_and_listed_alike_on_postgresql(tmp_path):
    url = _schema_url("engine_stories")
    with Store(tmp_path / "stories.duckdb") as store:
        ingest(store, load_uploads([as_upload("outlets.json", *republications().values())]))
        publish(store.con, url)
        chosen = store.con.execute("SELECT article_id FROM articles WHERE source = 'Outlet D'").fetchall()[0][0]
        engine = connect(url)
        try:
            for grain in ("week", "month"):
                expected = queries.coverage(store.con, Filters(), grain, "stories")
                assert normalised(queries.coverage(engine, Filters(), grain, "stories")) == normalised(expected)
            assert expected.stories.tolist() == [2]  # of five articles
            story = queries.story(store.con, chosen)
            assert len(story) == 3 and normalised(queries.story(engine, chosen)) == normalised(story)
            published = engine.rows("SELECT column_name FROM information_schema.columns "
                                    "WHERE table_name = 'article_stories' AND table_schema = current_schema()", [])
            assert sorted(name for (name,) in published) == ["article_id", "story_id"]  # not the signatures
        finally:
            engine.close()
