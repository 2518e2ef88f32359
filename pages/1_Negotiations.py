from __future__ import annotations

import streamlit as st

from analysis.queries import round_evidence
from dashboard import charts
from dashboard.frame import nothing_found, page, query, run, table

filters = page("Negotiations", "Rounds of talks on a timeline, by venue and coloured by outcome. "
                               "Select a round in the table to see who took part, what was on the table and the "
                               "articles that report it.")

rounds = query("rounds", filters)
if rounds.empty:
    nothing_found("rounds", filters)
    st.stop()

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
    st.stop()

chosen = matching.iloc[0]
st.subheader(f"{chosen.venue}, {chosen.start_date:%d %B %Y}")
facts, sources = st.columns([2, 3])
with facts:
    st.markdown(f"**Outcome:** {chosen.outcome}" + (f" ({chosen.outcome_text})" if chosen.outcome_text and chosen.outcome_text.casefold() != chosen.outcome else ""))
    st.markdown(f"**Parties:** {chosen.parties or 'not recorded'}")
    st.markdown(f"**Mediators:** {chosen.mediators or 'not recorded'}")
    st.markdown(f"**Key issues:** {chosen.key_issues or 'not recorded'}")
    if chosen.proposal:
        st.markdown(f"**Proposal:** {chosen.proposal}")
    if chosen.source:
        st.markdown(f"**Source:** [{chosen.source}]({chosen.source})" if str(chosen.source).startswith("http") else f"**Source:** {chosen.source}")
    st.caption(f"Record from {chosen.origin_file}")
with sources:
    evidence = run(round_evidence, chosen.record_id)
    st.markdown(f"**Sentences about it** ({len(evidence)})")
    if evidence.empty:
        st.caption("No stored article names this venue around the time of the round.")
    for (title, published), group in evidence.groupby(["title", "published"], sort=False, dropna=False):
        st.markdown(f"*{title}*" + (f" — {published:%d %b %Y}" if published == published and published is not None else ""))
        for sentence in group.sentence:
            st.markdown(f"> {sentence}")
