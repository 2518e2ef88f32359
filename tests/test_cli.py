"""The `ceasefire` command as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from samples import SAMPLE_RECORDS, SAMPLE_ROUNDS, SEED

from ceasefire.analysis.catalog import read_catalog
from ceasefire.cli.main import main
from ceasefire.store.db import Store


def test_ingest_stats_export_round_trip(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    assert main(["--db", db, "ingest", str(SEED), str(SAMPLE_RECORDS)]) == 0
    out = capsys.readouterr().out
    assert "files read: 2" in out and "articles: 1 added" in out and f"negotiation rounds: {SAMPLE_ROUNDS} added" in out

    assert main(["--db", db, "ingest", str(SEED)]) == 0
    assert "articles: 0 added, 1 already stored" in capsys.readouterr().out

    assert main(["--db", db, "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["articles"], stats["rounds"], stats["ingests"]) == (1, SAMPLE_ROUNDS, 2)

    out_file = tmp_path / "cairo.csv"
    assert main(["--db", db, "export", "records", "--out", str(out_file), "--location", "Cairo",
                 "--since", "2025-01-01", "--outcome", "ongoing"]) == 0
    assert "wrote 2 rows (records since 1 Jan 2025 at Cairo with outcome ongoing)" in capsys.readouterr().out
    assert set(pd.read_csv(out_file).venue_city) == {"Cairo"}


def test_rejections_are_printed_and_set_the_exit_status(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,venue,outcome\n2025-02-30,Doha,collapsed\n", encoding="utf-8")
    db = str(tmp_path / "cli.duckdb")
    assert main(["--db", db, "ingest", str(SEED), str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}, row 2: impossible or unreadable date '2025-02-30'" in out
    assert main(["--db", db, "ingest", "--strict", str(bad)]) == 1
    assert "nothing was stored" in capsys.readouterr().out


def test_records_flag_mapping_and_published_date(tmp_path, capsys):
    odd = tmp_path / "odd.csv"
    odd.write_text("when,host,text\n2025-10-06,Sharm el-Sheikh,talks\n", encoding="utf-8")
    db = str(tmp_path / "cli.duckdb")
    assert main(["--db", db, "ingest", "--records", "--map", "start_date=when", "--map", "venue=host", str(odd)]) == 0
    assert main(["--db", db, "ingest", "--published", "2025-08-13", str(SEED)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "export", "articles", "--out", str(tmp_path / "a.parquet")]) == 0
    article = pd.read_parquet(tmp_path / "a.parquet").iloc[0]
    assert (str(article.published_at.date()), article.published_from) == ("2025-08-13", "user")


def test_bad_arguments_give_a_clear_error(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    assert main(["--db", db, "export", "records", "--out", str(tmp_path / "x.csv"), "--outcome", "won"]) == 2
    assert "unknown outcome(s) won" in capsys.readouterr().err
    assert main(["--db", db, "export", "records", "--out", str(tmp_path / "x.csv"), "--since", "yesterday"]) == 2
    assert "start must be a date like 2025-08-12" in capsys.readouterr().err


def test_console_script_is_installed():
    result = subprocess.run([sys.executable, "-m", "ceasefire", "--help"], capture_output=True, text=True, check=True)
    assert "ingest" in result.stdout and "export" in result.stdout


def test_extract_reruns_analysis_and_suggest_needs_a_model(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    assert main(["--db", db, "ingest", str(SEED)]) == 0
    capsys.readouterr()
    store = Store(db)
    found_by_ingest = store.count("actor_mentions")  # the title's and the text's
    store.close()
    assert main(["--db", db, "extract"]) == 0
    assert f"extracted 1 articles with {len(read_catalog())} actors: {found_by_ingest} actor mentions" in capsys.readouterr().out
    assert found_by_ingest > 20
    # 4, not 2 (bad arguments): an optional part is not installed.
    assert main(["--db", db, "suggest-actors", "--model", "no_such_model"]) == 4
    assert "error:" in capsys.readouterr().err


def test_a_strict_ingest_that_stores_nothing_says_so_first(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,venue,outcome\n2025-02-30,Doha,collapsed\n", encoding="utf-8")
    assert main(["--db", str(tmp_path / "cli.duckdb"), "ingest", "--strict", str(SEED), str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == ["files read: 2", "nothing was stored (--strict and some input was rejected)",
                         "articles: 1 new, 0 already stored or repeated; none stored"]


def test_file_names_in_the_report_cannot_forge_lines_or_terminal_codes(tmp_path, capsys):
    forged = tmp_path / "fake\nfiles read: 999\n\x1b[2J.txt"
    forged.write_bytes(b"")
    assert main(["--db", str(tmp_path / "cli.duckdb"), "ingest", str(SEED), str(forged)]) == 1
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith("files read")] == ["files read: 2"]
    assert "\x1b" not in out and "fake\\nfiles read: 999\\n\\x1b[2J.txt" in out


def test_a_closed_pipe_ends_the_output_quietly(tmp_path):
    db = tmp_path / "cli.duckdb"
    assert main(["--db", str(db), "ingest", str(SEED)]) == 0
    result = subprocess.run(f"{sys.executable} -m ceasefire --db {db} query coverage | true", shell=True,
                            capture_output=True, text=True, check=True)
    assert result.stderr == ""


def test_help_says_publish_replaces_each_shards_articles(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "replacing the rows of this store's own articles" in text and "appends" not in text
