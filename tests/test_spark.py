"""The ingest on Spark (local mode) writes the lake a native ingest and `write_lake` write: the same
rows in every table, the same answer to every dashboard query; a second run adds nothing, a run
over new files adds only theirs; bad files and rows become rejections while the good ones land."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil

import pytest
from samples import ENGINE_FILTERS, normalised, write_sample_events

from ceasefire.cli.main import main
from ceasefire.config import REPO_ROOT, SAMPLE_DIR
from ceasefire.ingest import ingest_paths
from ceasefire.read.registry import ON_EVERY_ENGINE, REGISTRY
from ceasefire.store.db import Store
from ceasefire.store.lake import LakeError, lake_connection, write_lake

# Columns that must differ: the bits are numbered per DuckDB store (a lake has none), an ingest's
# times are its own, and the signatures and band keys only grouping reads are not kept on Spark.
UNCOMPARED = {"place_bits", "actor_bits", "started_at", "finished_at", "signature", "band_keys"}


def _missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "the Spark tests need pyspark (pip install -e '.[test]')"
    if shutil.which("java") is None:
        return "the Spark tests need Java 17 (apt-get install openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="session")
def spark():
    if (missing := _missing()) is not None:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    from ceasefire.spark.ingest import spark_session

    session = spark_session("local[2]", {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2",
                                         "spark.default.parallelism": "2"})
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _generated(count: int, seed: int) -> list[dict]:
    """Synthetic articles of the benchmark corpus (bench/corpus.py)."""
    spec = importlib.util.spec_from_file_location("corpus", REPO_ROOT / "bench" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    return list(corpus.generate_articles(count, seed=seed, sentences=(6, 10)))


def _write_shard(path, articles: list[dict]):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(article) + "\n" for article in articles), encoding="utf-8")
    return path


def _bad_inputs(folder):
    """JSON cut short, and a table with one good article and one bad row."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "broken.json").write_text('{"articles": [', encoding="utf-8")
    (folder / "mixed.csv").write_text("title,text,published_at\nGood row,Talks resumed in Doha on Monday.,2025-03-02\n"
                                      "Bad row,Talks in Cairo.,not a date at all\n", encoding="utf-8")
    return folder


def _rows(con, table: str) -> list[tuple]:
    columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall() if row[0] not in UNCOMPARED]
    rows = con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
    return sorted((tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows), key=repr)


def _assert_same_lakes(spark_lake, native_lake, ignore_ingest_ids: bool = False, ignore_stories: bool = False) -> None:
    """The same rows in every table; `ignore_stories` for a corpus whose copies the native ingest
    groups into stories, which Spark does not (each article is its own story there)."""
    from ceasefire.spark.ingest import SPARK_TABLES

    ours, theirs = lake_connection(spark_lake), lake_connection(native_lake)
    ignored = {name for name, ignore in (("ingest_id", ignore_ingest_ids), ("story_id", ignore_stories)) if ignore}
    UNCOMPARED.update(ignored)
    try:
        for table in SPARK_TABLES:
            if (ignore_ingest_ids and table == "ingests") or (ignore_stories and table == "article_stories"):
                continue  # one row a run; the stories
            assert _rows(ours, table) == _rows(theirs, table), table
    finally:
        UNCOMPARED.difference_update(ignored)


def _native_lake(tmp_path, *runs: list) -> object:
    with Store(tmp_path / "native.duckdb") as store:
        for paths in runs:
            ingest_paths(store, paths)
        write_lake(store.con, tmp_path / "native-lake")
    return tmp_path / "native-lake"


@pytest.fixture(scope="module")
def sample_lakes(spark, tmp_path_factory):
    """The sample, ACLED-layout events and bad input, ingested on Spark and natively."""
    from ceasefire.spark.ingest import ingest_to_lake

    folder = tmp_path_factory.mktemp("spark-sample")
    paths = [SAMPLE_DIR, write_sample_events(folder / "events"), _bad_inputs(folder / "bad")]
    report = ingest_to_lake(spark, paths, folder / "spark-lake")
    return report, folder / "spark-lake", _native_lake(folder, paths)


def test_the_sample_on_spark_gives_the_native_rows_and_rejections(sample_lakes):
    report, spark_lake, native_lake = sample_lakes
    _assert_same_lakes(spark_lake, native_lake)
    con = lake_connection(spark_lake)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == report.articles_added > 30
    assert con.execute("SELECT count(*) FROM events").fetchone()[0] == report.events_added > 0
    assert con.execute("SELECT count(*) FROM article_actors").fetchone()[0] > 0
    rejected = con.execute('SELECT file, "row", reason FROM rejections ORDER BY file').fetchall()
    assert [(file.rsplit("/", 1)[-1], row) for file, row, _ in rejected] == [("broken.json", 1), ("mixed.csv", 3)]  # line 3: after the header and the good row
    assert "not a date at all" in rejected[1][2]  # the reason quotes the bad value
    assert con.execute("SELECT title FROM articles WHERE title = 'Good row'").fetchall() == [("Good row",)]
    months = sorted(p.name for p in (spark_lake / "articles").iterdir())
    assert "month=2025-08" in months and all(m.startswith("month=") for m in months)


@pytest.mark.parametrize("filters", ENGINE_FILTERS, ids=lambda f: f.describe("articles"))
def test_every_dashboard_query_gives_the_same_on_the_spark_lake(sample_lakes, filters):
    _, spark_lake, native_lake = sample_lakes
    on_spark, on_native = Store(f"lake:{spark_lake}", read_only=True), Store(f"lake:{native_lake}", read_only=True)
    for name in ON_EVERY_ENGINE:
        assert normalised(REGISTRY[name](on_spark.con, filters)) == normalised(REGISTRY[name](on_native.con, filters)), name


def test_daily_runs_add_only_what_the_lake_does_not_hold(spark, tmp_path, capsys):
    articles = _generated(60, seed=3)
    first = [_write_shard(tmp_path / "day1" / f"shard-{n}.jsonl", articles[n * 20:(n + 1) * 20]) for n in range(2)]
    # The same text again in the second shard, under another date: the first copy is kept, as natively.
    _write_shard(first[1], [{**articles[0], "published_at": "2024-01-01"}, *articles[20:40]])
    later = [_write_shard(tmp_path / "day2" / "shard-0.jsonl", articles[40:] + articles[:5])]
    lake = tmp_path / "lake"

    def spark_ingest(paths) -> str:
        assert main(["spark-ingest", "--master", "local[2]", "--lake", str(lake), *map(str, paths)]) == 0
        return capsys.readouterr().out

    assert "articles: 40 added, 1 already stored or repeated" in spark_ingest(first)
    _assert_same_lakes(lake, _native_lake(tmp_path / "one", first), ignore_stories=True)
    assert "articles: 0 added, 41 already stored or repeated" in spark_ingest(first)
    assert "articles: 20 added, 5 already stored or repeated" in spark_ingest(later)
    _assert_same_lakes(lake, _native_lake(tmp_path / "two", first, later), ignore_ingest_ids=True, ignore_stories=True)
    ingests = lake_connection(lake).execute("SELECT ingest_id, articles_added FROM ingests ORDER BY 1").fetchall()
    assert ingests == [(1, 40), (2, 0), (3, 20)]


def test_one_run_at_a_time_and_never_into_a_folder_that_is_not_a_lake(spark, tmp_path):
    from ceasefire.spark.ingest import ingest_to_lake

    lake = tmp_path / "lake"
    (tmp_path / ".lake.ingest-lock").write_text("1\n")
    with pytest.raises(LakeError, match="another ingest"):
        ingest_to_lake(spark, [SAMPLE_DIR], lake)
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "holiday.jpg").write_bytes(b"x")
    with pytest.raises(LakeError, match="is not a lake"):
        ingest_to_lake(spark, [SAMPLE_DIR], photos)
    assert [p.name for p in photos.iterdir()] == ["holiday.jpg"]
