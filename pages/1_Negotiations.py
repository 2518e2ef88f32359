from __future__ import annotations

import pandas as pd
import streamlit as st

from ceasefire.dashboard import charts
from ceasefire.dashboard.actions import review_news_round
from ceasefire.dashboard.frame import (
    NEWS_ROUND_CANDIDATES,
    Filters,
    Q,
    is_admin,
    nothing_found,
    page,
    query,
    run,
    table,
)
from ceasefire.dashboard.tables import news_rounds_table
from ceasefire.dashboard.untrusted import link, markdown_text

filters = page("Negotiations", "Rounds of talks on a timeline, by venue and coloured by outcome. "
                               "Select a round in the table to see who took part, what was on the table and the "
                               "articles that report it.")


def recorded_rounds() -> None:
    rounds = query(Q.rounds, filters)
    if rounds.empty:
        nothing_found("rounds", filters)
        return
    st.plotly_chart(charts.rounds_timeline(rounds), width="stretch", key="negotiations_timeline")

    st.subheader(f"{len(rounds)} rounds")
    shown = rounds[["start_date", "end_date", "venue", "country", "outcome", "parties", "mediators", "key_issues"]]
    selection = table(
        shown.rename(columns=str.capitalize).rename(columns={"Start_date": "Start", "End_date": "End", "Key_issues": "Key issues"}),
        key="negotiations_table", on_select="rerun", selection_mode="single-row",
        column_config={"Start": st.column_config.DateColumn(format="D MMM YYYY"), "End": st.column_config.DateColumn(format="D MMM YYYY")},
    )
    picked = selection.selection.rows if selection else []
    if picked:  # the chosen round goes into the URL, so a link can point at it
        st.query_params["round"] = rounds.iloc[picked[0]].record_id
    matching = rounds[rounds.record_id == st.query_params.get("round", "")]
    if matching.empty:
        st.caption("Select a row (the box at its left) to see the round's details and the sentences that report it. "
                   "Click a column heading to sort.")
        return

    chosen = matching.iloc[0]
    st.subheader(f"{markdown_text(chosen.venue)}, {chosen.start_date:%d %B %Y}")
    facts, sources = st.columns([2, 3])
    with facts:  # every value is the record's, shown as text; the source is a link only when it is an http(s) URL
        as_written = chosen.outcome_text if chosen.outcome_text and chosen.outcome_text.casefold() != chosen.outcome else None
        st.markdown(f"**Outcome:** {markdown_text(chosen.outcome)}" + (f" ({markdown_text(as_written)})" if as_written else ""))
        st.markdown(f"**Parties:** {markdown_text(chosen.parties or 'not recorded')}")
        st.markdown(f"**Mediators:** {markdown_text(chosen.mediators or 'not recorded')}")
        st.markdown(f"**Key issues:** {markdown_text(chosen.key_issues or 'not recorded')}")
        if chosen.proposal:
            st.markdown(f"**Proposal:** {markdown_text(chosen.proposal)}")
        if chosen.source:
            st.markdown(f"**Source:** {link(chosen.source) or markdown_text(chosen.source)}")
        st.caption(f"Record from {markdown_text(chosen.origin_file)}")
    with sources:
        evidence = run(Q.round_sentences, chosen.record_id)
        st.markdown(f"**Sentences about it** ({len(evidence)})")
        if evidence.empty:
            st.caption("No stored article names this venue around the time of the round.")
        for (title, published), group in evidence.groupby(["title", "published"], sort=False, dropna=False):
            st.markdown(f"*{markdown_text(title)}*" + (f" — {published:%d %b %Y}" if pd.notna(published) else ""))
            for sentence in group.sentence:
                st.markdown(f"> {markdown_text(sentence)}")


def news_rounds() -> None:
    st.header("Rounds reported in the news")
    st.caption("Reconstructed from article sentences that report talks at a venue: each field comes with the sentence "
               "it was read from. Reports of the same round are grouped; disagreements between sources are flagged. "
               f"The newest {NEWS_ROUND_CANDIDATES:,} reports in the filters are considered.")
    found = query(Q.news_rounds, filters)
    if not found:
        nothing_found("rounds reported in the news", filters)
        return
    listing = news_rounds_table(found)
    selection = table(listing.drop(columns="key"), key="news_rounds_table", on_select="rerun", selection_mode="single-row",
                      column_config={"From": st.column_config.DateColumn(format="D MMM YYYY"),
                                     "To": st.column_config.DateColumn(format="D MMM YYYY")})
    picked = selection.selection.rows if selection else []
    if picked:
        st.query_params["news_round"] = listing.iloc[picked[0]].key
    chosen = next((r for r in found if r.key == st.query_params.get("news_round", "")), None)
    if chosen is None:
        st.caption("Select a row to see the evidence for each field and to accept, merge or reject the round.")
        return
    when = f"{chosen.first:%d %b %Y}" + (f" – {chosen.last:%d %b %Y}" if chosen.last != chosen.first else "") if chosen.first else "date not reported"
    st.subheader(f"{markdown_text(chosen.venue)}, {when}")
    for flag in chosen.flags:  # they quote the sources' values
        st.warning(markdown_text(flag), icon=":material/report:")
    evidence = run(Q.news_round_evidence, [c.candidate_id for c in chosen.candidates])
    for (title, published), group in evidence.groupby(["title", "published"], sort=False, dropna=False):
        st.markdown(f"*{markdown_text(title)}*" + (f" — {published:%d %b %Y}" if pd.notna(published) else ""))
        sentences = group.groupby("sentence_index", sort=True)
        for _, rows in sentences:
            fields = "; ".join(f"{f}: {markdown_text(', '.join(values.value))}"
                               for f, values in rows.groupby("field", sort=False))
            st.markdown(f"> {markdown_text(rows.sentence.iloc[0])}")
            st.caption(fields)
    review(chosen)


def review(chosen) -> None:
    st.markdown("**Review**")
    if not is_admin():
        st.caption("Reviewing rounds is for the dashboard's admin (see the Data page).")
        return
    records = query(Q.rounds, Filters())
    accept, merge, reject = st.columns(3)
    if accept.button("Accept as a new round", key="news_round_accept", disabled=chosen.first is None,
                     help="Adds it to the negotiation rounds, with these articles as its source."):
        decide(chosen, "accepted")
    target = merge.selectbox("Merge into round", records.record_id, key="news_round_merge_target",
                             index=records.record_id.tolist().index(chosen.record_id) if chosen.record_id in records.record_id.tolist() else None,
                             format_func=lambda rid: _record_label(records, rid))
    if merge.button("Merge", key="news_round_merge", disabled=target is None):
        decide(chosen, "merged", target)
    if reject.button("Reject: not a round", key="news_round_reject"):
        decide(chosen, "rejected")


def _record_label(records, record_id: str) -> str:
    row = records[records.record_id == record_id].iloc[0]
    return f"{row.start_date:%d %b %Y} · {row.venue} · {row.outcome}"


def decide(chosen, decision: str, record_id: str | None = None) -> None:
    try:
        review_news_round(chosen, decision, record_id)
    except ValueError as error:
        st.error(markdown_text(error))
        return
    st.toast(f"Round {decision}.")
    st.rerun()


recorded_rounds()
st.divider()
news_rounds()
