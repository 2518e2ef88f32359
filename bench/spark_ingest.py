"""Native ingest against the ingest on Spark `local[2]`, side by side on the same SYNTHETIC corpus
(bench/corpus.py), written as JSON Lines shards:

- native: `ingest_paths` with 2 worker processes into a DuckDB file, then `write_lake` (the
  native way to the same lake; the ingest alone is the baseline);
- Spark: `ingest_to_lake` on `local[2]` into a new lake (the session started beforehand, timed apart).

Both use the machine's 2 cores. Writes bench/results/spark_ingest.{json,md}.

    python bench/spark_ingest.py --articles 100000 --shards 20
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import generate_articles  # noqa: E402

from ceasefire.ingest import ingest_paths  # noqa: E402
from ceasefire.spark.ingest import ingest_to_lake, spark_session  # noqa: E402
from ceasefire.store.db import Store  # noqa: E402
from ceasefire.store.lake import lake_connection, write_lake  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def write_shards(folder: Path, articles: int, shards: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"shard-{n:03}.jsonl" for n in range(shards)]
    handles = [path.open("w", encoding="utf-8") for path in paths]
    for number, article in enumerate(generate_articles(articles)):
        handles[number % shards].write(json.dumps(article) + "\n")
    for handle in handles:
        handle.close()
    return paths


def timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--shards", type=int, default=20)
    parser.add_argument("--driver-memory", default="6g", help="the local[2] JVM's heap (driver and executors in one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="spark-bench-") as scratch:
        root = Path(scratch)
        shards = write_shards(root / "corpus", args.articles, args.shards)
        with Store(root / "native.duckdb") as store:
            native_s, report = timed(lambda: ingest_paths(store, shards, workers=2))
            assert report.articles_added == args.articles, report.summary()
            publish_s, _ = timed(lambda: write_lake(store.con, root / "native-lake"))
        session_s, spark = timed(lambda: spark_session("local[2]", {
            "spark.ui.enabled": "false", "spark.driver.memory": args.driver_memory, "spark.sql.shuffle.partitions": "8"}))
        spark.sparkContext.setLogLevel("ERROR")
        spark_s, spark_report = timed(lambda: ingest_to_lake(spark, shards, root / "spark-lake"))
        spark.stop()
        assert spark_report.articles_added == args.articles, spark_report.summary()
        counts = {table: [lake_connection(lake).execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                          for lake in (root / "native-lake", root / "spark-lake")]
                  for table in ("articles", "actor_mentions", "article_actors", "actor_pairs")}
    figures = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "articles": args.articles, "shards": args.shards,
        "native_ingest_s": round(native_s, 1), "native_articles_per_s": round(args.articles / native_s, 1),
        "native_write_lake_s": round(publish_s, 1), "spark_session_s": round(session_s, 1),
        "spark_ingest_s": round(spark_s, 1), "spark_articles_per_s": round(args.articles / spark_s, 1),
        "spark_vs_native": round(native_s / spark_s, 2),
        "spark_overhead_ms_per_article": round((spark_s - native_s) / args.articles * 1000, 2),
        "rows_native_spark": counts,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "spark_ingest.json").write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    (RESULTS / "spark_ingest.md").write_text(
        "# Native ingest vs Spark local[2] (bench/spark_ingest.py)\n\n"
        f"{figures['when']}: {args.articles:,} SYNTHETIC articles in {args.shards} JSON Lines shards.\n\n"
        "| ingest | seconds | articles/s |\n| --- | ---: | ---: |\n"
        f"| native, 2 processes (DuckDB file) | {native_s:.1f} | {args.articles / native_s:.0f} |\n"
        f"| native, then `write_lake` | {native_s + publish_s:.1f} | {args.articles / (native_s + publish_s):.0f} |\n"
        f"| Spark local[2] (lake), session start apart ({session_s:.1f} s) | {spark_s:.1f} | {args.articles / spark_s:.0f} |\n\n"
        f"Spark / native articles/s: {native_s / spark_s:.2f}; Spark's overhead per article: "
        f"{figures['spark_overhead_ms_per_article']} ms.\n\n"
        "Rows (native, Spark): " + ", ".join(f"{t} {n:,} / {s:,}" for t, (n, s) in counts.items()) + "\n",
        encoding="utf-8")
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
