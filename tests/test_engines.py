"""The analysis queries give identical results on DuckDB and on PostgreSQL.

Needs a PostgreSQL server: `.ci/run` starts Debian's and sets CEASEFIRE_TEST_POSTGRES;
elsewhere these tests are skipped.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from samples import SEED, as_upload, republications, write_sample_events

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

FILTERS = [
    Filters(),
    Filters(start=date(2025, 7, 1), end=date(2025, 10, 31)),
    Filters(actors=("Hamas", "Qatar"), locations=("Egypt",)),
    Filters(sources=("Reuters",), outcomes=("collapsed", "ongoing")),
    Filters(locations=("'); DROP TABLE articles; --",)),
    Filters(conflicts=("Sudan",)),
    Filters(conflicts=("Russia-Ukraine", "DR Congo-M23"), start=date(2025, 1, 1)),
]


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
    folder = tmp_path_factory.mktemp("whole")
    store = Store(folder / "whole.duckdb")
    ingest_paths(store, [SAMPLE_DIR, write_sample_events(folder / "events")])
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


def _value(value: object) -> object:
    """Engines return dates, decimals and floats as slightly different types."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, date):
        return pd.Timestamp(value)
    if isinstance(value, (int, float, Decimal, np.number)) and not isinstance(value, bool):
        return round(float(value), 9)
    return value


def _normalised(result: object) -> object:
    if isinstance(result, dict):
        return {key: _value(value) for key, value in result.items()}
    return list(result.columns), [tuple(_value(v) for v in row) for row in result.itertuples(index=False)]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f.describe("articles"))
@pytest.mark.parametrize("name", AGGREGATIONS)
def test_aggregation_is_identical_on_duckdb_and_on_postgresql(whole, sharded, name, filters):
    on_duckdb = getattr(queries, name)(DuckDBEngine(whole.con), filters)
    on_postgres = getattr(queries, name)(sharded, filters)
    assert _normalised(on_postgres) == _normalised(on_duckdb)
    if filters == Filters():
        assert len(on_duckdb) > 0


def test_filter_options_and_article_pages_are_identical(whole, sharded):
    assert queries.filter_options(sharded) == queries.filter_options(whole.con)
    total, page = queries.search_articles(sharded, Filters(), "Cairo", limit=5)
    expected_total, expected_page = queries.search_articles(whole.con, Filters(), "Cairo", limit=5)
    assert total == expected_total > 0
    assert _normalised(page) == _normalised(expected_page)
    sentences = queries.actor_sentences(whole.con, Filters(), "Hamas", limit=30)
    assert len(sentences) == 30
    assert _normalised(queries.actor_sentences(sharded, Filters(), "Hamas", limit=30)) == _normalised(sentences)


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
        assert len(expected) > 0 and _normalised(queries.actor_sentences(engine, Filters(), "Qatar")) == _normalised(expected)
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
                assert _normalised(queries.coverage(engine, Filters(), grain, "stories")) == _normalised(expected)
            assert expected.stories.tolist() == [2]  # of five articles
            story = queries.story(store.con, chosen)
            assert len(story) == 3 and _normalised(queries.story(engine, chosen)) == _normalised(story)
            published = engine.rows("SELECT column_name FROM information_schema.columns "
                                    "WHERE table_name = 'article_stories' AND table_schema = current_schema()", [])
            assert sorted(name for (name,) in published) == ["article_id", "story_id"]  # not the signatures
        finally:
            engine.close()
