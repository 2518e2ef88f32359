"""Tables as the dashboard shows them: pure functions from query results to display frames."""

from __future__ import annotations

import pandas as pd

from ceasefire.analysis.rounds import NewsRound


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
