"""Figure builders: small DataFrames in, titled and labelled plotly/altair figures out.

Nothing here touches Streamlit, so every chart can be built and checked in tests.
Plotly figures are built from graph objects, not plotly.express: px.bar took 80 ms a chart on
the 2-core machine (go: 9 ms), most of a page rerun's budget.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd
import plotly.graph_objects as go

from loaders.schema import OUTCOMES

# Outcome colours read as a traffic light; "unknown" stays neutral.
OUTCOME_COLOURS = {
    "agreement": "#1a9850", "partial agreement": "#91cf60", "ongoing": "#4575b4",
    "stalled": "#fdae61", "postponed": "#999999", "collapsed": "#d73027", "unknown": "#cccccc",
}
OUTCOME_ORDER = [*OUTCOMES, "unknown"]
TYPE_COLOURS = {
    "state": "#1f5f8b", "person": "#d95f02", "armed group": "#7570b3", "government body": "#1b9e77",
    "mediator/IGO": "#e7298a", "media": "#66a61e", "other": "#999999",
}
FONT = dict(family="sans-serif", size=13)
# Where the talks happen: the map opens on the eastern Mediterranean and the Gulf.
MAP_CENTRE = dict(lat=29.5, lon=38.0)


def _figure(traces: list, title: str, height: int = 380, legend_title: str = "", **layout: Any) -> go.Figure:
    """Traces with the house layout, built in one constructor call: plotly validates the figure
    again on every later update_* call (each cost ~5 ms here)."""
    house = dict(title=dict(text=title, x=0, xanchor="left"), height=height, font=FONT,
                 margin=dict(l=10, r=10, t=50, b=10), legend_title_text=legend_title)
    return go.Figure(traces, layout={**house, **layout})


def coverage_chart(frame: pd.DataFrame, grain: str) -> alt.Chart:
    """Articles per period as bars."""
    return (
        alt.Chart(frame, title=f"Articles per {grain}")
        .mark_bar(color="#1f5f8b")
        .encode(
            x=alt.X("period:T", title="Publication date"),
            y=alt.Y("articles:Q", title="Articles"),
            tooltip=[alt.Tooltip("period:T", title=grain.capitalize(), format="%d %b %Y"), alt.Tooltip("articles:Q", title="Articles")],
        )
        .properties(height=300)
    )


def mentions_chart(frame: pd.DataFrame, grain: str) -> alt.Chart:
    """Mentions per period, one line per actor."""
    return (
        alt.Chart(frame, title=f"Mentions per {grain} of the most mentioned actors")
        .mark_line(point=True)
        .encode(
            x=alt.X("period:T", title="Publication date"),
            y=alt.Y("mentions:Q", title="Mentions"),
            color=alt.Color("actor:N", title="Actor", scale=alt.Scale(scheme="tableau10")),
            tooltip=[alt.Tooltip("actor:N", title="Actor"), alt.Tooltip("period:T", title=grain.capitalize(), format="%d %b %Y"),
                     alt.Tooltip("mentions:Q", title="Mentions")],
        )
        .properties(height=340)
    )


def _bars_by(data: pd.DataFrame, colour: str, colours: dict[str, str], order: list[str],
             trace: Callable[[pd.DataFrame], dict]) -> list[go.Bar]:
    """Horizontal bars, one trace per value of `colour` (in `order`), with `trace(group)`'s fields
    (as lists: plotly validates a list faster than a Series)."""
    present = [value for value in order if value in set(data[colour])]
    return [go.Bar(orientation="h", name=value, marker_color=colours.get(value), **trace(data[data[colour] == value]))
            for value in present]


def top_actors_chart(frame: pd.DataFrame, title: str = "Most mentioned actors") -> go.Figure:
    data = frame.sort_values("mentions").assign(type=frame.type.fillna("other"))
    bars = _bars_by(data, "type", TYPE_COLOURS, list(TYPE_COLOURS), lambda group: dict(
        x=group.mentions.tolist(), y=group.actor.tolist(), customdata=group[["articles"]].to_numpy(),
        hovertemplate="<b>%{y}</b><br>Mentions: %{x}<br>Articles: %{customdata[0]}<extra></extra>"))
    return _figure(bars, title, height=max(300, 26 * len(data) + 90), legend_title="Type", barmode="relative",
                   xaxis=dict(title="Mentions"), yaxis=dict(categoryorder="array", categoryarray=data.actor.tolist()))


def rounds_timeline(rounds: pd.DataFrame) -> go.Figure:
    """One bar per round from its start to its end (a day when it has no end), by venue, coloured by outcome."""
    data = rounds.assign(
        outcome=rounds.outcome.fillna("unknown"),
        finish=rounds.end_date.fillna(rounds.start_date) + pd.Timedelta(days=1),
    )
    # Bars from start to finish on a date axis: the base is the start, the length in milliseconds.
    bars = _bars_by(data, "outcome", OUTCOME_COLOURS, OUTCOME_ORDER, lambda group: dict(
        base=group.start_date.tolist(), x=((group.finish - group.start_date).dt.total_seconds() * 1000).tolist(),
        y=group.venue.tolist(),
        customdata=pd.DataFrame({"start": group.start_date.dt.strftime("%d %b %Y"), "mediators": group.mediators,
                                 "issues": group.key_issues}).to_numpy(),
        hovertemplate="<b>%{y}</b>, %{customdata[0]}<br>Mediators: %{customdata[1]}<br>Issues: %{customdata[2]}"
                      "<extra>%{fullData.name}</extra>"))
    # A one-day bar is invisible on a two-year axis: draw a marker at each start as well.
    starts = go.Scatter(x=data.start_date.tolist(), y=data.venue.tolist(), mode="markers", showlegend=False, hoverinfo="skip",
                        marker=dict(color=data.outcome.map(OUTCOME_COLOURS).tolist(), size=11, line=dict(color="white", width=1)))
    return _figure([*bars, starts], "Negotiation rounds by venue, coloured by outcome",
                   height=max(320, 48 * data.venue.nunique() + 140), legend_title="Outcome", barmode="relative",
                   xaxis=dict(type="date", title="Date"), yaxis=dict(title="", categoryorder="category descending"))


def places_map(places: pd.DataFrame, title: str) -> go.Figure:
    """Places as circles sized by count; needs columns name, latitude, longitude, count, what."""
    size = places["count"].map(lambda n: 8 + 6 * math.sqrt(n))
    # Only the biggest circles get a label: the places around Gaza sit too close to label them all.
    labelled = places["count"].rank(method="first", ascending=False) <= 6
    circles = go.Scattergeo(
        lat=places.latitude, lon=places.longitude, text=places.name.where(labelled, ""),
        customdata=places[["name", "count", "what"]],
        mode="markers+text", textposition="top center", textfont=dict(size=11),
        marker=dict(size=size, color=places.what.map({"venue": "#d73027"}).fillna("#1f5f8b"), opacity=0.75,
                    line=dict(color="white", width=1)),
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[2]}: %{customdata[1]}<extra></extra>",
    )
    return _figure([circles], title, height=520, geo=dict(
        projection_type="natural earth", resolution=50, showcountries=True, countrycolor="#bbbbbb",
        showland=True, landcolor="#f3f1ec", showocean=True, oceancolor="#e8f1f8",
        center=MAP_CENTRE, lataxis_range=[10, 56], lonaxis_range=[-12, 66]))


def network_chart(edges: pd.DataFrame, title: str) -> go.Figure:
    """Co-mention network on a circle: node size by degree, line width by weight."""
    nodes = sorted(set(edges.source) | set(edges.target))
    weight = pd.concat([edges[["source", "weight"]].rename(columns={"source": "node"}),
                        edges[["target", "weight"]].rename(columns={"target": "node"})]).groupby("node").weight.sum()
    nodes.sort(key=lambda n: -weight[n])
    angle = {n: 2 * math.pi * i / max(len(nodes), 1) for i, n in enumerate(nodes)}
    x = {n: math.cos(a) for n, a in angle.items()}
    y = {n: math.sin(a) for n, a in angle.items()}
    top = edges.weight.max() if len(edges) else 1
    # Edges of (about) the same width share a trace, each a segment between None gaps: one trace per
    # edge cost ~2 ms each to build.
    widths: dict[int, list] = {}
    for edge in edges.itertuples(index=False):
        label = f"{edge.source} – {edge.target}: {edge.weight}"
        points = widths.setdefault(1 + round(5 * edge.weight / top), [])
        points.append((x[edge.source], y[edge.source], label))
        points.append((x[edge.target], y[edge.target], label))
        points.append((None, None, None))
    lines = [go.Scatter(x=[p[0] for p in points], y=[p[1] for p in points], text=[p[2] for p in points], mode="lines",
                        line=dict(width=width, color="rgba(31,95,139,0.35)"), hoverinfo="text", showlegend=False)
             for width, points in sorted(widths.items())]
    circles = go.Scatter(
        x=[x[n] for n in nodes], y=[y[n] for n in nodes], mode="markers+text", text=nodes, textposition="top center",
        marker=dict(size=[10 + 20 * math.sqrt(weight[n] / weight.max()) for n in nodes], color="#1f5f8b"),
        hovertext=[f"{n}: {weight[n]} co-mentions" for n in nodes], hoverinfo="text", showlegend=False,
    )
    return _figure([*lines, circles], title, height=560, xaxis=dict(visible=False, range=[-1.4, 1.4]),
                   yaxis=dict(visible=False, range=[-1.25, 1.25], scaleanchor="x"))


def issue_salience_chart(frame: pd.DataFrame, labels: dict[str, str], grain: str) -> alt.Chart:
    """A heat map, issue by period: periods without articles stay blank instead of being drawn across."""
    data = frame.assign(issue=frame.issue.map(labels).fillna(frame.issue), percent=frame.share * 100)
    time_unit = {"day": "yearmonthdate", "week": "yearweek", "month": "yearmonth", "year": "year"}[grain]
    return (
        alt.Chart(data, title=f"Share of sentences per {grain} that raise each issue")
        .mark_rect()
        .encode(
            x=alt.X(f"{time_unit}(period):O", title="Publication date",
                    axis=alt.Axis(format="%b %Y" if grain != "year" else "%Y", labelAngle=-45)),
            y=alt.Y("issue:N", title="", axis=alt.Axis(labelLimit=320)),  # whole issue names, not "Ceasefire and tru…"
            color=alt.Color("percent:Q", title="% of sentences", scale=alt.Scale(scheme="blues")),
            tooltip=[alt.Tooltip("issue:N", title="Issue"), alt.Tooltip("period:T", title=grain.capitalize(), format="%b %Y"),
                     alt.Tooltip("percent:Q", title="% of sentences", format=".1f"), alt.Tooltip("sentences:Q", title="Sentences")],
        )
        .properties(height=40 * data.issue.nunique() + 80)
    )


def issues_by_outcome_chart(frame: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    data = frame.assign(issue=frame.issue.map(labels).fillna(frame.issue))
    bars = _bars_by(data, "outcome", OUTCOME_COLOURS, OUTCOME_ORDER, lambda group: dict(
        x=group.rounds.tolist(), y=group.issue.tolist(), hovertemplate="<b>%{y}</b><br>Rounds: %{x}<extra>%{fullData.name}</extra>"))
    return _figure(bars, "Issues on the table, by the outcome of the round", height=max(300, 40 * data.issue.nunique() + 120),
                   legend_title="Outcome", barmode="relative", xaxis=dict(title="Rounds"))


def tone_chart(frame: pd.DataFrame, grain: str, who: str) -> alt.Chart:
    base = alt.Chart(frame, title=f"Tone of {who} per {grain} (VADER lexicon; wording, not truth)")
    line = base.mark_line(point=True, color="#1f5f8b").encode(
        x=alt.X("period:T", title="Publication date"),
        y=alt.Y("tone:Q", title="Mean sentence tone (−1 to 1)", scale=alt.Scale(domain=[-1, 1])),
        tooltip=[alt.Tooltip("period:T", title=grain.capitalize(), format="%d %b %Y"),
                 alt.Tooltip("tone:Q", title="Tone", format=".2f"), alt.Tooltip("sentences:Q", title="Sentences")],
    )
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color="#999999", strokeDash=[4, 4]).encode(y="y:Q")
    return (line + zero).properties(height=260)
