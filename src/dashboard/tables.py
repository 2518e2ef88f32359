"""Tables as the dashboard shows them: pure functions from query results to display frames (and
the one line listing an article's story)."""

from __future__ import annotations

import pandas as pd

from ceasefire.analysis.rounds import NewsRound
from ceasefire.dashboard.untrusted import link, markdown_text


def news_rounds_table(rounds: list[NewsRound]) -> pd.DataFrame:
    """One row per round reconstructed from the news, with `key` to find it again."""
    return pd.DataFrame([{
        "key": r.key,
        "From": r.first, "To": r.last, "Venue": r.venue, "Country": r.country,
        "Outcome": r.outcome or "not reported",
        "Parties": ", ".join(r.union("parties")), "Mediators": ", ".join(r.union("mediators")),
        "Proposal": r.proposal or "", "Articles": len(r.articles),
        "Record": "matched" if r.record_id else "new",
        "Flags": len(r.flags),
    } for r in rounds])


def events_table(events: pd.DataFrame) -> pd.DataFrame:
    """Events (`events`) with their columns named for reading: "Dataset event id", "Fatalities"."""
    return events.rename(columns=lambda column: column.replace("_", " ").capitalize())


def also_published_by(source: object, others: pd.DataFrame) -> str | None:
    """"**Also published by:** Wire B ↗, Outlet C" for an article (from `source`) whose story has
    `others` (queries.story): each other source once, as text, linked from its first article's URL
    when that is http(s); None when its story has no other article."""
    if others.empty:
        return None
    shown: dict[str, str] = {}
    for other, url in zip(others.source, others.url, strict=True):
        name = other.strip() if isinstance(other, str) and other.strip() else "unknown source"
        if name != source and name not in shown:
            shown[name] = link(url, name) or markdown_text(name)
    sources = ", ".join(shown.values()) if shown else "no other source"
    return f"**Also published by:** {sources} (one story of {len(others) + 1} articles)"
