"""Figure builders: small DataFrames in, titled and labelled plotly/altair figures out.

Nothing here touches Streamlit, so every chart can be built and checked in tests. Plotly renders HTML
(<a href>, <b>…) in texts, hover texts, tick labels and trace names: every value from the data goes
through `plot_text` there. Vega-Lite draws titles and labels as text, and its tooltips escape HTML.

Both libraries check a figure against their schema every time one is built, which cost more than
the queries behind a page at 1M articles (docs/performance.md). So plotly figures are written as plain dicts and wrapped without
validation (tests/test_charts.py checks each equals its validated self), and an altair chart's
Vega-Lite spec, which depends only on its labels, is made once per set of labels and drawn with
the data beside it.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Collection
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ceasefire.dashboard.untrusted import plot_text
from ceasefire.loaders.schema import OUTCOMES

# Outcome colours read as a traffic light; "unknown" stays neutral.
OUTCOME_COLOURS = {
    "agreement": "#1a9850", "partial agreement": "#91cf60", "ongoing": "#4575b4",
    "stalled": "#fdae61", "postponed": "#999999", "collapsed": "#d73027", "unknown": "#cccccc",
}
OUTCOME_ORDER = [*OUTCOMES, "unknown"]
TYPE_COLOURS = {
    "state": "#1f5f8b", "person": "#d95f02", "armed group": "#7570b3", "government body": "#1b9e77",
    "mediator/IGO": "#e7298a", "humanitarian": "#e6ab02", "territory": "#6baed6", "media": "#66a61e", "other": "#999999",
}
FONT = dict(family="sans-serif", size=13)
# Counts are whole numbers: no "0.5 articles" tick.
COUNT_AXIS = alt.Axis(format="d", tickMinStep=1)
# A legend in a row between the title and the plot: beside the plot it took half of a narrow column
# from the bars, and under it it ran into the axis title.
LEGEND_ABOVE = dict(orientation="h", yanchor="bottom", y=1.0, x=0, xanchor="left")
def legend_margin(entries: int) -> dict:
    """Room above the plot for the title and a legend of this many entries, even where a narrow
    column puts each entry on a row of its own (the legend then ran over the title)."""
    return dict(l=10, r=10, t=60 + 20 * entries, b=10)


def count_axis(title: str, largest: float) -> dict:
    """A plotly axis of counts: whole numbers, a tick for each one while there are few."""
    return dict(title=dict(text=title), tickformat=",d", rangemode="tozero", **({"dtick": 1} if largest <= 8 else {}))
# The views a map may open on, smallest first: the first that holds three quarters of what it
# shows (by count) is chosen, so Gaza's talks open on the eastern Mediterranean and the Gulf, and
# talks on three continents on the world.
MapView = dict[str, tuple[float, float]]
VIEWS: dict[str, MapView] = {
    "Middle East": dict(lat=(10, 56), lon=(-12, 66)),
    "Europe": dict(lat=(30, 66), lon=(-15, 50)),
    "Africa": dict(lat=(-38, 38), lon=(-22, 58)),
    "Asia": dict(lat=(-12, 56), lon=(55, 145)),
    "Americas": dict(lat=(-50, 60), lon=(-130, -30)),
    "World": dict(lat=(-45, 72), lon=(-135, 165)),
}
MAP_VIEW = VIEWS["Middle East"]


def _figure(traces: list[dict], title: str, height: int = 380, legend_title: str = "", **layout: Any) -> go.Figure:
    """Traces (dicts with their `type`) with the house layout. Not validated: written without
    plotly's "magic underscore" shorthands, which only validation expands."""
    # The title sits at the top of the figure, so a legend above the plot goes between the two.
    house = dict(title=dict(text=title, x=0, xanchor="left", y=1, yanchor="top", yref="container", pad=dict(t=14)),
                 height=height, font=FONT,
                 margin=dict(l=10, r=10, t=50, b=10), legend=dict(title=dict(text=legend_title)))
    return go.Figure(dict(data=traces, layout={**house, **layout}), _validate=False)


# Altair charts draw the data set of this name, which `_vega_lite` puts beside the spec.
DATA = alt.Data(name="table")


@functools.lru_cache(maxsize=256)
def _spec_json(build: Callable[..., alt.TopLevelMixin], *labels: object) -> str:
    # Without altair's default theme, as st.altair_chart converts a chart: Streamlit's theme styles it.
    with alt.theme.enable("none"):
        return json.dumps(build(*labels).to_dict())  # validated here, once per set of labels


def _vega_lite(data: pd.DataFrame, build: Callable[..., alt.TopLevelMixin], *labels: object) -> dict:
    """The Vega-Lite spec of `build(*labels)` (a chart of DATA), with `data` as that data set: what
    `st.vega_lite_chart(spec=...)` draws. A fresh copy each time: Streamlit edits the dict it is given."""
    spec = json.loads(_spec_json(build, *labels))
    spec["datasets"] = {DATA.name: data}
    return spec


def coverage_chart(frame: pd.DataFrame, grain: str, count: str = "articles") -> dict:
    """Articles, or stories (`count`, the frame's column of queries.coverage), per period as bars."""
    return _vega_lite(frame, _coverage, grain, count)


def _coverage(grain: str, count: str) -> alt.Chart:
    return (
        alt.Chart(DATA, title=f"{count.capitalize()} per {grain}")
        .mark_bar(color="#1f5f8b")
        .encode(
            x=alt.X("period:T", title="Publication date"),
            y=alt.Y(f"{count}:Q", title=count.capitalize(), axis=COUNT_AXIS),
            tooltip=[alt.Tooltip("period:T", title=grain.capitalize(), format="%d %b %Y"),
                     alt.Tooltip(f"{count}:Q", title=count.capitalize())],
        )
        .properties(height=300)
    )


def mentions_chart(frame: pd.DataFrame, grain: str) -> dict:
    """Mentions per period, one line per actor."""
    return _vega_lite(frame, _mentions, grain)


def _mentions(grain: str) -> alt.Chart:
    return (
        alt.Chart(DATA, title=f"Mentions per {grain} of the most mentioned actors")
        .mark_line(point=True)
        .encode(
            x=alt.X("period:T", title="Publication date"),
            y=alt.Y("mentions:Q", title="Mentions", axis=COUNT_AXIS),
            color=alt.Color("actor:N", title="Actor", scale=alt.Scale(scheme="tableau10")),
            tooltip=[alt.Tooltip("actor:N", title="Actor"), alt.Tooltip("period:T", title=grain.capitalize(), format="%d %b %Y"),
                     alt.Tooltip("mentions:Q", title="Mentions")],
        )
        .properties(height=340)
    )


def _bars_by(data: pd.DataFrame, colour: str, colours: dict[str, str], order: list[str],
             columns: dict[str, str | list[str]], **fixed: Any) -> list[dict]:
    """Horizontal bars, one trace per value of `colour` (in `order`). Each trace property in `columns`
    takes its group's values of that column (of those columns, row by row, for a list). Grouped in
    plain Python: selecting each group's rows with pandas cost more than the chart."""
    groups: dict[str, list[dict]] = {}
    for row in data.to_dict("records"):
        groups.setdefault(row[colour], []).append(row)
    return [dict(type="bar", orientation="h", name=plot_text(value), marker=dict(color=colours.get(value)), **fixed,
                 **{name: [[_shown(row[c]) for c in column] if isinstance(column, list) else _shown(row[column])
                           for row in groups[value]]
                    for name, column in columns.items()})
            for value in order if value in groups]


def _shown(value: Any) -> Any:
    """A value as plotly shows it: strings HTML-escaped, numbers and dates as they are."""
    return plot_text(value) if isinstance(value, str) else value


def top_actors_chart(frame: pd.DataFrame, title: str = "Most mentioned actors") -> go.Figure:
    data = frame.sort_values("mentions").assign(type=frame.type.fillna("other"))
    bars = _bars_by(data, "type", TYPE_COLOURS, list(TYPE_COLOURS), dict(x="mentions", y="actor", customdata=["articles"]),
                    hovertemplate="<b>%{y}</b><br>Mentions: %{x}<br>Articles: %{customdata[0]}<extra></extra>")
    return _figure(bars, title, height=max(300, 26 * len(data) + 110 + 20 * data.type.nunique()), barmode="relative",
                   legend=dict(title=dict(text="Type"), **LEGEND_ABOVE), margin=legend_margin(data.type.nunique() + 1),
                   xaxis=count_axis("Mentions", data.mentions.max() if len(data) else 0),
                   yaxis=dict(categoryorder="array", categoryarray=[plot_text(actor) for actor in data.actor]))


def rounds_timeline(rounds: pd.DataFrame) -> go.Figure:
    """One bar per round from its start to its end (a day when it has no end), by venue, coloured by outcome."""
    finish = rounds.end_date.fillna(rounds.start_date) + pd.Timedelta(days=1)
    # Bars from start to finish on a date axis: the base is the start, the length in milliseconds.
    data = rounds.assign(outcome=rounds.outcome.fillna("unknown"), length=(finish - rounds.start_date).dt.total_seconds() * 1000,
                         start=rounds.start_date.dt.strftime("%d %b %Y"))
    bars = _bars_by(data, "outcome", OUTCOME_COLOURS, OUTCOME_ORDER,
                    dict(base="start_date", x="length", y="venue", customdata=["start", "mediators", "key_issues"]),
                    hovertemplate="<b>%{y}</b>, %{customdata[0]}<br>Mediators: %{customdata[1]}<br>Issues: %{customdata[2]}"
                                  "<extra>%{fullData.name}</extra>")
    # A one-day bar is invisible on a two-year axis: draw a marker at each start as well.
    starts = dict(type="scatter", x=data.start_date.tolist(), y=[plot_text(v) for v in data.venue], mode="markers", showlegend=False,
                  hoverinfo="skip",
                  marker=dict(color=data.outcome.map(OUTCOME_COLOURS).tolist(), size=11, line=dict(color="white", width=1)))
    return _figure([*bars, starts], "Negotiation rounds by venue, coloured by outcome",
                   height=max(320, 48 * data.venue.nunique() + 140), legend_title="Outcome", barmode="relative",
                   xaxis=dict(type="date", title=dict(text="Date")), yaxis=dict(title=dict(text=""), categoryorder="category descending"))


# Event types: violence in warm colours, the rest cool; "other" (a GDELT statement, say) neutral.
EVENT_COLOURS = {
    "battle": "#b2182b", "explosion or remote violence": "#ef8a62", "violence against civilians": "#67001f",
    "ceasefire violation": "#e08214", "protest": "#4393c3", "riot": "#2166ac", "strategic development": "#92c5de",
    "agreement": "#1a9850", "other": "#bbbbbb",
}


def ceasefire_timeline(events: pd.DataFrame, rounds: pd.DataFrame, measure: str, grain: str) -> go.Figure:
    """On one time axis: agreements and truce windows from the records as bands (a round with an
    end date; a line where it has none), rounds of talks as marks by outcome, and beneath them the
    events per period stacked by type, as `measure` ("events" or "fatalities"). `events` is
    `events_over_time`, `rounds` is `rounds`."""
    traces: list[dict] = []
    for event_type in [t for t in EVENT_COLOURS if t in set(events.event_type)]:
        rows = events[events.event_type == event_type]
        traces.append(dict(type="bar", x=rows.period.tolist(), y=rows[measure].tolist(), name=plot_text(event_type),
                           marker=dict(color=EVENT_COLOURS[event_type]), yaxis="y",
                           customdata=[["events", event_type]] * len(rows),  # what a selected bar lists
                           hovertemplate=f"%{{x|%d %b %Y}} ({grain})<br>{measure.capitalize()}: %{{y:,}}"
                                         "<extra>%{fullData.name}</extra>"))
    marks = rounds.assign(outcome=rounds.outcome.fillna("unknown"))
    for outcome in [o for o in OUTCOME_ORDER if o in set(marks.outcome)]:
        rows = marks[marks.outcome == outcome]
        traces.append(dict(type="scatter", mode="markers", x=rows.start_date.tolist(), y=[plot_text(v) for v in rows.venue],
                           yaxis="y2", name=plot_text(f"round: {outcome}"), legendgroup="rounds",
                           marker=dict(color=OUTCOME_COLOURS[outcome], size=11, symbol="diamond", line=dict(color="white", width=1)),
                           customdata=[[plot_text(p or "")] for p in rows.parties],
                           hovertemplate="<b>%{y}</b>, %{x|%d %b %Y}<br>Parties: %{customdata[0]}<extra>%{fullData.name}</extra>"))
    agreements = marks[marks.outcome.isin(["agreement", "partial agreement"])]
    shapes = []
    for row in agreements.itertuples():
        colour = OUTCOME_COLOURS[row.outcome]
        if pd.notna(row.end_date) and row.end_date > row.start_date:  # a truce window
            shapes.append(dict(type="rect", xref="x", yref="paper", x0=row.start_date, x1=row.end_date, y0=0, y1=1,
                               fillcolor=colour, opacity=0.15, line=dict(width=0), layer="below"))
        else:
            shapes.append(dict(type="line", xref="x", yref="paper", x0=row.start_date, x1=row.start_date, y0=0, y1=1,
                               line=dict(color=colour, width=1.5, dash="dot"), layer="below"))
    largest = events.groupby("period")[measure].sum().max() if len(events) else 0
    venues = marks.venue.nunique()
    entries = len(traces)
    return _figure(traces, f"{measure.capitalize()} per {grain} around the rounds of talks and agreements",
                   height=460 + 22 * min(venues, 20), barmode="stack", shapes=shapes,
                   # a full-width chart: its legend wraps to about one row for each two entries
                   legend=dict(title=dict(text=""), **LEGEND_ABOVE), margin=legend_margin((entries + 1) // 2),
                   xaxis=dict(type="date", title=dict(text="Date")),
                   yaxis=dict(domain=[0, 0.62], **count_axis(f"{measure.capitalize()} per {grain}", largest)),
                   yaxis2=dict(domain=[0.7, 1], title=dict(text="Rounds"), type="category", anchor="x",
                               categoryorder="category descending"))


def map_view(places: pd.DataFrame, focus: Collection[str] = ()) -> MapView:
    """The view a map of these places opens on: around the places in the `focus` countries (a
    chosen conflict's) when there are any, else the smallest of VIEWS holding three quarters of the
    count."""
    focused = places[places.country.isin(focus) | places.name.isin(focus)]
    if not focused.empty:
        return _box(focused.latitude.min(), focused.latitude.max(), focused.longitude.min(), focused.longitude.max())
    total = places["count"].sum()
    return next((view for view in VIEWS.values() if places["count"][_inside(places, view)].sum() >= 0.75 * total),
                VIEWS["World"])


def _box(south: float, north: float, west: float, east: float) -> MapView:
    """A view around a box of places, with a margin, no smaller than a region of a few countries."""
    lat_span = max(north - south + 20, 30)
    lon_span = max(east - west + 30, 1.6 * lat_span)  # as wide as the chart is, or it is drawn as a narrow strip
    middle_lat, middle_lon = (north + south) / 2, (east + west) / 2
    return dict(lat=(max(-60.0, middle_lat - lat_span / 2), min(80.0, middle_lat + lat_span / 2)),
                lon=(max(-180.0, middle_lon - lon_span / 2), min(180.0, middle_lon + lon_span / 2)))


def _inside(places: pd.DataFrame, view: MapView) -> pd.Series:
    return places.latitude.between(*view["lat"]) & places.longitude.between(*view["lon"])


# What a circle counts: rounds held at a venue (red), events of the datasets (orange), articles naming a place (blue).
PLACE_COLOURS = {"venue": "#d73027", "events": "#e08214", "articles": "#1f5f8b"}


def places_map(places: pd.DataFrame, title: str, view: MapView = MAP_VIEW) -> go.Figure:
    """Places as circles sized by count, opening on `view`; needs columns name, latitude, longitude, count, what."""
    size = places["count"].map(lambda n: 8 + 6 * math.sqrt(n))
    # Only the biggest circles get a label: the places around Gaza sit too close to label them all.
    # A place counted twice (a venue that articles also name) is labelled once: two labels overlapped.
    # So is a country, drawn at its capital, beside the capital itself (Angola over Luanda).
    labelled = (places["count"].rank(method="first", ascending=False) <= 6) & ~places.duplicated(["latitude", "longitude"])
    circles = dict(
        type="scattergeo", lat=places.latitude.tolist(), lon=places.longitude.tolist(),
        text=[plot_text(name) if label else "" for name, label in zip(places.name, labelled)],
        hovertext=[plot_text(name) for name in places.name],  # customdata keeps the name as it is: a selection filters by it
        customdata=places[["name", "count", "what"]].to_numpy().tolist(),
        mode="markers+text", textposition=_label_sides(places, labelled, view), textfont=dict(size=11),
        marker=dict(size=size.tolist(), color=places.what.map(PLACE_COLOURS).fillna("#1f5f8b").tolist(), opacity=0.75,
                    line=dict(color="white", width=1)),
        hovertemplate="<b>%{hovertext}</b><br>%{customdata[2]}: %{customdata[1]}<extra></extra>",
    )
    centre = dict(lat=sum(view["lat"]) / 2, lon=sum(view["lon"]) / 2)
    return _figure([circles], title, height=520, geo=dict(
        projection=dict(type="natural earth"), resolution=50, showcountries=True, countrycolor="#bbbbbb",
        showland=True, landcolor="#f3f1ec", showocean=True, oceancolor="#e8f1f8",
        center=centre, lataxis=dict(range=list(view["lat"])), lonaxis=dict(range=list(view["lon"]))))


def _label_sides(places: pd.DataFrame, labelled: pd.Series, view: MapView) -> list[str]:
    """Labels go above their circles, except below one that has a labelled place just above it
    (Sharm el-Sheikh's label covered Cairo's circle) or that sits near the top of the view
    (Warsaw's and Paris's labels were cut off)."""
    latitude, longitude = places.latitude.to_numpy()[:, None], places.longitude.to_numpy()[:, None]
    above = places.latitude[labelled].to_numpy() - latitude  # every place against each labelled one
    beside = abs(places.longitude[labelled].to_numpy() - longitude) < 8
    crowded = ((above > 0) & (above < 5) & beside).any(axis=1)
    # The projection curves the view's top edge down at its sides.
    near_top = latitude[:, 0] > view["lat"][1] - 8
    return np.where(crowded | near_top, "bottom center", "top center").tolist()


def outside_view(places: pd.DataFrame, view: MapView = MAP_VIEW) -> list[str]:
    """The places a map's first view leaves out (Washington, D.C.), most counted first: named beside the map."""
    return places[~_inside(places, view)].sort_values("count", ascending=False, kind="stable").name.drop_duplicates().tolist()


def network_chart(edges: pd.DataFrame, title: str) -> go.Figure:
    """Co-mention network on a circle: node size by degree, line width by weight."""
    links = list(edges[["source", "target", "weight"]].itertuples(index=False, name=None))
    weight: dict[str, int] = {}
    for source, target, count in links:
        weight[source] = weight.get(source, 0) + count
        weight[target] = weight.get(target, 0) + count
    nodes = sorted(weight, key=lambda n: (-weight[n], n))
    angle = {n: 2 * math.pi * i / max(len(nodes), 1) for i, n in enumerate(nodes)}
    x = {n: math.cos(a) for n, a in angle.items()}
    y = {n: math.sin(a) for n, a in angle.items()}
    top = max((count for _, _, count in links), default=1)
    # Edges of (about) the same width share a trace, each a segment between None gaps: a trace per
    # edge is slow to build.
    # Lines take no hover or clicks: their points are the nodes' own, and a click there must select the node.
    widths: dict[int, list] = {}
    for source, target, count in links:
        points = widths.setdefault(1 + round(5 * count / top), [])
        points += [(x[source], y[source]), (x[target], y[target]), (None, None)]
    lines = [dict(type="scatter", x=[p[0] for p in points], y=[p[1] for p in points], mode="lines",
                  line=dict(width=width, color="rgba(31,95,139,0.35)"), hoverinfo="skip", showlegend=False)
             for width, points in sorted(widths.items())]
    busiest = max(weight.values(), default=1)
    circles = dict(
        type="scatter", x=[x[n] for n in nodes], y=[y[n] for n in nodes], mode="markers+text", text=[plot_text(n) for n in nodes],
        customdata=[[n] for n in nodes], textposition=[_outward(angle[n]) for n in nodes],  # customdata: who was selected
        marker=dict(size=[10 + 20 * math.sqrt(weight[n] / busiest) for n in nodes], color="#1f5f8b"),
        hovertext=[f"{plot_text(n)}: {weight[n]} co-mentions" for n in nodes], hoverinfo="text", showlegend=False,
    )
    return _figure([*lines, circles], title, height=560, xaxis=dict(visible=False, range=[-1.9, 1.9]),
                   yaxis=dict(visible=False, range=[-1.25, 1.25], scaleanchor="x"))


def _outward(angle: float) -> str:
    """Where a node's label goes, away from the circle's centre: labels all placed above their nodes
    ran into each other where neighbours sit side by side (at the bottom of the circle)."""
    if math.cos(angle) > 0.1:
        return "middle right"
    if math.cos(angle) < -0.1:
        return "middle left"
    return "top center" if math.sin(angle) > 0 else "bottom center"


def issue_salience_chart(frame: pd.DataFrame, labels: dict[str, str], grain: str) -> dict:
    """A heat map, issue by period: periods without articles stay blank instead of being drawn across."""
    data = frame.assign(issue=frame.issue.map(labels).fillna(frame.issue), percent=frame.share * 100)
    return _vega_lite(data, _issue_salience, grain, data.issue.nunique())


def _issue_salience(grain: str, issues: int) -> alt.Chart:
    time_unit = {"day": "yearmonthdate", "week": "yearweek", "month": "yearmonth", "year": "year"}[grain]
    return (
        alt.Chart(DATA, title=f"Share of sentences per {grain} that raise each issue")
        .mark_rect()
        .encode(
            x=alt.X(f"{time_unit}(period):O", title="Publication date",
                    axis=alt.Axis(format="%b %Y" if grain != "year" else "%Y", labelAngle=-45)),
            y=alt.Y("issue:N", title="", axis=alt.Axis(labelLimit=320)),  # whole issue names, not "Ceasefire and tru…"
            color=alt.Color("percent:Q", title="% of sentences", scale=alt.Scale(scheme="blues")),
            tooltip=[alt.Tooltip("issue:N", title="Issue"), alt.Tooltip("period:T", title=grain.capitalize(), format="%b %Y"),
                     alt.Tooltip("percent:Q", title="% of sentences", format=".1f"), alt.Tooltip("sentences:Q", title="Sentences")],
        )
        .properties(height=40 * issues + 80)
    )


def issues_by_outcome_chart(frame: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    data = frame.assign(issue=frame.issue.map(labels).fillna(frame.issue))
    bars = _bars_by(data, "outcome", OUTCOME_COLOURS, OUTCOME_ORDER, dict(x="rounds", y="issue"),
                    hovertemplate="<b>%{y}</b><br>Rounds: %{x}<extra>%{fullData.name}</extra>")
    return _figure(bars, "Issues on the table, by the outcome of the round", height=max(300, 40 * data.issue.nunique() + 120),
                   legend_title="Outcome", barmode="relative",
                   xaxis=count_axis("Rounds", data.groupby("issue").rounds.sum().max() if len(data) else 0))


def conflicts_chart(frame: pd.DataFrame) -> go.Figure:
    """Rounds per conflict, stacked by outcome (rows of conflict, outcome, rounds: `rounds_by_conflict`), most rounds on top."""
    totals = frame.groupby("conflict").rounds.sum().sort_values()
    bars = _bars_by(frame, "outcome", OUTCOME_COLOURS, OUTCOME_ORDER, dict(x="rounds", y="conflict"),
                    hovertemplate="<b>%{y}</b><br>Rounds: %{x}<extra>%{fullData.name}</extra>")
    return _figure(bars, "Rounds of talks by conflict and outcome", height=max(260, 34 * len(totals) + 150),
                   barmode="relative", legend=dict(title=dict(text="Outcome"), **LEGEND_ABOVE),
                   margin=legend_margin(2), xaxis=count_axis("Rounds", totals.max() if len(totals) else 0),
                   yaxis=dict(categoryorder="array", categoryarray=[plot_text(c) for c in totals.index]))


def tone_chart(frame: pd.DataFrame, grain: str, who: str) -> dict:
    """Mean sentence tone per period, as a line, with a dashed rule at neutral."""
    return _vega_lite(frame, _tone, grain, who)


def _tone(grain: str, who: str) -> alt.LayerChart:
    line = alt.Chart().mark_line(point=True, color="#1f5f8b").encode(
        x=alt.X("period:T", title="Publication date"),
        y=alt.Y("tone:Q", title="Mean sentence tone (−1 to 1)", scale=alt.Scale(domain=[-1, 1])),
        tooltip=[alt.Tooltip("period:T", title=grain.capitalize(), format="%d %b %Y"),
                 alt.Tooltip("tone:Q", title="Tone", format=".2f"), alt.Tooltip("sentences:Q", title="Sentences")],
    )
    zero = alt.Chart().mark_rule(color="#999999", strokeDash=[4, 4]).encode(y=alt.datum(0))
    # Sized to the width only: fitted to its height too (Streamlit's default), a layered chart's title was cut off.
    return alt.layer(line, zero, data=DATA, title=f"Tone of {who} per {grain} (VADER lexicon; wording, not truth)").properties(
        height=260, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
