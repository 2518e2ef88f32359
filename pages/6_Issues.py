from __future__ import annotations

import streamlit as st

from ceasefire.dashboard import charts
from ceasefire.dashboard.frame import (
    Q,
    default_issue_tagger,
    nothing_found,
    page,
    query,
    round_issue_counts,
    table,
)

filters = page("Issues", "Which key issues the news raises over time (hostages, aid, withdrawal, the day after…) "
                         "and which issues were on the table in rounds that ended each way.")

tagger = default_issue_tagger()
labels = tagger.labels
grain = st.segmented_control("Per", ["week", "month", "year"], default="month", key="issues_grain") or "month"
salience = query(Q.issue_salience, filters, grain=grain)
if salience.empty:
    nothing_found("dated articles raising key issues", filters)
else:
    st.vega_lite_chart(spec=charts.issue_salience_chart(salience, labels, grain), width="stretch", key="issues_salience")
    overall = (salience.groupby("issue", as_index=False).sentences.sum().sort_values("sentences", ascending=False)
               .assign(issue=lambda f: f.issue.map(labels)))
    table(overall.rename(columns={"issue": "Issue", "sentences": "Sentences raising it"}), key="issues_table")

rounds = query(Q.rounds, filters)
by_outcome = round_issue_counts(rounds, tagger) if not rounds.empty else rounds
if by_outcome.empty:
    nothing_found("rounds with recorded issues", filters)
else:
    st.plotly_chart(charts.issues_by_outcome_chart(by_outcome, labels), width="stretch", key="issues_by_outcome")
