"""Reading files, folders and zip archives of articles and negotiation records.

`load_paths` is the one entry point: it never raises for bad input. Each problem
becomes a `Rejection` naming the file (and row, where there is one) and the reason,
and the good input of every other file and row is still returned.
"""

from __future__ import annotations

import codecs
import json
import math
import multiprocessing
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO, StringIO
from pathlib import Path, PurePosixPath
from typing import Literal

import pandas as pd

from ceasefire.loaders.articles import (
    ARTICLE_SYNONYMS,
    ParsedFile,
    UserDate,
    article_with_tables,
    parse_feed,
    parse_html,
    parse_markdown,
    parse_plain_text,
)
from ceasefire.loaders.columns import map_columns, missing_fields
from ceasefire.loaders.datasets import (
    FORMAT_NAMES,
    DatasetRows,
    first_line,
    looks_like_gdelt,
    parse_dataset,
    parse_gdelt_text,
    recognise,
)
from ceasefire.loaders.dates import parse_partial_date
from ceasefire.loaders.records import HEADER_SYNONYMS, records_from_frame
from ceasefire.loaders.schema import LoadResult, Rejection

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
TABLE_SUFFIXES = {".csv", ".json", ".jsonl", ".ndjson", ".xlsx"}
ARCHIVE_SUFFIXES = {".zip"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES | TABLE_SUFFIXES | ARCHIVE_SUFFIXES
_JSON_LIST_KEYS = ("articles", "records", "rounds", "items", "entries", "data")
LINE_IS_ROW_SUFFIXES = {".jsonl", ".ndjson"}  # elsewhere a line is no row: the reason names it
# Entries this small may compress well (a short repetitive file) without being a bomb.
SMALL_ENTRY_BYTES = 64 * 2**10
_LONGEST_JSON_INTEGER = 100  # digits; longer is no data, and Python refuses over 4,300

Kind = Literal["auto", "articles", "records"]
AUTO_FORMAT = "auto"


@dataclass(frozen=True)
class LoadOptions:
    """How to read input. Limits guard the app against hostile or accidental huge files."""

    kind: Kind = "auto"  # for CSV/JSON/XLSX: articles, records of rounds, or guess from the columns
    columns: Mapping[str, str] = field(default_factory=dict)  # {field: input column} when names differ
    published_at: str | None = None  # a publication date set by the user for every article
    encoding: str | None = None  # when text files are not UTF-8
    max_file_bytes: int = 50 * 2**20
    max_line_chars: int = 1_000_000
    max_archive_bytes: int = 500 * 2**20
    max_archive_entries: int = 10_000
    max_compression_ratio: int = 100
    max_workbook_bytes: int = 100 * 2**20  # an XLSX workbook's parts, uncompressed
    max_rows_per_file: int = 200_000
    max_rejections_per_file: int = 100  # more are summed up in one rejection
    # A dataset importer for CSV/JSON/XLSX tables and GDELT event files (loaders/datasets.py:
    # acled, ucdp-ged, pax, gdelt-events), or "auto": recognised by its columns when `kind` is auto.
    format: str = AUTO_FORMAT

    def __post_init__(self) -> None:
        if self.format not in (AUTO_FORMAT, *FORMAT_NAMES):
            raise ValueError(f"unknown format {self.format!r}; formats are: {', '.join((AUTO_FORMAT, *FORMAT_NAMES))}")


class InputError(ValueError):
    """A problem with a whole file (or one row of it, when `row` is set)."""

    def __init__(self, reason: str, row: int | None = None):
        super().__init__(reason)
        self.row = row


def load_paths(
    paths: Iterable[str | Path], options: LoadOptions = LoadOptions(), on_file: Callable[[str], None] | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> LoadResult:
    """Load every file under `paths` (files, folders, zip archives). `on_file` is called after each file.

    With a process `pool`, files are parsed in its workers; the result is the same, in the same order.
    """
    return _load_found(list(iter_files(paths)), options, on_file, pool)


def _load_found(
    files: list[FoundFile], options: LoadOptions, on_file: Callable[[str], None] | None,
    pool: ProcessPoolExecutor | None,
) -> LoadResult:
    user_date = user_date_of(options)
    parsed, files_read = ParsedFile(), 0
    jobs = [(found.path, options, user_date, found.name) for found in files if found.path is not None]
    results = iter(pool.map(_load_job, jobs) if pool else map(_load_job, jobs))
    for found in files:
        if found.path is None:
            parsed.rejections.append(Rejection(found.name, None, found.problem or "not read"))
        else:
            parsed.extend(next(results))
            files_read += 1
        if on_file:
            on_file(found.name)
    return LoadResult.from_rows(parsed.articles, parsed.records, parsed.rejections, files_read, parsed.events)


def load_batches(
    paths: Iterable[str | Path], options: LoadOptions = LoadOptions(), on_file: Callable[[str], None] | None = None,
    pool: ProcessPoolExecutor | None = None, batch_articles: int = 20_000,
) -> Iterator[LoadResult]:
    """`load_paths` in pieces of whole files holding about `batch_articles` articles each, so a
    large corpus never sits in memory at once. Together the pieces hold what `load_paths` returns."""
    files = list(iter_files(paths))
    while files:
        taken, articles = [], 0
        while files and articles < batch_articles:
            taken.append(files.pop(0))
            articles += _estimated_articles(taken[-1].path)
        yield _load_found(taken, options, on_file, pool)


def _estimated_articles(path: Path | None) -> int:
    # About one article per 2 kB of JSON lines or CSV; one per file otherwise. Only sizes the batches.
    if path is None or path.suffix.lower() not in TABLE_SUFFIXES | ARCHIVE_SUFFIXES:
        return 1
    try:
        return max(1, path.stat().st_size // 2048)
    except OSError:  # gone or unreadable: load_file says so
        return 1


def _load_job(job: tuple[Path, LoadOptions, UserDate | None, str]) -> ParsedFile:
    return load_file(*job)


@contextmanager
def process_pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of `workers` processes, or None to work in this process when `workers` is 1."""
    if workers <= 1:
        yield None
        return
    # forkserver: workers must not inherit this process's open DuckDB connection or threads.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
        yield pool


def load_uploads(files: Iterable[tuple[str, bytes]], options: LoadOptions = LoadOptions()) -> LoadResult:
    """Load uploaded files given as (file name, content); only the base name is used, as a label."""
    user_date = user_date_of(options)
    parsed, files_read = ParsedFile(), 0
    for name, data in files:
        label = safe_name(PurePosixPath(name.replace("\\", "/")).name) or "upload"
        parsed.extend(load_bytes(label, data, options, user_date))
        files_read += 1
    return LoadResult.from_rows(parsed.articles, parsed.records, parsed.rejections, files_read, parsed.events)


def user_date_of(options: LoadOptions) -> UserDate | None:
    """The publication date the user set for every article (--published), if any."""
    return UserDate(*parse_partial_date(options.published_at)) if options.published_at else None


def safe_name(name: str) -> str:
    """A file name as printable text: bytes that are not UTF-8 (which os.fsdecode turns into
    lone surrogates, refused by DuckDB and by any UTF-8 encoder) become \\xNN escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class FoundFile:
    """A file to read at `path`, or (`path` None) an input that is not read and why."""

    name: str  # safe_name of the path: what reports, rejections and stored rows call the file
    path: Path | None
    problem: str | None = None


def iter_files(paths: Iterable[str | Path]) -> Iterator[FoundFile]:
    """Every file under `paths`, folders walked in sorted order, hidden files skipped.

    Symbolic links are never followed, also when named directly: a link in a shared folder
    could point anywhere on the server (/etc/passwd). Each becomes a rejection."""
    for raw in paths:
        yield from _walk(Path(raw))


def _walk(path: Path) -> Iterator[FoundFile]:
    name = safe_name(str(path))
    if path.is_symlink():
        yield FoundFile(name, None, "symbolic link, not followed")
    elif path.is_dir():
        try:
            children = sorted(path.iterdir())
        except OSError as error:
            yield FoundFile(name, None, f"folder cannot be read: {error.strerror or type(error).__name__}")
            return
        for child in children:
            if not child.name.startswith("."):
                yield from _walk(child)
    elif path.is_file():
        yield FoundFile(name, path)
    elif path.exists():
        yield FoundFile(name, None, "not a regular file (a device, pipe or socket); not read")
    else:
        yield FoundFile(name, None, "no such file or folder")


def load_file(path: Path, options: LoadOptions, user_date: UserDate | None = None, name: str | None = None) -> ParsedFile:
    name = name or safe_name(str(path))
    try:
        data = _read_file(path, options.max_file_bytes)
    except InputError as error:
        return ParsedFile(rejections=[Rejection(name, None, str(error))])
    except OSError as error:  # permissions, a link swapped in since the walk (O_NOFOLLOW), a vanished file
        return ParsedFile(rejections=[Rejection(name, None, f"cannot be read: {error.strerror or type(error).__name__}")])
    return load_bytes(name, data, options, user_date)


def _read_file(path: Path, limit: int) -> bytes:
    """The file's bytes, not following a link, and never more than `limit` + 1 of them."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise InputError(_too_big(size, limit))
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew since fstat
        raise InputError(_too_big(len(data), limit))
    return data


def load_bytes(
    name: str, data: bytes, options: LoadOptions, user_date: UserDate | None = None, in_archive: bool = False
) -> ParsedFile:
    """Parse one file's bytes by its suffix; every problem, whatever raised it, becomes a rejection."""
    try:
        parsed = _dispatch(name, data, options, user_date, in_archive)
    except InputError as error:
        return ParsedFile(rejections=[Rejection(name, error.row, str(error))])
    except RecursionError:
        return ParsedFile(rejections=[Rejection(name, None, "nested too deeply to read")])
    except MemoryError:
        return ParsedFile(rejections=[Rejection(name, None, "too large to read in memory")])
    except Exception as error:  # a parser's own failure on hostile input must not stop the other files
        return ParsedFile(rejections=[Rejection(name, None, f"cannot be read ({type(error).__name__}: {str(error)[:200]})")])
    if PurePosixPath(name).suffix.lower() not in ARCHIVE_SUFFIXES:  # an archive's entries were capped one by one
        parsed.rejections = cap_rejections(parsed.rejections, name, options.max_rejections_per_file)
    return parsed


def cap_rejections(rejections: list[Rejection], name: str, limit: int) -> list[Rejection]:
    """The first `limit` rejections of one file, and one that counts the rest."""
    if len(rejections) <= limit:
        return rejections
    rest = len(rejections) - limit
    return rejections[:limit] + [Rejection(name, None, f"… and {rest:,} more rows rejected (only the first {limit:,} are listed)")]


def _dispatch(name: str, data: bytes, options: LoadOptions, user_date: UserDate | None, in_archive: bool) -> ParsedFile:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(f"unsupported file type {suffix or '(no extension)'!r}; supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}")
    if len(data) > options.max_file_bytes:
        raise InputError(_too_big(len(data), options.max_file_bytes))
    if not data.strip():
        raise InputError("file is empty")
    if suffix in ARCHIVE_SUFFIXES:
        if in_archive:
            raise InputError("archives inside archives are not read; unpack the inner archive first")
        return load_zip(name, data, options, user_date)
    if suffix == ".xlsx":
        return parse_xlsx(name, data, options, user_date)
    if suffix in FEED_SUFFIXES:
        return parse_feed(data, name, user_date)
    try:
        text = decode(data, options.encoding)
        check_line_lengths(text, options.max_line_chars)
    except InputError as error:
        raise InputError(str(error), error.row if suffix in LINE_IS_ROW_SUFFIXES else None) from None
    if suffix in TEXT_SUFFIXES:
        return parse_plain_text(text, name, user_date)
    if suffix in MARKDOWN_SUFFIXES:
        return parse_markdown(text, name, user_date)
    if suffix in HTML_SUFFIXES:
        return parse_html(text, name, user_date)
    if suffix == ".csv":
        return parse_csv(name, text, options, user_date)
    return parse_json(name, text, options, user_date, lines=suffix != ".json")


def _too_big(size: int, limit: int) -> str:
    return f"file is {size:,} bytes, over the limit of {limit:,} bytes"


def decode(data: bytes, encoding: str | None = None) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; any other encoding only when named."""
    if encoding:
        try:
            return _without_nul(data.decode(encoding))
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as error:
            raise InputError(f"cannot be decoded as {encoding}: {error.reason} at byte {error.start}") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _without_nul(data.decode("utf-16"))
    if b"\x00" in data[:8192]:
        raise InputError("binary data (contains NUL bytes), not a text file")
    try:
        return _without_nul(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} on line {line}); "
            "save the file as UTF-8 or name its encoding (e.g. --encoding cp1252)",
            row=line,
        ) from None


def _without_nul(text: str) -> str:
    """The text, or InputError naming the line of a NUL character (the first 8 KiB were checked as bytes)."""
    at = text.find("\x00")
    if at >= 0:
        line = text.count("\n", 0, at) + 1
        raise InputError(f"contains a NUL character on line {line}: binary data, not a text file", row=line)
    return text


def check_line_lengths(text: str, limit: int) -> None:
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > limit:
            raise InputError(f"line {number} is {len(line):,} characters long (limit {limit:,})", row=number)


def _split_overrides(options: LoadOptions) -> tuple[dict[str, str], dict[str, str]]:
    article = {f: c for f, c in options.columns.items() if f in ARTICLE_SYNONYMS}
    record = {f: c for f, c in options.columns.items() if f in HEADER_SYNONYMS}
    unknown = set(options.columns) - set(article) - set(record)
    if unknown:
        raise InputError(
            f"unknown field(s) in column mapping: {', '.join(sorted(unknown))}; "
            f"article fields: {', '.join(ARTICLE_SYNONYMS)}; record fields: {', '.join(HEADER_SYNONYMS)}"
        )
    return article, record


def parse_rows(
    name: str, frame: pd.DataFrame, row_numbers: list[int], options: LoadOptions, user_date: UserDate | None
) -> ParsedFile:
    """Rows of a CSV, JSON or XLSX table as articles or as rounds, by option or by their columns."""
    check_row_count(len(frame), options.max_rows_per_file)
    if dataset := _dataset_format(frame.columns, options):
        return _from_dataset(parse_dataset(dataset, frame, name, row_numbers))
    article_overrides, record_overrides = _split_overrides(options)
    article_map = map_columns(frame.columns, ARTICLE_SYNONYMS, article_overrides)
    kind = options.kind
    if kind == "auto":
        kind = "articles" if "text" in article_map.values() and not record_overrides else "records"
    if kind == "records":
        records, rejections = records_from_frame(frame, name, record_overrides, row_numbers)
        return ParsedFile(records=records, rejections=rejections)
    if reason := missing_fields(article_map, ("text",), ARTICLE_SYNONYMS, frame.columns):
        raise InputError(reason)
    result = ParsedFile()
    for number, raw in zip(row_numbers, frame.to_dict("records")):
        fields = {f: raw.get(column) for column, f in article_map.items()}
        result.extend(article_with_tables(fields, name, "metadata", user_date, row=number))
    return result


def _dataset_format(columns: Iterable[object], options: LoadOptions) -> str | None:
    """The dataset importer for a table: the one forced, else the one its columns name when
    nothing else was asked for (`--records` or `--map` keep a table a table of rounds or articles)."""
    if options.format != AUTO_FORMAT:
        return options.format
    return recognise(columns) if options.kind == "auto" and not options.columns else None


def _from_dataset(rows: DatasetRows) -> ParsedFile:
    return ParsedFile(articles=rows.articles, records=rows.records, rejections=rows.rejections, events=rows.events)


def check_row_count(rows: int, limit: int) -> None:
    if rows > limit:
        raise InputError(f"more than {limit:,} rows (the limit per file); split the file")


def parse_csv(name: str, text: str, options: LoadOptions, user_date: UserDate | None) -> ParsedFile:
    # GDELT's event files are .CSV but tab-separated without a header: known by their first line.
    if options.format == "gdelt-events" or (options.format == AUTO_FORMAT and options.kind == "auto" and looks_like_gdelt(text)):
        if options.format == AUTO_FORMAT or "\t" in first_line(text):
            check_row_count(text.count("\n") + (not text.endswith("\n")), options.max_rows_per_file)
            return _from_dataset(parse_gdelt_text(text, name))
    try:
        frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise InputError("no header row") from None
    except (pd.errors.ParserError, ValueError) as error:
        raise InputError(f"not a readable CSV: {str(error).strip()}") from None
    if frame.empty:
        raise InputError("CSV has a header but no rows")
    if not isinstance(frame.index, pd.RangeIndex):  # pandas took a row's extra leading fields for an index
        fields = frame.index.nlevels + len(frame.columns)
        raise InputError(f"row 2 has {fields} fields but the header names {len(frame.columns)}; "
                         "quote fields that contain commas", row=2)
    return parse_rows(name, frame, list(range(2, len(frame) + 2)), options, user_date)


def parse_json(name: str, text: str, options: LoadOptions, user_date: UserDate | None, lines: bool) -> ParsedFile:
    """A JSON array (or an object holding one, or a single object), or JSON Lines."""
    items: list[tuple[int, object]] = []
    rejections: list[Rejection] = []
    if lines:
        numbered = [(number, line) for number, line in enumerate(text.split("\n"), start=1) if line.strip()]
        check_row_count(len(numbered), options.max_rows_per_file)
        for number, line in numbered:
            try:
                items.append((number, _json_loads(line)))
            except json.JSONDecodeError as error:
                rejections.append(Rejection(name, number, f"invalid JSON: {error.msg} at column {error.colno}"))
            except (InputError, RecursionError) as error:
                rejections.append(Rejection(name, number, f"invalid JSON: {_json_problem(error)}"))
    else:
        try:
            document = _json_loads(text)
        except json.JSONDecodeError as error:
            raise InputError(f"invalid JSON: {error.msg} at line {error.lineno}, column {error.colno}", row=error.lineno) from None
        except (InputError, RecursionError) as error:
            raise InputError(f"invalid JSON: {_json_problem(error)}") from None
        items = list(enumerate(_json_items(document), start=1))
    objects = []
    for number, item in items:
        if not isinstance(item, dict):
            rejections.append(Rejection(name, number, f"expected a JSON object, got {type(item).__name__}"))
        elif key := _non_finite_key(item):
            rejections.append(Rejection(name, number, f"field {key[:60]!r} is NaN or Infinity, which JSON does not allow"))
        else:
            objects.append((number, item))
    if not objects:
        if rejections:
            return ParsedFile(rejections=rejections)
        raise InputError("no JSON objects to read")
    result = parse_rows(name, pd.DataFrame([o for _, o in objects]), [n for n, _ in objects], options, user_date)
    result.rejections = rejections + result.rejections
    return result


def _json_loads(text: str) -> object:
    return json.loads(text, parse_int=_json_int)


def _json_int(digits: str) -> int:
    # Python refuses integers over 4,300 digits with a ValueError naming none of the file.
    if len(digits.lstrip("-")) > _LONGEST_JSON_INTEGER:
        raise InputError(f"a number with {len(digits.lstrip('-')):,} digits")
    return int(digits)


def _json_problem(error: Exception) -> str:
    return "nested too deeply" if isinstance(error, RecursionError) else str(error)


def _non_finite_key(item: dict) -> str | None:
    """The first field holding NaN or ±Infinity (Python's json reads them; JSON has no such values)."""
    for key, value in item.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, float) and not math.isfinite(v) for v in values):
            return str(key)
    return None


def _json_items(document: object) -> list:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in _JSON_LIST_KEYS:
            if isinstance(document.get(key), list):
                return document[key]
        return [document]
    raise InputError(f"expected a JSON array or object, got {type(document).__name__}")


def parse_xlsx(name: str, data: bytes, options: LoadOptions, user_date: UserDate | None) -> ParsedFile:
    """Every sheet of a workbook, read row by row (openpyxl's read-only mode) up to the row limit."""
    _check_workbook_parts(data, options)
    sheets: dict[str, pd.DataFrame] = {}
    rows_left = options.max_rows_per_file
    try:
        with pd.ExcelFile(BytesIO(data), engine="openpyxl") as workbook:
            for sheet in workbook.sheet_names:
                sheets[sheet] = pd.read_excel(workbook, sheet_name=sheet, dtype=object, nrows=rows_left + 1)
                rows_left -= len(sheets[sheet])
                check_row_count(options.max_rows_per_file - rows_left, options.max_rows_per_file)
    except InputError:
        raise
    except Exception as error:  # openpyxl raises many types for a damaged workbook
        raise InputError(f"not a readable XLSX workbook ({type(error).__name__})") from None
    result = ParsedFile()
    for sheet, frame in sheets.items():
        frame = frame.dropna(how="all")
        if not frame.empty:
            numbers = [int(i) + 2 for i in frame.index]  # header is spreadsheet row 1
            result.extend(parse_rows(f"{name}#{sheet}", frame.reset_index(drop=True), numbers, options, user_date))
    if not (result.articles or result.records or result.events or result.rejections):
        raise InputError("workbook has no rows")
    return result


def _check_workbook_parts(data: bytes, options: LoadOptions) -> None:
    """An XLSX file is a zip: refuse one that would expand past the limit before openpyxl expands it."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError("not a readable XLSX workbook (not a zip archive)") from None
    with archive:
        parts = archive.infolist()
        check_expansion(parts, options.max_workbook_bytes, options, "workbook")
        for info in parts:
            if reason := implausible_ratio(info, options):
                raise InputError(f"workbook part {info.filename[:100]!r}: {reason}")


def check_expansion(entries: list[zipfile.ZipInfo], limit: int, options: LoadOptions, what: str) -> None:
    """Refuse an archive (or workbook) by its declared number of entries and uncompressed size."""
    if len(entries) > options.max_archive_entries:
        raise InputError(f"{what} has {len(entries):,} files, over the limit of {options.max_archive_entries:,}")
    expanded = sum(info.file_size for info in entries)
    if expanded > limit:
        raise InputError(f"{what} would expand to {expanded:,} bytes, over the limit of {limit:,}; refused as a possible zip bomb")


def implausible_ratio(info: zipfile.ZipInfo, options: LoadOptions) -> str | None:
    """Why an entry's compression ratio says zip bomb, or None. Small entries may compress well."""
    ratio = info.file_size / max(info.compress_size, 1)
    if ratio > options.max_compression_ratio and info.file_size > SMALL_ENTRY_BYTES:
        return f"compression ratio {ratio:,.0f}:1 is implausible for text; refused as a possible zip bomb"
    return None


def load_zip(name: str, data: bytes, options: LoadOptions, user_date: UserDate | None) -> ParsedFile:
    """Every supported file in a zip archive, refusing zip bombs and unsafe paths. Nothing is extracted to disk."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError("not a readable zip archive") from None
    entries = [info for info in archive.infolist() if not info.is_dir()]
    # zipfile never yields more than an entry's declared size (a lying header fails its CRC check),
    # so the declared total bounds what is decompressed.
    check_expansion(entries, options.max_archive_bytes, options, "archive")
    result = ParsedFile()
    for info in entries:
        inner = f"{name}!{safe_name(info.filename)}"
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        if info.filename.startswith(("/", "\\")) or ".." in parts or ":" in info.filename:
            result.rejections.append(Rejection(inner, None, "unsafe path in archive (absolute or with '..'); not read"))
            continue
        if any(part.startswith((".", "__MACOSX")) for part in parts):
            continue
        if reason := implausible_ratio(info, options):
            result.rejections.append(Rejection(inner, None, reason))
            continue
        try:
            with archive.open(info) as handle:
                content = handle.read(options.max_file_bytes + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as error:
            result.rejections.append(Rejection(inner, None, f"cannot be read from the archive: {error}"))
            continue
        result.extend(load_bytes(inner, content, options, user_date, in_archive=True))
    return result
