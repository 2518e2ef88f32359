"""Where the project's data lives. Everything here can be overridden by environment variables."""

from __future__ import annotations

import os
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("CEASEFIRE_DATA_DIR", REPO_ROOT / "data"))
SAMPLE_DIR = DATA_DIR / "sample"


def store_path() -> Path:
    """The DuckDB file: $CEASEFIRE_DB, else data/ceasefire.duckdb."""
    return Path(os.environ.get("CEASEFIRE_DB", DATA_DIR / "ceasefire.duckdb"))


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit for every store connection ($CEASEFIRE_MEMORY_LIMIT, default 512MB): past
    it, large joins and large ingests spill to disk instead of growing the process."""
    value = os.environ.get("CEASEFIRE_MEMORY_LIMIT", "512MB").strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)", value, re.IGNORECASE):
        raise ValueError(f"CEASEFIRE_MEMORY_LIMIT must look like 512MB or 2GB, got {value!r}")
    return value
