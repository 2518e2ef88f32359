"""Every article format the loaders read, built in code."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
from samples import SEED

from ceasefire.loaders.files import LoadOptions, load_paths

BODY = (
    "A Hamas delegation arrived in Cairo on Tuesday for talks with Egyptian mediators on a 60-day truce. "
    "Israeli officials said the proposal, discussed in Doha in July 2025, still faced obstacles. "
) * 3


def only_article(result):
    assert result.rejections == [], [str(r) for r in result.rejections]
    assert len(result.articles) == 1
    return result.articles.iloc[0]


def test_markdown_front_matter_gives_title_date_source_url(write):
    path = write("talks.md", f"---\ntitle: Cairo talks resume\ndate: 2025-08-12\nsource: Example Wire\n"
                             f"url: https://example.org/cairo\nlanguage: en\n---\n# Cairo talks resume\n\n{BODY}")
    article = only_article(load_paths([path]))
    assert article.title == "Cairo talks resume"
    assert article.published_at == pd.Timestamp("2025-08-12")
    assert (article.published_precision, article.published_from) == ("day", "front_matter")
    assert (article.source, article.url) == ("Example Wire", "https://example.org/cairo")
    assert not article.text.startswith("#"), "the repeated heading is not part of the text"


def test_markdown_without_front_matter_takes_heading_as_title_and_infers_date(write):
    article = only_article(load_paths([write("note.md", f"# Doha round\n\n{BODY}")]))
    assert article.title == "Doha round"
    assert (article.published_at, article.published_precision, article.published_from) == (
        pd.Timestamp("2025-07-01"), "month", "inferred")


def test_text_file_with_front_matter_is_read_like_markdown(write):
    article = only_article(load_paths([write("a.txt", f"---\ntitle: T\npublished: 24 July 2025\n---\n{BODY}")]))
    assert (article.title, article.published_at, article.published_from) == ("T", pd.Timestamp("2025-07-24"), "front_matter")


def test_html_metadata_date_and_site_name(write):
    html = f"""<html lang="en"><head><title>Truce talks | Example News</title>
    <meta property="og:site_name" content="Example News">
    <meta property="article:published_time" content="2025-08-13T09:30:00+02:00"></head>
    <body><article><h1>Truce talks</h1><p>{BODY}</p></article></body></html>"""
    article = only_article(load_paths([write("page.html", html)]))
    assert article.title.startswith("Truce talks")
    assert article.source == "Example News"
    assert article.published_at == pd.Timestamp("2025-08-13")  # trafilatura reports the day
    assert (article.published_precision, article.published_from) == ("day", "metadata")
    assert "Hamas delegation arrived in Cairo" in article.text


def test_html_without_a_date_never_gets_an_invented_one(write):
    html = f"<html><body><article><h1>Talks</h1><p>{BODY.replace('in July 2025', 'last month')}</p></article></body></html>"
    article = only_article(load_paths([write("nodate.html", html)]))
    assert pd.isna(article.published_at)
    assert pd.isna(article.published_precision)
    assert article.published_from == "unknown"


def test_malicious_html_is_reduced_to_plain_text(write):
    html = f"""<html><head><title>Talks<script>alert(1)</script></title></head><body><article>
    <h1>Talks</h1><p>{BODY}</p><script>document.location='https://evil.example'</script>
    <img src=x onerror="alert(2)"><a href="javascript:alert(3)">click</a><iframe src="https://evil.example"></iframe>
    </article></body></html>"""
    article = only_article(load_paths([write("evil.html", html)]))
    for needle in ("<script", "alert(", "onerror", "javascript:", "<iframe", "evil.example"):
        assert needle not in article.text and needle not in article.title


def test_json_array_object_and_jsonl(write):
    items = [
        {"headline": "One", "body": BODY, "published": "2025-08-12", "publisher": "Wire A", "link": "https://a.example/1"},
        {"headline": "Two", "body": BODY + " More.", "published": "2025-08-13", "publisher": "Wire B"},
    ]
    array = load_paths([write("a.json", json.dumps(items))])
    wrapped = load_paths([write("b.json", json.dumps({"articles": items}))])
    lines = load_paths([write("c.jsonl", "\n".join(json.dumps(i) for i in items) + "\n{not json}\n")])
    for result in (array, wrapped):
        assert list(result.articles.title) == ["One", "Two"] and result.rejections == []
        assert list(result.articles.source) == ["Wire A", "Wire B"]
        assert result.articles.published_from.tolist() == ["metadata", "metadata"]
    assert list(lines.articles.title) == ["One", "Two"]
    assert [(r.row, r.reason.split(":")[0]) for r in lines.rejections] == [(3, "invalid JSON")]


def test_csv_columns_are_matched_by_name_or_by_mapping(write):
    auto = write("auto.csv", pd.DataFrame([{"Headline": "H", "Content": BODY, "Publication date": "2025-08-12"}]).to_csv(index=False))
    custom = write("custom.csv", pd.DataFrame([{"hed": "H2", "copy": BODY, "when_pub": "12/08/2025"}]).to_csv(index=False))
    article = only_article(load_paths([auto]))
    assert (article.title, article.published_at) == ("H", pd.Timestamp("2025-08-12"))
    mapped = only_article(load_paths([custom], LoadOptions(columns={"title": "hed", "text": "copy", "published_at": "when_pub"})))
    assert (mapped.title, mapped.published_at) == ("H2", pd.Timestamp("2025-12-08"))  # month-first, as dateparser reads it


def test_rss_and_atom_feeds(write):
    rss = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Mideast Wire</title><language>en</language>
    <item><title>Delegation in Cairo</title><link>https://wire.example/1</link>
    <pubDate>Tue, 12 Aug 2025 10:00:00 GMT</pubDate><description>&lt;p&gt;{BODY}&lt;/p&gt;</description></item>
    <item><title>Doha talks</title><link>https://wire.example/2</link>
    <pubDate>Thu, 24 Jul 2025 08:00:00 GMT</pubDate><description>Negotiators left Doha without a deal.</description></item>
    </channel></rss>"""
    atom = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Desk</title>
    <entry><title>Sharm el-Sheikh talks</title><link href="https://atom.example/1"/><updated>2025-10-06T12:00:00Z</updated>
    <content type="html">&lt;p&gt;Talks opened in Sharm el-Sheikh.&lt;/p&gt;</content></entry></feed>"""
    result = load_paths([write("wire.rss", rss), write("desk.atom", atom)])
    assert result.rejections == []
    articles = result.articles.set_index("title")
    assert list(articles.index) == ["Delegation in Cairo", "Doha talks", "Sharm el-Sheikh talks"]
    assert articles.loc["Delegation in Cairo", "published_at"] == pd.Timestamp("2025-08-12 10:00")
    assert articles.loc["Delegation in Cairo", "source"] == "Mideast Wire"
    assert "<p>" not in articles.loc["Delegation in Cairo", "text"]
    assert articles.loc["Sharm el-Sheikh talks", "url"] == "https://atom.example/1"
    assert articles.loc["Sharm el-Sheikh talks", "text"] == "Talks opened in Sharm el-Sheikh."
    assert set(articles.published_from) == {"metadata"}


def test_folders_and_zip_archives(write, tmp_path):
    write("folder/a.txt", "First\n" + BODY)
    write("folder/sub/b.md", "# Second\n" + BODY + " Extra.")
    write("folder/.hidden.txt", "Hidden\n" + BODY + " hidden")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inside/c.txt", "Third\n" + BODY + " Zipped.")
        archive.writestr("inside/rounds.csv", "date,venue,outcome\n2025-07-06,Doha,collapsed\n")
        archive.writestr("__MACOSX/._c.txt", "junk")
    zipped = write("bundle.zip", buffer.getvalue())
    result = load_paths([tmp_path / "input" / "folder", zipped])
    assert result.rejections == []
    assert sorted(result.articles.title) == ["First", "Second", "Third"]
    assert result.records.iloc[0].venue_city == "Doha"
    assert result.records.iloc[0].origin_file.endswith("bundle.zip!inside/rounds.csv")
    assert result.files_read == 3


def test_user_set_publication_date_wins(write):
    result = load_paths([SEED], LoadOptions(published_at="2025-08-13"))
    article = only_article(result)
    assert (article.published_at, article.published_precision, article.published_from) == (
        pd.Timestamp("2025-08-13"), "day", "user")


def test_same_article_twice_has_one_identity(write):
    result = load_paths([SEED, write("copy.txt", SEED.read_text(encoding="utf-8").replace("\n", "\r\n"))])
    assert result.articles.article_id.nunique() == 1
