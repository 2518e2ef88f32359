"""Benchmark: fetching a feed of `--entries` entries and each entry's page from a web server on
127.0.0.1 (the tests' server), through `ceasefire fetch`'s own path: HTTP client, trafilatura,
extraction and the store. The per-host interval is 0 here; real sites get the default.

    python bench/fetch.py [--entries 200] [--runs 3]

Prints a table and writes bench/results/fetch.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from local_web import Route, page, rss, serve  # noqa: E402  (the tests' local web server)

from ceasefire.fetching import fetch_urls  # noqa: E402
from ceasefire.loaders.http import FetchSettings  # noqa: E402
from ceasefire.store.db import Store  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
TEXT = ["Negotiators from Hamas and Israel met in Doha on {n} to discuss a ceasefire and the release of hostages.",
        "Qatari and Egyptian mediators said talks would continue; the United States envoy joined round {n}.",
        "Delegations discussed aid corridors, a withdrawal timetable and an exchange of prisoners."]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    settings = FetchSettings(host_interval=0)
    seconds, updated_seconds = [], []
    with serve() as web:
        entries = []
        for n in range(args.entries):
            web.routes[f"/story/{n}"] = Route(page(f"Round {n} of talks", [t.format(n=n) for t in TEXT], "2025-08-12"))
            entries.append({"title": f"Round {n}", "link": web.url(f"/story/{n}")})
        web.routes["/feed"] = Route(rss(entries), "application/rss+xml")
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "bench.duckdb") as store:
                started = time.perf_counter()
                report = fetch_urls(store, [web.url("/feed")], settings)
                seconds.append(time.perf_counter() - started)
                assert report.articles_added == args.entries, report.summary()
                started = time.perf_counter()  # the same feed again: every page fetched, none changed
                fetch_urls(store, [web.url("/feed")], settings)
                updated_seconds.append(time.perf_counter() - started)
    first, again = statistics.median(seconds), statistics.median(updated_seconds)
    figures = {"entries": args.entries, "runs": args.runs, "first_fetch_s": round(first, 2),
               "pages_per_s": round(args.entries / first, 1), "fetch_again_unchanged_s": round(again, 2),
               "pages_per_s_again": round(args.entries / again, 1)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "fetch.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    table = ["| what | median of runs |", "| --- | --- |",
             f"| a feed of {args.entries} entries, each page fetched, read and analysed into an empty store | "
             f"{first:.2f} s ({args.entries / first:.1f} pages/s) |",
             f"| the same feed again (every page fetched, none changed) | {again:.2f} s ({args.entries / again:.1f} pages/s) |"]
    (RESULTS / "fetch.md").write_text("\n".join(table) + "\n", encoding="utf-8")
    print("\n".join(table))


if __name__ == "__main__":
    main()
