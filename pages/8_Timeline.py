from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from ceasefire.dashboard import charts
from ceasefire.dashboard.frame import Q, nothing_found, page, query, table
from ceasefire.dashboard.tables import events_table
from ceasefire.dashboard.untrusted import markdown_text

WINDOWS = (7, 14, 30, 60, 90)  # days before and after an agreement
EVENTS_LISTED = 500  # the most events a list shows
DAY = st.column_config.DateColumn(format="D MMM YYYY")
GRAIN_LENGTH = {"day": pd.DateOffset(days=1), "week": pd.DateOffset(weeks=1), "month": pd.DateOffset(months=1)}

def listed_only_the_newest(listed: pd.DataFrame) -> None:
    if len(listed) >= EVENTS_LISTED:
        st.caption(f"The newest {EVENTS_LISTED} are listed; narrow the filters, or download them all from the Data page.")


filters = page("Ceasefire timeline", "Did an agreement change anything on the ground? Agreements and truce windows (bands), "
                                     "rounds of talks (diamonds) and, beneath them on the same time axis, the events of "
                                     "ACLED, UCDP and GDELT by type. Choose a conflict in the sidebar to see one.")

left, right = st.columns(2)
grain = left.segmented_control("Per", ["day", "week", "month"], default="week", key="timeline_grain") or "week"
measure = right.segmented_control("Measure", ["events", "fatalities"], default="events", key="timeline_measure") or "events"
events = query(Q.events_over_time, filters, grain=grain)
if events.empty:
    nothing_found("events", filters)
    st.caption("Events come from exports of ACLED, the UCDP Georeferenced Event Dataset or GDELT 2.0: upload them on the "
               "Data page. Where to get each and under what terms: docs/datasets.md.")
    st.stop()
rounds = query(Q.rounds, filters)
chart = st.plotly_chart(charts.ceasefire_timeline(events, rounds, measure, grain), width="stretch", key="timeline_chart",
                        on_select="rerun", selection_mode="points")
# A bar's customdata is ("events", its type); a round's mark has one value (its parties).
bars = [p for p in (chart.selection.points if chart else []) if len(p.get("customdata") or ()) == 2]
if bars:  # a bar selected: the events behind it
    first, event_type = pd.Timestamp(bars[0]["x"]), bars[0]["customdata"][1]
    st.markdown(f"**{markdown_text(event_type.capitalize())}, the {grain} from {first:%d %B %Y}:**")
    behind = query(Q.events, filters, period=(first.date(), (first + GRAIN_LENGTH[grain]).date()),
                   event_type=event_type, limit=EVENTS_LISTED)
    table(events_table(behind), key="timeline_bar_events", column_config={"Date": DAY})
    listed_only_the_newest(behind)
else:
    st.caption("Select a bar to list the events behind it.")
st.caption("Events as loaded from the datasets' own exports: ACLED (acleddata.com), UCDP (ucdp.uu.se), GDELT "
           "(gdeltproject.org). Their terms ask you to credit them wherever you show their data (docs/datasets.md).")

st.subheader("Before and after each agreement")
asked = st.query_params.get("window", "30")
window = st.segmented_control("Days before and after", WINDOWS, key="timeline_window",
                              default=int(asked) if asked.isdigit() and int(asked) in WINDOWS else 30) or 30
st.query_params["window"] = str(window)
windows = query(Q.agreement_windows, filters, days=window)
if windows.empty:
    nothing_found("agreements", filters)
    st.stop()
selection = table(
    windows.rename(columns={"start_date": "Agreement", "venue": "Venue", "outcome": "Outcome", "parties": "Parties",
                            "events_before": f"Events, {window} days before", "fatalities_before": "Fatalities before",
                            "events_after": f"Events, {window} days from it", "fatalities_after": "Fatalities after"})
    .drop(columns="record_id"),
    key="timeline_agreements", on_select="rerun", selection_mode="single-row",
    column_config={"Agreement": DAY})
picked = selection.selection.rows if selection else []
if picked:  # the agreement goes into the URL, so a link can point at its events
    st.query_params["agreement"] = windows.iloc[picked[0]].record_id
matching = windows[windows.record_id == st.query_params.get("agreement", "")]
if matching.empty:
    st.caption("Select an agreement (the box at the left of its row) to list the events behind its figures.")
    st.stop()

chosen = matching.iloc[0]
day = chosen.start_date.date()
st.subheader(f"Events {window} days either side of {markdown_text(chosen.venue or 'the agreement')}, {day:%d %B %Y}")
around = query(Q.events, filters, window=(day - timedelta(days=window), day + timedelta(days=window)), limit=EVENTS_LISTED)
table(events_table(around), key="timeline_events", column_config={"Date": DAY})
listed_only_the_newest(around)
