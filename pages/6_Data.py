from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.catalog import ACTOR_TYPES, Actor, Catalog, CatalogError, current_catalog, write_catalog
from analysis.extract import Extractors
from dashboard.frame import page, store, table
from loaders.files import SUPPORTED_SUFFIXES, LoadOptions, load_uploads
from store.db import EXPORTABLE, export_bytes

filters = page("Data", "Add articles and negotiation records, see what was rejected and why, edit the actor "
                       "catalog, and download the filtered data.")

MAX_UPLOAD_MB = 50
upload, report, actors, download = st.tabs(["Upload", "Ingest history", "Actor catalog", "Download"])

with upload:
    st.markdown("Articles as text, markdown, HTML, JSON/JSONL, CSV/XLSX, RSS/Atom, or zip archives of these; "
                "negotiation records as CSV, XLSX or JSON. See the README for the columns.")
    files = st.file_uploader("Files", accept_multiple_files=True, key="data_upload",
                             type=sorted(s.lstrip(".") for s in SUPPORTED_SUFFIXES))
    kind = st.radio("Tables (CSV, JSON, XLSX) hold", ["auto", "articles", "records"], horizontal=True, key="data_kind",
                    format_func={"auto": "guess from the columns", "articles": "articles", "records": "negotiation records"}.get)
    if st.button("Ingest", type="primary", disabled=not files, key="data_ingest"):
        too_big = [f.name for f in files if f.size > MAX_UPLOAD_MB * 2**20]
        if too_big:
            st.error(f"Over the {MAX_UPLOAD_MB} MB limit, not read: {', '.join(too_big)}")
        result = load_uploads(((f.name, f.getvalue()) for f in files if f.name not in too_big), LoadOptions(kind=kind))
        with st.spinner("Ingesting and analysing…"):
            outcome = store().ingest(result, [f.name for f in files])
        st.session_state["data_last_report"] = outcome
    outcome = st.session_state.get("data_last_report")
    if outcome is not None:
        cols = st.columns(4)
        cols[0].metric("Files read", outcome.files_read)
        cols[1].metric("Articles added", outcome.articles_added, help=f"{outcome.articles_duplicate} already stored")
        cols[2].metric("Rounds added", outcome.records_added, help=f"{outcome.records_duplicate} already stored")
        cols[3].metric("Rejected", len(outcome.rejections))
        if outcome.rejections:
            st.error(f"{len(outcome.rejections)} files or rows were rejected; everything else was stored.")
            table(pd.DataFrame([(r.file, r.row, r.reason) for r in outcome.rejections], columns=["File", "Row", "Reason"]),
                  key="data_rejections")
        else:
            st.success("Everything was accepted.")

with report:
    with store().con.cursor() as cursor:
        history = cursor.execute("SELECT ingest_id AS Ingest, started_at AS Started, files_read AS Files, articles_added AS "
                                 "Articles, records_added AS Rounds, rejected AS Rejected FROM ingests ORDER BY ingest_id DESC "
                                 "LIMIT 50").df()
        rejected = cursor.execute('SELECT ingest_id AS Ingest, file AS File, "row" AS Row, reason AS Reason FROM rejections '
                                  "ORDER BY ingest_id DESC LIMIT 500").df()
    table(history, key="data_history")
    st.markdown(f"**Rejected input** ({len(rejected)} most recent)")
    table(rejected, key="data_rejected_history")

with actors:
    st.markdown("Edit names, types, affiliations and aliases (separate several with `;`), or add rows. "
                "Saving checks the catalog, writes `data/actors.yaml` and analyses every article again.")
    catalog = current_catalog()
    editable = pd.DataFrame([
        {"name": a.name, "type": a.type, "affiliation": a.affiliation or "", "aliases": "; ".join(a.aliases),
         "demonyms": "; ".join(a.demonyms), "surnames": "; ".join(a.surnames), "wikidata": a.wikidata or ""}
        for a in sorted(catalog.actors.values(), key=lambda a: (a.type, a.name))
    ])
    edited = st.data_editor(editable, num_rows="dynamic", hide_index=True, width="stretch", key="data_actors",
                            column_config={"type": st.column_config.SelectboxColumn(options=list(ACTOR_TYPES), required=True)})
    if st.button("Save catalog and re-analyse", key="data_save_actors"):
        def split(value: object) -> list[str]:
            return [part.strip() for part in str(value or "").split(";") if part.strip()]
        try:
            new_catalog = Catalog(
                Actor(name=row["name"], type=row["type"], affiliation=row["affiliation"] or None, aliases=split(row["aliases"]),
                      demonyms=split(row["demonyms"]), surnames=split(row["surnames"]), wikidata=row["wikidata"] or None)
                for row in edited.fillna("").to_dict("records") if str(row["name"]).strip()
            )
        except (CatalogError, ValueError) as error:
            st.error(f"Not saved: {error}")
        else:
            write_catalog(new_catalog)
            with st.spinner("Analysing every article again…"):
                count = store().reextract(Extractors.load())
            st.success(f"Saved {len(new_catalog.actors)} actors and analysed {count:,} articles again.")

with download:
    what = st.selectbox("Table", EXPORTABLE, key="data_download_table")
    fmt = st.radio("Format", ["csv", "parquet"], horizontal=True, key="data_download_format")
    st.caption(f"Downloads {filters.describe(what)}. CSV cells that a spreadsheet would run as a formula start with '.")
    if st.button("Prepare download", key="data_prepare"):
        with store().con.cursor() as cursor:
            st.session_state["data_export"] = (what, fmt, export_bytes(cursor, what, fmt, filters))
    prepared = st.session_state.get("data_export")
    if prepared:
        name, kind_, export = prepared
        st.download_button(f"Download {export.rows:,} rows of {name} ({kind_})", export.content, file_name=f"{name}.{kind_}",
                           mime="text/csv" if kind_ == "csv" else "application/octet-stream", key="data_download")
