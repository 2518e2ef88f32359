"""Ceasefire Talks Dashboard: `streamlit run app.py`."""

from __future__ import annotations

import streamlit as st

from store.db import Store, open_store

st.set_page_config(page_title="Ceasefire Talks Dashboard", page_icon="🕊️", layout="wide")


@st.cache_resource
def get_store() -> Store:
    # One connection per server process; the sample store is built on first run.
    return open_store()


store = get_store()
stats = store.stats()

st.title("Ceasefire Talks Dashboard")
st.caption("Negotiation rounds and the news around them, from the articles and records in the store.")
articles, rounds, venues, span = st.columns(4)
articles.metric("Articles", stats["articles"])
rounds.metric("Negotiation rounds", stats["rounds"])
venues.metric("Venues", stats["venues"])
span.metric("Rounds span", f"{stats['rounds_first_date']:%b %Y} – {stats['rounds_last_date']:%b %Y}" if stats["rounds"] else "–")

st.subheader("Negotiation rounds")
table = store.con.query(
    "SELECT start_date AS date, venue_city AS venue, venue_country AS country, outcome, "
    "array_to_string(mediators, ', ') AS mediators, array_to_string(key_issues, ', ') AS issues, source "
    "FROM records ORDER BY start_date DESC"
).df()
st.dataframe(table, hide_index=True, width="stretch", key="rounds_table",
             column_config={"source": st.column_config.LinkColumn("source")})
