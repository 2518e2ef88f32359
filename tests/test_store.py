"""The DuckDB store: idempotent, transactional ingest; statistics; export; the bundled sample store."""

from __future__ import annotations

import io
import json
import sys
import types
from datetime import date

import pandas as pd
import pytest
from samples import GAZA_RECORDS, SAMPLE_RECORDS, SAMPLE_ROUNDS, SEED

from ceasefire.config import SAMPLE_DIR
from ceasefire.ingest import ingest, ingest_paths, open_store
from ceasefire.loaders.files import load_paths
from ceasefire.read import log
from ceasefire.read.exports import export, neutralise_formulas, select
from ceasefire.read.filters import Filters
from ceasefire.store.db import Store

BODY = "Negotiators met in Doha on a truce and the exchange of hostages and prisoners. " * 4


def counts(store: Store) -> dict[str, int]:
    return {table: store.count(table) for table in ("articles", "records", "rejections", "ingests")}


def test_ingest_then_reingest_adds_nothing(store):
    first = ingest_paths(store, [SEED, SAMPLE_RECORDS])
    assert (first.articles_added, first.records_added, first.rejections) == (1, SAMPLE_ROUNDS, [])
    before = counts(store)
    again = ingest_paths(store, [SEED, SAMPLE_RECORDS])
    assert (again.articles_added, again.articles_duplicate, again.records_added, again.records_duplicate) == (0, 1, 0, SAMPLE_ROUNDS)
    after = counts(store)
    assert {k: v for k, v in after.items() if k != "ingests"} == {k: v for k, v in before.items() if k != "ingests"}
    assert after["ingests"] == before["ingests"] + 1


def test_broken_file_in_the_middle_of_a_batch_is_reported_and_the_rest_stored(store, write):
    good_1 = write("1.txt", "Good one\n" + BODY)
    broken = write("2.csv", b"date,venue,outcome\n2025-02-30,Doha,collapsed\n")
    good_2 = write("3.txt", "Good two\n" + BODY + " Again.")
    report = ingest_paths(store, [good_1, broken, good_2])
    assert (report.files_read, report.articles_added, report.records_added) == (3, 2, 0)
    assert [(r.file, r.row) for r in report.rejections] == [(str(broken), 2)]
    stored = store.con.execute('SELECT file, "row", reason FROM rejections').fetchall()
    assert stored == [(str(broken), 2, "impossible or unreadable date '2025-02-30'")]
    assert "rejected: 1" in report.summary() and "2.csv, row 2: impossible or unreadable date" in report.summary()


def test_strict_ingest_stores_nothing_when_anything_is_rejected(store, write):
    ingest_paths(store, [SEED])
    before = counts(store)
    report = ingest_paths(store, [write("1.txt", "Good\n" + BODY), write("2.txt", b"")], strict=True)
    assert not report.stored and len(report.rejections) == 1
    assert counts(store) == before


def test_failure_during_the_transaction_leaves_the_store_as_it_was(store, write, monkeypatch):
    ingest_paths(store, [SEED])
    before = counts(store)
    result = load_paths([write("new.txt", "New article\n" + BODY), SAMPLE_RECORDS])
    original = Store._insert_new

    def fail_on_records(self, table, *args):
        if table == "records":  # articles of this batch are already inserted when this fails
            raise RuntimeError("disk full")
        return original(self, table, *args)

    monkeypatch.setattr(Store, "_insert_new", fail_on_records)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest(store, result)
    assert counts(store) == before
    monkeypatch.undo()
    assert ingest(store, result).articles_added == 1  # the connection is usable afterwards


def test_stored_rows_keep_schema_types(store):
    ingest_paths(store, [SEED, SAMPLE_RECORDS])
    article = select(store.con, "articles").df().iloc[0]
    assert (article.published_precision, article.published_from) == ("month", "inferred")
    rounds = select(store.con, "records", Filters(locations=("Cairo",), outcomes=("ongoing",))).df()
    assert sorted(zip(rounds.start_precision, rounds.origin_file.str.split("/").str[-1])) == [
        ("day", "gaza-ceasefire-rounds-2023-2025.csv"), ("month", "hamas-delegation-cairo.txt")]
    assert list(rounds[rounds.start_precision == "day"].iloc[0].mediators) == ["Egypt", "Qatar"]


def test_stats(store):
    ingest_paths(store, [SEED, SAMPLE_RECORDS])
    stats = log.stats(store)
    assert (stats["articles"], stats["rounds"], stats["articles_date_inferred"]) == (1, SAMPLE_ROUNDS, 1)
    assert str(stats["rounds_first_date"]) == "2023-11-22" and str(stats["rounds_last_date"]) == "2025-10-13"
    assert stats["rounds_by_outcome"]["collapsed"] == 5  # four in the CSV, Doha July 2025 in the seed's table


def test_export_csv_parquet_with_filters_and_formula_neutralising(store, write, tmp_path):
    ingest_paths(store, [SAMPLE_RECORDS, write("evil.csv", b'date,venue,outcome,proposal\n2025-01-02,Doha,ongoing,"=HYPERLINK(""http://x"")"\n')])
    csv_path, parquet_path = tmp_path / "r.csv", tmp_path / "r.parquet"
    filters = Filters.from_params({"start": "2025-01-01", "location": "Doha"})
    written = export(store.con, "records", csv_path, filters=filters)
    exported = pd.read_csv(csv_path)
    assert written == len(exported) == 4  # Jan, Mar and Jul 2025 rounds in Doha plus the injected row
    assert exported.proposal.str.startswith("=").sum() == 0
    assert exported.proposal.iloc[0] == "'=HYPERLINK(\"http://x\")"
    assert export(store.con, "records", parquet_path, filters=filters) == 4
    assert pd.read_parquet(parquet_path).proposal.str.startswith("=").sum() == 1  # Parquet keeps values as they are


def test_neutralise_formulas_leaves_numbers_and_plain_text():
    import duckdb

    relation = duckdb.connect().query(
        "SELECT * FROM (VALUES ('=1+1', ['-x', 'ok'], 1), ('+cmd', [], 2), ('-2', NULL, 3), ('@SUM(A1)', ['@a'], 4), "
        "('plain', ['p'], 5), (chr(9) || 'tab', NULL, 6)) AS t(a, l, n) ORDER BY n")
    assert neutralise_formulas(relation).fetchall() == [
        ("'=1+1", "'-x; ok", 1), ("'+cmd", "", 2), ("'-2", None, 3), ("'@SUM(A1)", "'@a", 4), ("plain", "p", 5),
        ("'\ttab", None, 6)]


def test_open_store_builds_the_sample_store_once(tmp_path):
    path = tmp_path / "sample.duckdb"
    with open_store(path) as store:
        first = counts(store)
    with open_store(path) as store:
        assert counts(store) == first
    sample_files = sorted(p for p in SAMPLE_DIR.rglob("*") if p.is_file())
    assert first["articles"] >= 1 and first["records"] >= SAMPLE_ROUNDS and first["ingests"] == 1 and len(sample_files) >= 2


def test_filters_keep_values_out_of_sql(store):
    ingest_paths(store, [SAMPLE_RECORDS])
    hostile = Filters(locations=("'); DROP TABLE records; --",), sources=("x' OR '1'='1",))
    assert select(store.con, "records", hostile).df().empty
    assert store.count("records") == GAZA_RECORDS


def test_ingest_in_two_processes_stores_exactly_what_one_process_does(tmp_path, write, monkeypatch):
    # AppTest leaves the last page script as __main__, and new worker processes would run it again.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    reports = [[
        {"title": f"Report {i}-{j}", "published": f"2025-0{1 + j % 9}-1{j % 10}",
         "text": f"Hamas and Israel sent delegations to Cairo for round {i}-{j}. Egyptian mediators proposed a truce."}
        for j in range(30)] for i in range(3)]
    # Batches of one file each: a batch is written while the next is analysed, so the second file,
    # which repeats articles of the first, is prepared before they are stored; they must be stored
    # and analysed once.
    files = [write(f"batch{i}.json", json.dumps(batch)) for i, batch in enumerate(reports)]
    files = [files[0], write("repeats.json", json.dumps(reports[0][:5])), *files[1:], SAMPLE_RECORDS]
    fingerprints = []
    for workers in (1, 2):
        with Store(tmp_path / f"w{workers}.duckdb") as store:
            report = ingest_paths(store, files, workers=workers, batch_articles=1)
            assert (report.articles_added, report.articles_duplicate, report.records_added, report.rejections) == (90, 5, GAZA_RECORDS, [])
            fingerprints.append([store.con.execute(f"SELECT count(*), sum(hash(x)) FROM (SELECT * FROM {table}) x").fetchall()
                                 for table in ("actor_mentions", "place_mentions", "date_mentions", "sentences", "actor_pairs",
                                               "article_actors", "round_candidates", "article_stories")])
            assert store.con.execute("SELECT count(DISTINCT article_id), count(*) FROM article_stats").fetchall() == [(90, 90)]
    assert fingerprints[0] == fingerprints[1]


def test_ingest_in_small_batches_stores_what_one_batch_does(tmp_path, write):
    files = [write(f"part{i}.json", json.dumps([
        {"title": f"Talks {i}-{j}", "published": "2025-08-12",
         "text": f"Qatar and Egypt hosted round {i}-{j} in Doha. Hamas rejected the proposal."} for j in range(5)]))
        for i in range(4)] + [SAMPLE_RECORDS, write("broken.json", "{not json")]
    results = []
    for batch_articles in (1, 100_000):
        with Store(tmp_path / f"b{batch_articles}.duckdb") as store:
            report = ingest_paths(store, files, batch_articles=batch_articles)
            results.append((report.files_read, report.articles_added, report.records_added, len(report.rejections),
                            [store.con.execute(f"SELECT count(*), sum(hash(x)) FROM {t} x").fetchall()
                             for t in ("articles", "actor_mentions", "article_actors", "records")]))
    assert results[0][:4] == (6, 20, GAZA_RECORDS, 1)
    assert results[0][4][0][0][0] == 20
    assert results[0][4][1:] == results[1][4][1:]


def test_a_store_from_before_dated_rollups_is_upgraded_in_place(tmp_path):
    from ceasefire.read import queries
    from ceasefire.store.schema import ROLLUPS

    path = tmp_path / "old.duckdb"
    calls = [
        lambda con: queries.top_actors(con, Filters(sources=("Project briefing",), start=date(2025, 1, 1))),
        lambda con: queries.co_mentions(con, Filters()),
        lambda con: queries.top_actors(con, Filters(locations=("Egypt",), actors=("Qatar",))),
        lambda con: queries.coverage(con, Filters(locations=("Doha",)), "month"),
        lambda con: pd.DataFrame(map(vars, queries.news_rounds(con, Filters(locations=("Cairo",))))),
        lambda con: queries.top_actors(con, Filters(locations=("Doha",))),  # from actors by facet and day
        lambda con: queries.co_mentions(con, Filters(actors=("Hamas",))),  # from pairs by facet and day
        lambda con: queries.actor_sentences(con, Filters(locations=("Cairo",)), "Hamas"),
        lambda con: queries.mentions_over_time(con, Filters(start=date(2025, 1, 1)), "month"),
    ]
    with Store(path) as store:
        ingest_paths(store, [SAMPLE_DIR])
        expected = [call(store.con) for call in calls]
        for name in ROLLUPS:  # the layout of two versions ago
            for column in ("published_at", "source", "place_bits", "actor_bits"):
                store.con.execute(f"ALTER TABLE {name} DROP COLUMN {column}")
        store.con.execute("DROP TABLE facet_bits")
        store.con.execute("ALTER TABLE actor_pairs RENAME COLUMN actor TO source")
        store.con.execute("ALTER TABLE actor_pairs RENAME COLUMN other TO target")
        store.con.execute("ALTER TABLE round_candidates DROP COLUMN published")
        store.con.execute("ALTER TABLE records DROP COLUMN conflicts")
        store.con.execute("DROP TABLE facet_actors")
        store.con.execute("DROP TABLE facet_pairs")
        store.con.execute("ALTER TABLE facets_outdated RENAME TO facet_actors_outdated")
    with Store(path) as store:
        found = [call(store.con) for call in calls]
        assert "_bits & ?" in Filters(locations=("Doha",)).articles_where("st", queries._bits(store.con))[0]
        assert "facet_pairs" in queries._rollup(store.con, Filters(), "actor_pairs", "p", {"actor": "actor"})[0]
    assert all(not frame.empty for frame in expected)
    for before, after in zip(expected, found):
        pd.testing.assert_frame_equal(before, after)


def test_a_store_from_an_earlier_version_opened_read_only_says_how_to_upgrade_it(tmp_path, capsys):
    from ceasefire.cli.main import main
    from ceasefire.read import queries
    from ceasefire.store.db import OutdatedStore

    path = tmp_path / "old.duckdb"
    with Store(path) as store:
        ingest_paths(store, [SEED])
        store.con.execute("ALTER TABLE records DROP COLUMN conflicts")  # as before conflicts,
        store.con.execute("DROP TABLE events")  # and before events
        store.con.execute("ALTER TABLE ingests DROP COLUMN events_added")
    with pytest.raises(OutdatedStore, match=r"earlier version.*open it once for writing.*ceasefire --db"):
        Store(path, read_only=True)
    # The same store named as a query engine (read-only too): the same advice, not a SQL error.
    assert main(["query", "--engine", str(path), "top_actors"]) == 2
    assert f"ceasefire --db {path} stats" in capsys.readouterr().err
    with Store(path) as store:  # for writing: upgraded
        pass
    with Store(path, read_only=True) as store:
        assert len(queries.actor_sentences(store.con, Filters(), "Hamas")) > 0
        assert queries.events_over_time(store.con, Filters()).empty  # the events table is there, empty
        assert log.ingest_history(store.con).Events.isna().all()  # the ingests from before events counted none


def test_exports_are_written_by_duckdb_and_can_be_capped(tmp_path):
    from ceasefire.read.exports import export_bytes

    with Store(tmp_path / "s.duckdb") as store:
        ingest_paths(store, [SAMPLE_DIR])
        capped = export_bytes(store.con, "articles", "csv", Filters(), limit=3)
        whole = export_bytes(store.con, "articles", "parquet", Filters())
    assert capped.rows == 3 and len(pd.read_csv(io.BytesIO(capped.content))) == 3
    articles = [p for p in SAMPLE_DIR.rglob("*") if p.suffix in (".txt", ".md")]
    assert whole.rows == len(pd.read_parquet(io.BytesIO(whole.content))) == len(articles)


def test_ingests_that_add_a_fifth_of_the_store_leave_it_compacted(tmp_path, write):
    from ceasefire.read import queries
    from ceasefire.store.db import COMPACT_ORDER

    def in_order(store: Store) -> bool:
        return all(store.con.execute(f"SELECT {order} FROM {table}").fetchall()
                   == store.con.execute(f"SELECT {order} FROM {table} ORDER BY {order}").fetchall()
                   for table, order in COMPACT_ORDER.items())

    with Store(tmp_path / "s.duckdb") as store:
        ingest_paths(store, [SAMPLE_DIR])  # the first ingest adds everything
        assert in_order(store)
        filters = Filters(locations=("Egypt",), start=date(2025, 1, 1))
        before = [queries.top_actors(store.con, filters), queries.issue_salience(store.con, filters)]
        ingest_paths(store, [write("late.txt", "Late news\nZelensky met Qatar's emir in Doha about Hamas.")])
        assert not in_order(store)  # one article more: appended, not worth rewriting the store
        store.compact()
        assert in_order(store)
        after = [queries.top_actors(store.con, filters), queries.issue_salience(store.con, filters)]
    for old, new in zip(before, after):
        pd.testing.assert_frame_equal(old, new)


def test_a_title_is_read_with_its_text_and_its_sentences_are_shown(store, write):
    """Headlines name actors too: the title is analysed after the text (offsets into the text
    unchanged), and what the store cuts out for a sentence is the sentence extraction read."""
    from ceasefire.analysis.text import analysed_text, split_sentences
    from ceasefire.read import queries
    from ceasefire.store.schema import ANALYSED_TEXT

    path = write("qatar.txt", "Qatar hosts a new round\n\nTalks resumed in Doha on Monday after a pause of two weeks.\n")
    ingest_paths(store, [path])
    title, text = store.con.execute("SELECT title, text FROM articles").fetchone()
    assert title == "Qatar hosts a new round" and "Qatar" not in text
    assert store.con.execute(f"SELECT {ANALYSED_TEXT} FROM articles a").fetchone()[0] == analysed_text(text, title)
    qatar = store.con.execute("SELECT sentence_index, char_start, char_end FROM actor_mentions WHERE actor = 'Qatar'").fetchall()
    assert len(qatar) == 1 and qatar[0][0] == len(split_sentences(text))  # the sentence after the text's
    assert analysed_text(text, title)[qatar[0][1]:qatar[0][2]] == "Qatar"
    doha = store.con.execute("SELECT char_start, char_end FROM place_mentions WHERE place = 'Doha'").fetchone()
    assert text[doha[0]:doha[1]] == "Doha"  # offsets into the text as before
    assert queries.actor_sentences(store.con, Filters(), "Qatar").sentence.tolist() == [title]


def test_a_text_that_begins_with_its_title_is_read_once(store, write):
    """A table's row without a title takes its text's first line as the title: it is not read twice."""
    from ceasefire.analysis.text import analysed_text
    from ceasefire.store.schema import ANALYSED_TEXT

    ingest_paths(store, [write("notes.csv", "text,published_at\n\"Qatar hosts talks in Doha. Egypt attends.\",2025-07-01\n")])
    title, text = store.con.execute("SELECT title, text FROM articles").fetchone()
    assert text.startswith(title) and analysed_text(text, title) == text
    assert store.con.execute(f"SELECT {ANALYSED_TEXT} FROM articles a").fetchone()[0] == text
    assert store.con.execute("SELECT actor, count(*) FROM actor_mentions GROUP BY 1 ORDER BY 1").fetchall() == [("Egypt", 1), ("Qatar", 1)]
