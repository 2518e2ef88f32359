"""`ceasefire`: ingest articles and negotiation records, show statistics, export tables."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from ceasefire.analysis.catalog import ACTOR_TYPES, CatalogError, current_catalog
from ceasefire.analysis.extract import Extractors
from ceasefire.analysis.names import with_alias, with_new_actor
from ceasefire.analysis.suggest import NerUnavailable, load_ner, suggest_actors
from ceasefire.config import store_path, user_actors_path
from ceasefire.fetching import (
    describe_every,
    fetch_pending_articles,
    fetch_urls,
    parse_every,
    refresh,
    swapped,
    watch,
)
from ceasefire.ingest import add_name_to_catalog, dismiss_name, ingest_paths, open_store, reextract
from ceasefire.loaders.datasets import FORMAT_NAMES
from ceasefire.loaders.files import AUTO_FORMAT, LoadOptions, iter_files
from ceasefire.loaders.http import FetchSettings
from ceasefire.loaders.schema import printable
from ceasefire.loaders.web import Progress
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
    parser.add_argument("--swap", action="store_true",
                        help="fetch, watch and refresh write a copy of the store and rename it over the store: for a store "
                             "dashboards are reading (docs/deployment.md)")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="load files, folders or zip archives into the store")
    _add_load_arguments(ingest)
    ingest.add_argument("--strict", action="store_true", help="store nothing if any input is rejected")
    ingest.add_argument("--workers", type=int, default=1, metavar="N",
                        help="parse and analyse in N processes (writes stay in one; default 1)")

    fetch = commands.add_parser("fetch", help="fetch article pages, RSS/Atom feeds and GDELT DOC lists by URL and "
                                "ingest them (docs/fetching.md)")
    fetch.add_argument("urls", nargs="*", metavar="URL")
    fetch.add_argument("--pending", action="store_true",
                       help="also fetch the pages of the articles known by title only (from GDELT DOC lists)")
    _add_client_arguments(fetch)

    watch = commands.add_parser("watch", help="the sources `ceasefire refresh` fetches again: watch add URL, "
                                "watch list, watch remove URL")
    watched = watch.add_subparsers(dest="watch_command", required=True, metavar="{add,list,remove}")
    watch_add = watched.add_parser("add", help="watch URL (a page, a feed or a GDELT DOC list)")
    watch_add.add_argument("url", metavar="URL")
    watch_add.add_argument("--every", default="1h", metavar="INTERVAL", help="how often: 30m, 1h, 2d (default 1h)")
    watched.add_parser("list", help="the watched sources, their last refresh, counts and last error")
    watch_remove = watched.add_parser("remove", help="stop watching URL")
    watch_remove.add_argument("url", metavar="URL")

    refresh = commands.add_parser("refresh", help="fetch the watched sources that are due (from cron, a systemd "
                                  "timer, or as a service with --loop)")
    refresh.add_argument("--loop", action="store_true", help="keep refreshing, checking what is due every --interval")
    refresh.add_argument("--interval", default="5m", metavar="INTERVAL", help="with --loop: how often to check (default 5m)")
    _add_client_arguments(refresh)

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


def _add_client_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = FetchSettings()
    parser.add_argument("--timeout", type=float, default=defaults.timeout, metavar="SECONDS",
                        help=f"to connect and between reads (default {defaults.timeout:g})")
    parser.add_argument("--max-mb", type=float, default=defaults.max_bytes / 2**20, metavar="MB",
                        help=f"largest body, decompressed (default {defaults.max_bytes / 2**20:g})")
    parser.add_argument("--host-interval", type=float, default=defaults.host_interval, metavar="SECONDS",
                        help=f"between two requests to one host (default {defaults.host_interval:g})")
    parser.add_argument("--retries", type=int, default=defaults.retries, metavar="N",
                        help=f"after a 429, a 5xx or a network error, with backoff (default {defaults.retries})")


def _client_settings(args: argparse.Namespace) -> FetchSettings:
    return FetchSettings(timeout=args.timeout, max_bytes=int(args.max_mb * 2**20), host_interval=args.host_interval,
                         retries=args.retries)


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
    if args.command in ("fetch", "watch", "refresh"):
        return _web(args)
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


@contextmanager
def _writable_store(args: argparse.Namespace) -> Iterator[Store]:
    """The store, or with --swap a copy of it that replaces it when the command succeeds."""
    if not args.swap:
        with open_store(args.db) as store:
            yield store
        return
    with swapped(args.db or store_path()) as copy, open_store(copy) as store:
        yield store


@contextmanager
def _progress_bar(unit: str) -> Iterator[Progress]:
    with tqdm(total=0, unit=unit, disable=None, file=sys.stderr) as bar:
        def show(progress: Progress) -> None:
            bar.total, bar.n = progress.total, progress.done
            bar.set_postfix_str(printable(progress.current[-60:]), refresh=False)
            bar.refresh()
        yield Progress(listener=show)


def _web(args: argparse.Namespace) -> int:
    if args.command == "watch":
        return _watch(args)
    if args.command == "fetch" and not (args.urls or args.pending):
        raise ValueError("give one or more URLs, or --pending")
    if args.command == "refresh" and args.loop:
        return _refresh_loop(args, parse_every(args.interval))
    return _fetch_once(args, lambda store, progress: _fetch_run(args, store, progress))


def _fetch_run(args: argparse.Namespace, store: Store, progress: Progress) -> tuple[str, bool]:
    """Fetch (or refresh) once: the summary to print, and whether anything failed."""
    settings = _client_settings(args)
    if args.command == "refresh":
        report = refresh(store, settings, progress)
        if not report.sources:
            return "nothing is due", False
        return report.summary(), bool(report.rejections)
    lines, failed = [], False
    if args.urls:
        report = fetch_urls(store, args.urls, settings, progress)
        lines.append(report.summary())
        failed = bool(report.rejections)
    if args.pending:
        pending = fetch_pending_articles(store, settings, progress)
        lines.append(pending.summary())
        failed = failed or bool(pending.rejections)
    return "\n".join(lines), failed


def _nothing_due(args: argparse.Namespace) -> bool:
    """With --swap, whether the live store has no watched source due: then there is nothing to copy."""
    path = args.db or store_path()
    if not (args.swap and args.command == "refresh" and path.exists()):
        return False
    try:
        with Store(path, read_only=True) as live:
            return live.watched_sources(due_at=datetime.now()).empty
    except OutdatedStore:  # the copy brings it up to date
        return False


def _fetch_once(args: argparse.Namespace, run: Callable[[Store, Progress], tuple[str, bool]]) -> int:
    if _nothing_due(args):
        print("nothing is due")
        return OK
    with _writable_store(args) as store, _progress_bar("item") as progress:
        summary, failed = run(store, progress)
    print(summary)
    return REJECTED if failed else OK


def _refresh_loop(args: argparse.Namespace, interval: int) -> int:
    """Refresh what is due, then wait `interval` seconds, until stopped. A busy store is tried again next time."""
    while True:
        try:
            _fetch_once(args, lambda store, progress: _fetch_run(args, store, progress))
        except StoreBusy as error:
            _error(error, BUSY)
        sys.stdout.flush()
        time.sleep(interval)


def _watch(args: argparse.Namespace) -> int:
    if args.watch_command == "list":
        with open_store(args.db) as store:
            sources = store.watched_sources()
        if sources.empty:
            print("no watched sources; add one: ceasefire watch add URL --every 1h")
        for source in sources.itertuples():
            when = f"{source.last_refresh:%Y-%m-%d %H:%M}" if pd.notna(source.last_refresh) else "never"
            error = f"; last error: {source.last_error}" if pd.notna(source.last_error) else ""
            print(printable(f"{source.url}  every {describe_every(int(source.every_seconds))}  {source.kind or 'not fetched yet'}  "
                            f"last refresh {when}  {source.refreshes} refreshes, {source.articles_added} articles added, "
                            f"{source.articles_updated} updated{error}"))
        return OK
    with _writable_store(args) as store:
        if args.watch_command == "add":
            new = watch(store, args.url, args.every)
            print(printable(f"{'watching' if new else 'now refreshing'} {args.url} every {args.every}; "
                            "`ceasefire refresh` fetches it when due"))
            return OK
        if not store.unwatch(args.url):
            raise ValueError(f"{args.url} is not watched; `ceasefire watch list` lists those that are")
    print(printable(f"no longer watching {args.url}"))
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
