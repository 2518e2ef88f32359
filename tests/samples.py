"""Paths of the bundled sample files the tests read."""

from ceasefire.config import SAMPLE_DIR

SEED = SAMPLE_DIR / "articles" / "hamas-delegation-cairo.txt"
SAMPLE_RECORDS = SAMPLE_DIR / "records" / "gaza-ceasefire-rounds-2023-2025.csv"
