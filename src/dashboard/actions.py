"""What the dashboard's admin changes, for the pages: uploads, catalog edits, reviews of news rounds,
and downloads. Pages call these; none of them runs SQL or opens a store itself."""

from __future__ import annotations

from collections.abc import Iterable

from ceasefire.analysis.catalog import (
    ACTOR_TYPES,
    Actor,
    Catalog,
    CatalogError,
    current_catalog,
    write_overlay,
)
from ceasefire.analysis.extract import Extractors
from ceasefire.analysis.rounds import NewsRound
from ceasefire.dashboard.frame import signed_in_email, store
from ceasefire.ingest import IngestReport, ingest, reextract, review_round
from ceasefire.loaders.files import SUPPORTED_SUFFIXES, Kind, LoadOptions, load_uploads
from ceasefire.loaders.schema import Decision
from ceasefire.read.exports import EXPORTABLE, Export, ExportFormat, export_bytes
from ceasefire.read.filters import Filters

__all__ = ["ACTOR_TYPES", "EXPORTABLE", "SUPPORTED_SUFFIXES", "Actor", "Catalog", "CatalogError", "current_catalog",
           "ingest_uploads", "prepare_download", "review_news_round", "save_catalog"]


def ingest_uploads(files: Iterable[tuple[str, bytes]], names: list[str], kind: Kind) -> IngestReport:
    """Load uploaded (file name, content) pairs and ingest them into the store."""
    return ingest(store(), load_uploads(files, LoadOptions(kind=kind)), names)


def save_catalog(catalog: Catalog) -> int:
    """Keep the edited catalog as the user's layer over the built-in one and analyse every article again
    with it; returns how many articles were analysed."""
    write_overlay(catalog)
    return reextract(store(), Extractors.load())


def review_news_round(news_round: NewsRound, decision: Decision, record_id: str | None = None) -> str | None:
    """The signed-in admin's decision on a round from the news (see ingest.review_round)."""
    return review_round(store(), news_round, decision, record_id, decided_by=signed_in_email())


def prepare_download(table: str, fmt: ExportFormat, filters: Filters, limit: int) -> Export:
    with store().con.cursor() as cursor:
        return export_bytes(cursor, table, fmt, filters, limit)
