"""Benchmark: each dashboard query on a large store, under the filters users pick most.

    python bench/query_times.py --store /work/bench-big/store-1000000-w2.duckdb [--runs 3]

Complements page_times.py (whole pages through AppTest) by showing which query costs what.
Prints a table of median milliseconds and writes bench/results/query_times.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date, datetime
from pathlib import Path

import duckdb

from ceasefire.config import duckdb_memory_limit
from ceasefire.read.filters import Filters
from ceasefire.read.registry import REGISTRY, Q

RESULTS = Path(__file__).resolve().parent / "results"
FILTERS = {
    "none": Filters(),
    "2024": Filters(start=date(2024, 1, 1), end=date(2024, 12, 31)),
    "Cairo": Filters(locations=("Cairo",)),
    "Hamas": Filters(actors=("Hamas",)),
    "Doha and Hamas": Filters(locations=("Doha",), actors=("Hamas",)),  # two facets: no facet table answers it
}
# (name, call) for what the pages run on each rerun: every query of the registry with benchmark arguments.
QUERIES = {
    q.name + (f" ({label})" if label else ""): (lambda con, f, q=q, kwargs=kwargs: q(con, f, **kwargs))
    for q in REGISTRY.values() for label, kwargs in q.benchmark.items()
}
QUERIES["filter_options"] = lambda con, f: Q.filter_options(con)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    con = duckdb.connect(str(args.store), read_only=True, config={"memory_limit": duckdb_memory_limit()})  # as the app
    articles, mentions = con.execute("SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM actor_mentions)").fetchall()[0]
    timings: dict[str, dict[str, float]] = {}
    for name, call in QUERIES.items():
        timings[name] = {}
        for label, filters in FILTERS.items():
            samples = []
            for _ in range(args.runs):
                started = time.perf_counter()
                call(con, filters)
                samples.append((time.perf_counter() - started) * 1000)
            timings[name][label] = round(statistics.median(samples), 1)
    lines = [f"{articles:,} articles, {mentions:,} actor mentions; median of {args.runs} runs, ms", "",
             "| query | " + " | ".join(f"filter: {label}" for label in FILTERS) + " |",
             "| --- " + "| ---: " * len(FILTERS) + "|"]
    lines += [f"| {name} | " + " | ".join(str(ms) for ms in row.values()) + " |" for name, row in timings.items()]
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    meta = {"measured_at": datetime.now().isoformat(timespec="seconds"), "store": str(args.store),
            "articles": articles, "actor_mentions": mentions, "runs": args.runs}
    (RESULTS / "query_times.json").write_text(json.dumps({"meta": meta, "ms": timings}, indent=2) + "\n")
    (RESULTS / "query_times.md").write_text("# Query times\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
