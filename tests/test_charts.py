"""The figure builders: titles, axis labels, colours and the data a reader sees, without Streamlit."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from ceasefire.dashboard import charts

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


def test_network_draws_every_edge_once_and_its_nodes_select_actors():
    edges = pd.DataFrame({"source": ["Hamas", "Egypt", "Hamas"], "target": ["Israel", "Qatar", "Qatar"], "weight": [10, 5, 1]})
    fig = charts.network_chart(edges, "Actors named together")
    nodes = fig.data[-1]
    assert nodes.text[0] == "Hamas" and set(nodes.text) == {"Hamas", "Israel", "Egypt", "Qatar"}  # busiest first
    at = {(x, y): name for x, y, name in zip(nodes.x, nodes.y, nodes.text)}
    lines = [t for t in fig.data if t.mode == "lines"]
    drawn = {trace.line.width: {frozenset({at[trace.x[i], trace.y[i]], at[trace.x[i + 1], trace.y[i + 1]]})
                                for i in range(0, len(trace.x), 3)} for trace in lines}
    # wider for more co-mentions
    assert drawn == {6: {frozenset({"Hamas", "Israel"})}, 3: {frozenset({"Egypt", "Qatar"})}, 1: {frozenset({"Hamas", "Qatar"})}}
    assert {trace.hoverinfo for trace in lines} == {"skip"}  # a click on a node selects the node, not a line ending there
    assert nodes.hovertext[0] == "Hamas: 11 co-mentions"
    assert [point[0] for point in nodes.customdata] == list(nodes.text)  # what a selected node reports
    # Labels point away from the centre: right of a node on the right, left on the left, below at the bottom.
    side = dict(zip(nodes.text, nodes.textposition))  # busiest first, counter-clockwise from 0°
    assert side == {"Hamas": "middle right", "Israel": "top center", "Qatar": "middle left", "Egypt": "bottom center"}


def test_places_map_sizes_circles_by_count_and_labels_only_the_biggest():
    places = pd.DataFrame({"name": [f"Place {i}" for i in range(8)], "latitude": range(8), "longitude": range(8),
                           "count": [80, 70, 60, 50, 40, 30, 20, 10], "what": ["venue"] + ["articles"] * 7})
    fig = charts.places_map(places, "Where the talks are")
    circles = fig.data[0]
    assert fig.layout.title.text == "Where the talks are" and list(fig.layout.geo.lataxis.range) == list(charts.MAP_VIEW["lat"])
    assert [label for label in circles.text if label] == [f"Place {i}" for i in range(6)]  # the six biggest
    assert list(circles.marker.size) == sorted(circles.marker.size, reverse=True)
    assert circles.marker.color[0] == "#d73027" and circles.marker.color[1] == "#1f5f8b"  # venues red, mentions blue


def test_map_labels_dodge_their_neighbours_and_places_out_of_view_are_named():
    places = pd.DataFrame({"name": ["Doha", "Cairo", "Sharm el-Sheikh", "Paris", "Warsaw", "Washington, D.C."],
                           "latitude": [25.29, 30.06, 27.92, 48.85, 52.23, 38.9],
                           "longitude": [51.53, 31.25, 34.33, 2.35, 21.01, -77.04],
                           "count": [12, 8, 2, 2, 1, 1], "what": ["venue"] * 6})
    sides = dict(zip(places.name, charts.places_map(places, "Venues").data[0].textposition))
    # Below: under Cairo's circle, and near the top of the view.
    assert sides == {"Doha": "top center", "Cairo": "top center", "Sharm el-Sheikh": "bottom center",
                     "Paris": "bottom center", "Warsaw": "bottom center", "Washington, D.C.": "top center"}
    assert charts.outside_view(places) == ["Washington, D.C."]
    assert charts.outside_view(places.head(5)) == []


def test_a_map_opens_on_the_region_of_its_places_or_of_the_chosen_conflict():
    gaza = pd.DataFrame({"name": ["Doha", "Cairo", "Washington, D.C."], "country": ["Qatar", "Egypt", "United States"],
                         "latitude": [25.29, 30.06, 38.9], "longitude": [51.53, 31.25, -77.04], "count": [12, 8, 1]})
    assert charts.map_view(gaza) == charts.VIEWS["Middle East"]  # nearly all of it is there
    world = pd.concat([gaza, pd.DataFrame({"name": ["Luanda", "Istanbul", "Bogotá"], "country": ["Angola", "Turkey", "Colombia"],
                                           "latitude": [-8.84, 41.01, 4.71], "longitude": [13.23, 28.98, -74.07],
                                           "count": [10, 9, 8]})])
    assert charts.map_view(world) == charts.VIEWS["World"]
    angola = charts.map_view(world, focus=["Angola"])  # a chosen conflict's countries
    assert angola["lat"][0] < -8.84 < angola["lat"][1] and angola["lon"][0] < 13.23 < angola["lon"][1]
    assert angola["lat"][1] - angola["lat"][0] >= 30 and "Bogotá" in charts.outside_view(world, angola)


def test_counts_are_drawn_on_whole_number_axes():
    bars = charts.top_actors_chart(pd.DataFrame({"actor": ["Hamas", "Qatar"], "type": ["armed group", "state"],
                                                 "mentions": [3, 1], "articles": [2, 1]}))
    assert bars.layout.xaxis.tickformat == ",d" and bars.layout.xaxis.dtick == 1
    assert bars.layout.legend.orientation == "h"  # under the bars, not beside them in a narrow column
    spec = charts.coverage_chart(pd.DataFrame({"period": pd.to_datetime(["2025-01-01"]), "articles": [1]}), "month")
    assert spec["encoding"]["y"]["axis"] == {"format": "d", "tickMinStep": 1}
    conflicts = charts.conflicts_chart(pd.DataFrame({"conflict": ["Sudan", "Sudan", "Gaza"], "outcome": ["agreement", "collapsed", "agreement"],
                                                     "rounds": [1, 2, 5]}))
    assert list(conflicts.layout.yaxis.categoryarray) == ["Sudan", "Gaza"]  # most rounds on top
    assert [t.name for t in conflicts.data] == ["agreement", "collapsed"] and conflicts.layout.xaxis.dtick == 1


EDGES = pd.DataFrame({"source": ["Hamas", "Egypt"], "target": ["Israel", "Qatar"], "weight": [10, 5]})
PLACES = pd.DataFrame({"name": ["Cairo", "Doha"], "latitude": [30.04, 25.29], "longitude": [31.24, 51.53],
                       "count": [5, 2], "what": ["venue", "articles"]})
ISSUES = pd.DataFrame({"issue": ["hostages"], "outcome": ["agreement"], "rounds": [2]})
PLOTLY_FIGURES = {
    "top actors": lambda: charts.top_actors_chart(ACTORS), "rounds": lambda: charts.rounds_timeline(ROUNDS),
    "network": lambda: charts.network_chart(EDGES, "Links"), "map": lambda: charts.places_map(PLACES, "Places"),
    "issues by outcome": lambda: charts.issues_by_outcome_chart(ISSUES, {"hostages": "Hostages"}),
}


@pytest.mark.parametrize("name", PLOTLY_FIGURES)
def test_plotly_figures_built_without_validation_equal_their_validated_selves(name):
    # The builders skip plotly's validation for speed: a misspelt property, or a "magic underscore"
    # shorthand that only validation expands, would reach the browser as is. Validation raises on
    # the first and rewrites the second, so either makes the two differ.
    figure = PLOTLY_FIGURES[name]()
    assert json.loads(pio.to_json(figure, validate=False)) == json.loads(pio.to_json(go.Figure(figure.to_dict())))


def _fields(spec: object) -> set[str]:
    """Every data field a Vega-Lite spec encodes."""
    if isinstance(spec, dict):
        own = {spec["field"]} if isinstance(spec.get("field"), str) else set()
        return own.union(*(_fields(value) for key, value in spec.items() if key != "datasets"))
    if isinstance(spec, list):
        return set().union(*(_fields(value) for value in spec))
    return set()


def test_altair_specs_carry_their_data_and_encode_only_its_columns():
    periods = pd.to_datetime(["2025-07-01", "2025-08-01"])
    specs = [
        (charts.coverage_chart(pd.DataFrame({"period": periods, "articles": [3, 5]}), "month"), "Articles per month"),
        (charts.mentions_chart(pd.DataFrame({"period": periods, "actor": ["Hamas", "Egypt"], "mentions": [4, 2]}), "week"),
         "Mentions per week of the most mentioned actors"),
        (charts.tone_chart(pd.DataFrame({"period": periods, "tone": [0.2, -0.1], "sentences": [9, 4]}), "month",
                           "sentences naming Hamas"), "Tone of sentences naming Hamas per month (VADER lexicon; wording, not truth)"),
    ]
    for spec, title in specs:
        data = spec["datasets"][spec["data"]["name"]]
        assert spec["title"] == title
        assert _fields(spec) and _fields(spec) <= set(data.columns), title
    coverage = specs[0][0]
    assert coverage["encoding"]["x"]["title"] == "Publication date" and coverage["encoding"]["y"]["title"] == "Articles"
    tone = specs[2][0]
    assert tone["layer"][1]["mark"]["type"] == "rule" and tone["layer"][1]["encoding"]["y"] == {"datum": 0}  # neutral
    assert tone["autosize"]["type"] == "fit-x"  # fitted to its height too, Streamlit cut the layered chart's title
    assert all("config" not in spec for spec, _ in specs)  # Streamlit's theme, not altair's, styles them
    again = charts.coverage_chart(pd.DataFrame({"period": periods, "articles": [1, 1]}), "month")
    assert again["datasets"]["table"].articles.tolist() == [1, 1]  # the cached spec is not shared between calls
    assert coverage["datasets"]["table"].articles.tolist() == [3, 5]


def test_issue_heat_map_shows_labels_and_percentages_and_grows_with_the_issues():
    frame = pd.DataFrame({"period": pd.to_datetime(["2025-07-01", "2025-07-01", "2025-08-01"]),
                          "issue": ["hostages", "aid", "hostages"], "sentences": [3, 1, 2], "share": [0.3, 0.1, 0.25]})
    spec = charts.issue_salience_chart(frame, {"hostages": "Hostages and prisoners", "aid": "Humanitarian aid"}, "month")
    data = spec["datasets"]["table"]
    assert set(data.issue) == {"Hostages and prisoners", "Humanitarian aid"} and data.percent.tolist() == [30.0, 10.0, 25.0]
    assert spec["encoding"]["y"]["axis"]["labelLimit"] == 320 and spec["height"] == 40 * 2 + 80
    assert _fields(spec) <= set(data.columns)


# Plotly renders <a href>, <img>… in texts, hover texts, tick labels and trace names.
LINK = '<a href="http://x.org/">a</a>'
SHOWN = "&lt;a href=\"http://x.org/\"&gt;a&lt;/a&gt;"


def _strings(value: object, skip: frozenset[str] = frozenset()) -> list[str]:
    """Every string in a figure's JSON, but under the keys in `skip`."""
    if isinstance(value, dict):
        return [s for key, item in value.items() if key not in skip for s in _strings(item, skip)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item, skip)]
    return [value] if isinstance(value, str) else []


HOSTILE_FIGURES = {
    "top actors": lambda: charts.top_actors_chart(pd.DataFrame({"actor": [f"Hamas {LINK}"], "type": ["armed group"],
                                                                "mentions": [4], "articles": [2]})),
    "rounds": lambda: charts.rounds_timeline(ROUNDS.assign(venue=f"Doha {LINK}", mediators=f"Qatar {LINK}",
                                                           key_issues=f"hostages {LINK}")),
    "network": lambda: charts.network_chart(pd.DataFrame({"source": [f"Hamas {LINK}"], "target": ["Israel"], "weight": [3]}), "Links"),
    "map": lambda: charts.places_map(PLACES.assign(name=[f"Cairo {LINK}", "Doha"]), "Places"),
    "issues by outcome": lambda: charts.issues_by_outcome_chart(ISSUES, {"hostages": f"Hostages {LINK}"}),
}


@pytest.mark.parametrize("name", HOSTILE_FIGURES)
def test_plotly_figures_show_markup_in_the_data_as_text(name):
    figure = HOSTILE_FIGURES[name]().to_plotly_json()
    # Selections read the customdata of the map and the network: it keeps the name as it is, and is not shown.
    shown = _strings(figure, skip=frozenset({"customdata"} if name in ("map", "network") else ()))
    assert not [s for s in shown if "<a" in s]
    assert any(SHOWN in s for s in shown)
    if name in ("map", "network"):
        assert "customdata[0]" not in json.dumps(figure)
        assert figure["data"][-1]["customdata"][0][0] in (f"Cairo {LINK}", f"Hamas {LINK}")
