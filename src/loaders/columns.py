"""Matching the column names people use to the fields of our schemas."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping


def normalise_header(name: object) -> str:
    """'Key_Issues ' -> 'key issues': case, spaces, dashes and underscores don't matter."""
    return re.sub(r"[\s_\-]+", " ", str(name)).strip().casefold()


def header_lookup(synonyms: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """{normalised column name: field} from {field: names}."""
    return {normalise_header(name): field for field, names in synonyms.items() for name in (field, *names)}


def map_columns(
    columns: Iterable[object], synonyms: Mapping[str, tuple[str, ...]], overrides: Mapping[str, str] | None = None
) -> dict[str, str]:
    """{input column: field} for the columns that mean a field; `overrides` ({field: column}) win."""
    lookup = header_lookup(synonyms)
    mapping: dict[str, str] = {}
    for column in columns:
        field = lookup.get(normalise_header(column))
        if field and field not in mapping.values():
            mapping[str(column)] = field
    for field, column in (overrides or {}).items():
        if field not in synonyms:
            raise ValueError(f"unknown field {field!r} in column mapping; fields are: {', '.join(synonyms)}")
        mapping = {col: f for col, f in mapping.items() if f != field}
        mapping[column] = field
    return mapping


def missing_fields(
    mapping: Mapping[str, str], required: Iterable[str], synonyms: Mapping[str, tuple[str, ...]], columns: Iterable[object]
) -> str | None:
    """A readable reason naming the required fields that have no column, else None."""
    missing = [field for field in required if field not in mapping.values()]
    if not missing:
        return None
    wanted = "; ".join(f"{f} (e.g. {', '.join(repr(n) for n in (f, *synonyms[f])[:3])})" for f in missing)
    return f"missing required column(s): {wanted}; found columns: {', '.join(map(str, columns)) or 'none'}"
