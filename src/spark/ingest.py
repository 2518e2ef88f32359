"""Ingest on Apache Spark into a lake (store/lake.py's layout, read by `CEASEFIRE_DB=lake:FOLDER`).

What runs where:

    driver      lists the files, reads the lake's ids, builds the extractors once and broadcasts them
    executors   load_file per file, records' and events' conflicts (as ingest.py does): Arrow batches;
                then extract_articles per partition of the new articles: the analysis tables
    Spark SQL   keeps the first of repeated ids, leaves out what the lake holds, derives the roll-ups,
                writes Parquet partitioned by month beside the lake; the driver moves it in

A run adds only what the lake does not hold: articles and records by id (article ids are content
hashes), events replaced by the newest file's row as native ingest does. One run at a time per
lake (a lock file beside it); docs/scaling.md says what a reader sees while a run moves its files in.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache, partial
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
from pyspark.broadcast import Broadcast
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import from_arrow_schema

from ceasefire.analysis.extract import Extractors, default_extractors, extract_articles
from ceasefire.ingest import IngestReport, analysed_rows, events_with_conflicts, records_with_conflicts, venue_places
from ceasefire.loaders.files import LoadOptions, iter_files, load_file, safe_name, user_date_of
from ceasefire.loaders.schema import ARTICLE_COLUMNS, EVENT_COLUMNS, RECORD_COLUMNS, Rejection, to_frame
from ceasefire.store.lake import LAKE_FORMAT, LAKE_TABLES, MANIFEST, PARTITION, LakeError, dated_column
from ceasefire.store.schema import ANALYSIS_TABLES, CORE_DDL, FACETS, ROLLUPS, STORIES, TABLES, ddl

# The store's tables but the facet tables and their bits: the dashboard's queries take the
# semi-join path on such a lake (tests/test_lake.py proves them identical).
SPARK_TABLES = tuple(t for t in TABLES if t not in (*FACETS, "facet_bits"))
# A loaded row's place in the input, (file number << 32) + its row: of repeated ids the first is kept, as native ingest does.
ORDER = "_order"
WRITERS = 4  # tables written at once
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",  # read by DuckDB as TIMESTAMP (not INT96)
    "spark.ui.showConsoleProgress": "false",
}


def spark_session(master: str | None = None, conf: dict[str, str] | None = None) -> SparkSession:
    """A Spark session for the ingest: on `master` (local[N], spark://…, yarn), or the one spark-submit set up."""
    # Executors in local mode run this interpreter, which has ceasefire installed (PATH's python3 may not).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("ceasefire ingest")
    if master:
        builder = builder.master(master)
    for key, value in {**SESSION_CONF, **(conf or {})}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


@lru_cache(maxsize=1)
def arrow_schemas() -> dict[str, pa.Schema]:
    """Each table's columns and types as store/schema.py declares them, in Arrow."""
    con = duckdb.connect(":memory:")
    con.execute(CORE_DDL + ddl())
    return {table: con.sql(f"FROM {table} LIMIT 0").to_arrow_table().schema for table in SPARK_TABLES}


def _loaded_schema(table: str) -> pa.Schema:
    """A table's columns as loaded, before the run's ingest id: with each row's ORDER."""
    schema = arrow_schemas()[table]
    return schema.remove(schema.get_field_index("ingest_id")).append(pa.field(ORDER, pa.int64()))


_REJECTED = pa.schema([("file", pa.string()), ("row", pa.int32()), ("reason", pa.string())])
_COUNTS = pa.schema([(name, pa.int64()) for name in ("articles", "records", "records_rejected", "events")])


def _combined(tables: dict[str, pa.Schema]) -> pa.Schema:
    """How executors hand Spark several tables in one pass: a struct column per table, each row
    holding one table's row and nulls in the others' columns (Spark selects a table's rows itself)."""
    return pa.schema([pa.field(name, pa.struct(list(schema))) for name, schema in tables.items()])


@lru_cache(maxsize=1)
def _loaded_tables() -> pa.Schema:
    return _combined({"articles": _loaded_schema("articles"), "records": _loaded_schema("records"),
                      "events": _loaded_schema("events"), "rejections": _REJECTED, "counts": _COUNTS})


@lru_cache(maxsize=1)
def _analysed_tables() -> pa.Schema:
    return _combined({name: arrow_schemas()[name] for name in (*ANALYSIS_TABLES, "places")})


def ingest_to_lake(spark: SparkSession, paths: Iterable[str | Path], folder: Path,
                   options: LoadOptions = LoadOptions()) -> IngestReport:
    """Load and analyse the files under `paths` on Spark and add what the lake at `folder` does not
    hold yet (a new lake if there is none). Bad files and rows become rejections; the good ones land."""
    folder, paths, started = folder.resolve(), list(paths), datetime.now()
    with _locked(folder):
        stored = _manifest(folder)
        ingest_id = _next_ingest_id(spark, folder, stored)
        found = list(iter_files(paths))
        unread = [Rejection(f.name, None, f.problem or "not read") for f in found if f.path is None]
        jobs = [(number, str(f.path), f.name) for number, f in enumerate(found) if f.path is not None]
        extractors = spark.sparkContext.broadcast(default_extractors())  # shipped to each executor once
        loaded = _loaded(spark, jobs, options, extractors).persist()

        def stored_keys(table: str, key: str) -> DataFrame | None:
            return spark.read.parquet(str(folder / table)).select(key) if table in stored else None

        def tagged(frame: DataFrame, table: str) -> DataFrame:
            """With the run's ingest id, in the table's order of columns."""
            tagged = frame.drop(ORDER).withColumn("ingest_id", F.lit(ingest_id).cast("int"))
            return tagged.select(*arrow_schemas()[table].names)

        articles = tagged(_new(_first(_table(loaded, "articles"), "article_id"), stored_keys("articles", "article_id"),
                               "article_id"), "articles").persist()
        records = tagged(_new(_first(_table(loaded, "records"), "record_id"), stored_keys("records", "record_id"),
                              "record_id"), "records").persist()
        events = tagged(_first(_table(loaded, "events"), "event_id"), "events").persist()
        counts = _table(loaded, "counts").toPandas().sum()
        rejections = unread + [Rejection(r.file, r.row, r.reason) for r in _table(loaded, "rejections").collect()]

        parallelism = spark.sparkContext.defaultParallelism
        analysed = (articles.select("article_id", "text", "title", "published_at", "published_precision")
                    .repartition(max(2, 2 * parallelism)).mapInArrow(partial(_extract, extractors), from_arrow_schema(_analysed_tables()))
                    .persist())
        tables = {name: _table(analysed, name) for name in ANALYSIS_TABLES}
        tables |= _rollups(spark, articles, tables)
        tables[STORIES] = _conformed(articles.select("article_id", F.col("article_id").alias("story_id"),
                                                     F.lit(None).alias("signature"), F.lit(None).alias("band_keys")), STORIES)
        new_events = events if "events" not in stored else events.join(stored_keys("events", "event_id"), "event_id", "left_anti")
        articles_added, records_added, events_added = articles.count(), records.count(), new_events.count()
        report = IngestReport(ingest_id, len(jobs), articles_added, int(counts["articles"]) - articles_added, records_added,
                              int(counts["records"] - counts["records_rejected"]) - records_added, rejections,
                              events_added=events_added, events_duplicate=int(counts["events"]) - events_added)
        replaced = {
            "places": _places(spark, folder, stored, records, _table(analysed, "places")),
            "actors": _frame(spark, "actors", extractors.value.catalog.frame()),
        }
        if events_added < events.count() or "events" not in stored:  # a revised event replaces the stored one
            kept = spark.read.parquet(str(folder / "events")).join(events.select("event_id"), "event_id", "left_anti") \
                if "events" in stored else None
            replaced["events"] = events if kept is None else kept.select(*events.columns).unionByName(events)
        # A DuckDB store's; a lake has none of its own. Word-for-word copies from other outlets are
        # not kept on Spark yet (each is dropped as a repeat, as a re-ingest is).
        for table in ("round_decisions", "name_dismissals", "watched_sources", "article_copies"):
            if table not in stored:
                replaced[table] = _empty(spark, table)
        appended = {**tables, "records": records, **({} if "events" in replaced else {"events": new_events}), "articles": articles,
                    "rejections": _rows(spark, "rejections", [(ingest_id, r.file, r.row, r.reason) for r in rejections]),
                    "ingests": _rows(spark, "ingests", [_ingest_row(report, started, paths)])}
        staging = folder.with_name(f".{folder.name}.spark-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        try:
            # Many small jobs: run side by side, one job's scheduling overlaps another's work.
            with ThreadPoolExecutor(WRITERS) as pool:
                list(pool.map(lambda item: _write(item[1], staging / item[0], create=item[0] in replaced or item[0] not in stored),
                              {**replaced, **appended}.items()))
            _move_in(folder, staging, stored, list(replaced), list(appended))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            for frame in (loaded, articles, records, events, analysed):
                frame.unpersist()
    return report


def _loaded(spark: SparkSession, jobs: list[tuple[int, str, str]], options: LoadOptions, extractors: Broadcast) -> DataFrame:
    """The files loaded on the executors: Arrow batches of articles, records, events, rejections, counts."""
    slices = max(1, min(len(jobs), 4 * spark.sparkContext.defaultParallelism))
    files = spark.createDataFrame(spark.sparkContext.parallelize(jobs, slices), "number long, path string, name string")
    return files.mapInArrow(partial(_load_files, options, extractors), from_arrow_schema(_loaded_tables()))


def _load_files(options: LoadOptions, extractors: Broadcast, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """On an executor: one partition's files loaded (load_file), records and events with their
    conflicts, as ingest.py prepares a batch."""
    user_date, rejections = user_date_of(options), []
    rows: dict[str, list[dict]] = {"articles": [], "records": [], "events": []}
    jobs = [(job["number"], job["path"], job["name"]) for batch in batches for job in batch.to_pylist()]
    for number, path, name in jobs:
        parsed = load_file(Path(path), options, user_date, name)
        for kind, kept in rows.items():
            kept += [{**row, ORDER: (number << 32) + index} for index, row in enumerate(getattr(parsed, kind))]
        rejections += parsed.rejections
    known: Extractors = extractors.value
    records = to_frame(rows["records"], {**RECORD_COLUMNS, ORDER: "int64"}).drop_duplicates("record_id")
    with_conflicts = records_with_conflicts(records, known, rejections)
    events = events_with_conflicts(to_frame(rows["events"], {**EVENT_COLUMNS, ORDER: "int64"}).drop_duplicates("event_id"), known)
    counts = [[len(rows["articles"]), len(rows["records"]), len(records) - len(with_conflicts), len(rows["events"])]]
    yield from _batches(_loaded_tables(), {
        "articles": to_frame(rows["articles"], {**ARTICLE_COLUMNS, ORDER: "int64"}), "records": with_conflicts, "events": events,
        "rejections": pd.DataFrame([(r.file, r.row, r.reason) for r in rejections], columns=_REJECTED.names),
        "counts": pd.DataFrame(counts, columns=_COUNTS.names)})


def _extract(extractors: Broadcast, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """On an executor: the analysis tables' rows of a partition's articles, and the places they name."""
    known: Extractors = extractors.value
    for batch in batches:
        extraction = extract_articles(known, analysed_rows(batch.to_pandas()))
        yield from _batches(_analysed_tables(), {**extraction.frames(), "places": extraction.places_frame()})


def _arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """A frame as a table of exactly these columns and types (dates stored as DATE are cut to the day, as DuckDB does)."""
    if frame.empty:  # no values to infer types from: pandas would make an empty list column float
        return schema.empty_table()
    columns = [pa.array(frame[field.name], from_pandas=True).cast(field.type, safe=False) for field in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def _batches(combined: pa.Schema, frames: dict[str, pd.DataFrame]) -> Iterator[pa.RecordBatch]:
    """Each table's rows as a batch of the `combined` schema: in its own column, nulls in the others."""
    for field in combined:
        rows = _arrow(frames[field.name], pa.schema(list(field.type)))
        if rows.num_rows:
            struct = pa.StructArray.from_arrays([column.combine_chunks() for column in rows.columns], fields=list(field.type))
            yield pa.RecordBatch.from_arrays([struct if other.name == field.name else pa.nulls(rows.num_rows, other.type)
                                              for other in combined], schema=combined)


def _table(combined: DataFrame, table: str) -> DataFrame:
    """One table's rows of what the executors handed Spark."""
    return combined.where(F.col(table).isNotNull()).select(f"{table}.*")


def _first(frame: DataFrame, key: str) -> DataFrame:
    """The first row of each `key` in the input's order."""
    return frame.withColumn("_n", F.row_number().over(Window.partitionBy(key).orderBy(ORDER))).where("_n = 1").drop("_n")


def _new(frame: DataFrame, stored: DataFrame | None, key: str) -> DataFrame:
    return frame if stored is None else frame.join(stored, key, "left_anti")


# The roll-ups of store/schema.py's ROLLUPS in Spark SQL, of this run's new articles and their
# mentions; the bit columns stay null (a lake has no facet bits).
_CARRIED = "a.published_at, a.source, NULL AS place_bits, NULL AS actor_bits"
ROLLUP_SQL = {
    "article_actors": (f"SELECT m.article_id, {_CARRIED}, m.actor, sum(m.n), count(*), sum(s.tone), "
                       "array_sort(collect_list(m.sentence_index)) FROM (SELECT article_id, actor, sentence_index, count(*) AS n "
                       "FROM actor_mentions GROUP BY ALL) m JOIN sentences s USING (article_id, sentence_index) "
                       "JOIN articles a USING (article_id) GROUP BY ALL"),
    "article_places": f"SELECT m.article_id, {_CARRIED}, m.place, count(*) FROM place_mentions m JOIN articles a USING (article_id) GROUP BY ALL",
    "article_issues": (f"SELECT m.article_id, {_CARRIED}, m.issue, count(DISTINCT m.sentence_index) "
                       "FROM issue_mentions m JOIN articles a USING (article_id) GROUP BY ALL"),
    "article_conflicts": f"SELECT DISTINCT m.article_id, {_CARRIED}, m.conflict FROM conflict_evidence m JOIN articles a USING (article_id)",
    # On Spark every article is a story of its own: grouping a copy with its original reads the
    # stories stored before it, in order (analysis/stories.py), which is not done on Spark yet.
    "article_stats": (f"SELECT a.article_id, {_CARRIED}, count(s.sentence_index), avg(s.tone), a.article_id "
                      "FROM articles a LEFT JOIN sentences s USING (article_id) GROUP BY ALL"),
    "actor_pairs": (f"SELECT x.article_id, {_CARRIED}, x.actor, y.actor, count(DISTINCT x.sentence_index) "
                    "FROM actor_mentions x JOIN actor_mentions y ON x.article_id = y.article_id "
                    "AND x.sentence_index = y.sentence_index AND x.actor < y.actor JOIN articles a ON a.article_id = x.article_id "
                    "GROUP BY ALL"),
}
assert ROLLUP_SQL.keys() == ROLLUPS.keys()


def _rollups(spark: SparkSession, articles: DataFrame, tables: dict[str, DataFrame]) -> dict[str, DataFrame]:
    for name, frame in {"articles": articles, **tables}.items():
        frame.createOrReplaceTempView(name)
    return {name: _conformed(spark.sql(select), name) for name, select in ROLLUP_SQL.items()}


def _conformed(frame: DataFrame, table: str) -> DataFrame:
    """A query's columns, in order, named and typed as the table's."""
    schema = from_arrow_schema(arrow_schemas()[table])
    return frame.toDF(*schema.names).select(*(F.col(field.name).cast(field.dataType) for field in schema.fields))


def _places(spark: SparkSession, folder: Path, stored: dict, records: DataFrame, named: DataFrame) -> DataFrame:
    """The places table after this run: the places the new articles name (replacing stored rows of
    the same name), the stored ones, and the venues of every record the gazetteer knows."""
    places = named.dropDuplicates(["name"])
    if "places" in stored:
        places = spark.read.parquet(str(folder / "places")).join(places.select("name"), "name", "left_anti").unionByName(places)
    venues = records.select("venue_city", "venue_country")
    if "records" in stored:
        venues = spark.read.parquet(str(folder / "records")).select("venue_city", "venue_country").unionByName(venues)
    missing = (venues.select(F.coalesce("venue_city", "venue_country").alias("name")).where("name IS NOT NULL").distinct()
               .join(places.select("name"), "name", "left_anti").collect())
    return places.unionByName(_rows(spark, "places", venue_places(sorted(row.name for row in missing))))


def _rows(spark: SparkSession, table: str, rows: list[tuple]) -> DataFrame:
    return _frame(spark, table, pd.DataFrame(rows, columns=arrow_schemas()[table].names))


def _frame(spark: SparkSession, table: str, frame: pd.DataFrame) -> DataFrame:
    """Rows made on the driver as a Spark table's."""
    schema = arrow_schemas()[table]
    return spark.createDataFrame(_arrow(frame, schema), from_arrow_schema(schema))


def _empty(spark: SparkSession, table: str) -> DataFrame:
    return _rows(spark, table, [])


def _ingest_row(report: IngestReport, started: datetime, paths: list[str | Path]) -> tuple:
    return (report.ingest_id, started, datetime.now(), [safe_name(str(p)) for p in paths], report.files_read,
            report.articles_added, report.articles_duplicate, report.records_added, report.records_duplicate,
            len(report.rejections), report.events_added)


def _write(frame: DataFrame, target: Path, create: bool) -> None:
    """A table's rows as Parquet at `target`: by month for a table with a date, one file per month
    and run. A table the lake does not hold yet gets a file even when empty: its columns."""
    date = dated_column(target.name)
    if date is None:
        frame.coalesce(1).write.parquet(str(target))
        return
    month = F.coalesce(F.date_format(date, "yyyy-MM"), F.lit("undated"))
    frame.withColumn(PARTITION, month).repartition(PARTITION).write.partitionBy(PARTITION).parquet(str(target))
    if create and not any(target.glob("*/*.parquet")):
        frame.limit(0).coalesce(1).write.parquet(str(target / f"{PARTITION}=undated"))


def _move_in(folder: Path, staging: Path, stored: dict, replaced: list[str], appended: list[str]) -> None:
    """The staged tables into the lake: a replaced table's folder swapped in whole; an appended one's
    new files moved beside the stored ones, the articles and the ingest last (the data version
    readers cache by changes then), and the manifest rewritten."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in [p for p in staging.rglob("*") if p.is_file() and p.suffix != ".parquet"]:
        path.unlink()  # Spark's _SUCCESS markers and checksum files: no part of a lake
    for table in replaced:
        old = staging / f".{table}.old"
        if (folder / table).exists():
            (folder / table).rename(old)
        (staging / table).rename(folder / table)
    for table in appended:
        if table not in stored:
            shutil.rmtree(folder / table, ignore_errors=True)  # left by a run that failed before writing the manifest
            (staging / table).rename(folder / table)
            continue
        for part in sorted((staging / table).rglob("*.parquet")):
            target = folder / table / part.relative_to(staging / table)
            target.parent.mkdir(exist_ok=True)
            part.rename(target)
    for table in set(LAKE_TABLES) - set(SPARK_TABLES):  # facet tables of a published lake would be stale now
        shutil.rmtree(folder / table, ignore_errors=True)
    tables = {table: {"partitioned_by": PARTITION if dated_column(table) else None} for table in SPARK_TABLES}
    manifest = {"format": LAKE_FORMAT, "written_at": datetime.now(timezone.utc).isoformat(), "tables": tables}
    fresh = folder / f".{MANIFEST}.writing"
    fresh.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    fresh.replace(folder / MANIFEST)


def _manifest(folder: Path) -> dict[str, dict]:
    """The tables the lake at `folder` holds, as Spark writes them ({} for a new lake); a table
    another writer laid out otherwise (an empty one `publish` wrote as one file) is written anew."""
    if not folder.exists() or not any(folder.iterdir()):
        return {}
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise LakeError(f"{folder} exists and is not a lake (no readable {MANIFEST}): not writing into it") from None
    if manifest.get("format") != LAKE_FORMAT:
        raise LakeError(f"{folder} is a lake of format {manifest.get('format')!r}; this version writes format {LAKE_FORMAT}")
    return {table: layout for table, layout in manifest["tables"].items()
            if layout.get("partitioned_by") == (PARTITION if dated_column(table) else None)}


def _next_ingest_id(spark: SparkSession, folder: Path, stored: dict) -> int:
    if "ingests" not in stored:
        return 1
    return (spark.read.parquet(str(folder / "ingests")).agg(F.max("ingest_id")).first()[0] or 0) + 1


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One run at a time per lake: a second one would add the same new articles again."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    lock = folder.with_name(f".{folder.name}.ingest-lock")
    try:
        descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        raise LakeError(f"another ingest into the lake {folder} is under way ({lock} exists; "
                        "if no run is, delete that file)") from None
    with os.fdopen(descriptor, "w") as handle:
        handle.write(f"{os.getpid()}\n")
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)
