"""What every page shares: the cached store, cached queries, the sidebar filters and navigation.

The URL is the single source of truth for filters. Each page run reads the query
string into `Filters`, puts it into the sidebar widgets when the URL changed (a
deep link, a page switch, the back button), and writes the widgets' values back
to the URL, so any view can be shared by copying the address bar. Our own page
links carry the query string to the next page (Streamlit's built-in page list
does not, so it is hidden in .streamlit/config.toml).
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from analysis import queries
from config import store_path
from dashboard.access import AccessSettings, LoginGuard
from dashboard.untrusted import markdown_text
from loaders.schema import OUTCOMES
from store.db import Store, open_store
from store.filters import PARAMS, Filters

PAGES = (
    ("app.py", "Overview", ":material/dashboard:"),
    ("pages/1_Negotiations.py", "Negotiations", ":material/handshake:"),
    ("pages/2_Actors.py", "Actors", ":material/groups:"),
    ("pages/3_Network.py", "Network", ":material/hub:"),
    ("pages/4_Map.py", "Map", ":material/public:"),
    ("pages/5_Articles.py", "Articles", ":material/article:"),
    ("pages/6_Issues.py", "Issues", ":material/topic:"),
    ("pages/7_Data.py", "Data", ":material/database:"),
)
_WIDGETS = {"dates": "filter_dates", "locations": "filter_locations", "actors": "filter_actors",
            "sources": "filter_sources", "outcomes": "filter_outcomes"}


@st.cache_resource(show_spinner="Opening the store…")
def _store(path: str) -> Store:
    return open_store(path, read_only=access_settings().store_read_only)


def store() -> Store:
    """The store of this server process (built from the sample data on first run)."""
    return _store(str(store_path()))


def access_settings() -> AccessSettings:
    secrets = st.secrets.to_dict() if st.secrets.load_if_toml_exists() else {}
    return AccessSettings.from_sources(os.environ, secrets)


@st.cache_resource
def login_guard() -> LoginGuard:
    return LoginGuard()  # one per server process: failures count across sessions


def signed_in_email() -> str | None:
    try:
        return st.user.email if st.user.is_logged_in else None
    except (AttributeError, KeyError, StreamlitAPIException):  # single sign-on not configured
        return None


def is_admin() -> bool:
    return access_settings().is_admin(st.session_state.get("admin_password_ok", False), signed_in_email())


def client_address() -> str:
    return getattr(st.context, "ip_address", None) or "unknown"


def version() -> tuple:
    with store().con.cursor() as cursor:
        return queries.data_version(cursor)


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(key: str, name: str, _filters: Filters, _path: str, _kwargs: dict[str, Any]) -> Any:
    # Cached on `key` alone (the arguments with a leading underscore are not hashed): hashing
    # the filters' dataclass took ~0.6 ms a query, its repr's string a few microseconds.
    with _store(_path).con.cursor() as cursor:  # one cursor per query: sessions run in threads
        return getattr(queries, name)(cursor, _filters, **_kwargs)


def query(name: str, filters: Filters, **kwargs: Any) -> Any:
    """Run `analysis.queries.<name>` cached on the filters, its arguments and the data version
    (read once a rerun, by the sidebar: a page runs up to seven queries)."""
    data_version = st.session_state.get("_data_version") or version()
    path = str(store_path())
    key = repr((name, filters, data_version, path, sorted(kwargs.items())))
    return _cached(key, name, filters, path, kwargs)


def run(function: Callable[..., Any], *args: Any) -> Any:
    """An uncached query for one row or one page (article text, a round's evidence)."""
    with store().con.cursor() as cursor:
        return function(cursor, *args)


@st.cache_data(show_spinner=False)
def _options(data_version: tuple, path: str) -> dict[str, Any]:
    with _store(path).con.cursor() as cursor:
        return queries.filter_options(cursor)


def _url_filters() -> Filters:
    try:
        return Filters.from_params({name: st.query_params.get_all(name) for name in PARAMS.values()})
    except ValueError as error:
        st.sidebar.warning(f"Some filters in the link were ignored: {markdown_text(error)}")
        return Filters()


def _widget_values(filters: Filters, options: dict[str, Any]) -> dict[str, Any]:
    first, last = options["first"] or date.today(), options["last"] or date.today()
    return {
        "filter_dates": (filters.start or first, filters.end or last),
        "filter_locations": [v for v in filters.locations if v in options["locations"]],
        "filter_actors": [v for v in filters.actors if v in options["actors"]],
        "filter_sources": [v for v in filters.sources if v in options["sources"]],
        "filter_outcomes": list(filters.outcomes),
    }


def sidebar_filters(page_name: str) -> Filters:
    """Render the shared filters and page links; return the filters in force."""
    st.session_state["_data_version"] = data_version = version()
    options = _options(data_version, str(store_path()))
    from_url = _url_filters()
    unknown = [v for field in ("locations", "actors", "sources")
               for v in getattr(from_url, field) if v not in options[field]]
    if unknown:
        st.sidebar.warning(f"Not in the data, so not applied: {markdown_text(', '.join(unknown))}")
    # Widgets take their values from the URL when it changed under them (a deep link, the back
    # button) or when this is another page, whose widgets start afresh.
    if st.session_state.get("_filters_in_url") != from_url or st.session_state.get("_filters_page") != page_name:
        for key, value in _widget_values(from_url, options).items():
            st.session_state[key] = value
    st.session_state["_filters_page"] = page_name
    first, last = options["first"] or date.today(), options["last"] or date.today()
    shown = st.session_state.get("filter_dates") or (first, last)  # () once a user clears the range
    with st.sidebar:
        st.header("Filters")
        picked = st.date_input("Date range", min_value=min(first, shown[0]),
                               max_value=max(last, shown[-1]), key="filter_dates",
                               help="Articles by publication date; rounds that overlap the range.")
        locations = st.multiselect("Locations", options["locations"], key="filter_locations",
                                   help="Venues of rounds, and articles that mention the place (or a place in the country).")
        actors = st.multiselect("Actors", options["actors"], key="filter_actors",
                                help="Articles that mention the actor; rounds where it is a party or mediator.")
        sources = st.multiselect("Sources", options["sources"], key="filter_sources")
        outcomes = st.multiselect("Round outcomes", list(OUTCOMES), key="filter_outcomes")
    start, end = (picked[0], picked[-1]) if isinstance(picked, tuple) and picked else (None, None)
    filters = Filters(
        start=start if start and start > first else None, end=end if end and end < last else None,
        locations=tuple(locations), actors=tuple(actors), sources=tuple(sources), outcomes=tuple(outcomes),
    )
    params = filters.to_params()
    if filters != from_url:  # rewrite the filter parameters only; a page's own ones (q, article) stay
        for name in PARAMS.values():
            if name in params:
                st.query_params[name] = params[name]
            elif name in st.query_params:
                del st.query_params[name]
    st.session_state["_filters_in_url"] = filters
    with st.sidebar:
        if params:
            st.caption(f"Showing {markdown_text(filters.describe('items'))}. Copy the address bar to share this view.")
        st.divider()
        for path, label, icon in PAGES:
            st.page_link(path, label=label, icon=icon, query_params=params)
    return filters


def page(title: str, explanation: str) -> Filters:
    """Page config, sidebar filters and the page's title with its one-line explanation."""
    st.set_page_config(page_title=f"{title} · Ceasefire Talks Dashboard", page_icon="🕊️", layout="wide")
    filters = sidebar_filters(title)
    _exempt_startup_objects_from_collection()
    st.title(title)
    st.caption(explanation)
    return filters


@functools.cache
def _exempt_startup_objects_from_collection() -> None:
    """Once a server process has imported the libraries and opened the store, move every object it
    holds out of the garbage collector's sight (they live as long as the process). A full
    collection otherwise walks them all: ~120 ms, at a random rerun every few filter changes."""
    gc.freeze()


def nothing_found(what: str, filters: Filters) -> None:
    """Say that nothing matches; `what` and the filters' values are shown as text."""
    st.info(f"Nothing to show: there are no {markdown_text(filters.describe(what).removeprefix('all '))}. "
            "Widen the date range or remove a filter in the sidebar.", icon=":material/filter_alt_off:")


def table(frame: pd.DataFrame, key: str, **kwargs: Any) -> Any:
    return st.dataframe(frame, hide_index=True, width="stretch", key=key, **kwargs)
