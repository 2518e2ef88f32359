"""All the scale benchmarks in one command: ingest throughput, memory, store size, page times.

    python bench/run.py --sizes 10000 100000 [--runs 5] [--workdir /tmp/ceasefire-bench]

For each corpus size (SYNTHETIC articles from bench/corpus.py, in files of 10,000):
- ingest with 1 and with 2 processes (`ceasefire ingest --workers N`), in a child process
  whose peak memory is read from the OS;
- the store's size on disk;
- every page's first render and rerun after a filter change (bench/page_times.py in a
  child process, whose peak memory is the app's): the median and slowest of the changes'
  medians over repeats, and the slowest first time, with the machine's speed then.
Prints a table and writes bench/results/scale.{json,md}. Large sizes take a while:
100,000 articles ingest in about four minutes with two processes. With `--grown-from SIZE`,
the larger sizes' stores are made from the SIZE store by bench/replicate.py instead of ingested
(their page times and memory are measured, their ingest is not).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate_articles

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
FILE_SIZE = 10_000
INGEST_KEY = re.compile(r"ingest_(\d+)p")  # ingest_1p, ingest_2p: a whole ingest with that many processes


def corpus(size: int, workdir: Path, seed: int = 7) -> Path:
    folder = workdir / (f"corpus-{size}" if seed == 7 else f"corpus-{size}-seed{seed}")
    if not folder.exists():
        folder.mkdir(parents=True)
        articles = generate_articles(size, seed=seed)
        for first in range(0, size, FILE_SIZE):
            with (folder / f"part-{first // FILE_SIZE:04d}.jsonl").open("w", encoding="utf-8") as handle:
                for _ in range(min(FILE_SIZE, size - first)):
                    handle.write(json.dumps(next(articles)) + "\n")
    return folder


def child(command: list[str]) -> tuple[float, float]:
    """Run a command; (seconds, peak resident memory in MiB of that process, as the OS counted it)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed")
    return seconds, usage.ru_maxrss / 1024


def measure(size: int, workdir: Path, runs: int, repeats: int, workers: list[int], earlier: dict | None = None,
            grown_from: int | None = None) -> dict:
    """Ingest with each process count, then time the pages on the last store; with `earlier`
    (an earlier result of this size), keep its ingest figures and time the pages on its store;
    with `grown_from`, replicate that size's store instead of ingesting."""
    if grown_from:
        result = {"articles": size, "store": f"replicated {size // grown_from}x from the {grown_from:,}-article store"}
        workers = []
        store = workdir / f"store-{size}-replicated.duckdb"
        # In a child: a parent grown by DuckDB's work would pass its peak memory on to the children it forks.
        child([sys.executable, str(BENCH / "replicate.py"), str(workdir / f"store-{grown_from}-w2.duckdb"), str(store),
               str(size // grown_from)])
    elif earlier:
        result = {key: value for key, value in earlier.items() if key.startswith("ingest_") or key == "articles"}
        workers = []
        most = max(int(m[1]) for key in result if (m := INGEST_KEY.fullmatch(key)))
        store = workdir / f"store-{size}-w{most}.duckdb"
    else:
        result = {"articles": size}
    source = corpus(size, workdir) if workers else None
    for count in workers:
        store = workdir / f"store-{size}-w{count}.duckdb"
        store.unlink(missing_ok=True)
        seconds, peak = child([sys.executable, "-m", "ceasefire", "--db", str(store), "ingest", "--workers", str(count),
                               str(source)])
        result[f"ingest_{count}p"] = {"seconds": round(seconds, 1), "articles_per_second": round(size / seconds),
                                        "peak_mib_main_process": round(peak)}
    result["store_mib"] = round(store.stat().st_size / 2**20, 1)
    # The OS writes the new store out in the background: flushed first, so the writeback does not
    # compete with the pages being timed.
    os.sync()
    _, peak = child([sys.executable, str(BENCH / "page_times.py"), "--store", str(store), "--runs", str(runs),
                     "--repeats", str(repeats)])
    result["app_peak_mib"] = round(peak)
    timed = json.loads((RESULTS / "page_times.json").read_text())
    result["pages"], result["python_loop_ms"] = timed["pages"], timed["meta"]["python_loop_ms_before_after"]
    return result


def ingest_more(store: Path, more: int, workdir: Path) -> dict:
    """Ingest `more` new articles into a copy of a large store, with 2 processes: throughput once
    the store is already big (batches must not slow down as it grows)."""
    grown = workdir / f"{store.stem}-plus-{more}.duckdb"
    shutil.copyfile(store, grown)
    seconds, peak = child([sys.executable, "-m", "ceasefire", "--db", str(grown), "ingest", "--workers", "2",
                           str(corpus(more, workdir, seed=8))])
    grown.unlink()
    return {"articles": more, "seconds": round(seconds, 1), "articles_per_second": round(more / seconds),
            "peak_mib_main_process": round(peak)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=7, help="filter changes timed on each page (at most 7)")
    parser.add_argument("--repeats", type=int, default=3, help="times each filter change is timed")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="ingest with each of these process counts")
    parser.add_argument("--pages-only", action="store_true", help="time the pages again on the stores of an earlier run")
    parser.add_argument("--more", type=int, default=0, metavar="N",
                        help="also ingest N new articles into a copy of each store (2 processes)")
    parser.add_argument("--grown-from", type=int, metavar="SIZE",
                        help="make the stores of larger sizes by replicating this size's (2-process) store")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ceasefire-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    # Sizes measured earlier stay in the table unless measured again.
    previous = json.loads((RESULTS / "scale.json").read_text())["results"] if (RESULTS / "scale.json").exists() else []
    measured = {r["articles"]: r for r in previous}
    for size in args.sizes:
        print(f"measuring {size:,} articles…", file=sys.stderr)
        if not (args.pages_only and args.more):
            grown_from = args.grown_from if args.grown_from and size > args.grown_from else None
            measured[size] = measure(size, args.workdir, args.runs, args.repeats, args.workers,
                                     measured.get(size) if args.pages_only else None, grown_from)
        if args.more:
            store = args.workdir / f"store-{size}-w{max(args.workers)}.duckdb"
            measured[size][f"ingest_{args.more}_more_2p"] = ingest_more(store, args.more, args.workdir)
    results = [measured[size] for size in sorted(measured)]
    pages = list(results[0]["pages"])

    def ingest(r: dict, workers: int, key: str) -> str:
        return str(r[f"ingest_{workers}p"][key]) if f"ingest_{workers}p" in r else "not run"

    lines = ["| articles | ingest 1 process (art/s) | ingest 2 processes (art/s) | ingest peak MiB (2 processes, main) | store MiB "
             "| app peak MiB | Python loop ms | "
             + " | ".join(f"{p} rerun ms, median / slowest (slowest first time)" for p in pages) + " |",
             "| ---: " * (7 + len(pages)) + "|"]
    for r in results:
        lines.append(f"| {r['articles']:,} | {ingest(r, 1, 'articles_per_second')} | {ingest(r, 2, 'articles_per_second')} "
                     f"| {ingest(r, 2, 'peak_mib_main_process')} | {r['store_mib']} | {r['app_peak_mib']} "
                     f"| {' / '.join(map(str, r.get('python_loop_ms', ['–'])))} | "
                     + " | ".join(_page_cell(r["pages"][p]) for p in pages) + " |")
    for r in results:
        if "store" in r:
            lines.append(f"\nThe {r['articles']:,}-article store was {r['store']} (bench/replicate.py): its ingest was not measured.")
        for key, more in r.items():
            if key.endswith("_more_2p"):
                lines.append(f"\nIngesting {more['articles']:,} more articles into the {r['articles']:,}-article store, "
                             f"2 processes: {more['articles_per_second']} articles/s, main process peak "
                             f"{more['peak_mib_main_process']} MiB.")
    table = "\n".join(lines)
    print(table)
    meta = {"measured_at": datetime.now().isoformat(timespec="seconds"), "runs": args.runs, "repeats": args.repeats,
            "note": "synthetic corpus; reruns: median and slowest of uncached filter changes (each the median of its "
                    "repeats), and the slowest first time, server-side (AppTest); Python loop: the machine's speed "
                    "before and after the pages were timed"}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    (RESULTS / "scale.md").write_text(f"# Scale benchmark\n\n{json.dumps(meta)}\n\n{table}\n")


def _page_cell(page: dict) -> str:
    first = f" ({page['first_time_max_ms']})" if "first_time_max_ms" in page else ""
    return f"{page['rerun_median_ms']} / {page['rerun_max_ms']}{first}"


if __name__ == "__main__":
    main()
