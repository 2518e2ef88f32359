"""Untrusted strings as Markdown, plotly text and links: hostile input shows as its text."""

from __future__ import annotations

import re

import pytest

from ceasefire.dashboard.untrusted import link, markdown_text, plot_text

HOSTILE = [
    "![](http://x.org/pixel.png)", "[x](http://x.org)", "<http://x.org>", "see http://x.org/a now", "HTTPS://X.ORG",
    "www.x.org", "(www.x.org)", "mail x@x.org", "mailto:x@x.org", '<img src="http://x.org/i.png">',
    '<a href="http://x.org/">a</a>', "javascript:alert(1)", "`code`", "$x^2$", ":red[x]", ":smile:",
    ":material/home:", "**bold** _it_ ~~gone~~", "# heading", "- item", "+ item", "1. item", "2) item", "> quote",
    "a &amp; b &lt;b&gt;", "a\\b \\*", "x | y", "[x][1]\n\n[1]: http://x.org",
]


def shown(markdown: str) -> str:
    """What a Markdown renderer shows for text with only backslash escapes and word joiners."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_text_shows_the_text_and_no_markup(value):
    safe = markdown_text(value)
    assert shown(safe) == " ".join(value.split())  # reads the same, line breaks as spaces
    unescaped = re.sub(r"\\.", "", safe)
    assert not re.search(r"[\\`*_\[\]<>!#|~$&]", unescaped)  # every markup character escaped
    # GitHub's autolink literals and Streamlit's shortcodes are found after escapes are resolved:
    # a word joiner breaks them.
    assert not re.search(r"www\.|@[^\u2060]|:[^\s\u2060]", safe, re.IGNORECASE)
    assert not re.match(r"[-+=]|\d+[.)]", safe)  # no list, heading underline or numbered item


def test_markdown_text_leaves_plain_text_alone():
    assert markdown_text("Khalil al-Hayya, Egypt (Cairo); 50% — 'yes'.") == "Khalil al-Hayya, Egypt (Cairo); 50% — 'yes'."
    assert markdown_text(None) == "" and markdown_text(12) == "12"


def test_plot_text_escapes_html():
    assert plot_text('<a href="http://x.org/">a</a> & <b>') == '&lt;a href="http://x.org/"&gt;a&lt;/a&gt; &amp; &lt;b&gt;'
    assert plot_text("Hamas") == "Hamas"


def test_link_only_for_http_urls_shown_by_host():
    assert link("https://www.reuters.com/world/x?a=1&b=2") == "[reuters.com ↗](https://www.reuters.com/world/x?a=1\\&b=2)"
    assert link("http://x.org/a b)(<c>") == "[x.org ↗](http://x.org/a%20b%29%28%3Cc%3E)"
    assert link("https://www.wikidata.org/wiki/Q801", label="Q801") == "[Q801 ↗](https://www.wikidata.org/wiki/Q801)"
    assert link("https://x.org", label="[y](http://z.org)") == "[\\[y\\](http:\u2060//z.org) ↗](https://x.org)"
    for bad in ("javascript:alert(1)", "JAVASCRIPT://x.org/%0aalert(1)", "data:text/html,<b>", "ftp://x.org",
                "//x.org/a", "reuters.com", "http://", "http://[::1", "", None):
        assert link(bad) is None
