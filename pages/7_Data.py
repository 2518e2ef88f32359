from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from ceasefire.dashboard.access import (
    NO_ADMIN_CONFIGURED,
    AccessSettings,
    Attempt,
    local_admin_note,
)
from ceasefire.dashboard.actions import (
    ACTOR_TYPES,
    AUTO_FORMAT,
    CONFLICTS,
    FORMATS,
    SUPPORTED_SUFFIXES,
    Actor,
    Catalog,
    CatalogError,
    FetchJob,
    add_name_as_actor,
    add_name_as_alias,
    current_catalog,
    current_fetch,
    dismiss_unknown_name,
    downloadable_tables,
    ingest_uploads,
    prepare_download,
    save_catalog,
    start_fetch,
    title_only_articles,
    unwatch_source,
    watch_source,
    watched_sources,
)
from ceasefire.dashboard.frame import (
    Filters,
    Q,
    access_settings,
    client_address,
    ingest_history,
    is_admin,
    login_guard,
    on_a_server,
    page,
    reads_a_lake,
    run,
    table,
)
from ceasefire.dashboard.untrusted import markdown_text

MAX_UPLOAD_MB = 50


def admin_gate(settings: AccessSettings) -> None:
    """For visitors of a hosted dashboard: say it is read-only, and let the admin log in."""
    if reads_a_lake():
        st.info("This dashboard reads a lake of Parquet tables, read-only for everyone: you can browse and "
                "download. Its data is written where it is ingested (docs/scaling.md).", icon=":material/lock:")
        return
    st.info("This dashboard is read-only for visitors: you can browse and download. Uploading, editing the actor "
            "catalog and re-analysing are for its admin.", icon=":material/lock:")
    if not settings.hosted:
        st.warning(NO_ADMIN_CONFIGURED, icon=":material/admin_panel_settings:")
    if settings.admin_password:
        with st.form("admin_login"):
            candidate = st.text_input("Admin password", type="password", key="admin_password")
            if st.form_submit_button("Log in"):
                outcome = login_guard().attempt(client_address(), candidate, settings.admin_password)
                if outcome is Attempt.OK:
                    st.session_state["admin_password_ok"] = True
                    st.rerun()
                elif outcome is Attempt.LOCKED:
                    minutes = max(1, round(login_guard().locked_for(client_address()) / 60))
                    st.error(f"Too many failed attempts, from your address or from all visitors together. "
                             f"Try again in {minutes} minutes.")
                else:
                    st.error("Wrong password.")
    if settings.admin_emails:
        st.button("Sign in as admin", on_click=st.login, key="admin_sign_in")


def upload_tab() -> None:
    st.markdown("Articles as text, markdown, HTML, JSON/JSONL, CSV/XLSX, RSS/Atom, or zip archives of these; "
                "negotiation rounds as CSV, XLSX or JSON. See docs/formats.md for the columns. Exports of ACLED, "
                "UCDP GED, PA-X, the UCDP Peace Agreement Dataset and GDELT 2.0 events are recognised by their "
                "columns: where to get each and under "
                "what terms is in docs/datasets.md (this dashboard ships none of their rows).")
    files = st.file_uploader("Files", accept_multiple_files=True, key="data_upload",
                             type=sorted(s.lstrip(".") for s in SUPPORTED_SUFFIXES))
    kind = st.radio("Tables (CSV, JSON, XLSX) hold", ["auto", "articles", "records"], horizontal=True, key="data_kind",
                    format_func={"auto": "guess from the columns", "articles": "articles", "records": "negotiation rounds"}.get)
    dataset = st.selectbox("Dataset", [AUTO_FORMAT, *FORMATS], key="data_format",
                           format_func=lambda name: "recognise by the columns" if name == AUTO_FORMAT else FORMATS[name].title,
                           help="Force a dataset's layout when a file is not recognised (a renamed column, say).")
    if st.button("Ingest", type="primary", disabled=not files, key="data_ingest"):
        too_big = [f.name for f in files if f.size > MAX_UPLOAD_MB * 2**20]
        if too_big:
            st.error(f"Over the {MAX_UPLOAD_MB} MB limit, not read: {markdown_text(', '.join(too_big))}")
        with st.spinner("Ingesting and analysing…"):
            st.session_state["data_last_report"] = ingest_uploads(
                ((f.name, f.getvalue()) for f in files if f.name not in too_big), [f.name for f in files], kind, dataset)
    outcome = st.session_state.get("data_last_report")
    if outcome is None:
        return
    cols = st.columns(5)
    cols[0].metric("Files read", outcome.files_read)
    cols[1].metric("Articles added", outcome.articles_added, help=f"{outcome.articles_duplicate} already stored")
    cols[2].metric("Rounds added", outcome.records_added, help=f"{outcome.records_duplicate} already stored")
    cols[3].metric("Events added", outcome.events_added, help=f"{outcome.events_duplicate} already stored")
    cols[4].metric("Rejected", len(outcome.rejections))
    if outcome.rejections:
        st.error(f"Rejected: {len(outcome.rejections)} (files or rows, listed below). Everything else was stored.")
        table(pd.DataFrame([(r.file, r.row, r.reason) for r in outcome.rejections], columns=["File", "Row", "Reason"]),
              key="data_rejections")
    else:
        st.success("Everything was accepted.")


def web_tab() -> None:
    st.markdown("Fetch article pages, RSS/Atom feeds and GDELT DOC lists by URL, one a line; watch the ones to "
                "follow: `ceasefire refresh` (from cron, a timer or the Docker `refresh` service) fetches them again "
                "when due. See docs/fetching.md.")
    text = st.text_area("URLs", key="web_urls", placeholder="https://example.org/world/rss.xml")
    urls = [line.strip() for line in text.splitlines() if line.strip()]
    job = current_fetch()
    fetch, watch, every = st.columns([1, 1, 1])
    if fetch.button("Fetch now", type="primary", disabled=not urls or bool(job and job.running), key="web_fetch"):
        try:
            start_fetch(urls)
        except ValueError as error:
            st.error(markdown_text(error))
    every_text = every.selectbox("Refresh every", ["30m", "1h", "6h", "1d"], index=1, key="web_every")
    if watch.button("Watch", disabled=not urls, key="web_watch"):
        try:
            added = [url for url in urls if watch_source(url, every_text)]
            st.success(f"Watching {len(urls)} source(s), {len(added)} new.")
        except ValueError as error:
            st.error(f"Not watched: {markdown_text(error)}")
    if waiting := title_only_articles():
        st.caption(f"Known by their title only (from GDELT DOC lists), their pages not fetched yet: {waiting:,} article(s).")
        if st.button(f"Fetch the title-only articles' pages ({waiting:,})", disabled=bool(job and job.running),
                     key="web_fetch_pending"):
            try:
                start_fetch([], pending=True)
            except ValueError as error:
                st.error(markdown_text(error))
    if current_fetch():
        fetch_progress()
    sources = watched_sources()
    st.markdown(f"**Watched sources** ({len(sources)})")
    if sources.empty:
        st.caption("No watched sources yet.")
        return
    table(sources, key="web_sources")
    chosen = st.selectbox("Source", sources.URL.tolist(), key="web_remove_url")
    if st.button("Stop watching", key="web_remove"):
        unwatch_source(chosen)
        st.rerun()


def fetch_progress() -> None:
    """How far the fetch is, read again every second while it runs (the fetch itself runs in the server's background)."""
    job = current_fetch()

    @st.fragment(run_every=1 if job.running else None)
    def show() -> None:
        current: FetchJob = current_fetch()
        progress = current.progress
        share = progress.done / progress.total if progress.total else 0.0
        if current.running:
            st.progress(share, text=f"Fetching: {progress.done} of {progress.total} pages and entries")
            return
        if current.error:
            st.error("The fetch stopped on an unexpected error; the server's log has the details.")
            return
        report = current.report
        st.progress(1.0, text=f"Fetched {progress.done} pages and entries")
        cols = st.columns(3)
        cols[0].metric("Articles added", report.articles_added)
        cols[1].metric("Articles updated", report.articles_updated)
        cols[2].metric("Rejected", len(report.rejections))
        if report.rejections:
            table(pd.DataFrame([(r.file, r.reason) for r in report.rejections], columns=["URL", "Reason"]), key="web_rejections")
        if job.running:  # it finished since the page ran: the rest of the page shows what it stored
            st.rerun(scope="app")

    show()


def history_tab() -> None:
    if on_a_server():
        st.info("A shared database keeps no ingest history: each store published to it keeps its own "
                "(`ceasefire stats`, and the Data page of a dashboard on that store).")
        return
    history, rejected = ingest_history()
    table(history, key="data_history")
    st.markdown(f"**Rejected input** ({len(rejected)} most recent)")
    table(rejected, key="data_rejected_history")


def catalog_tab() -> None:
    st.markdown("Edit names, types, affiliations and aliases (separate several with `;`), or add rows. "
                "Saving checks the catalog, keeps your changes in `data/my-actors.yaml` (layered over the built-in catalog) and analyses every article again.")
    catalog = current_catalog()
    editable = pd.DataFrame([
        {"name": a.name, "type": a.type, "affiliation": a.affiliation or "", "aliases": "; ".join(a.aliases),
         "demonyms": "; ".join(a.demonyms), "surnames": "; ".join(a.surnames), "wikidata": a.wikidata or ""}
        for a in sorted(catalog.actors.values(), key=lambda a: (a.type, a.name))
    ])
    edited = st.data_editor(editable, num_rows="dynamic", hide_index=True, width="stretch", key="data_actors",
                            column_config={"type": st.column_config.SelectboxColumn(options=list(ACTOR_TYPES), required=True)})
    if not st.button("Save catalog and re-analyse", key="data_save_actors"):
        return

    def split(value: object) -> list[str]:
        return [part.strip() for part in str(value or "").split(";") if part.strip()]

    try:
        new_catalog = Catalog(
            Actor(name=row["name"], type=row["type"], affiliation=row["affiliation"] or None, aliases=split(row["aliases"]),
                  demonyms=split(row["demonyms"]), surnames=split(row["surnames"]), wikidata=row["wikidata"] or None)
            for row in edited.fillna("").to_dict("records") if str(row["name"]).strip()
        )
    except (CatalogError, ValueError) as error:
        st.error(f"Not saved: {markdown_text(error)}")
        return
    with st.spinner("Analysing every article again…"):
        count = save_catalog(new_catalog)
    st.success(f"Saved {len(new_catalog.actors)} actors and analysed {count:,} articles again.")


# How many unknown names the queue lists, and sample sentences shown for the one selected.
NAMES_LISTED, NAME_SAMPLES = 100, 5


def names_tab() -> None:
    st.markdown("Names that recur across articles and that neither the actor catalog nor the gazetteer knows: "
                "capitalised names, acronyms and names after a title (see docs/analysis.md). Add one as an actor or as "
                "an alias of one (only the articles naming it are analysed again), or dismiss it.")
    outcome = st.session_state.pop("names_outcome", None)
    if outcome:
        st.success(outcome)
    least = st.number_input("Named in at least this many articles", min_value=1, value=2, step=1, key="names_min_articles")
    queue = run(Q.unknown_names, min_articles=int(least), limit=NAMES_LISTED)
    if queue.empty:
        st.caption("No unknown name is named in that many articles.")
        return
    table(queue.rename(columns={"name": "Name", "kind": "Found as", "articles": "Articles", "mentions": "Mentions",
                                "sentence": "A sentence naming it", "title": "In"}), key="names_table")
    name = st.selectbox("Name", queue.name.tolist(), key="names_selected")
    if st.session_state.get("names_for") != name:  # the form starts afresh for another name
        st.session_state["names_for"] = name
        st.session_state["names_actor_name"] = name
        st.session_state["names_type"] = "person" if queue.set_index("name").kind[name] == "titled" else "other"
    st.markdown(f"Sentences naming **{markdown_text(name)}**, one an article, newest first:")
    for sample in run(Q.name_sentences, name, limit=NAME_SAMPLES).itertuples():
        published = f"{sample.published:%d %b %Y}" if pd.notna(sample.published) else "undated"
        st.markdown(f"> {markdown_text(sample.sentence)}")
        st.caption(f"{markdown_text(sample.title)} · {published} · article {markdown_text(sample.article_id)}")
    catalog = current_catalog()
    actors = sorted(catalog.actors, key=str.casefold)
    new_actor, alias, dismiss = st.columns(3)
    with new_actor.form("names_add_form"):
        st.markdown("**A new actor**")
        actor_name = st.text_input("Actor's name", key="names_actor_name",
                                   help="Its full name, if the name found is short for it (the name found becomes its alias)")
        kind = st.selectbox("Type", ACTOR_TYPES, key="names_type")
        affiliation = st.selectbox("Affiliation", [None, *actors], key="names_affiliation",
                                   format_func=lambda actor: "none" if actor is None else actor)
        conflicts = st.multiselect("Conflicts it is a party to", CONFLICTS, key="names_conflicts")
        if st.form_submit_button("Add as a new actor", key="names_add"):
            _decide(name, lambda: add_name_as_actor(name, kind, affiliation, actor_name, conflicts))
    with alias.form("names_alias_form"):
        st.markdown("**An alias of an actor**")
        owner = st.selectbox("Actor", actors, key="names_alias_of")
        if st.form_submit_button("Add as an alias", key="names_alias"):
            _decide(name, lambda: add_name_as_alias(name, owner))
    with dismiss.form("names_dismiss_form"):
        st.markdown("**Not a name worth following**")
        if st.form_submit_button("Dismiss", key="names_dismiss"):
            dismiss_unknown_name(name)
            st.session_state["names_outcome"] = f"Dismissed {markdown_text(name)}."
            st.rerun()


def _decide(name: str, add: Callable[[], list[str]]) -> None:
    try:
        with st.spinner("Analysing the articles naming it again…"):
            ids = add()
    except CatalogError as error:
        st.error(f"Not added: {markdown_text(error)}")
        return
    st.session_state["names_outcome"] = (f"Added {markdown_text(name)} to the catalog and analysed the "
                                         f"{len(ids):,} articles naming it again.")
    st.rerun()


# A download is held in memory by the server: larger exports go through the command line.
DOWNLOAD_ROWS = 100_000


def download_tab(filters: Filters) -> None:
    what = st.selectbox("Table", downloadable_tables(), key="data_download_table")
    fmt = st.radio("Format", ["csv", "parquet"], horizontal=True, key="data_download_format")
    st.caption(f"Downloads {markdown_text(filters.describe(what))}. CSV cells that a spreadsheet would run as a formula start with '.")
    if st.button("Prepare download", key="data_prepare"):
        st.session_state["data_export"] = (what, fmt, prepare_download(what, fmt, filters, DOWNLOAD_ROWS))
    prepared = st.session_state.get("data_export")
    if prepared:
        name, kind, export = prepared
        if export.rows == DOWNLOAD_ROWS:
            st.warning(f"Downloads stop at {DOWNLOAD_ROWS:,} rows; narrow the filters, or export everything with "
                       f"`ceasefire export {name} --out {name}.{kind}`.")
        st.download_button(f"Download {export.rows:,} rows of {name} ({kind})", export.content, file_name=f"{name}.{kind}",
                           mime="text/csv" if kind == "csv" else "application/octet-stream", key="data_download")


filters = page("Data", "Add articles and negotiation rounds, see what was rejected and why, edit the actor "
                       "catalog, and download the filtered data.")
settings = access_settings()
admin = is_admin()
if not admin:
    admin_gate(settings)
elif not settings.hosted:
    st.caption(local_admin_note(st.get_option("server.address")))
elif settings.hosted and st.button("Log out of admin", key="admin_logout"):
    st.session_state["admin_password_ok"] = False
    st.rerun()

sections = {"Upload": upload_tab, "From the web": web_tab, "Ingest history": history_tab, "Actor catalog": catalog_tab,
            "Unknown names": names_tab, "Download": lambda: download_tab(filters)}
if not admin:
    sections = {name: show for name, show in sections.items() if name in ("Ingest history", "Download")}
elif on_a_server():  # each store published to the server fetches and reviews its own unknown names
    del sections["From the web"], sections["Unknown names"]
for tab, show in zip(st.tabs(list(sections)), sections.values()):
    with tab:
        show()
