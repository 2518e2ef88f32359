"""Ceasefire Talks Dashboard: `streamlit run app.py`. This file is the Overview page;
the other pages live in pages/ (Streamlit's own multipage mechanism)."""

from __future__ import annotations

import streamlit as st

from ceasefire.dashboard import charts
from ceasefire.dashboard.frame import Q, conflict_countries, count_choice, nothing_found, page, query, run, table
from ceasefire.dashboard.untrusted import markdown_text

filters = page("Overview", "Negotiation rounds and the news around them at a glance: how much there is, "
                           "when, where and who.")

figures = query(Q.headline, filters)
named = query(Q.top_actors, filters)  # every actor mentioned: counted here, the ten most mentioned charted below
articles, rounds, actors, first, last = st.columns(5)
articles.metric("Articles", f"{figures['articles']:,}")
rounds.metric("Negotiation rounds", f"{figures['rounds']:,}")
actors.metric("Actors mentioned", f"{len(named):,}")
first.metric("From", f"{figures['first']:%b %Y}" if figures["first"] else "–")
last.metric("To", f"{figures['last']:%b %Y}" if figures["last"] else "–")

if run(Q.conflicts_unanalysed):
    st.info("The conflicts of these articles have not been worked out yet: the data was analysed by an earlier "
            "version. Until the admin runs `ceasefire extract`, the conflict filter finds nothing.")
if not filters.conflicts:  # every conflict followed, side by side; choosing one scopes every page
    conflicts = query(Q.conflicts_side_by_side, filters)
    if not conflicts.empty:
        st.subheader("Conflicts side by side")
        table(conflicts.rename(columns={
            "conflict": "Conflict", "articles": "Articles", "rounds": "Rounds", "agreements": "Agreements",
            "last_round": "Last round", "last_outcome": "Its outcome"}), key="overview_conflicts",
            column_config={"Last round": st.column_config.DateColumn(format="D MMM YYYY")})
        by_conflict = query(Q.rounds_by_conflict, filters)
        if not by_conflict.empty:
            st.plotly_chart(charts.conflicts_chart(by_conflict), width="stretch", key="overview_conflicts_chart")
        st.caption("Choose a conflict in the sidebar (or add ?conflict=Sudan to the address) to scope every page to it.")

left, right = st.columns([3, 2])
with left:
    per, counted = st.columns(2)
    with per:
        grain = st.segmented_control("Coverage per", ["day", "week", "month"], default="month", key="overview_grain") or "month"
    with counted:
        count = count_choice("overview_count")
    coverage = query(Q.coverage, filters, grain=grain, count=count)
    if coverage.empty:
        nothing_found("dated articles", filters)
    else:
        st.vega_lite_chart(spec=charts.coverage_chart(coverage, grain, count), width="stretch", key="overview_coverage")
with right:
    if named.empty:
        nothing_found("actor mentions", filters)
    else:
        st.plotly_chart(charts.top_actors_chart(named.head(10), "Top 10 actors by mentions"), width="stretch", key="overview_actors")

left, right = st.columns([3, 2])
with left:
    venues = query(Q.place_counts, filters, mentioned=False)
    if venues.empty:
        nothing_found("venues of rounds", filters)
    else:
        view = charts.map_view(venues, conflict_countries(filters))
        st.plotly_chart(charts.places_map(venues, "Where the rounds were held (circle size: rounds)", view), width="stretch",
                        key="overview_map", config={"topojsonURL": "app/static/"})
        if away := charts.outside_view(venues, view):
            st.caption(f"Also held outside this view (zoom out to see): {markdown_text(', '.join(away))}")
with right:
    st.subheader("Latest rounds")
    latest = query(Q.rounds, filters, limit=8)
    if latest.empty:
        nothing_found("rounds", filters)
    else:
        table(latest[["start_date", "venue", "outcome", "mediators"]].rename(columns={
            "start_date": "Date", "venue": "Venue", "outcome": "Outcome", "mediators": "Mediators"}),
            key="overview_rounds", column_config={"Date": st.column_config.DateColumn(format="D MMM YYYY")})
