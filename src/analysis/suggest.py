"""Suggest actors the catalog does not know yet, from a statistical NER model if one is installed.

Only suggestions: nothing is added to the catalog automatically. Without spaCy and a
model (`pip install spacy` and a model such as en_core_web_sm), the rest of the
project works unchanged and this raises `NerUnavailable` with what to install.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ceasefire.analysis.catalog import Catalog

ACTOR_LABELS = {"PERSON": "person", "ORG": "other", "NORP": "other", "GPE": "state"}


class NerUnavailable(RuntimeError):
    pass


def load_ner(model: str = "en_core_web_sm") -> Any:
    try:
        import spacy  # optional dependency
    except ImportError:
        raise NerUnavailable("actor suggestions need spaCy: pip install spacy, then a model such as en_core_web_sm") from None
    try:
        return spacy.load(model, disable=["parser", "lemmatizer", "tagger", "attribute_ruler"])
    except OSError:
        raise NerUnavailable(f"spaCy model {model!r} is not installed") from None


def suggest_actors(texts: Iterable[str], catalog: Catalog, nlp: Any, min_count: int = 2, limit: int = 50) -> pd.DataFrame:
    """Entities the model finds that no catalog name or alias covers, most frequent first."""
    counts: Counter[tuple[str, str]] = Counter()
    for doc in nlp.pipe(texts):
        for entity in doc.ents:
            name = " ".join(entity.text.split()).removesuffix("'s").removesuffix("’s")
            if entity.label_ in ACTOR_LABELS and len(name) > 2 and catalog.canonical(name) == name and name not in catalog.actors:
                counts[(name, ACTOR_LABELS[entity.label_])] += 1
    rows = [(name, kind, count) for (name, kind), count in counts.most_common() if count >= min_count][:limit]
    return pd.DataFrame(rows, columns=["name", "suggested_type", "mentions"])
