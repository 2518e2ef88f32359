from __future__ import annotations

import streamlit as st

from ceasefire.dashboard.frame import Q, nothing_found, page, query, run, table
from ceasefire.dashboard.highlight import highlight
from ceasefire.dashboard.tables import also_published_by
from ceasefire.dashboard.untrusted import link, markdown_text

filters = page("Articles", "Search the articles, then open one to read it with actors, places, dates and issues "
                           "highlighted, and to see where it came from.")

PAGE_SIZE = 25
search = st.text_input("Search titles and texts", value=st.query_params.get("q", ""), key="articles_search",
                       placeholder="e.g. hostages, Rafah crossing, al-Hayya")
if search.strip():
    st.query_params["q"] = search.strip()
elif "q" in st.query_params:
    del st.query_params["q"]

total, first_page = query(Q.search_articles, filters, text=search, limit=PAGE_SIZE, offset=0)
if total == 0:
    nothing_found("articles" + (f" containing “{search.strip()}”" if search.strip() else ""), filters)
    st.stop()
pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
number = st.number_input(f"Page (of {pages})", min_value=1, max_value=pages, value=1, step=1, key="articles_page") if pages > 1 else 1
_, results = (total, first_page) if number == 1 else query(Q.search_articles, filters, text=search, limit=PAGE_SIZE,
                                                            offset=(number - 1) * PAGE_SIZE)
st.caption(f"{total:,} articles" + (f" containing “{markdown_text(search.strip())}”" if search.strip() else ""))
selection = table(
    results.rename(columns={"title": "Title", "source": "Source", "published": "Published", "precision": "Date precision",
                            "date_from": "Date from", "word_count": "Words", "story_articles": "Articles of its story"})
    .drop(columns="article_id"),
    key="articles_table", on_select="rerun", selection_mode="single-row",
    column_config={"Published": st.column_config.DateColumn(format="D MMM YYYY")},
)
rows = selection.selection.rows if selection else []
if rows:
    st.query_params["article"] = results.iloc[rows[0]].article_id
chosen_id = st.query_params.get("article")
if not chosen_id:
    st.caption("Select an article (the box at the left of its row) to read it.")
    st.stop()

chosen = run(Q.article, chosen_id)
if chosen is None:
    st.warning("The article in this link is not in the store.")
    st.stop()
st.divider()
st.subheader(markdown_text(chosen["title"]))
date_text = "date unknown"
if chosen["published_at"] is not None and chosen["published_at"] == chosen["published_at"]:
    fmt = {"day": "%d %B %Y", "week": "week of %d %B %Y", "month": "%B %Y", "year": "%Y"}[chosen["published_precision"]]
    date_text = f"{chosen['published_at']:{fmt}}"
provenance = [f"**Published:** {date_text} (from {chosen['published_from'].replace('_', ' ')})",
              f"**Source:** {markdown_text(chosen['source'] or 'unknown')}",
              f"**Language:** {markdown_text(chosen['language'] or 'unknown')}",
              f"**Words:** {chosen['word_count']:,}", f"**File:** {markdown_text(chosen['origin_file'])}"]
if chosen["url"]:
    provenance.append(f"**Link:** {link(chosen['url']) or markdown_text(chosen['url'])}")
st.markdown(" · ".join(provenance))
if chosen.get("text_pending"):
    st.info("Title only: this article was listed (a GDELT DOC list) and its page has not been fetched yet; its title "
            "stands for its text until `ceasefire fetch --pending` reads it.", icon=":material/schedule:")
if published_by := also_published_by(chosen["source"], run(Q.story, chosen_id)):
    st.markdown(published_by)
st.markdown(":blue-background[actor] · :green-background[place] · :orange-background[date] · :violet-background[issue] "
            "— hover a highlight to see what it was read as.")
spans = run(Q.article_spans, chosen_id)
st.html(highlight(chosen["text"], spans[["kind", "char_start", "char_end", "label"]].itertuples(index=False, name=None)))
