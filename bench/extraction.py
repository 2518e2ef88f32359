"""Benchmark: full extraction (sentences, actors, places, dates, issues, tone) per core.

    python bench/extraction.py [--articles 5000] [--repeats 5]

Prints a table and writes bench/results/extraction.{json,md}. One process, one core;
no optional NER. Reports the median of several timed runs after a warm-up.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate_articles

from ceasefire.analysis.extract import Extractors, extract_articles
from ceasefire.analysis.text import analysed_text
from ceasefire.config import SAMPLE_DIR

RESULTS = Path(__file__).resolve().parent / "results"


def corpora(count: int) -> dict[str, list[tuple]]:
    # What ingest reads: the text, then the title.
    synthetic = [(f"s{i}", analysed_text(a["text"], a["title"]), datetime.fromisoformat(a["published_at"]), "day")
                 for i, a in enumerate(generate_articles(count))]
    title, body = (SAMPLE_DIR / "articles" / "hamas-delegation-cairo.txt").read_text(encoding="utf-8").split("\n", 1)
    seed_text = analysed_text(body, title)
    seed = [(f"seed{i}", seed_text, datetime(2025, 8, 13), "day") for i in range(count // 5)]
    return {"synthetic": synthetic, "seed article repeated": seed}


def measure(extractors: Extractors, articles: list[tuple], repeats: int) -> dict:
    extract_articles(extractors, articles[:100])  # warm caches (dateparser, regexes)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        extraction = extract_articles(extractors, articles)
        timings.append(time.perf_counter() - started)
    seconds = statistics.median(timings)
    words = sum(len(text.split()) for _, text, _, _ in articles)
    mentions = sum(len(rows) for name, rows in extraction.rows.items() if name != "sentences")
    return {
        "articles": len(articles), "mean_words": round(words / len(articles)),
        "median_seconds": round(seconds, 3), "articles_per_second": round(len(articles) / seconds),
        "words_per_second": round(words / seconds), "mentions": mentions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    extractors = Extractors.load()
    results = {name: measure(extractors, articles, args.repeats) for name, articles in corpora(args.articles).items()}
    meta = {"python": platform.python_version(), "machine": platform.machine(), "cores_used": 1,
            "measured_at": datetime.now().isoformat(timespec="seconds")}
    lines = ["| corpus | articles | mean words | median s | articles/s/core | words/s | mentions |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {name} | {r['articles']} | {r['mean_words']} | {r['median_seconds']} | {r['articles_per_second']} "
              f"| {r['words_per_second']} | {r['mentions']} |" for name, r in results.items()]
    table = "\n".join(lines)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "extraction.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    (RESULTS / "extraction.md").write_text(f"# Extraction benchmark\n\n{meta}\n\n{table}\n")


if __name__ == "__main__":
    main()
