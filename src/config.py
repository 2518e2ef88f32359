"""Where the project's data lives. Everything here can be overridden by environment variables."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("CEASEFIRE_DATA_DIR", REPO_ROOT / "data"))
SAMPLE_DIR = DATA_DIR / "sample"


def store_path() -> Path:
    """The DuckDB file: $CEASEFIRE_DB, else data/ceasefire.duckdb."""
    return Path(os.environ.get("CEASEFIRE_DB", DATA_DIR / "ceasefire.duckdb"))
