"""Benchmark: server-side page render and rerun-after-filter-change times on a large store.

    python bench/page_times.py [--articles 100000] [--store /tmp/bench-100k.duckdb] [--runs 7]

Builds the store once from the SYNTHETIC corpus (bench/corpus.py) plus the sample records,
then drives every page with Streamlit's AppTest: the first render of each page, and
reruns after changing a sidebar filter to values not seen before (so every rerun misses
the query cache and measures the queries themselves). Each change is timed `--repeats`
times: once as made, then with the query cache emptied. The first time also pays for
DuckDB's first read of the columns it needs in this process; the median of the repeats is
what a server that has been running a while takes. Reported per page: the median and the
slowest of those medians over `--runs` filter changes, and the slowest first time.
Prints a table and writes bench/results/page_times.{json,md}, with the time of a fixed
Python loop before and after (the machine's speed drifts: compare runs by it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate_articles

from ceasefire.config import REPO_ROOT, SAMPLE_DIR
from ceasefire.ingest import ingest_paths

RESULTS = Path(__file__).resolve().parent / "results"
# Filter changes a user makes: each value is new to the cache.
CHANGES = [
    ("filter_locations", ["Cairo"]), ("filter_locations", ["Doha"]), ("filter_actors", ["Hamas"]),
    ("filter_actors", ["Egypt"]), ("filter_dates", (date(2024, 1, 1), date(2024, 12, 31))),
    ("filter_locations", ["Rafah"]), ("filter_actors", ["Qatar"]),
]


def build_store(path: Path, count: int, batch: int = 10_000) -> dict:
    from ceasefire.loaders.files import LoadOptions
    from ceasefire.store.db import Store

    started = time.perf_counter()
    with Store(path) as store, tempfile.TemporaryDirectory() as folder:
        ingest_paths(store, [SAMPLE_DIR / "records"])
        articles = generate_articles(count)
        for first in range(0, count, batch):
            chunk = Path(folder) / f"chunk-{first}.jsonl"
            with chunk.open("w", encoding="utf-8") as handle:
                for _ in range(min(batch, count - first)):
                    handle.write(json.dumps(next(articles)) + "\n")
            ingest_paths(store, [chunk], LoadOptions(kind="articles"))
            chunk.unlink()
            print(f"  ingested {min(first + batch, count):,} articles", file=sys.stderr)
        mentions = store.count("actor_mentions")
    seconds = time.perf_counter() - started
    return {"articles": count, "ingest_seconds": round(seconds, 1), "articles_per_second": round(count / seconds),
            "actor_mentions": mentions, "store_mb": round(path.stat().st_size / 2**20, 1)}


def share_compiled_scripts() -> None:
    """Compile each script once, as the server does: AppTest makes a new ScriptCache for every run,
    so each rerun would also parse and compile app.py and its page again (a cost the server does not pay)."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def machine_speed_ms() -> int:
    """The time of a fixed pure-Python loop (best of three): on this shared 2-core machine it drifts
    with the hour (docs/performance.md), and every figure with it."""
    def loop() -> float:
        started, total = time.perf_counter(), 0
        for i in range(3_000_000):
            total += i * i
        return time.perf_counter() - started
    return round(min(loop() for _ in range(3)) * 1000)


def time_pages(runs: int, repeats: int) -> dict[str, dict]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ceasefire.dashboard import frame

    share_compiled_scripts()
    results = {}
    for path, name, _ in frame.PAGES:
        st.cache_data.clear()  # a page's reruns find nothing an earlier page cached (pages share some queries)
        app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=300)
        if path != "app.py":
            app.switch_page(path)
        started = time.perf_counter()
        app.run()
        first = time.perf_counter() - started
        assert not app.exception, app.exception
        first_times, medians = [], []
        for key, value in CHANGES[:runs]:
            widget = app.date_input(key=key) if key == "filter_dates" else app.multiselect(key=key)
            widget.set_value(value)
            times = []
            for repeat in range(repeats):
                if repeat:
                    frame._cached.clear()  # the same change again, its queries run again
                started = time.perf_counter()
                app.run()
                times.append(time.perf_counter() - started)
                assert not app.exception, app.exception
            first_times.append(times[0])
            medians.append(statistics.median(times))
        results[name] = {"first_render_ms": round(first * 1000), "rerun_median_ms": round(statistics.median(medians) * 1000),
                         "rerun_max_ms": round(max(medians) * 1000), "first_time_max_ms": round(max(first_times) * 1000)}
        print(f"  {name}: {results[name]}", file=sys.stderr)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--store", type=Path, default=Path(tempfile.gettempdir()) / "ceasefire-bench-100k.duckdb")
    parser.add_argument("--runs", type=int, default=7, help="filter changes timed on each page (at most 7)")
    parser.add_argument("--repeats", type=int, default=3, help="times each filter change is timed")
    args = parser.parse_args()
    build = None
    if not args.store.exists():
        print(f"building {args.store} with {args.articles:,} synthetic articles…", file=sys.stderr)
        build = build_store(args.store, args.articles)
    os.environ["CEASEFIRE_DB"] = str(args.store)
    speed = [machine_speed_ms()]
    pages = time_pages(args.runs, args.repeats)
    speed.append(machine_speed_ms())
    header = ("| page | first render (ms) | rerun after a filter change, median (ms) | slowest change (ms) "
              "| slowest first time (ms) |")
    lines = [header, "| --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {name} | {r['first_render_ms']} | {r['rerun_median_ms']} | {r['rerun_max_ms']} | {r['first_time_max_ms']} |"
              for name, r in pages.items()]
    table = "\n".join(lines)
    print(table)
    meta = {"store": str(args.store), "build": build, "runs": args.runs, "repeats": args.repeats,
            "python_loop_ms_before_after": speed, "measured_at": datetime.now().isoformat(timespec="seconds")}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "page_times.json").write_text(json.dumps({"meta": meta, "pages": pages}, indent=2) + "\n")
    (RESULTS / "page_times.md").write_text(f"# Dashboard benchmark\n\n{json.dumps(meta)}\n\n{table}\n")


if __name__ == "__main__":
    main()
