"""Precision and recall of rounds reconstructed from the news, and of their fields.

    python bench/rounds_eval.py

Scores data/eval/rounds.yaml (articles written for evaluation, with the rounds they describe)
and the seed article; writes bench/results/rounds_eval.{json,md}.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from ceasefire.analysis.extract import Extractors
from ceasefire.analysis.rounds_eval import (
    EvalArticle,
    Expected,
    candidates_of,
    read_eval,
    score,
)
from ceasefire.config import SAMPLE_DIR
from ceasefire.loaders.files import load_paths

RESULTS = Path(__file__).resolve().parent / "results"
SEED_ROUNDS = (
    Expected("Cairo", "2025-08", "ongoing", frozenset({"Hamas", "Israel"}), frozenset({"Egypt"}), "60-day truce"),
    Expected("Doha", "2025-07", "collapsed", frozenset(), frozenset(), None),
)


def seed_article() -> EvalArticle:
    """The seed as the loaders read it: no date of its own, so August 2025 inferred from its text."""
    path = SAMPLE_DIR / "articles" / "hamas-delegation-cairo.txt"
    row = load_paths([path]).articles.iloc[0]
    return EvalArticle("seed", row.published_at.date(), path.read_text(encoding="utf-8"), SEED_ROUNDS, row.published_precision)


def main() -> None:
    extractors = Extractors.load()
    articles = [seed_article(), *read_eval()]
    result = score((a, candidates_of(extractors, a)) for a in articles)
    rounds, fields = result["rounds"], result["fields"]
    lines = [f"articles: {len(articles)}; rounds expected {rounds['expected']}, found {rounds['found']}, "
             f"matched {rounds['matched']}", "",
             "| what | precision | recall |", "| --- | ---: | ---: |",
             f"| rounds | {rounds['precision']} | {rounds['recall']} |"]
    lines += [f"| {name} | {v['precision']} | {v['recall']} |" for name, v in fields.items()]
    lines += ["", "Errors:"] + [f"- {e}" for e in result["errors"]]
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    meta = {"measured_at": datetime.now().isoformat(timespec="seconds")}
    (RESULTS / "rounds_eval.json").write_text(json.dumps({"meta": meta, **result}, indent=2) + "\n")
    (RESULTS / "rounds_eval.md").write_text("# Rounds from the news: evaluation\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
