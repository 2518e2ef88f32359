"""Untrusted strings (anything from a file, a feed or the URL) made safe to show.

Streamlit's markdown (st.markdown, st.caption, st.info, st.subheader…) is GitHub-flavoured: besides
Markdown's own links and images it turns bare `http://…`, `www.…` and e-mail addresses into links
(by searching the text *after* backslash escapes were resolved, so escaping cannot stop it), expands
`:emoji:` and `:material/icon:` shortcodes, `:red[…]` directives and `$math$`. Plotly renders a
subset of HTML (<a href>, <b>, <br>…) in every text, hover text and tick label. So pages and charts
pass untrusted values through these helpers, and link only from a URL field.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

# Markdown's (and Streamlit's) punctuation that can start markup mid-line. "-", "+", "." and "()"
# only matter at the start of a line or after "]", so they stay as they are ("al-Hayya").
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>!#|~$&])")
# A word joiner (U+2060): invisible, not a word character, so "http:⁠//", "www⁠." and "a@⁠b.org"
# no longer read as links, ":⁠red[" as a directive nor ":⁠smile:" as a shortcode, and the text reads the same.
_JOINER = "\u2060"
_AUTOLINK_STARTS = re.compile(r"(:)(?=\S)|(@)|(www)(?=\.)", re.IGNORECASE)
_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=])")


def markdown_text(value: object) -> str:
    """`value` as Markdown that shows exactly its text: no link, image, HTML, emphasis or shortcode.
    Line breaks become spaces (the value sits inside a line of ours)."""
    text = " ".join(str("" if value is None else value).split())
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = _AUTOLINK_STARTS.sub(lambda m: m.group(0) + _JOINER, text)
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", text)


def plot_text(value: object) -> str:
    """`value` for a plotly text, hover text, tick label or trace name: HTML-escaped, so it shows as typed."""
    return html.escape(str("" if value is None else value), quote=False)


def link(url: object, label: str | None = None) -> str | None:
    """A Markdown link to an http(s) `url`, shown as `label` or else the URL's host ("reuters.com ↗");
    None when `url` is not an http(s) URL with a host (javascript:, data:, plain text)."""
    address = str("" if url is None else url).strip()
    try:
        parts = urlsplit(address)
        host = parts.hostname
    except ValueError:  # an invalid port or IPv6 address
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    # Percent-encode what would end a Markdown link's destination (spaces, parentheses, <>, backslash);
    # "&" is escaped so that "&lt;" is not read as a character reference.
    destination = quote(address, safe=":/?#[]@!$&'*+,;=%~").replace("&", "\\&")
    shown = label if label is not None else host.removeprefix("www.")
    return f"[{markdown_text(shown)} ↗]({destination})"
