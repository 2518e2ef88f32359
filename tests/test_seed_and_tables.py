"""The user's example article and the tables embedded in articles."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
from samples import SEED

from ceasefire.loaders.files import load_paths
from ceasefire.loaders.tables import records_in_html, records_in_text

SHARED_SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "hamas-delegation-cairo.txt"


def test_bundled_seed_is_the_users_file_unchanged():
    if SHARED_SEED.exists():  # the shared folder sits beside the checkout on developer machines and in CI
        assert SEED.read_bytes() == SHARED_SEED.read_bytes()
    assert SEED.read_text(encoding="utf-8").startswith("Hamas Delegation Seeks Ceasefire Breakthrough in Cairo")


def test_seed_loads_as_one_article_with_inferred_month_date():
    result = load_paths([SEED])
    assert result.rejections == []
    assert len(result.articles) == 1
    article = result.articles.iloc[0]
    assert article.title == "Hamas Delegation Seeks Ceasefire Breakthrough in Cairo as Gaza Conflict Drags On"
    assert article.text.startswith("A senior Hamas delegation, led by Khalil al-Hayya, arrived in Cairo on Tuesday")
    # No date in the file: the latest month-year it mentions (the table's August 2025) is used, marked inferred.
    assert article.published_at == pd.Timestamp("2025-08-01")
    assert article.published_precision == "month"
    assert article.published_from == "inferred"
    assert article.language == "en"
    assert 600 < article.word_count < 700
    assert article.article_id == article.content_hash[:16]
    assert article.origin_file.endswith("hamas-delegation-cairo.txt")


def test_seed_table_comes_out_as_exactly_two_rounds_linked_to_the_article():
    result = load_paths([SEED])
    article_id = result.articles.iloc[0].article_id
    rounds = result.records.sort_values("start_date").reset_index(drop=True)
    assert len(rounds) == 2
    doha, cairo = rounds.iloc[0], rounds.iloc[1]
    assert (doha.start_date, doha.start_precision) == (pd.Timestamp("2025-07-01"), "month")
    assert (doha.venue_city, doha.venue_country) == ("Doha", "Qatar")
    assert (doha.outcome, doha.outcome_text) == ("collapsed", "Talks collapsed")
    assert list(doha.key_issues) == ["Ceasefire conditions unmet"]
    assert (cairo.start_date, cairo.start_precision) == (pd.Timestamp("2025-08-01"), "month")
    assert (cairo.venue_city, cairo.venue_country) == ("Cairo", "Egypt")
    assert (cairo.outcome, cairo.outcome_text) == ("ongoing", "Ongoing")
    assert list(cairo.key_issues) == ["60-day truce proposal"]
    assert set(rounds.article_id) == {article_id}
    # Row numbers point at the table's lines in the stored article text.
    lines = result.articles.iloc[0].text.split("\n")
    assert lines[doha.origin_row - 1].startswith("July 2025 Doha")
    assert lines[cairo.origin_row - 1].startswith("August 2025 Cairo")


def test_prose_mentioning_dates_and_places_is_not_a_table():
    text = "Talks in Cairo resumed in July 2025.\nDate Location Outcome were all disputed by the parties.\n"
    assert records_in_text(text, "prose.txt", None) == ([], [])


def test_lost_delimiter_table_with_more_columns_and_multiword_venue():
    text = (
        "Date Venue Mediators Outcome Key Issues\n"
        "6 October 2025 Sharm el-Sheikh Egypt, Qatar, Turkey First phase agreed hostages, withdrawal\n"
        "January 15, 2025 Doha Qatar Agreement reached hostages; prisoners\n"
    )
    rows, rejections = records_in_text(text, "t.txt", "a1")
    assert rejections == []
    first, second = rows
    assert first["start_date"] == datetime(2025, 10, 6) and first["start_precision"] == "day"
    assert (first["venue_city"], first["venue_country"]) == ("Sharm el-Sheikh", "Egypt")
    assert first["mediators"] == ["Egypt", "Qatar", "Turkey"]
    assert first["outcome"] == "partial agreement"
    assert first["key_issues"] == ["hostages", "withdrawal"]
    assert (second["venue_city"], second["outcome"], second["mediators"]) == ("Doha", "agreement", ["Qatar"])


def test_pipe_and_tab_tables():
    markdown = (
        "| Date | Location | Outcome | Key issues |\n"
        "|------|----------|---------|------------|\n"
        "| 2024-08-15 | Doha | Stalled | Philadelphi corridor |\n"
    )
    tabbed = "Date\tCity\tResult\n2024-05-06\tCairo\tTalks collapsed\n"
    rows, rejections = records_in_text(markdown + "\n" + tabbed, "t.md", None)
    assert rejections == []
    assert [(r["venue_city"], r["outcome"], r["start_date"]) for r in rows] == [
        ("Doha", "stalled", datetime(2024, 8, 15)),
        ("Cairo", "collapsed", datetime(2024, 5, 6)),
    ]


def test_row_that_does_not_fit_the_columns_is_rejected_with_its_line():
    text = "Intro line\n\nDate Location Outcome Key Issues\nsometime Doha collapsed nothing\n"
    rows, rejections = records_in_text(text, "t.txt", None)
    assert rows == []
    assert len(rejections) == 1
    assert rejections[0].row == 4 and "does not split into columns" in rejections[0].reason


def test_html_tables_of_rounds_are_read_and_other_tables_ignored():
    html = """<html><body>
    <table><tr><th>Player</th><th>Score</th></tr><tr><td>A</td><td>3</td></tr></table>
    <table><thead><tr><th>Date</th><th>Venue</th><th>Outcome</th><th>Mediators</th></tr></thead>
    <tbody><tr><td>2025-07-06</td><td>Doha</td><td>Talks collapsed</td><td>Qatar; Egypt</td></tr></tbody></table>
    </body></html>"""
    rows, rejections = records_in_html(html, "page.html", "a1")
    assert rejections == []
    assert len(rows) == 1
    assert (rows[0]["venue_country"], rows[0]["outcome"], rows[0]["mediators"]) == ("Qatar", "collapsed", ["Qatar", "Egypt"])
    assert rows[0]["origin_file"] == "page.html#table2" and rows[0]["article_id"] == "a1"
