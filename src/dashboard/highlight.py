"""Article text as HTML with actors, places, dates and issues highlighted.

Every piece of article text is HTML-escaped before any markup is added, so text
from hostile pages (<script>, onerror=, javascript: links) shows as text, never runs.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

# Where spans overlap ("Israel" is an actor and a place) the first kind here wins.
KINDS = ("actor", "place", "date", "issue")
STYLE = """<style>
.reader { line-height: 1.65; font-size: 1.02rem; }
.reader p { margin: 0 0 0.8em 0; }
.reader mark { padding: 0 2px; border-radius: 3px; }
.reader mark.actor { background: #d6e6f5; border-bottom: 2px solid #1f5f8b; }
.reader mark.place { background: #e3f1dc; border-bottom: 2px solid #4d8a2f; }
.reader mark.date { background: #fbe8cc; border-bottom: 2px solid #c97a06; }
.reader mark.issue { background: #f1e1f0; border-bottom: 2px solid #8e3a8a; }
</style>"""


def highlight(text: str, spans: Iterable[tuple[str, int, int, str]]) -> str:
    """HTML for `text` with (kind, start, end, label) spans marked; overlapping spans are skipped."""
    priority = {kind: rank for rank, kind in enumerate(KINDS)}
    chosen: list[tuple[int, int, str, str]] = []
    for kind, start, end, label in sorted(spans, key=lambda s: (s[1], priority.get(s[0], 99), -s[2])):
        if kind in priority and 0 <= start < end <= len(text) and (not chosen or start >= chosen[-1][1]):
            chosen.append((start, end, kind, label))
    parts, position = [], 0
    for start, end, kind, label in chosen:
        parts.append(html.escape(text[position:start]))
        title = html.escape(f"{kind}: {label}", quote=True)
        parts.append(f'<mark class="{kind}" title="{title}">{html.escape(text[start:end])}</mark>')
        position = end
    parts.append(html.escape(text[position:]))
    paragraphs = "".join(parts).split("\n\n")
    body = "".join(f"<p>{paragraph.replace(chr(10), '<br>')}</p>" for paragraph in paragraphs if paragraph.strip())
    return f'{STYLE}<div class="reader">{body}</div>'
