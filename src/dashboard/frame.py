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
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, Concatenate, ParamSpec, TypeVar

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ceasefire.analysis.catalog import current_catalog
from ceasefire.analysis.conflicts import current_conflicts
from ceasefire.analysis.issues import (  # noqa: F401 (for pages)
    default_issue_tagger,
    round_issue_counts,
)
from ceasefire.config import store_location
from ceasefire.dashboard.access import AccessSettings, LoginGuard, is_local_client
from ceasefire.dashboard.untrusted import markdown_text
from ceasefire.ingest import open_store
from ceasefire.read import log
from ceasefire.read.engines import PostgresEngine, is_server
from ceasefire.read.filters import FIELD, FIELDS, PARAMS, FilterField, Filters
from ceasefire.read.queries import COUNTS, NEWS_ROUND_CANDIDATES, Count  # noqa: F401 (for pages)
from ceasefire.read.registry import REGISTRY, Q, Query
from ceasefire.store.db import OutdatedStore, Store, StoreBusy
from ceasefire.store.lake import LakeError, lake_folder

P = ParamSpec("P")
R = TypeVar("R")
_LOG = logging.getLogger(__name__)
COUNT_PARAM = "count"  # the URL parameter of what coverage counts (count_choice)

PAGES = (
    ("app.py", "Overview", ":material/dashboard:"),
    ("pages/1_Negotiations.py", "Negotiations", ":material/handshake:"),
    ("pages/8_Timeline.py", "Ceasefire timeline", ":material/timeline:"),
    ("pages/2_Actors.py", "Actors", ":material/groups:"),
    ("pages/3_Network.py", "Network", ":material/hub:"),
    ("pages/4_Map.py", "Map", ":material/public:"),
    ("pages/5_Articles.py", "Articles", ":material/article:"),
    ("pages/6_Issues.py", "Issues", ":material/topic:"),
    ("pages/7_Data.py", "Data", ":material/database:"),
)


def _file_identity(path: str) -> tuple[int, int]:
    found = os.stat(lake_folder(path) or path)  # a lake is swapped in whole: its folder is new
    return found.st_dev, found.st_ino


@st.cache_resource(show_spinner="Opening the store…")
def _open(path: str) -> tuple[tuple[int, int], Store]:
    if lake_folder(path) is None and not os.path.exists(path):
        open_store(path).close()  # the first run builds it from the sample data
    identity = _file_identity(path)  # before connecting: a file swapped in meanwhile is noticed next time
    return identity, open_store(path, read_only=access_settings().store_read_only)


def _store(path: str) -> Store:
    """The store at `path`, opened again when the file there was replaced (a copy ingested into and
    renamed over it, see docs/deployment.md): until closed, a connection reads the file it opened,
    and DuckDB hands a new connection to the same path that same database."""
    identity, opened = _open(path)
    if identity != _file_identity(path):
        opened.close()  # a query running on it at this moment fails once; the next rerun has the new file
        _open.clear(path)
        identity, opened = _open(path)
    return opened


# How long a page waits before it tries again to open a store that another process is writing.
BUSY_RETRY_SECONDS = 5


@st.cache_resource(show_spinner="Connecting to the database…")
def _server(url: str) -> PostgresEngine:
    return PostgresEngine(url)


def store() -> Store:
    """The store of this server process (built from the sample data on first run), for the admin's
    writes. While another process writes it, or when it cannot be opened, the page says so in words
    for visitors (the server's log keeps the details) and stops; a busy store is tried again every
    few seconds."""
    location = store_location()
    if is_server(location):  # reads take `connection()`; writes a staging store (dashboard/actions.py)
        raise RuntimeError("a server database is no DuckDB store")
    return _opened(lambda: _store(location))


@contextmanager
def connection() -> Iterator[Any]:
    """What the read side's queries run on, for one query: a cursor of the DuckDB store or lake
    (sessions run in threads), or the server database (its pool hands each query a connection)."""
    location = store_location()
    if is_server(location):
        yield _opened(lambda: _server(location))
        return
    with store().con.cursor() as cursor:
        yield cursor


def _opened(open_it: Callable[[], R]) -> R:
    try:
        return open_it()
    except StoreBusy:
        st.info("The data is being updated right now. This page will try again in a few seconds.",
                icon=":material/hourglass_top:")
        _rerun_when_free()
        st.stop()
    except OutdatedStore:
        st.error("This dashboard's data was stored by an earlier version and cannot be opened read-only. "
                 "Its admin needs to upgrade it (see docs/deployment.md).", icon=":material/build:")
        st.stop()
    except (LakeError, OSError) as error:  # a lake that cannot be read; a server that does not answer (ConnectionError)
        _LOG.error("cannot open the data: %s", error)  # paths and addresses stay in the server's log
        st.error("This dashboard's data cannot be read right now; the server's log says why, for its admin.",
                 icon=":material/build:")
        st.stop()


@st.fragment(run_every=BUSY_RETRY_SECONDS)
def _rerun_when_free() -> None:
    try:
        _store(store_location())
    except StoreBusy:
        return
    st.rerun(scope="app")


def access_settings() -> AccessSettings:
    secrets = st.secrets.to_dict() if st.secrets.load_if_toml_exists() else {}
    return AccessSettings.from_sources(os.environ, secrets)


# Security state lives outside Streamlit's caches: any browser can send Streamlit's
# `clear_cache` message, which empties every st.cache_resource and st.cache_data.
_LOGIN_GUARD = LoginGuard()  # one per server process: failures count across sessions
_ADMIN_SESSIONS: set[str] = set()  # ids of the sessions whose last run was an admin's


def login_guard() -> LoginGuard:
    return _LOGIN_GUARD


def _clear_caches_for_admins_only(original: Callable[[AppSession], None]) -> Callable[[AppSession], None]:
    """Streamlit lets any browser empty the server's caches (every visitor's queries, the
    open store) with a `clear_cache` message; only an admin's session may."""
    @functools.wraps(original)
    def handle(session: AppSession) -> None:
        if session.id in _ADMIN_SESSIONS:
            original(session)
    handle.admin_only = True  # type: ignore[attr-defined]
    return handle


if not getattr(AppSession._handle_clear_cache_request, "admin_only", False):
    AppSession._handle_clear_cache_request = _clear_caches_for_admins_only(AppSession._handle_clear_cache_request)


def signed_in_email() -> str | None:
    try:
        return st.user.email if st.user.is_logged_in else None
    except (AttributeError, KeyError, StreamlitAPIException):  # single sign-on not configured
        return None


def _client_ip() -> str | None:
    """The browser's address as uvicorn resolved it ($FORWARDED_ALLOW_IPS); None for loopback."""
    return st.context.ip_address


def client_is_local() -> bool:
    return is_local_client(_client_ip(), st.context.headers.items())


def reads_a_lake() -> bool:
    """Whether this dashboard serves a lake (CEASEFIRE_DB=lake:PATH): read-only for everyone."""
    return lake_folder(store_location()) is not None


def on_a_server() -> bool:
    """Whether this dashboard serves a server database (CEASEFIRE_DB=postgresql://…), which keeps
    neither the ingest history nor the unknown names: each store published to it keeps its own."""
    return is_server(store_location())


def is_admin() -> bool:
    admin = not reads_a_lake() and access_settings().is_admin(
        st.session_state.get("admin_password_ok", False), signed_in_email(), local_client=client_is_local())
    ctx = get_script_run_ctx()
    if ctx is not None and admin:
        _ADMIN_SESSIONS.add(ctx.session_id)
    elif ctx is not None:
        _ADMIN_SESSIONS.discard(ctx.session_id)
    return admin


def client_address() -> str:
    """The key of the login lockout: every browser on the server's machine is one client."""
    return _client_ip() or "local"


def version() -> tuple:
    with connection() as con:
        return Q.data_version(con)


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(key: str, name: str, _filters: Filters, _kwargs: dict[str, Any]) -> Any:
    # Cached on `key` alone (the arguments with a leading underscore are not hashed): hashing the
    # filters' dataclass costs far more than building its repr's string.
    with connection() as con:
        return REGISTRY[name](con, _filters, **_kwargs)


def query(q: Query[Concatenate[Filters, P], R], filters: Filters, *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a query of the registry (`Q.top_actors`) cached on the filters, its arguments and the
    data version (read once a rerun, by the sidebar: a page runs up to seven queries)."""
    assert not args, "pass a query's arguments by name: they are part of the cache key"
    data_version = st.session_state.get("_data_version") or version()
    key = repr((q.name, filters, data_version, store_location(), sorted(kwargs.items())))
    return _cached(key, q.name, filters, kwargs)


def run(q: Query[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """An uncached query for one row or one page (article text, a round's evidence)."""
    with connection() as con:
        return q(con, *args, **kwargs)


def ingest_history() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The newest ingests and the newest rejected files and rows (the Data page)."""
    with connection() as con:
        return log.ingest_history(con), log.rejections(con)


@st.cache_data(show_spinner=False)
def _options(data_version: tuple, location: str) -> dict[str, Any]:
    with connection() as con:
        return Q.filter_options(con)


def _url_filters() -> Filters:
    try:
        return Filters.from_params({name: st.query_params.get_all(name) for name in PARAMS.values()})
    except ValueError as error:
        st.sidebar.warning(f"Some filters in the link were ignored: {markdown_text(error)}")
        return Filters()


# The list filters, each a multiselect keyed filter_<field>; the dates share one range widget.
LIST_FIELDS = tuple(field for field in FIELDS if field.name not in ("start", "end"))


def _choices(field: FilterField, options: dict[str, Any]) -> list[str]:
    return list(field.choices) if field.choices else options[field.name]


def _widget_values(filters: Filters, options: dict[str, Any]) -> dict[str, Any]:
    first, last = options["first"] or date.today(), options["last"] or date.today()
    return {"filter_dates": (filters.start or first, filters.end or last),
            **{f"filter_{field.name}": [v for v in getattr(filters, field.name) if v in _choices(field, options)]
               for field in LIST_FIELDS}}


def sidebar_filters(page_name: str) -> Filters:
    """Render the shared filters and page links; return the filters in force."""
    st.session_state["_data_version"] = data_version = version()
    options = _options(data_version, store_location())
    from_url = _url_filters()
    unknown = [v for field in LIST_FIELDS if not field.choices
               for v in getattr(from_url, field.name) if v not in options[field.name]]
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
        dates = FIELD["start"]
        picked = st.date_input(dates.label, min_value=min(first, shown[0]), max_value=max(last, shown[-1]),
                               key="filter_dates", help=dates.help)
        chosen = {field.name: tuple(st.multiselect(field.label, _choices(field, options), key=f"filter_{field.name}",
                                                   help=field.help))
                  for field in LIST_FIELDS}
    start, end = (picked[0], picked[-1]) if isinstance(picked, tuple) and picked else (None, None)
    filters = Filters(start=start if start and start > first else None, end=end if end and end < last else None,
                      **chosen)
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


def count_choice(key: str) -> Count:
    """Whether coverage counts articles or stories (agency copy republished counted once): a toggle
    whose choice the URL keeps (?count=stories; articles, the default, leaves it out), so the view can be shared."""
    asked = st.query_params.get(COUNT_PARAM, COUNTS[0])
    chosen = st.segmented_control("Count", COUNTS, default=asked if asked in COUNTS else COUNTS[0], key=key,
                                  help="Stories count once the copies of one report that several outlets published.")
    chosen = chosen or COUNTS[0]
    if chosen == COUNTS[0]:
        if COUNT_PARAM in st.query_params:
            del st.query_params[COUNT_PARAM]
    else:
        st.query_params[COUNT_PARAM] = chosen
    return chosen  # type: ignore[return-value]


def add_filter_value(filters: Filters, field: str, value: str) -> None:
    """Add `value` to a list filter (a place or an actor selected in a chart) and show the page with it."""
    if value not in getattr(filters, field):
        st.query_params[PARAMS[field]] = [*getattr(filters, field), value]
        st.rerun()


def page(title: str, explanation: str) -> Filters:
    """Page config, sidebar filters and the page's title with its one-line explanation."""
    st.set_page_config(page_title=f"{title} · Ceasefire Talks Dashboard", page_icon="🕊️", layout="wide")
    filters = sidebar_filters(title)
    is_admin()  # notes whether this session may clear the caches
    _exempt_startup_objects_from_collection()
    st.title(title)
    st.caption(explanation)
    return filters


@functools.cache
def _exempt_startup_objects_from_collection() -> None:
    """Once a server process has imported the libraries and opened the store, move every object it
    holds out of the garbage collector's sight (they live as long as the process). A full
    collection otherwise walks them all, pausing a random rerun every few filter changes
    (docs/performance.md)."""
    gc.freeze()


def conflict_countries(filters: Filters) -> list[str]:
    """The countries where the chosen conflicts are fought, by every name the catalog knows (places
    carry GeoNames' names: "Democratic Republic of the Congo"): what a map of them opens on."""
    catalog = current_catalog()
    return [name for c in current_conflicts() if c.name in filters.conflicts for country in c.countries
            for name in (country, *(catalog.actors[country].aliases if country in catalog.actors else ()))]


def nothing_found(what: str, filters: Filters) -> None:
    """Say that nothing matches; `what` and the filters' values are shown as text."""
    st.info(f"Nothing to show: there are no {markdown_text(filters.describe(what).removeprefix('all '))}. "
            "Widen the date range or remove a filter in the sidebar.", icon=":material/filter_alt_off:")


def table(frame: pd.DataFrame, key: str, **kwargs: Any) -> Any:
    return st.dataframe(frame, hide_index=True, width="stretch", key=key, **kwargs)
