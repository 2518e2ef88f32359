"""Negotiation rounds reconstructed from the news: candidates, reconciliation, review."""

from __future__ import annotations

import json
from datetime import date

import pytest
from samples import SEED

from ceasefire.analysis.extract import Extractors
from ceasefire.analysis.rounds import Candidate, RecordSpan, reconcile
from ceasefire.analysis.rounds_eval import candidates_of, read_eval, score
from ceasefire.ingest import ingest_paths, reextract, review_round
from ceasefire.read import queries
from ceasefire.read.filters import Filters
from ceasefire.store.db import Store


@pytest.fixture(scope="module")
def extractors():
    return Extractors.load()


@pytest.fixture
def seeded(tmp_path):
    store = Store(tmp_path / "rounds.duckdb")
    ingest_paths(store, [SEED])
    yield store
    store.close()


def _candidate(article: str, venue: str, day: date | None, outcome: str | None = None, precision: str = "day") -> Candidate:
    return Candidate(article, venue, "Egypt", day, precision if day else None, day is None, ["Hamas"], ["Egypt"], [],
                     outcome, [], None)


def test_seed_gives_the_august_cairo_round_and_the_july_doha_collapse(seeded):
    found = seeded.con.execute(
        "SELECT venue, country, date, precision, past, parties, mediators, people, outcome, proposal "
        "FROM round_candidates ORDER BY venue").fetchall()
    assert found == [
        ("Cairo", "Egypt", date(2025, 8, 1), "month", False, ["Hamas", "Israel"], ["Egypt"],  # the text names Egypt's mediators only
         ["Khalil al-Hayya", "Taher al-Nono"], "ongoing", "60-day truce"),
        ("Doha", "Qatar", date(2025, 7, 1), "month", True, [], [], [], "collapsed", None),
    ]


def test_each_field_of_a_candidate_points_at_its_sentence(seeded):
    evidence = queries.news_round_evidence(seeded.con, [f"{seeded.con.execute('SELECT article_id FROM articles').fetchall()[0][0]}:Cairo"])
    by_field = {(row.field, row.value): row.sentence for row in evidence.itertuples()}
    assert "led by Khalil al-Hayya, arrived in Cairo on Tuesday" in by_field[("people", "Khalil al-Hayya")]
    assert "facilitated by Egypt" in by_field[("mediators", "Egypt")] or "Egyptian mediators" in by_field[("mediators", "Egypt")]
    assert "60-day ceasefire" in by_field[("proposal", "60-day truce")]
    assert by_field[("outcome", "ongoing")].startswith("A senior Hamas delegation")


def test_seed_rounds_attach_to_the_records_recovered_from_its_table(seeded):
    rounds = queries.news_rounds(seeded.con, Filters())
    records = dict(seeded.con.execute("SELECT venue_city, record_id FROM records").fetchall())
    assert [(r.venue, r.outcome, r.record_id, r.flags) for r in rounds] == [
        ("Cairo", "ongoing", records["Cairo"], []),
        ("Doha", "collapsed", records["Doha"], []),
    ]


def test_evaluation_articles_precision_and_recall(extractors):
    articles = read_eval()
    result = score((a, candidates_of(extractors, a)) for a in articles)
    assert result["rounds"] == {"expected": 8, "found": 8, "matched": 8, "precision": 1.0, "recall": 1.0}
    assert result["fields"]["outcome"] == {"precision": 1.0, "recall": 1.0}
    assert result["fields"]["proposal"] == {"precision": 1.0, "recall": 1.0}
    assert min(v["recall"] for v in result["fields"].values()) >= 0.7, result["errors"]


def test_article_without_talks_gives_no_round(extractors):
    quiet = next(a for a in read_eval() if a.article_id == "eval-no-round")
    assert candidates_of(extractors, quiet) == []


def test_reports_of_one_round_become_one_round_and_disagreements_are_flagged():
    candidates = [_candidate("a1", "Cairo", date(2025, 8, 12), "ongoing"),
                  _candidate("a2", "Cairo", date(2025, 8, 14), "collapsed"),
                  _candidate("a3", "Cairo", date(2025, 10, 1), "ongoing"),
                  _candidate("a4", "Doha", date(2025, 8, 12), "stalled")]
    rounds = reconcile(candidates)
    cairo_august = next(r for r in rounds if r.venue == "Cairo" and r.first == date(2025, 8, 12))
    assert cairo_august.articles == ["a1", "a2"]
    assert cairo_august.flags == ["sources disagree on the outcome: ongoing (1 article), collapsed (1 article)",
                                  "sources date it differently: 2025-08-12, 2025-08-14"]
    assert sorted((r.venue, r.first) for r in rounds) == [
        ("Cairo", date(2025, 8, 12)), ("Cairo", date(2025, 10, 1)), ("Doha", date(2025, 8, 12))]


def test_candidate_matching_a_record_attaches_to_it_and_outcome_conflicts_are_flagged():
    records = [RecordSpan("r-cairo", "Cairo", "Egypt", date(2025, 8, 10), date(2025, 8, 13), "day", "stalled"),
               RecordSpan("r-doha", "Doha", "Qatar", date(2025, 7, 1), None, "month", "collapsed")]
    rounds = reconcile([_candidate("a1", "Cairo", date(2025, 8, 12), "ongoing"),
                        _candidate("a2", "Doha", None, "collapsed")], records, published={"a2": date(2025, 8, 20)})
    by_venue = {r.venue: r for r in rounds}
    assert by_venue["Cairo"].record_id == "r-cairo"
    assert by_venue["Cairo"].flags == ["the news says ongoing, the record says stalled"]
    assert (by_venue["Doha"].record_id, by_venue["Doha"].flags) == ("r-doha", [])


def test_review_decisions_persist_through_reingest_and_reextraction(tmp_path, write):
    store = Store(tmp_path / "review.duckdb")
    talks = write("talks.json", json.dumps([
        {"title": "Talks in Cairo", "published": "2025-08-12", "source": "Wire A",
         "text": "Hamas negotiators arrived in Cairo on Tuesday for talks with Egyptian mediators on a 60-day truce."},
        {"title": "Cairo round goes on", "published": "2025-08-13", "source": "Wire B",
         "text": "Talks in Cairo continued on Wednesday, Egyptian officials said."},
        {"title": "Doha meeting", "published": "2025-09-02", "source": "Wire A",
         "text": "Qatari mediators met an Israeli delegation in Doha on Monday."},
    ]))
    ingest_paths(store, [talks])
    rounds = {r.venue: r for r in queries.news_rounds(store.con, Filters())}
    assert len(rounds["Cairo"].articles) == 2 and rounds["Cairo"].record_id is None

    record_id = review_round(store, rounds["Cairo"], "accepted", decided_by="analyst")
    review_round(store, rounds["Doha"], "rejected")
    record = store.con.execute("SELECT start_date, venue_city, venue_country, parties, mediators, outcome, proposal, source "
                               "FROM records WHERE record_id = ?", [record_id]).fetchall()
    assert record == [(date(2025, 8, 12), "Cairo", "Egypt", ["Hamas"], ["Egypt"], "ongoing", "60-day truce",
                       "news: 2 article(s)")]

    ingest_paths(store, [talks])  # adds nothing, changes no decision
    reextract(store)
    after = queries.news_rounds(store.con, Filters())
    assert [(r.venue, r.record_id) for r in after] == [("Cairo", record_id)]
    assert store.count("round_decisions") == 3
    store.close()


def test_merging_attaches_a_round_to_an_existing_record(seeded):
    doha = next(r for r in queries.news_rounds(seeded.con, Filters()) if r.venue == "Doha")
    other = seeded.con.execute("SELECT record_id FROM records WHERE venue_city = 'Cairo'").fetchall()[0][0]
    review_round(seeded, doha, "merged", record_id=other)
    assert next(r for r in queries.news_rounds(seeded.con, Filters()) if r.venue == "Doha").record_id == other
    with pytest.raises(ValueError, match="choose the record"):
        review_round(seeded, doha, "merged")


def test_news_rounds_follow_the_filters(seeded):
    assert [r.venue for r in queries.news_rounds(seeded.con, Filters(locations=("Qatar",)))] == ["Doha"]
    assert [r.venue for r in queries.news_rounds(seeded.con, Filters(outcomes=("ongoing",)))] == ["Cairo"]
    assert [r.venue for r in queries.news_rounds(seeded.con, Filters(actors=("Khalil al-Hayya",)))] == ["Cairo"]
    assert queries.news_rounds(seeded.con, Filters(start=date(2025, 9, 1))) == []


def test_dates_at_the_ends_of_the_calendar_do_not_break_reconciling():
    # A store loaded before dates were range-checked may hold year 1 or 9999 (issue 15).
    earliest, latest = date(1, 1, 1), date(9999, 12, 31)
    candidates = [_candidate("a1", "Cairo", earliest), _candidate("a2", "Cairo", latest, precision="week"),
                  _candidate("a3", "Doha", latest, precision="month"), _candidate("a4", "Cairo", None)]
    records = [RecordSpan("r-old", "Cairo", "Egypt", earliest, None, "day", None),
               RecordSpan("r-new", "Doha", "Qatar", latest, None, "week", None)]
    rounds = reconcile(candidates, records, published={"a4": earliest, "a1": earliest})
    spans = {(r.venue, r.first, r.last, r.record_id) for r in rounds}
    assert ("Cairo", earliest, earliest, "r-old") in spans
    assert ("Cairo", latest, latest, None) in spans
    assert ("Doha", date(9999, 12, 1), latest, "r-new") in spans
