"""Optional NER suggestions: the filtering logic with a stand-in model, the real model only if installed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ceasefire.analysis.catalog import read_catalog
from ceasefire.analysis.suggest import NerUnavailable, load_ner, suggest_actors


@dataclass
class Entity:
    text: str
    label_: str


class StandInModel:
    """Tags capitalised word pairs as entities, like a NER model would, for the test."""

    def pipe(self, texts):
        for text in texts:
            yield type("Doc", (), {"ents": [Entity("Hamas", "ORG"), Entity("Jane Dorian", "PERSON"),
                                            Entity("US", "GPE"), Entity("Tuesday", "DATE")]})()


def test_suggestions_leave_out_known_actors_and_non_actor_labels():
    frame = suggest_actors(["a", "b"], read_catalog(), StandInModel(), min_count=2)
    assert frame.to_dict("records") == [{"name": "Jane Dorian", "suggested_type": "person", "mentions": 2}]


def test_missing_model_gives_install_advice():
    try:
        load_ner("no_such_model_installed")
    except NerUnavailable as error:
        assert "spacy" in str(error).lower()
    else:
        pytest.fail("a missing model must raise NerUnavailable")
