from __future__ import annotations

import re

import streamlit as st

from ceasefire.dashboard import charts
from ceasefire.dashboard.frame import Q, nothing_found, page, query, table
from ceasefire.dashboard.untrusted import link, markdown_text

filters = page("Actors", "Who the news names, how often and in what words: mentions over time, the most "
                         "mentioned actors and a profile of each actor. Who is named with whom: the Network page.")

top = query(Q.top_actors, filters).head(20)  # all of them: the overview's, cached, when it was opened first
if top.empty:
    nothing_found("actor mentions", filters)
    st.stop()

grain = st.segmented_control("Per", ["day", "week", "month"], default="month", key="actors_grain") or "month"
over_time = query(Q.mentions_over_time, filters, grain=grain, actors=list(filters.actors) or top.actor[:8].tolist())
left, right = st.columns([3, 2])
with left:
    st.vega_lite_chart(spec=charts.mentions_chart(over_time, grain), width="stretch", key="actors_over_time")
with right:
    st.plotly_chart(charts.top_actors_chart(top, "Top 20 actors by mentions"), width="stretch", key="actors_top")

st.subheader("Actor profile")
names = top.actor.tolist()
actor = st.selectbox("Actor", names, index=0, key="actors_profile")
profile = query(Q.actor_profile, filters, actor=actor)
cols = st.columns(4)
cols[0].metric("Mentions", profile.get("mentions", 0))
cols[1].metric("Articles", profile.get("articles", 0))
cols[2].metric("First seen", f"{profile['first_seen']:%d %b %Y}" if profile.get("first_seen") else "–")
cols[3].metric("Last seen", f"{profile['last_seen']:%d %b %Y}" if profile.get("last_seen") else "–")
details = [f"**Type:** {markdown_text(profile.get('type') or 'not in the catalog')}"]
if profile.get("affiliation"):
    details.append(f"**Affiliation:** {markdown_text(profile['affiliation'])}")
if profile.get("aliases") is not None and len(profile["aliases"]):
    details.append(f"**Also called:** {markdown_text(', '.join(profile['aliases']))}")
if profile.get("wikidata"):
    wikidata = str(profile["wikidata"])  # a link only for an id, such as Q801
    shown = link(f"https://www.wikidata.org/wiki/{wikidata}", label=wikidata) if re.fullmatch(r"Q[0-9]+", wikidata) else None
    details.append(f"**Wikidata:** {shown or markdown_text(wikidata)}")
st.markdown(" · ".join(details))
tone = profile["tone"]
if not tone.empty:
    st.vega_lite_chart(spec=charts.tone_chart(tone, "month", f"sentences naming {actor}"), width="stretch", key="actors_tone")
page_number = st.number_input("Page of sentences", min_value=1, value=1, step=1, key="actors_sentences_page")
sentences = query(Q.actor_sentences, filters, actor=actor, limit=20, offset=(page_number - 1) * 20)
table(sentences[["published", "title", "source", "sentence", "tone"]].rename(columns=str.capitalize),
      key="actors_sentences", column_config={"Published": st.column_config.DateColumn(format="D MMM YYYY"),
                                             "Tone": st.column_config.NumberColumn(format="%.2f")})
