"""The figure builders: titles, axis labels, colours and the data a reader sees, without Streamlit."""

from __future__ import annotations

import pandas as pd

from dashboard import charts

ACTORS = pd.DataFrame({"actor": ["Hamas", "Egypt", "Khalil al-Hayya", "Al Jazeera"],
                       "type": ["armed group", "state", "person", None],
                       "mentions": [40, 25, 7, 3], "articles": [12, 10, 4, 2]})
ROUNDS = pd.DataFrame({
    "start_date": pd.to_datetime(["2025-07-06", "2025-08-12", "2025-10-06"]),
    "end_date": pd.to_datetime(["2025-07-24", None, "2025-10-09"]),
    "venue": ["Doha", "Cairo", "Sharm el-Sheikh"], "outcome": ["collapsed", None, "agreement"],
    "mediators": ["Qatar, Egypt", "Egypt", "Egypt, Qatar, Turkey"], "key_issues": ["hostages", "aid", "withdrawal"],
})


def test_top_actors_bars_are_coloured_by_type_and_ordered_by_mentions():
    fig = charts.top_actors_chart(ACTORS)
    assert fig.layout.title.text == "Most mentioned actors" and fig.layout.xaxis.title.text == "Mentions"
    assert fig.layout.legend.title.text == "Type"
    bars = {trace.name: dict(zip(trace.y, trace.x)) for trace in fig.data}
    assert bars == {"state": {"Egypt": 25}, "person": {"Khalil al-Hayya": 7}, "armed group": {"Hamas": 40},
                    "other": {"Al Jazeera": 3}}
    assert [trace.marker.color for trace in fig.data] == [charts.TYPE_COLOURS[t.name] for t in fig.data]
    assert list(fig.layout.yaxis.categoryarray) == ["Al Jazeera", "Khalil al-Hayya", "Egypt", "Hamas"]  # longest bar on top
    assert "Articles: %{customdata[0]}" in fig.data[0].hovertemplate


def test_rounds_timeline_draws_each_round_from_start_to_finish_by_outcome():
    fig = charts.rounds_timeline(ROUNDS)
    assert fig.layout.xaxis.type == "date" and fig.layout.xaxis.title.text == "Date"
    assert fig.layout.legend.title.text == "Outcome"
    bars = {trace.name: trace for trace in fig.data if trace.type == "bar"}
    assert list(bars) == ["agreement", "collapsed", "unknown"]  # in outcome order; a missing outcome is unknown
    doha = bars["collapsed"]
    assert list(doha.y) == ["Doha"] and doha.x[0] == 19 * 86_400_000  # 6–24 July inclusive, in milliseconds
    assert bars["unknown"].x[0] == 86_400_000  # no end: one day
    assert bars["agreement"].marker.color == charts.OUTCOME_COLOURS["agreement"]


def test_issues_by_outcome_uses_labels_and_outcome_colours():
    frame = pd.DataFrame({"issue": ["hostages", "aid", "hostages"], "outcome": ["collapsed", "agreement", "agreement"],
                          "rounds": [2, 1, 3]})
    fig = charts.issues_by_outcome_chart(frame, {"hostages": "Hostages and prisoners", "aid": "Humanitarian aid"})
    assert fig.layout.xaxis.title.text == "Rounds" and fig.layout.legend.title.text == "Outcome"
    assert {t.name: dict(zip(t.y, t.x)) for t in fig.data} == {
        "agreement": {"Humanitarian aid": 1, "Hostages and prisoners": 3}, "collapsed": {"Hostages and prisoners": 2}}


def test_network_draws_every_edge_once_with_its_label():
    edges = pd.DataFrame({"source": ["Hamas", "Egypt", "Hamas"], "target": ["Israel", "Qatar", "Qatar"], "weight": [10, 5, 1]})
    fig = charts.network_chart(edges, "Actors named together")
    lines = [t for t in fig.data if t.mode == "lines"]
    labels = {label for trace in lines for label in trace.text if label}
    assert labels == {"Hamas – Israel: 10", "Egypt – Qatar: 5", "Hamas – Qatar: 1"}
    assert sorted(t.line.width for t in lines) == [1, 3, 6]  # wider for more co-mentions
    nodes = fig.data[-1]
    assert nodes.text[0] == "Hamas" and set(nodes.text) == {"Hamas", "Israel", "Egypt", "Qatar"}  # busiest first


def test_places_map_sizes_circles_by_count_and_labels_only_the_biggest():
    places = pd.DataFrame({"name": [f"Place {i}" for i in range(8)], "latitude": range(8), "longitude": range(8),
                           "count": [80, 70, 60, 50, 40, 30, 20, 10], "what": ["venue"] + ["articles"] * 7})
    fig = charts.places_map(places, "Where the talks are")
    circles = fig.data[0]
    assert fig.layout.title.text == "Where the talks are" and fig.layout.geo.center.lat == charts.MAP_CENTRE["lat"]
    assert [label for label in circles.text if label] == [f"Place {i}" for i in range(6)]  # the six biggest
    assert list(circles.marker.size) == sorted(circles.marker.size, reverse=True)
    assert circles.marker.color[0] == "#d73027" and circles.marker.color[1] == "#1f5f8b"  # venues red, mentions blue
