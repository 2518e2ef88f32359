"""What the dashboard's admin changes, for the pages: uploads, catalog edits, reviews of news rounds
and of unknown names, and downloads. Pages call these; none of them runs SQL or opens a store itself."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ceasefire.analysis.catalog import (
    ACTOR_TYPES,
    Actor,
    Catalog,
    CatalogError,
    current_catalog,
    write_overlay,
)
from ceasefire.analysis.conflicts import conflict_names
from ceasefire.analysis.extract import Extractors
from ceasefire.analysis.names import with_alias, with_new_actor
from ceasefire.analysis.rounds import NewsRound
from ceasefire.dashboard.frame import connection, keeps_ingest_history, signed_in_email, store
from ceasefire.ingest import IngestReport, add_name_to_catalog, dismiss_name, ingest, reextract, review_round
from ceasefire.loaders.datasets import FORMATS
from ceasefire.loaders.files import AUTO_FORMAT, SUPPORTED_SUFFIXES, Kind, LoadOptions, load_uploads
from ceasefire.loaders.schema import Decision
from ceasefire.read.exports import EXPORTABLE, Export, ExportFormat, export_bytes
from ceasefire.read.filters import Filters

CONFLICTS = conflict_names()  # the conflicts an actor added here may be a party to

__all__ = ["ACTOR_TYPES", "AUTO_FORMAT", "CONFLICTS", "EXPORTABLE", "FORMATS", "SUPPORTED_SUFFIXES", "Actor", "Catalog", "CatalogError", "add_name_as_actor",
           "add_name_as_alias", "current_catalog", "dismiss_unknown_name", "downloadable_tables", "ingest_uploads", "prepare_download",
           "review_news_round", "save_catalog"]


def ingest_uploads(files: Iterable[tuple[str, bytes]], names: list[str], kind: Kind, format: str = AUTO_FORMAT) -> IngestReport:
    """Load uploaded (file name, content) pairs and ingest them into the store; `format` forces a
    dataset's layout (loaders/datasets.py) instead of recognising it by its columns."""
    return ingest(store(), load_uploads(files, LoadOptions(kind=kind, format=format)), names)


def save_catalog(catalog: Catalog) -> int:
    """Keep the edited catalog as the user's layer over the built-in one and analyse every article again
    with it; returns how many articles were analysed."""
    write_overlay(catalog)
    return reextract(store(), Extractors.load())


def add_name_as_actor(name: str, type: str, affiliation: str | None = None, actor_name: str | None = None,
                      conflicts: Sequence[str] = ()) -> list[str]:
    """An unknown name as a new actor of the user's catalog; analyses again only the articles naming it
    (their ids are returned). Raises CatalogError, with the reason, when it cannot be added."""
    return add_name_to_catalog(store(), name, with_new_actor(current_catalog(), name, type, affiliation, actor_name, conflicts))


def add_name_as_alias(name: str, of: str) -> list[str]:
    """An unknown name as an alias of the existing actor `of` (see add_name_as_actor)."""
    return add_name_to_catalog(store(), name, with_alias(current_catalog(), name, of))


def dismiss_unknown_name(name: str) -> None:
    """The signed-in admin takes an unknown name out of the review queue."""
    dismiss_name(store(), name, dismissed_by=signed_in_email())


def review_news_round(news_round: NewsRound, decision: Decision, record_id: str | None = None) -> str | None:
    """The signed-in admin's decision on a round from the news (see ingest.review_round)."""
    return review_round(store(), news_round, decision, record_id, decided_by=signed_in_email())


def downloadable_tables() -> tuple[str, ...]:
    """The tables the Data page offers: a shared database keeps no ingest history."""
    return EXPORTABLE if keeps_ingest_history() else tuple(t for t in EXPORTABLE if t not in ("rejections", "ingests"))


def prepare_download(table: str, fmt: ExportFormat, filters: Filters, limit: int) -> Export:
    with connection() as con:
        return export_bytes(con, table, fmt, filters, limit)
