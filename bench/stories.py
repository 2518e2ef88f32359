"""Benchmark: grouping articles into stories (analysis/stories.py), and what it costs an ingest.

    python bench/stories.py [--articles 100000] [--batch 20000] [--ingest-articles 2000] [--repeats 5] [--coverage-rows 1000000]

Three figures, on SYNTHETIC articles (bench/corpus.py, every sentence from a filled template so
that distinct articles share few shingles), a fifth of them republications of an earlier one (a new
headline, a byline, a paragraph dropped or added):
- the MinHash signature of each article, per article;
- grouping them in a DuckDB store batch by batch as ingest does (the stored stories sharing a band
  looked up in SQL, datasketch's LSH among them, the rows written), per article as the store grows,
  and how many republications joined their original's story and how many distinct articles were merged;
- extraction alone with and without signatures, and `ingest_paths` with and without grouping
  (signatures and stories switched off), articles/s, in turns;
- the Overview's coverage counting articles and stories on a million made-up article_stats rows.

Prints tables and writes bench/results/stories.{json,md}. One process.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from unittest import mock

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate_articles

from ceasefire import ingest as ingest_module
from ceasefire.analysis import extract
from ceasefire.analysis.stories import band_keys, signature
from ceasefire.analysis.text import analysed_text
from ceasefire.ingest import ingest_paths
from ceasefire.read import queries
from ceasefire.read.filters import Filters
from ceasefire.store.db import Store

RESULTS = Path(__file__).resolve().parent / "results"
COPY_SHARE = 0.2
BYLINE = "By a staff correspondent\n\n"
LOCAL = "Residents interviewed in the city said they would believe an agreement only when they saw it kept."


def corpus(count: int, seed: int = 11) -> tuple[list[dict], list[int]]:
    """`count` articles, a fifth republications of an earlier article, and the index of each one's original."""
    rng = random.Random(seed)
    originals = count - int(count * COPY_SHARE)
    articles = list(generate_articles(originals, naming_share=1.0))
    origin = list(range(originals))
    for number in range(count - originals):
        source = rng.randrange(originals)
        paragraphs = articles[source]["text"].split("\n\n")
        edit = rng.choice(("drop", "add", "byline"))
        if edit == "drop" and len(paragraphs) > 2:
            del paragraphs[rng.randrange(len(paragraphs))]
        elif edit == "add":
            paragraphs.insert(rng.randrange(len(paragraphs) + 1), LOCAL)
        text = (BYLINE if edit == "byline" else "") + "\n\n".join(paragraphs)
        articles.append({**articles[source], "title": f"[SYNTHETIC] Republished article {number}", "text": text,
                         "url": f"https://example.invalid/republished/{number}"})
        origin.append(source)
    return articles, origin


def signatures(articles: list[dict]) -> tuple[list[bytes | None], float]:
    """Each article's signature, of what extraction reads, and the seconds taken."""
    texts = [analysed_text(a["text"], a["title"]) for a in articles]
    started = time.perf_counter()
    found = [signature(text) for text in texts]
    return found, time.perf_counter() - started


def group(signed: list[bytes | None], batch: int) -> tuple[list[str], list[dict]]:
    """Group the articles in a fresh store, `batch` at a time, as ingest does; the stories, and per batch the time taken."""
    ids = [f"a{number:07d}" for number in range(len(signed))]  # in arrival order, as ingest sorts a batch
    timings = []
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "stories.duckdb") as store:
        for start in range(0, len(ids), batch):
            order = ids[start : start + batch]
            started = time.perf_counter()
            with store.writing():
                store.save_stories(ingest_module._stories(store, dict(zip(order, signed[start : start + batch])), order))
            seconds = time.perf_counter() - started
            timings.append({"stored_before": start, "articles": len(order), "seconds": round(seconds, 3),
                            "ms_per_article": round(seconds / len(order) * 1000, 4)})
        stories = dict(store.con.execute("SELECT article_id, story_id FROM article_stories").fetchall())
    return [stories[i] for i in ids], timings


def quality(stories: list[str], origin: list[int]) -> dict:
    """How many republications joined their original's story, and how many originals were merged into another's."""
    originals = sum(1 for number, source in enumerate(origin) if source == number)
    copies = [(stories[number], stories[source]) for number, source in enumerate(origin) if source != number]
    merged = sum(1 for number in range(originals) if stories[number] != f"a{number:07d}")
    return {"republications": len(copies), "joined_their_original": sum(1 for mine, theirs in copies if mine == theirs),
            "originals": originals, "originals_merged_into_another": merged}


def extraction_rates(articles: list[dict], repeats: int) -> dict[str, float]:
    """Articles per second of extraction alone (one core), with the story signature and without, in
    turns; median of `repeats` each."""
    extractors = extract.default_extractors()
    rows = [(f"s{number}", analysed_text(a["text"], a["title"]), datetime.fromisoformat(a["published_at"]), "day")
            for number, a in enumerate(articles)]
    extract.extract_articles(extractors, rows[:100])  # warm caches (dateparser, regexes)
    rates: dict[str, list[float]] = {"with signatures": [], "without signatures": []}
    for _ in range(repeats):
        for name in rates:
            with mock.patch.object(extract, "signature", signature if name == "with signatures" else lambda text: None):
                started = time.perf_counter()
                extract.extract_articles(extractors, rows)
                rates[name].append(len(rows) / (time.perf_counter() - started))
    return {name: statistics.median(found) for name, found in rates.items()}


def ingest_rates(articles: list[dict], repeats: int) -> dict[str, float]:
    """Articles per second of `ingest_paths` (one worker) into a fresh store, with grouping and without
    (signatures and stories switched off), in turns; median of `repeats` each, the extractors loaded before."""
    extract.default_extractors()  # loaded once a process: not part of either figure
    rates: dict[str, list[float]] = {"with grouping": [], "without grouping": []}
    with tempfile.TemporaryDirectory() as folder:
        corpus_file = Path(folder) / "corpus.jsonl"
        corpus_file.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
        for run in range(repeats):
            for name in rates:
                switched_off = [] if name == "with grouping" else [
                    mock.patch.object(extract, "signature", lambda text: None),
                    mock.patch.object(ingest_module, "_stories", lambda store, signed, order: pd.DataFrame()),
                ]
                for patch in switched_off:
                    patch.start()
                try:
                    with Store(Path(folder) / f"ingest{run}{name}.duckdb") as store:
                        started = time.perf_counter()
                        ingest_paths(store, [corpus_file])
                        rates[name].append(len(articles) / (time.perf_counter() - started))
                finally:
                    for patch in switched_off:
                        patch.stop()
    return {name: statistics.median(found) for name, found in rates.items()}


def coverage_times(rows: int, repeats: int) -> dict[str, float]:
    """Median ms of the Overview's coverage (per week, no filter) counting articles and stories, on
    `rows` made-up article_stats rows over 800 days, a fifth of them copies in another's story."""
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "coverage.duckdb") as store:
        originals = rows - rows // 5
        store.con.execute("""
            INSERT INTO article_stats (article_id, published_at, source, place_bits, actor_bits, sentences, tone, story_id)
            SELECT printf('a%07d', i), TIMESTAMP '2023-10-07' + to_days((hash(i) % 800)::INTEGER), 'synthetic-benchmark', 0, 0, 30, 0,
                   printf('a%07d', CASE WHEN i < $originals THEN i ELSE hash(i) % $originals END)
            FROM range($rows) AS r(i)""", {"rows": rows, "originals": originals})
        times = {}
        for count in ("articles", "stories"):
            queries.coverage(store.con, Filters(), "week", count)  # warm
            timings = []
            for _ in range(repeats):
                started = time.perf_counter()
                queries.coverage(store.con, Filters(), "week", count)
                timings.append((time.perf_counter() - started) * 1000)
            times[count] = round(statistics.median(timings), 1)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=20_000, help="articles grouped at a time (ingest's batch)")
    parser.add_argument("--ingest-articles", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--coverage-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    articles, origin = corpus(args.articles)
    signed, signing = signatures(articles)
    keys = sum(len(band_keys(s)) for s in signed)
    stories, batches = group(signed, args.batch)
    found = quality(stories, origin)
    grouping_seconds = sum(b["seconds"] for b in batches)
    sample = articles[: args.ingest_articles]
    sample = [*sample[: len(sample) - len(sample) // 5], *articles[-(len(sample) // 5):]]  # with republications
    extraction = extraction_rates(sample, args.repeats)
    rates = ingest_rates(sample, args.repeats)
    coverage = coverage_times(args.coverage_rows, 5)
    results = {
        "articles": len(articles), "mean_words": round(statistics.mean(len(a["text"].split()) for a in articles)),
        "signature_ms_per_article": round(signing / len(articles) * 1000, 4), "band_keys_per_article": round(keys / len(articles), 1),
        "grouping_ms_per_article": round(grouping_seconds / len(articles) * 1000, 4), "batches": batches,
        "quality": found, "stories": len(set(stories)),
        "ingest_articles": len(sample),
        "extraction_articles_per_second": {name: round(rate, 1) for name, rate in extraction.items()},
        "extraction_slowdown": round(1 - extraction["with signatures"] / extraction["without signatures"], 3),
        "ingest_articles_per_second": {name: round(rate, 1) for name, rate in rates.items()},
        "ingest_slowdown": round(1 - rates["with grouping"] / rates["without grouping"], 3),
        "coverage_rows": args.coverage_rows, "coverage_ms": coverage,
    }
    meta = {"python": platform.python_version(), "machine": platform.machine(), "cores_used": 1,
            "measured_at": datetime.now().isoformat(timespec="seconds")}
    lines = [
        f"{results['articles']:,} synthetic articles ({results['mean_words']} words on average), a fifth of them republications.",
        "",
        "| step | ms per article |", "| --- | ---: |",
        f"| MinHash signature ({results['band_keys_per_article']:g} band keys) | {results['signature_ms_per_article']} |",
        f"| grouping in the store, all batches | {results['grouping_ms_per_article']} |",
        *(f"| grouping a batch of {b['articles']:,} beside {b['stored_before']:,} stored | {b['ms_per_article']} |" for b in batches),
        "",
        f"Republications that joined their original's story: {found['joined_their_original']:,} of {found['republications']:,}; "
        f"distinct articles merged into another's story: {found['originals_merged_into_another']:,} of {found['originals']:,}.",
        "",
        f"Extraction alone of {len(sample):,} of them, one core, median of {args.repeats}: "
        + ", ".join(f"{name} {rate:,.0f} articles/s" for name, rate in extraction.items())
        + f" ({results['extraction_slowdown']:.1%} slower with them).",
        "",
        f"`ingest_paths` of the same, one worker, median of {args.repeats}: "
        + ", ".join(f"{name} {rate:,.0f} articles/s" for name, rate in rates.items())
        + f" ({results['ingest_slowdown']:.1%} slower with grouping).",
        "",
        f"The Overview's coverage per week on {args.coverage_rows:,} article_stats rows, median of 5: "
        + ", ".join(f"counting {count} {ms} ms" for count, ms in coverage.items()) + ".",
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "stories.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    (RESULTS / "stories.md").write_text(f"# Stories benchmark\n\n{meta}\n\n{text}\n")


if __name__ == "__main__":
    main()
