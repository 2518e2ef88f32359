"""Precision and recall of the actors and the rounds extraction finds, and of the rounds' fields.

    python bench/rounds_eval.py

Scores data/eval/real.yaml (real texts nobody on the project wrote, annotated by hand) per conflict
and in all, and data/eval/rounds.yaml (articles written for evaluation) with the seed article;
writes bench/results/rounds_eval.{json,md}.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from ceasefire.analysis.extract import Extractors
from ceasefire.analysis.rounds_eval import (
    EvalArticle,
    Expected,
    analyse,
    read_eval,
    score,
)
from ceasefire.config import BUILTIN_DIR, SAMPLE_DIR
from ceasefire.loaders.files import load_paths
from ceasefire.loaders.gazetteer import load_gazetteer

REAL_YAML = BUILTIN_DIR / "eval" / "real.yaml"
TARGETS = {"actors precision": 0.95, "actors recall": 0.90, "rounds precision": 0.85, "rounds recall": 0.85,
           "outcome": 0.80, "parties": 0.80, "mediators": 0.80}

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


def _row(name: str, n: int, result: dict) -> str:
    a, r, f = result["actors"], result["rounds"], result["fields"]
    return (f"| {name} | {n} | {a['precision']} | {a['recall']} | {r['precision']} | {r['recall']} | "
            f"{f['outcome']['precision']} | {f['parties']['precision']} / {f['parties']['recall']} | "
            f"{f['mediators']['precision']} / {f['mediators']['recall']} |")


def main() -> None:
    extractors = Extractors.load()
    gazetteer = load_gazetteer()

    def venue_name(venue: str) -> str:
        place = gazetteer.lookup(venue)
        return place.name if place else venue

    actor_name = extractors.catalog.canonical

    real = [(a, analyse(extractors, a)) for a in read_eval(REAL_YAML)]
    conflicts = sorted({a.conflict for a, _ in real if a.conflict})
    by_conflict = {c: score([(a, f) for a, f in real if a.conflict == c], venue_name, actor_name) for c in conflicts}
    overall = score(real, venue_name, actor_name)
    lines = ["## Real texts (data/eval/real.yaml), by conflict", "",
             "Rounds matched by venue; outcome: precision over matched rounds; parties and mediators: precision / recall.", "",
             "| conflict | texts | actors P | actors R | rounds P | rounds R | outcome | parties | mediators |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    lines += [_row(c, sum(a.conflict == c for a, _ in real), by_conflict[c]) for c in conflicts]
    lines += [_row("**all**", len(real), overall), "",
              "Targets: " + ", ".join(f"{name} ≥ {value}" for name, value in TARGETS.items()), ""]
    written = [seed_article(), *read_eval()]
    result = score([(a, analyse(extractors, a)) for a in written], venue_name, actor_name)
    rounds, fields = result["rounds"], result["fields"]
    lines += ["## Written for evaluation (data/eval/rounds.yaml) and the seed", "",
              f"articles: {len(written)}; rounds expected {rounds['expected']}, found {rounds['found']}, "
              f"matched {rounds['matched']}", "",
              "| what | precision | recall |", "| --- | ---: | ---: |",
              f"| rounds | {rounds['precision']} | {rounds['recall']} |"]
    lines += [f"| {name} | {v['precision']} | {v['recall']} |" for name, v in fields.items()]
    lines += ["", "### Errors, real texts"] + [f"- {e}" for e in overall["errors"]]
    lines += ["", "### Errors, written texts"] + [f"- {e}" for e in result["errors"]]
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    meta = {"measured_at": datetime.now().isoformat(timespec="seconds")}
    (RESULTS / "rounds_eval.json").write_text(json.dumps(
        {"meta": meta, "real": {"all": overall, **by_conflict}, "written": result}, indent=2) + "\n")
    (RESULTS / "rounds_eval.md").write_text("# Actors and rounds from the news: evaluation\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
