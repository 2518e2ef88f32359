from __future__ import annotations

import pandas as pd
import streamlit as st

from ceasefire.dashboard import charts
from ceasefire.dashboard.frame import (
    Q,
    add_filter_value,
    conflict_countries,
    nothing_found,
    page,
    query,
    table,
)
from ceasefire.dashboard.untrusted import markdown_text

filters = page("Map", "Venues of rounds (red, sized by rounds), places the articles mention (blue, sized by "
                      "articles) and the places of events from ACLED, UCDP or GDELT (orange, sized by events). "
                      "Select a place on the map to filter every page by it.")

events = query(Q.event_places, filters).rename(columns={"events": "count"}).assign(kind="place of events", what="events")
places = pd.concat([query(Q.place_counts, filters), events.drop(columns="fatalities")], ignore_index=True)
if places.empty:
    nothing_found("places", filters)
    st.stop()

layers = ["venues", "mentioned places", *(["events"] if not events.empty else [])]
shown = st.pills("Show", layers, default=layers, selection_mode="multi", key="map_layers") or []
wanted = {"venues": "venue", "mentioned places": "articles", "events": "events"}
data = places[places.what.isin([wanted[s] for s in shown])].reset_index(drop=True)
view = charts.map_view(data, conflict_countries(filters))
event = st.plotly_chart(charts.places_map(data, "Places by rounds held and articles naming them", view), width="stretch",
                        key="map_places", on_select="rerun", selection_mode="points", config={"topojsonURL": "app/static/"})
if away := charts.outside_view(data, view):
    st.caption(f"Outside this view (zoom out to see): {markdown_text(', '.join(away))}")
points = event.selection.points if event else []
if points:
    add_filter_value(filters, "locations", points[0]["customdata"][0])

table(data.rename(columns={"name": "Place", "kind": "Kind", "country": "Country", "count": "Count", "what": "Counted"})
      [["Place", "Kind", "Country", "Counted", "Count"]], key="map_table")
