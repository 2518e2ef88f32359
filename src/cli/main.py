"""`ceasefire`: ingest articles and negotiation records, show statistics, export tables."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from ceasefire.analysis.catalog import ACTOR_TYPES, CatalogError, current_catalog
from ceasefire.analysis.extract import Extractors
from ceasefire.analysis.names import with_alias, with_new_actor
from ceasefire.analysis.suggest import NerUnavailable, load_ner, suggest_actors
from ceasefire.config import user_actors_path
from ceasefire.ingest import add_name_to_catalog, dismiss_name, ingest_paths, open_store, reextract
from ceasefire.loaders.datasets import FORMAT_NAMES
from ceasefire.loaders.files import AUTO_FORMAT, LoadOptions, iter_files
from ceasefire.loaders.schema import printable
from ceasefire.read.engines import connect, publish
from ceasefire.read.exports import EXPORTABLE, export
from ceasefire.read.filters import FIELDS, Filters
from ceasefire.read.log import stats
from ceasefire.read.registry import ON_EVERY_ENGINE, REGISTRY, Q
from ceasefire.store.db import OutdatedStore, Store, StoreBusy
from ceasefire.store.lake import lake_folder, write_lake

# The aggregations `ceasefire query` offers: those that take only the filters and run on every engine.
AGGREGATIONS = ON_EVERY_ENGINE
# Exit statuses (the README lists them).
OK, REJECTED, ERROR, BUSY, UNAVAILABLE = 0, 1, 2, 3, 4



def _column_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise argparse.ArgumentTypeError(f"--map expects FIELD=COLUMN, got {pair!r}")
        mapping[field.strip()] = column.strip()
    return mapping


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ceasefire", description=__doc__)
    parser.add_argument("--db", type=Path, help="DuckDB file (default: $CEASEFIRE_DB or data/ceasefire.duckdb)")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="load files, folders or zip archives into the store")
    _add_load_arguments(ingest)
    ingest.add_argument("--strict", action="store_true", help="store nothing if any input is rejected")
    ingest.add_argument("--workers", type=int, default=1, metavar="N",
                        help="parse and analyse in N processes (writes stay in one; default 1)")

    spark = commands.add_parser("spark-ingest", help="load and analyse files on Apache Spark into a lake of Parquet "
                                "tables, adding what it does not hold yet (needs the spark extra and Java; docs/scaling.md)")
    _add_load_arguments(spark)
    spark.add_argument("--lake", type=Path, required=True, metavar="FOLDER", help="the lake to add to (made if missing)")
    spark.add_argument("--master", metavar="URL", help="Spark master: local[2], spark://host:7077, yarn… (default: the one "
                       "spark-submit set, else local[*])")

    commands.add_parser("extract", help="run the analysis again over every article (after editing "
                        "data/actors/, data/issues.yaml or data/places.csv)")

    suggest = commands.add_parser("suggest-actors", help="names a spaCy NER model finds that the catalog lacks "
                                  "(needs spaCy and a model; optional)")
    suggest.add_argument("--model", default="en_core_web_sm")
    suggest.add_argument("--min-count", type=int, default=2)

    names = commands.add_parser("names", help="the review queue of unknown names: list them, or add one to the "
                                "catalog (as an actor or an alias) or dismiss it")
    names.add_argument("--min-articles", type=int, default=2, metavar="N", help="named in N articles or more (default 2)")
    names.add_argument("--limit", type=int, default=50, metavar="N", help="list at most N names (default 50)")
    decide = names.add_subparsers(dest="decision", metavar="{add,alias,dismiss}")
    add = decide.add_parser("add", help="add NAME as a new actor and analyse again the articles naming it")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--type", required=True, choices=ACTOR_TYPES)
    add.add_argument("--affiliation", metavar="ACTOR", help="the actor it belongs to, e.g. --affiliation Hamas")
    add.add_argument("--conflict", dest="conflicts", action="append", default=[], metavar="CONFLICT",
                     help="a conflict of data/conflicts.yaml it is a party to; repeatable")
    add.add_argument("--as", dest="actor_name", metavar="FULL_NAME",
                     help="the actor's name when NAME is short for it (NAME becomes its alias): --as 'Paul Kagame'")
    alias = decide.add_parser("alias", help="add NAME as an alias of an actor and analyse again the articles naming it")
    alias.add_argument("name", metavar="NAME")
    alias.add_argument("--of", required=True, metavar="ACTOR", help="the actor, by its name or an alias")
    dismiss = decide.add_parser("dismiss", help="take NAME out of the queue for good")
    dismiss.add_argument("name", metavar="NAME")

    stats = commands.add_parser("stats", help="what the store holds")
    stats.add_argument("--json", action="store_true", help="print as JSON")

    export = commands.add_parser("export", help="write a table to CSV or Parquet")
    export.add_argument("table", choices=EXPORTABLE)
    export.add_argument("--out", type=Path, required=True, help="output file (.csv or .parquet)")
    export.add_argument("--format", choices=("csv", "parquet"), help="default: from the file suffix")
    _add_filter_arguments(export)

    query = commands.add_parser("query", help="run one of the dashboard's aggregations and print it as CSV, "
                                "on the store or on the engine at --engine URL")
    query.add_argument("name", choices=AGGREGATIONS)
    query.add_argument("--engine", metavar="URL", help="postgresql://user:password@host/db, or a DuckDB file "
                       "(default: the store)")
    _add_filter_arguments(query)

    publish = commands.add_parser("publish", help="copy the store's analysed tables into PostgreSQL, replacing the "
                                  "rows of this store's own articles (publish each shard of a parallel ingest), "
                                  "or write all its tables as a lake of Parquet files, replacing the lake there")
    publish.add_argument("url", metavar="URL", help="postgresql://user:password@host/db, or lake:FOLDER")
    return parser


def _add_load_arguments(parser: argparse.ArgumentParser) -> None:
    """The paths to read and how to read them: the same for an ingest on this machine and on Spark."""
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--records", action="store_const", const="records", dest="kind",
                      help="treat CSV/JSON/XLSX rows as negotiation records (default: guess from the columns)")
    kind.add_argument("--articles", action="store_const", const="articles", dest="kind",
                      help="treat CSV/JSON/XLSX rows as articles")
    parser.add_argument("--format", choices=(AUTO_FORMAT, *FORMAT_NAMES), default=AUTO_FORMAT,
                        help="read tables as this dataset's export (default: recognise ACLED, UCDP GED, PA-X, UCDP peace "
                             "agreement and GDELT files by their columns; docs/datasets.md)")
    parser.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                        help="column mapping for CSV/JSON/XLSX, e.g. --map text=body --map published_at=pubDate")
    parser.add_argument("--published", metavar="DATE", help="publication date for every article, e.g. 2025-08-12")
    parser.add_argument("--encoding", help="encoding of text files that are not UTF-8, e.g. cp1252")


def _add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    for field in FIELDS:
        if field.name in ("start", "end"):
            parser.add_argument(field.flag, dest=field.name, help=field.flag_help)
        else:
            parser.add_argument(field.flag, dest=field.name, action="append", default=[], help=field.flag_help)


def _filters(args: argparse.Namespace) -> Filters:
    return Filters.from_params({field.param: getattr(args, field.name) or () for field in FIELDS})


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except (ValueError, argparse.ArgumentTypeError, CatalogError, OutdatedStore) as error:
        return _error(error, ERROR)
    except StoreBusy as error:
        return _error(error, BUSY)
    except BrokenPipeError:
        # The reader stopped early (`ceasefire query coverage | head -1`): what it read was all it wanted.
        # Python would report the pipe again when it flushes stdout at exit, so stdout goes to devnull.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK


def _error(error: Exception, status: int) -> int:
    print(f"error: {printable(str(error))}", file=sys.stderr)
    return status


def _run(args: argparse.Namespace) -> int:
    if args.command == "ingest":
        return _ingest(args)
    if args.command == "spark-ingest":
        return _spark_ingest(args)
    if args.command == "extract":
        return _extract(args)
    if args.command == "suggest-actors":
        return _suggest(args)
    if args.command == "names":
        return _names(args)
    if args.command == "query" and args.engine:
        return _query(connect(args.engine), args)
    with open_store(args.db) as store:
        if args.command == "stats":
            figures = stats(store)
            print(json.dumps(figures, default=str, indent=2) if args.json
                  else "\n".join(f"{k}: {v}" for k, v in figures.items()))
            if figures["conflicts_unanalysed"]:
                print("note: the conflicts of these articles have not been worked out (the store was analysed by an "
                      "earlier version): run `ceasefire extract`", file=sys.stderr)
            return 0
        if args.command == "query":
            return _query(store.con, args)
        if args.command == "publish":
            lake = lake_folder(args.url)
            copied = publish(store.con, args.url) if lake is None else write_lake(store.con, lake)
            print("\n".join(f"{table}: {rows} rows" for table, rows in copied.items()))
            return 0
        filters = _filters(args)
        rows = export(store.con, args.table, args.out, args.format, filters)
        print(f"wrote {rows} rows ({filters.describe(args.table)}) to {args.out}")
        return 0


def _query(con: object, args: argparse.Namespace) -> int:
    result = REGISTRY[args.name](con, _filters(args))
    frame = pd.DataFrame([result]) if isinstance(result, dict) else result
    frame.to_csv(sys.stdout, index=False)
    return 0


def _extract(args: argparse.Namespace) -> int:
    extractors = Extractors.load()  # read now, so a broken catalog fails before any work
    with Store(args.db) as store, tqdm(total=store.count("articles"), unit="article", disable=None, file=sys.stderr) as bar:
        articles = reextract(store, extractors, on_batch=bar.update)
        mentions = store.count("actor_mentions")
    print(f"extracted {articles} articles with {len(extractors.catalog.actors)} actors: {mentions} actor mentions")
    return 0


def _suggest(args: argparse.Namespace) -> int:
    try:
        nlp = load_ner(args.model)
    except NerUnavailable as error:
        return _error(error, UNAVAILABLE)
    with Store(args.db) as store:
        frame = suggest_actors(Q.article_texts(store.con), current_catalog(), nlp, args.min_count)
    print(frame.to_string(index=False) if not frame.empty else "no unknown actors found")
    print("add the ones you want to your actors (ceasefire names, docs/analysis.md), then run: ceasefire extract")
    return 0


def _names(args: argparse.Namespace) -> int:
    with (open_store(args.db) if args.decision is None else Store(args.db)) as store:  # a decision writes
        if args.decision is None:
            queue = Q.unknown_names(store.con, min_articles=args.min_articles, limit=args.limit)
            if queue.empty:
                print(f"no unknown names in {args.min_articles} articles or more")
                return OK
            for row in queue.itertuples():
                sample = " ".join(row.sentence.split())
                sample = sample if len(sample) <= 100 else sample[:99] + "…"
                print(printable(f"{row.articles:>5} articles  {row.mentions:>5} mentions  {row.kind:<8} {row.name}"))
                print(printable(f"      “{sample}” ({row.title})"))
            print("add one: ceasefire names add NAME --type TYPE, ceasefire names alias NAME --of ACTOR, "
                  "or ceasefire names dismiss NAME")
            return OK
        if args.decision == "dismiss":
            dismiss_name(store, args.name)
            print(printable(f"dismissed {args.name!r}: it is no longer listed"))
            return OK
        catalog = current_catalog()
        if args.decision == "add":
            catalog = with_new_actor(catalog, args.name, args.type, args.affiliation, args.actor_name, args.conflicts)
        else:
            catalog = with_alias(catalog, args.name, args.of)
        ids = add_name_to_catalog(store, args.name, catalog)
    print(printable(f"{args.name!r} is now {catalog.canonical(args.name)!r} in {user_actors_path()}; "
                    f"analysed {len(ids)} article(s) naming it again"))
    return OK


def _load_options(args: argparse.Namespace) -> LoadOptions:
    return LoadOptions(kind=args.kind or "auto", columns=_column_map(args.map), format=args.format,
                       published_at=args.published, encoding=args.encoding)


def _ingest(args: argparse.Namespace) -> int:
    options = _load_options(args)
    total = sum(1 for _ in iter_files(args.paths))
    with Store(args.db) as store, tqdm(total=total, unit="file", disable=None, file=sys.stderr) as bar:
        report = ingest_paths(store, args.paths, options, strict=args.strict, on_file=lambda _: bar.update(),
                              workers=args.workers)
    print(report.summary())
    return REJECTED if report.rejections else OK


def _spark_ingest(args: argparse.Namespace) -> int:
    options = _load_options(args)  # checked before Spark starts
    try:
        from ceasefire.spark.ingest import ingest_to_lake, spark_session
    except ImportError as error:  # pyspark is an optional dependency
        return _error(ImportError(f"the Spark ingest needs pyspark ({error}): pip install 'ceasefire-talks-dashboard[spark]'"),
                      UNAVAILABLE)
    report = ingest_to_lake(spark_session(args.master), args.paths, args.lake, options)
    print(report.summary())
    return REJECTED if report.rejections else OK


if __name__ == "__main__":
    raise SystemExit(main())
