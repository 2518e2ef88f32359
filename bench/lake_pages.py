"""Benchmark: every page on the DuckDB file and on its lake of Parquet tables, side by side.

    python bench/lake_pages.py --store store-1000000.duckdb [--lake FOLDER] [--runs 7] [--repeats 3]

Writes the store's lake (`ceasefire publish lake:`, timed) unless FOLDER already holds one, then
times every page as bench/page_times.py does — first render, and reruns after filter changes
the query cache has not seen — first on the DuckDB file, then on the lake (CEASEFIRE_DB=lake:…),
in one process. Prints a table and writes bench/results/lake_pages.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from page_times import RESULTS, machine_speed_ms, time_pages

from ceasefire.store.db import Store
from ceasefire.store.lake import MANIFEST, write_lake


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True, help="a DuckDB store (bench/page_times.py and "
                        "bench/replicate.py build one)")
    parser.add_argument("--lake", type=Path, help="its lake (default: beside the store, STORE.lake)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    lake = args.lake or args.store.with_suffix(".lake")
    written = None
    if not (lake / MANIFEST).exists():
        started = time.perf_counter()
        with Store(args.store, read_only=True) as store:
            rows = write_lake(store.con, lake)
        written = {"seconds": round(time.perf_counter() - started, 1), "articles": rows["articles"],
                   "actor_mentions": rows["actor_mentions"]}
        print(f"wrote {lake}: {written}", file=sys.stderr)
    with Store(args.store, read_only=True) as store:
        articles, mentions = store.count("articles"), store.count("actor_mentions")
    sizes = {"store_mb": round(args.store.stat().st_size / 2**20),
             "lake_mb": round(int(subprocess.run(["du", "-sk", str(lake)], capture_output=True, text=True,
                                                 check=True).stdout.split()[0]) / 2**10)}
    timed = {}
    speed = [machine_speed_ms()]
    for name, location in (("file", str(args.store)), ("lake", f"lake:{lake}")):
        os.environ["CEASEFIRE_DB"] = location
        print(f"timing the pages on {location}", file=sys.stderr)
        timed[name] = time_pages(args.runs, args.repeats)
        speed.append(machine_speed_ms())
    lines = ["| page | file: rerun median / slowest (ms) | lake: rerun median / slowest (ms) | file: first render (ms) "
             "| lake: first render (ms) |", "| --- | ---: | ---: | ---: | ---: |"]
    for page, on_file in timed["file"].items():
        on_lake = timed["lake"][page]
        lines.append(f"| {page} | {on_file['rerun_median_ms']} / {on_file['rerun_max_ms']} | {on_lake['rerun_median_ms']} / "
                     f"{on_lake['rerun_max_ms']} | {on_file['first_render_ms']} | {on_lake['first_render_ms']} |")
    table = "\n".join(lines)
    print(table)
    meta = {"store": str(args.store), "articles": articles, "actor_mentions": mentions, **sizes, "lake_written": written,
            "runs": args.runs, "repeats": args.repeats, "python_loop_ms_before_between_after": speed,
            "measured_at": datetime.now().isoformat(timespec="seconds")}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "lake_pages.json").write_text(json.dumps({"meta": meta, "pages": timed}, indent=2) + "\n")
    (RESULTS / "lake_pages.md").write_text(f"# The dashboard on the file and on its lake\n\n{json.dumps(meta)}\n\n{table}\n")


if __name__ == "__main__":
    main()
