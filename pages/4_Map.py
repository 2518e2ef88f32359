from __future__ import annotations

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

filters = page("Map", "Venues of rounds (red, sized by rounds) and places the articles mention (blue, sized by "
                      "articles). Select a place on the map to filter every page by it.")

places = query(Q.place_counts, filters)
if places.empty:
    nothing_found("places", filters)
    st.stop()

shown = st.pills("Show", ["venues", "mentioned places"], default=["venues", "mentioned places"],
                 selection_mode="multi", key="map_layers") or []
wanted = {"venues": "venue", "mentioned places": "articles"}
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
