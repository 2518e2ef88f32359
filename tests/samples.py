"""Paths of the bundled sample files the tests read, and how page tests open a page."""

from __future__ import annotations

import csv

from streamlit.testing.v1 import AppTest

from ceasefire.config import REPO_ROOT, SAMPLE_DIR

SEED = SAMPLE_DIR / "articles" / "hamas-delegation-cairo.txt"
SAMPLE_RECORDS = SAMPLE_DIR / "records" / "gaza-ceasefire-rounds-2023-2025.csv"
APP = str(REPO_ROOT / "app.py")
with SAMPLE_RECORDS.open(encoding="utf-8", newline="") as _file:
    GAZA_RECORDS = sum(1 for _ in csv.DictReader(_file))  # the Gaza sample's rounds
SEED_RECORDS = 2  # the rounds of the seed article's table
SAMPLE_ROUNDS = GAZA_RECORDS + SEED_RECORDS  # a store of the seed and the Gaza sample


def open_page(page: str | None = None, **params: str | list[str]) -> AppTest:
    """A page as a browser opens it: the URL's parameters, then the run."""
    app = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        app.query_params[key] = value
    if page:
        app.switch_page(page)
    return app.run()
