"""Markup in articles, records and the catalog reaches the pages' Markdown as text (AppTest)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from samples import open_page
from streamlit.testing.v1 import AppTest

from ceasefire.ingest import ingest
from ceasefire.loaders.files import load_uploads
from ceasefire.store.db import Store

HOST = "x.invalid"
MARKUP = (f"![](http://{HOST}/p.png) [x](http://{HOST}/) <http://{HOST}/> <a href=\"http://{HOST}/\">a</a> "
          f"www.{HOST} :red[red] $m$ `code`")


@pytest.fixture(scope="module")
def ids(tmp_path_factory):
    """A store holding only an article and a record full of MARKUP, and Hamas's catalog entry with it."""
    path = tmp_path_factory.mktemp("untrusted") / "untrusted.duckdb"
    article = {"title": f"Talks {MARKUP}", "source": f"Wire {MARKUP}", "url": "https://news.example.org/a(1)",
               "published_at": "2025-06-12",
               "text": f"Hamas met Israel in Cairo on 10 June 2025 over the hostages. {MARKUP}\n\nHamas left Cairo. {MARKUP}"}
    records = io.StringIO()
    csv.writer(records).writerows([
        ["start_date", "venue", "parties", "outcome", "key_issues", "proposal", "source"],
        ["2025-06-10", "Cairo", f"Hamas; {MARKUP}", f"Talks collapsed {MARKUP}", "hostages", f"Plan {MARKUP}",
         f"Wire {MARKUP}"],
    ])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CEASEFIRE_DB", str(path))
        with Store(path) as store:
            ingest(store, load_uploads([("a.json", json.dumps(article).encode()), ("r.csv", records.getvalue().encode())]))
            store.con.execute("UPDATE actors SET aliases = [?], wikidata = ? WHERE name = 'Hamas'", [MARKUP, "Q1) [y](http://x)"])
            found = {"article": store.con.execute("SELECT article_id FROM articles").fetchone()[0],
                     "round": store.con.execute("SELECT record_id FROM records").fetchone()[0]}
        yield found



def markdown_with_markup(app: AppTest) -> list[str]:
    """The Markdown of every element showing (part of) MARKUP, which must be there."""
    kinds = ("markdown", "caption", "subheader", "info", "warning", "error", "title")
    shown = [e.value for kind in kinds for e in getattr(app, kind) if HOST in e.value]
    assert shown and not app.exception
    return shown


def assert_text_only(markdown: str) -> None:
    assert not re.search(r"(?<!\\)[\[\]<`$]", markdown.replace("**", "").replace("*", "")), markdown  # no markup left
    assert "http://" not in markdown and f"www.{HOST}" not in markdown and ":red" not in markdown  # nor autolinks, directives
    # Read with the escapes and word joiners resolved, it is the text as stored.
    assert MARKUP in re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def test_round_details_show_the_record_as_text(ids):
    shown = markdown_with_markup(open_page("pages/1_Negotiations.py", round=ids["round"]))
    assert any(s.startswith("**Source:** Wire") for s in shown) and any(s.startswith("**Proposal:** Plan") for s in shown)
    for markdown in shown:
        assert_text_only(markdown)


def test_article_provenance_and_search_show_as_text(ids):
    app = open_page("pages/5_Articles.py", article=ids["article"])
    link = " · **Link:** [news.example.org ↗](https://news.example.org/a%281%29)"  # a URL field: a link, by host
    shown = markdown_with_markup(app)
    assert any(markdown.endswith(link) for markdown in shown)
    for markdown in shown:
        assert_text_only(markdown.removesuffix(link))
    for query in (MARKUP, f"nothing {MARKUP}"):  # found (a caption echoes it) and not found (so does the message)
        for markdown in markdown_with_markup(open_page("pages/5_Articles.py", q=query)):
            assert_text_only(markdown)


def test_actor_profile_and_sidebar_show_catalog_values_as_text(ids):
    app = open_page("pages/2_Actors.py")
    profile = next(m.value for m in app.markdown if m.value.startswith("**Type:**"))
    assert_text_only(profile)
    assert "**Wikidata:** Q1) \\[y\\](http:\u2060//x)" in profile  # not an id: no link
    app = open_page(source=f"Wire {MARKUP}")
    (caption,) = [c.value for c in app.sidebar.caption if c.value.startswith("Showing")]
    assert_text_only(caption)
