"""Where the project's data lives. Everything here can be overridden by environment variables.

Two places: the built-in reference data shipped with the package (`ceasefire.data`: the repository's
data/ folder, or the installed copy of it), and the user's data folder, which holds the store and the
user's own additions to the actor catalog. In a checkout both are data/; installed from a wheel, the
user's folder is ./data under the current directory.
"""

from __future__ import annotations

import os
from importlib import metadata
import re
from importlib.util import find_spec
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]  # the checkout, when run from one
BUILTIN_DIR = Path(find_spec("ceasefire.data").origin).parent
ACTORS_DIR = BUILTIN_DIR / "actors"  # the built-in catalog: every *.yaml in it
CONFLICTS_YAML = BUILTIN_DIR / "conflicts.yaml"
PLACES_CSV = BUILTIN_DIR / "places.csv"
ISSUES_YAML = BUILTIN_DIR / "issues.yaml"
SAMPLE_DIR = BUILTIN_DIR / "sample"
EVAL_YAML = BUILTIN_DIR / "eval" / "rounds.yaml"
_IN_CHECKOUT = (BUILTIN_DIR.parent / "pyproject.toml").exists()
DATA_DIR = Path(os.environ.get("CEASEFIRE_DATA_DIR") or (BUILTIN_DIR if _IN_CHECKOUT else Path("data")))


def store_location() -> str:
    """Where the data is, as $CEASEFIRE_DB gives it: a DuckDB file (default: ceasefire.duckdb in the
    data folder), `lake:FOLDER`, or a postgresql:// URL (which a Path would spoil)."""
    return os.environ.get("CEASEFIRE_DB") or str(DATA_DIR / "ceasefire.duckdb")


def store_path() -> Path:
    """The DuckDB file (or `lake:FOLDER`) of $CEASEFIRE_DB, else ceasefire.duckdb in the data folder."""
    return Path(store_location())


def user_actors_path() -> Path:
    """The user's own actors, layered over the built-in catalog: $CEASEFIRE_ACTORS, else
    my-actors.yaml in the data folder (the Data page writes it)."""
    return Path(os.environ.get("CEASEFIRE_ACTORS", DATA_DIR / "my-actors.yaml"))


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit for every store connection ($CEASEFIRE_MEMORY_LIMIT, default 512MB): past
    it, large joins and large ingests spill to disk instead of growing the process."""
    value = os.environ.get("CEASEFIRE_MEMORY_LIMIT", "512MB").strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)", value, re.IGNORECASE):
        raise ValueError(f"CEASEFIRE_MEMORY_LIMIT must look like 512MB or 2GB, got {value!r}")
    return value


def user_agent() -> str:
    """The User-Agent of every request the project makes: its name, version and a contact
    ($CEASEFIRE_CONTACT: a URL or an e-mail address where a site's admin can reach whoever runs it)."""
    try:
        version = metadata.version("ceasefire-talks-dashboard")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        version = "dev"
    contact = os.environ.get("CEASEFIRE_CONTACT", "").strip() or "https://github.com/ceasefire-talks-dashboard"
    return f"CeasefireTalksDashboard/{version} (+{contact})"
