"""A corpus of bad input: each gets a clear rejection naming the file, the row where there is one, and why."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from ceasefire.ingest import ingest_paths
from ceasefire.loaders.files import LoadOptions, load_paths

GOOD_BODY = "Mediators met in Cairo to discuss a truce and the release of hostages. " * 5


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


BAD_INPUTS = {
    "empty file": ("empty.txt", b"", None, "file is empty"),
    "only whitespace": ("blank.md", b"  \n\n ", None, "file is empty"),
    "binary garbage": ("garbage.txt", os.urandom(256) + b"\x00\x00" + os.urandom(256), None, "binary data (contains NUL bytes)"),
    # A text file has no rows: the reason names the line (issue 15).
    "wrong encoding": ("latin.txt", "Title\nCaf\u00e9 talks in Cairo\n".encode("cp1252"), None, "not valid UTF-8 (byte 0xe9 on line 2)"),
    "huge line": ("huge.txt", b"Title\n" + b"a" * 1_000_001, None, "line 2 is 1,000,001 characters long"),
    "title only": ("title.txt", b"Just a title\n", None, "only a title line"),
    "records missing columns": ("rounds.csv", b"round,outcome\n2025-07-06,collapsed\n", None,
                                "missing required column(s): start_date"),
    "impossible date": ("dates.csv", b"date,venue,outcome\n2025-02-30,Doha,collapsed\n", 2,
                        "impossible or unreadable date '2025-02-30'"),
    "end before start": ("order.csv", b"date,end date,venue\n2025-07-24,2025-07-06,Doha\n", 2,
                         "end date 2025-07-06 is before start date 2025-07-24"),
    "unknown outcome": ("outcome.csv", b"date,venue,outcome\n2025-07-06,Doha,pizza\n", 2, "outcome 'pizza' is not one of"),
    "no venue": ("venue.csv", b"date,venue,outcome\n2025-07-06,,ongoing\n", 2, "a round needs a venue"),
    "article date impossible": ("a.json", json.dumps([{"title": "T", "text": GOOD_BODY, "date": "31 February 2025"}]).encode(),
                                1, "impossible or unreadable date '31 February 2025'"),
    "javascript url": ("b.json", json.dumps([{"title": "T", "text": GOOD_BODY, "url": "javascript:alert(1)"}]).encode(),
                       1, "url must start with http:// or https://"),
    "article without text": ("c.json", json.dumps([{"title": "T", "text": "   "}]).encode(), 1, "article text is empty"),
    "invalid json": ("d.json", b'{"title": "T",\n "text": }', 2, "invalid JSON: Expecting value at line 2"),
    "json scalar": ("e.json", b"42", None, "expected a JSON array or object, got int"),
    "articles csv missing text": ("f.csv", b"title,date\nT,2025-08-12\n", None, "missing required column(s)"),
    "malformed csv": ("g.csv", b"title,text\nT,body\nA,B,C,D\n", None,
                     "not a readable CSV: Error tokenizing data. C error: Expected 2 fields in line 3, saw 4"),
    "broken front matter": ("h.md", b"---\ntitle: [unclosed\n---\nbody text here\n", None, "front matter is not valid YAML"),
    "front matter not a mapping": ("i.md", b"---\n- a\n- b\n---\nbody text here\n", None, "front matter is not a YAML mapping"),
    "html with only script": ("j.html", b"<html><body><script>alert(1)</script></body></html>", None, "no article text found"),
    "not a feed": ("k.rss", b"this is not xml at all", None, "not a readable RSS/Atom feed"),
    "not a workbook": ("l.xlsx", b"PK\x03\x04 definitely not a workbook", None, "not a readable XLSX workbook"),
    "not a zip": ("m.zip", b"PK but not a zip", None, "not a readable zip archive"),
    "unsupported type": ("n.pdf", b"%PDF-1.4", None, "unsupported file type '.pdf'"),
    "zip path traversal": ("o.zip", zip_bytes({"../../etc/evil.txt": b"Evil\n" + GOOD_BODY.encode()}), None,
                           "unsafe path in archive"),
    "zip in zip": ("p.zip", zip_bytes({"inner.zip": zip_bytes({"a.txt": b"A\nbody"})}), None, "archives inside archives are not read"),
    "zip bomb ratio": ("q.zip", zip_bytes({"bomb.txt": b"0" * (8 * 2**20)}), None, "refused as a possible zip bomb"),
    # Issue 15: each of these raised, or stored wrong data.
    "json nested deep": ("deep.json", b"[" * 100_000 + b"]" * 100_000, None, "invalid JSON: nested too deeply"),
    "json 5000-digit integer": ("digits.json", b'[{"title": "T", "text": "x", "n": ' + b"7" * 5000 + b"}]", None,
                                "invalid JSON: a number with 5,000 digits"),
    "jsonl 5000-digit integer": ("digits.jsonl", b'{"n": ' + b"7" * 5000 + b"}\n", 1, "invalid JSON: a number with 5,000 digits"),
    "csv row with extra fields": ("extra.csv", b"title,text\nA,Talks in Cairo,extra,extra2\n", 2,
                                  "row 2 has 4 fields but the header names 2"),
    "json Infinity": ("inf.json", b'[{"title": "T", "text": Infinity}]', 1, "field 'text' is NaN or Infinity"),
    "json -0.0 as text": ("zero.json", b'[{"title": "T", "text": -0.0}]', 1, "article text is a float (-0.0), not text"),
    "NUL after 8 KiB": ("nul.txt", b"Title\n" + b"word " * 2000 + b"\nmore \x00 text\n", None,
                        "contains a NUL character on line 3"),
    "long line in .json": ("long.json", b'[{"title": "T", "text": "' + b"a" * 2_000_000 + b'"}]', None,
                           "line 1 is 2,000,028 characters long"),
    "record date -1": ("neg.json", b'[{"start_date": -1, "venue": "Doha"}]', 1, "date -1 is a number, not a year"),
    "record date '-1'": ("neg.csv", b"date,venue\n-1,Doha\n", 2, "date '-1' names no year"),
    "record venue -5": ("venue5.json", b'[{"start_date": "2025-07-06", "venue": -5}]', 1, "venue '-5' is not a place name"),
    "record in year 1": ("year1.csv", b"date,venue\n0001-01-01,Doha\n", 2, "date 0001-01-01 is outside the plausible range 1900-01-01 to"),
    "record in year 9999": ("year9999.csv", b"date,end date,venue\n2025-07-06,9999-12-31,Doha\n", 2,
                            "date 9999-12-31 is outside the plausible range"),
    "article in year 1": ("a1.json", json.dumps([{"title": "T", "text": GOOD_BODY, "date": "0001-01-01"}]).encode(), 1,
                          "date 0001-01-01 is outside the plausible range"),
    "zip entries just under 1 MiB": ("r.zip", zip_bytes({"a.txt": b"A\n" + b"0" * (512 * 2**10)}), None,
                                     "refused as a possible zip bomb"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_is_rejected_with_file_row_and_reason(case, write):
    name, content, row, reason = BAD_INPUTS[case]
    path = write(name, content)
    result = load_paths([path])
    assert result.articles.empty and result.records.empty
    assert len(result.rejections) == 1, [str(r) for r in result.rejections]
    rejection = result.rejections[0]
    assert rejection.file.startswith(str(path))
    assert rejection.row == row
    assert reason in rejection.reason, rejection.reason
    assert str(path.name) in str(rejection) and reason in str(rejection)


def test_named_encoding_reads_what_utf8_refuses(write):
    path = write("latin.txt", ("Caf\u00e9 talks\n" + GOOD_BODY).encode("cp1252"))
    result = load_paths([path], LoadOptions(encoding="cp1252"))
    assert result.rejections == [] and result.articles.iloc[0].title == "Caf\u00e9 talks"


def test_zip_that_expands_past_the_limit_is_refused_whole(write):
    path = write("big.zip", zip_bytes({"a.txt": b"A\n" + b"x" * 5000, "b.txt": b"B\n" + b"y" * 5000}))
    result = load_paths([path], LoadOptions(max_archive_bytes=8000))
    assert [r.reason for r in result.rejections] == [
        "archive would expand to 10,004 bytes, over the limit of 8,000; refused as a possible zip bomb"]


def test_file_over_the_size_limit(write):
    result = load_paths([write("big.txt", "T\n" + "word " * 1000)], LoadOptions(max_file_bytes=1000))
    assert "over the limit of 1,000 bytes" in result.rejections[0].reason


def test_missing_path(tmp_path):
    result = load_paths([tmp_path / "nope.txt"])
    assert [(r.reason, r.row) for r in result.rejections] == [("no such file or folder", None)]


def test_bad_rows_do_not_lose_good_rows_of_the_same_file(write):
    csv = b"date,venue,outcome\n2025-07-06,Doha,collapsed\n2025-13-45,Cairo,ongoing\n2025-08-12,Cairo,ongoing\n"
    result = load_paths([write("mixed.csv", csv)])
    assert list(result.records.venue_city) == ["Doha", "Cairo"]
    assert [(r.row, "2025-13-45" in r.reason) for r in result.rejections] == [(3, True)]


def test_symbolic_links_are_never_followed(write, tmp_path):
    good = write("folder/good.txt", "Good\n" + GOOD_BODY)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Secret\n" + GOOD_BODY)
    (good.parent / "passwd.txt").symlink_to("/etc/passwd")
    (good.parent / "linked").symlink_to(outside, target_is_directory=True)
    direct = tmp_path / "direct.txt"
    direct.symlink_to(good)
    result = load_paths([good.parent, direct])
    assert list(result.articles.title) == ["Good"]
    assert sorted((Path(r.file).name, r.row, r.reason) for r in result.rejections) == [
        ("direct.txt", None, "symbolic link, not followed"),
        ("linked", None, "symbolic link, not followed"),
        ("passwd.txt", None, "symbolic link, not followed"),
    ]


def test_unreadable_file_is_rejected_and_the_rest_loaded(write):
    good = write("folder/good.txt", "Good\n" + GOOD_BODY)
    locked = write("folder/locked.txt", "Locked\n" + GOOD_BODY)
    locked.chmod(0)
    if os.access(locked, os.R_OK):
        pytest.skip("this process reads files whatever their permissions (root with CAP_DAC_OVERRIDE)")
    result = load_paths([good.parent])
    assert list(result.articles.title) == ["Good"]
    assert [(r.file, r.reason) for r in result.rejections] == [(str(locked), "cannot be read: Permission denied")]


def test_any_failure_of_a_parser_is_that_files_rejection(write, monkeypatch):
    def broken_parser(*args, **kwargs):
        raise RuntimeError("parser bug")

    monkeypatch.setattr("ceasefire.loaders.files.parse_csv", broken_parser)
    good = write("folder/good.txt", "Good\n" + GOOD_BODY)
    bad = write("folder/rows.csv", "date,venue\n2025-07-06,Doha\n")
    result = load_paths([good.parent])
    assert list(result.articles.title) == ["Good"]
    assert [(r.file, r.row, r.reason) for r in result.rejections] == [
        (str(bad), None, "cannot be read (RuntimeError: parser bug)")]


def test_every_bad_file_of_one_command_is_rejected_and_the_good_ones_stored(store, write):
    folder = write("mixed/good.txt", "Good\n" + GOOD_BODY).parent
    for name, content, _, _ in BAD_INPUTS.values():
        write(f"mixed/{name}", content)
    report = ingest_paths(store, [folder])
    assert report.articles_added == 1 and store.count("articles") == 1
    assert store.count("rejections") == len({name for name, *_ in BAD_INPUTS.values()})


def test_file_names_that_are_not_utf8_are_escaped_and_do_not_stop_the_ingest(store, write):
    good = write("names/good.txt", "Good\n" + GOOD_BODY)
    folder = os.fsencode(good.parent)
    os.mkdir(folder + b"/dossier-\xff")
    for name, content in ((b"/caf\xe9.txt", b"Latin name\n" + GOOD_BODY.replace("Cairo", "Doha").encode()), (b"/vide\xe9.txt", b""),
                          (b"/dossier-\xff/inner.txt", b"Inner\n" + GOOD_BODY.replace("Cairo", "Paris").encode())):
        with open(folder + name, "wb") as handle:
            handle.write(content)
    report = ingest_paths(store, [good.parent, os.fsdecode(folder + b"/dossier-\xff")])
    assert report.stored and report.articles_added == 3
    origins = {row[0] for row in store.con.execute("SELECT origin_file FROM articles").fetchall()}
    assert origins == {str(good), f"{good.parent}/caf\\xe9.txt", f"{good.parent}/dossier-\\xff/inner.txt"}
    rejected = store.con.execute("SELECT file, reason FROM rejections").fetchall()
    assert rejected == [(f"{good.parent}/vide\\xe9.txt", "file is empty")]


def test_rejections_stored_per_file_are_capped_with_a_count_of_the_rest(write):
    rows = "".join(f"2025-07-{1 + number % 28:02d},-{number}\n" for number in range(130))
    result = load_paths([write("venues.csv", "date,venue\n" + rows)])
    assert len(result.rejections) == 101
    assert [r.row for r in result.rejections[:100]] == list(range(2, 102))
    assert str(result.rejections[-1]).endswith("venues.csv: … and 30 more rows rejected (only the first 100 are listed)")


@pytest.mark.parametrize("name, content", [
    ("rows.csv", "date,venue\n" + "2025-07-06,Doha\n" * 4),
    ("rows.jsonl", '{"date": "2025-07-06", "venue": "Doha"}\n' * 4),
    ("rows.json", json.dumps([{"date": "2025-07-06", "venue": "Doha"}] * 4)),
])
def test_rows_per_file_are_capped(write, name, content):
    result = load_paths([write(name, content)], LoadOptions(max_rows_per_file=3))
    assert result.records.empty
    assert [(r.row, r.reason) for r in result.rejections] == [(None, "more than 3 rows (the limit per file); split the file")]


def _workbook(path: Path, rows: int) -> Path:
    pd.DataFrame({"date": ["2025-07-06"] * rows, "venue": ["Doha"] * rows}).to_excel(path, index=False)
    return path


def test_workbook_rows_are_capped_across_its_sheets(tmp_path):
    path = tmp_path / "two.xlsx"
    with pd.ExcelWriter(path) as writer:
        for sheet in ("A", "B"):
            pd.DataFrame({"date": ["2025-07-06"] * 3, "venue": ["Doha"] * 3}).to_excel(writer, sheet_name=sheet, index=False)
    assert len(load_paths([path], LoadOptions(max_rows_per_file=6)).records) == 6
    result = load_paths([path], LoadOptions(max_rows_per_file=5))
    assert result.records.empty
    assert [r.reason for r in result.rejections] == ["more than 5 rows (the limit per file); split the file"]


def test_workbook_that_would_expand_past_the_limit_is_refused_before_parsing(tmp_path):
    path = _workbook(tmp_path / "big.xlsx", 50)
    result = load_paths([path], LoadOptions(max_workbook_bytes=4000))
    assert result.records.empty
    assert len(result.rejections) == 1
    assert result.rejections[0].reason.startswith("workbook would expand to ")
    assert result.rejections[0].reason.endswith("bytes, over the limit of 4,000; refused as a possible zip bomb")


def test_workbook_part_with_an_implausible_ratio_is_refused(tmp_path):
    path = _workbook(tmp_path / "ratio.xlsx", 5000)  # its sheet is over 64 KiB and compresses well
    result = load_paths([path], LoadOptions(max_compression_ratio=3))
    assert result.records.empty
    assert [("workbook part 'xl/worksheets/sheet1.xml'" in r.reason, "possible zip bomb" in r.reason)
            for r in result.rejections] == [(True, True)]


def test_many_small_zip_entries_are_each_checked_for_their_ratio(write):
    entries = {f"part{i}.txt": f"Part {i}\n".encode() + b"0" * (100 * 2**10) for i in range(5)}
    entries["good.txt"] = ("Good\n" + GOOD_BODY).encode()
    result = load_paths([write("many.zip", zip_bytes(entries))])
    assert list(result.articles.title) == ["Good"]
    assert len(result.rejections) == 5
    assert all("refused as a possible zip bomb" in r.reason for r in result.rejections)
