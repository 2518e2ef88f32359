"""Grow a benchmark store without ingesting: copy every article-keyed row `copies` times under new ids.

    python bench/replicate.py store-100000.duckdb store-1000000.duckdb 10

The copy has the tables, sizes and value distributions of a store `copies` times larger, so
query and page times on it are those of the larger store, in minutes instead of the ~hour a
million-article ingest takes on a 2-core machine. Ingest throughput is measured by real ingests
(bench/run.py), never on a replicated store. Records (negotiation rounds) are not copied.
The copy is compacted at the end, as an ingest of that size would be.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import duckdb

from ceasefire.store.db import Store


def replicate(source: Path, target: Path, copies: int) -> None:
    shutil.copyfile(source, target)
    with duckdb.connect(str(target)) as con:
        tables = [name for (name,) in con.execute(
            "SELECT DISTINCT table_name FROM information_schema.columns "
            "WHERE column_name = 'article_id' AND table_name <> 'records'").fetchall()]
        for table in tables:
            columns = [name for (name,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table]).fetchall()]
            # Copy k of an article gets the id md5(id || k): as random as real ids, never colliding.
            select = ", ".join("substr(md5(article_id || k::VARCHAR), 1, 16)" if c == "article_id" else c for c in columns)
            con.execute(f"CREATE TEMP TABLE original AS SELECT * FROM {table}")
            con.execute(f"INSERT INTO {table} SELECT {select} FROM original, range(1, ?) AS copy(k)", [copies])
            con.execute("DROP TABLE original")
    with Store(target) as store:
        store.rebuild_facets()  # keyed by facet and day, not by article: derived again, not copied
        store.compact()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("copies", type=int)
    args = parser.parse_args()
    replicate(args.source, args.target, args.copies)


if __name__ == "__main__":
    main()
