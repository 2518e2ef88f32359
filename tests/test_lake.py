"""The dashboard on a lake of Parquet tables (CEASEFIRE_DB=lake:PATH) reads what the DuckDB file
holds: every query gives the same result, with or without the file's facet tables."""

from __future__ import annotations

import json
import shutil

import pytest
from samples import ENGINE_FILTERS, PAGE_QUERIES, assert_same_results, open_page, store_of_everything

from ceasefire.cli.main import main
from ceasefire.config import SAMPLE_DIR
from ceasefire.ingest import open_store
from ceasefire.read.filters import Filters
from ceasefire.read.registry import ON_EVERY_ENGINE, Q, REGISTRY
from ceasefire.store.db import Store
from ceasefire.store.lake import MANIFEST, LakeError, lake_connection, write_lake
from ceasefire.store.schema import FACET_TABLES, FACETS_OUTDATED

@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    store = store_of_everything(tmp_path_factory.mktemp("lake"))
    yield store
    store.close()


@pytest.fixture(scope="module")
def lakes(stored, tmp_path_factory):
    """The store as a lake, and as a lake without the facet tables and bits (as Spark writes one)."""
    folder = tmp_path_factory.mktemp("lakes")
    full, bare = folder / "full", folder / "bare"
    write_lake(stored.con, full)
    shutil.copytree(full, bare)
    manifest = json.loads((bare / MANIFEST).read_text())
    for table in (*(f.name for f in FACET_TABLES.values()), "facet_bits", FACETS_OUTDATED):
        del manifest["tables"][table]
    (bare / MANIFEST).write_text(json.dumps(manifest))
    return {"full": Store(f"lake:{full}", read_only=True), "bare": Store(f"lake:{bare}", read_only=True)}


@pytest.mark.parametrize("lake", ["full", "bare"])
@pytest.mark.parametrize("filters", ENGINE_FILTERS, ids=lambda f: f.describe("articles"))
def test_every_query_gives_the_same_on_the_lake(stored, lakes, lake, filters):
    assert_same_results(stored.con, lakes[lake].con, filters, (*ON_EVERY_ENGINE, *PAGE_QUERIES))
    if filters == Filters():
        assert len(REGISTRY["top_actors"](lakes[lake].con, filters)) > 0


def test_the_lake_holds_every_row_partitioned_by_month(stored, lakes):
    for table in ("articles", "records", "events", "actor_mentions", "actors", "article_actors"):
        assert lakes["full"].count(table) == stored.count(table) > 0, table
    folder = lakes["full"].path
    months = sorted(p.name for p in (folder / "articles").iterdir())
    assert months[0].startswith("month=") and "month=2025-08" in months
    assert Q.filter_options(lakes["full"].con) == Q.filter_options(stored.con)
    assert Q.data_version(lakes["full"].con) == Q.data_version(stored.con)


def test_publishing_a_lake_again_replaces_it_and_never_a_folder_that_is_not_one(stored, tmp_path, capsys):
    lake = tmp_path / "lake"
    assert main(["--db", str(stored.path), "publish", f"lake:{lake}"]) == 0
    assert f"articles: {stored.count('articles')} rows" in capsys.readouterr().out
    (lake / "articles" / "stray.parquet").write_bytes(b"")  # gone once the lake is written again
    assert main(["--db", str(stored.path), "publish", f"lake:{lake}"]) == 0
    assert not (lake / "articles" / "stray.parquet").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lake"]  # nothing left beside it
    other = tmp_path / "photos"
    other.mkdir()
    (other / "holiday.jpg").write_bytes(b"x")
    assert main(["--db", str(stored.path), "publish", f"lake:{other}"]) == 2
    assert "is not a lake" in capsys.readouterr().err
    assert (other / "holiday.jpg").exists()


def test_a_lake_is_read_only_and_a_missing_or_strange_one_says_why(stored, tmp_path, capsys):
    lake = tmp_path / "lake"
    write_lake(stored.con, lake)
    assert main(["--db", f"lake:{lake}", "ingest", str(SAMPLE_DIR / "articles")]) == 2
    assert "is read-only" in capsys.readouterr().err
    assert main(["--db", f"lake:{lake}", "stats"]) == 0
    assert f"articles: {stored.count('articles')}" in capsys.readouterr().out
    with pytest.raises(LakeError, match="no lake"):
        lake_connection(tmp_path / "nothing")
    manifest = json.loads((lake / MANIFEST).read_text())
    manifest["tables"]["articles; DROP TABLE x"] = {"partitioned_by": None}
    (lake / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(LakeError, match="does not know"):
        lake_connection(lake)


def test_the_dashboard_reads_a_lake_and_nobody_writes_to_it(stored, tmp_path, monkeypatch):
    lake = tmp_path / "lake"
    write_lake(stored.con, lake)
    monkeypatch.setenv("CEASEFIRE_DB", f"lake:{lake}")
    app = open_page()
    assert not app.exception
    figures = {m.label: m.value for m in app.metric}
    assert figures["Articles"] == str(stored.count("articles")) and figures["Negotiation rounds"] == str(stored.count("records"))
    data = open_page("pages/7_Data.py")
    assert not data.exception
    assert any("reads a lake of Parquet tables" in i.value for i in data.info)
    assert [t.label for t in data.tabs] == ["Ingest history", "Download"]  # no upload, even on the server's machine
    assert open_store(f"lake:{lake}").count("articles") == stored.count("articles")  # never built from the sample
