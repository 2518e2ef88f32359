"""Negotiation records from CSV, XLSX and JSON, and the bundled sample of real rounds."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from samples import SAMPLE_RECORDS

from ceasefire.loaders.files import LoadOptions, load_paths
from ceasefire.loaders.records import normalise_outcome
from ceasefire.loaders.schema import OUTCOMES

ROUNDS = [
    {"Date": "2025-07-06", "End date": "2025-07-24", "Location": "Doha", "Parties": "Israel; Hamas",
     "Mediators": "Qatar, Egypt, United States", "Result": "Talks collapsed", "Issues": "hostages; truce length",
     "Source": "https://example.org/doha"},
    {"Date": "August 2025", "End date": "", "Location": "Cairo", "Parties": "Hamas",
     "Mediators": "Egypt", "Result": "ongoing", "Issues": "60-day truce", "Source": ""},
]


def check_rounds(result, origin_suffix=""):
    assert result.rejections == [], [str(r) for r in result.rejections]
    doha, cairo = result.records.iloc[0], result.records.iloc[1]
    assert (doha.start_date, doha.end_date, doha.start_precision) == (pd.Timestamp("2025-07-06"), pd.Timestamp("2025-07-24"), "day")
    assert (doha.venue_city, doha.venue_country, doha.outcome, doha.outcome_text) == ("Doha", "Qatar", "collapsed", "Talks collapsed")
    assert list(doha.parties) == ["Israel", "Hamas"] and list(doha.mediators) == ["Qatar", "Egypt", "United States"]
    assert list(doha.key_issues) == ["hostages", "truce length"]
    assert (cairo.start_date, cairo.start_precision, cairo.outcome) == (pd.Timestamp("2025-08-01"), "month", "ongoing")
    assert pd.isna(cairo.end_date) and pd.isna(cairo.source)
    assert result.articles.empty


def test_csv_records(write):
    check_rounds(load_paths([write("rounds.csv", pd.DataFrame(ROUNDS).to_csv(index=False))]))


def test_xlsx_records_keep_spreadsheet_row_numbers(write, tmp_path):
    path = tmp_path / "input" / "rounds.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    bad = {**ROUNDS[0], "Date": "2025-02-30"}
    pd.DataFrame(ROUNDS + [bad]).to_excel(path, index=False, sheet_name="Rounds")
    result = load_paths([path])
    assert [(r.file.endswith("rounds.xlsx#Rounds"), r.row) for r in result.rejections] == [(True, 4)]
    assert "2025-02-30" in result.rejections[0].reason
    result.rejections = []
    check_rounds(result)


def test_json_records_with_lists(write):
    items = [dict(r) for r in ROUNDS]
    items[0]["Mediators"] = ["Qatar", "Egypt", "United States"]
    check_rounds(load_paths([write("rounds.json", json.dumps({"rounds": items}))]))


def test_records_flag_forces_records_and_mapping_renames_columns(write):
    frame = pd.DataFrame([{"when": "2025-10-06", "host": "Sharm el-Sheikh", "text": "talks"}])
    path = write("odd.csv", frame.to_csv(index=False))
    result = load_paths([path], LoadOptions(kind="records", columns={"start_date": "when", "venue": "host"}))
    assert result.rejections == []
    assert (result.records.iloc[0].venue_city, result.records.iloc[0].venue_country) == ("Sharm el-Sheikh", "Egypt")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Talks collapsed", "collapsed"), ("Ongoing", "ongoing"), ("Agreement reached", "agreement"),
     ("partial agreement", "partial agreement"), ("First phase agreed", "partial agreement"),
     ("Deadlock", "stalled"), ("Postponed indefinitely", "postponed"), ("", None), (None, None)],
)
def test_outcome_vocabulary(text, expected):
    assert normalise_outcome(text) == expected


def test_unknown_outcome_names_the_vocabulary():
    with pytest.raises(ValueError, match="'maybe later' is not one of: agreement, partial agreement, ongoing"):
        normalise_outcome("maybe later")


def test_bundled_rounds_are_real_rounds_with_sources():
    result = load_paths([SAMPLE_RECORDS])
    assert result.rejections == []
    rounds = result.records
    assert len(rounds) >= 15
    assert rounds.start_date.min() < pd.Timestamp("2024-01-01") and rounds.start_date.max() >= pd.Timestamp("2025-10-01")
    assert rounds.source.str.startswith("https://").all()
    assert set(rounds.outcome) <= set(OUTCOMES) and rounds.outcome.notna().all()
    assert rounds.venue_country.notna().all()
    assert rounds.mediators.map(len).gt(0).all()
    venues = set(rounds.venue_city)
    assert {"Doha", "Cairo", "Paris", "Sharm el-Sheikh"} <= venues
    by_month = {(d.year, d.month, v): o for d, v, o in zip(rounds.start_date, rounds.venue_city, rounds.outcome)}
    assert by_month[(2023, 11, "Doha")] == "agreement"  # the November 2023 truce
    assert by_month[(2025, 1, "Doha")] == "agreement"
    assert by_month[(2025, 7, "Doha")] == "collapsed"
    assert by_month[(2025, 8, "Cairo")] == "ongoing"
    assert by_month[(2025, 10, "Sharm el-Sheikh")] == "agreement"
