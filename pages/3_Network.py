from __future__ import annotations

import streamlit as st

from ceasefire.dashboard import charts
from ceasefire.dashboard.frame import (
    Q,
    add_filter_value,
    nothing_found,
    page,
    query,
    table,
)

filters = page("Network", "Who the news names together: the strongest links between actors named in the same sentence "
                          "or the same article. Select an actor in the network to filter every page by it.")

scope = st.radio("Named together in the same", ["sentence", "article"], horizontal=True, key="network_scope",
                 help="Article: among the 30 actors in the most articles (pairing every actor of every article does not scale).")
edges = query(Q.co_mentions, filters, scope=scope, limit=40)
if edges.empty:
    nothing_found(f"actors named together in the same {scope}", filters)
    st.stop()

# The whole width: the circle's labels reach out to both sides.
event = st.plotly_chart(charts.network_chart(edges, f"Actors named in the same {scope} (40 strongest links)"),
                        width="stretch", key="network_chart", on_select="rerun", selection_mode="points")
table(edges.rename(columns={"source": "Actor", "target": "Named with", "weight": f"{scope.capitalize()}s naming both"}),
      key="network_links")

actors = [point["customdata"][0] for point in (event.selection.points if event else []) if point.get("customdata")]
if actors:
    add_filter_value(filters, "actors", actors[0])
