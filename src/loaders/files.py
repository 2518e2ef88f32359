"""Reading files, folders and zip archives of articles and negotiation records.

`load_paths` is the one entry point: it never raises for bad input. Each problem
becomes a `Rejection` naming the file (and row, where there is one) and the reason,
and the good input of every other file and row is still returned.
"""

from __future__ import annotations

import codecs
import json
import multiprocessing
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO, StringIO
from pathlib import Path, PurePosixPath
from typing import Literal

import pandas as pd

from loaders.articles import (
    ARTICLE_SYNONYMS,
    ParsedFile,
    UserDate,
    article_with_tables,
    parse_feed,
    parse_html,
    parse_markdown,
    parse_plain_text,
)
from loaders.columns import map_columns, missing_fields
from loaders.dates import parse_partial_date
from loaders.records import HEADER_SYNONYMS, records_from_frame
from loaders.schema import LoadResult, Rejection

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
TABLE_SUFFIXES = {".csv", ".json", ".jsonl", ".ndjson", ".xlsx"}
ARCHIVE_SUFFIXES = {".zip"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES | TABLE_SUFFIXES | ARCHIVE_SUFFIXES
_JSON_LIST_KEYS = ("articles", "records", "rounds", "items", "entries", "data")

Kind = Literal["auto", "articles", "records"]


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
    user_date = _user_date(options)
    parsed, files_read = ParsedFile(), 0
    files = list(iter_files(paths))
    jobs = [(path, options, user_date) for _, path in files if path is not None]
    results = iter(pool.map(_load_job, jobs) if pool else map(_load_job, jobs))
    for name, path in files:
        if path is None:
            parsed.rejections.append(Rejection(name, None, "no such file or folder"))
        else:
            parsed.extend(next(results))
            files_read += 1
        if on_file:
            on_file(name)
    return LoadResult.from_rows(parsed.articles, parsed.records, parsed.rejections, files_read)


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
            articles += _estimated_articles(taken[-1][1])
        yield load_paths([name for name, _ in taken], options, on_file, pool)


def _estimated_articles(path: Path | None) -> int:
    # About one article per 2 kB of JSON lines or CSV; one per file otherwise. Only sizes the batches.
    if path is None or path.suffix.lower() not in TABLE_SUFFIXES | ARCHIVE_SUFFIXES:
        return 1
    return max(1, path.stat().st_size // 2048)


def _load_job(job: tuple[Path, LoadOptions, UserDate | None]) -> ParsedFile:
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
    user_date = _user_date(options)
    parsed, files_read = ParsedFile(), 0
    for name, data in files:
        parsed.extend(load_bytes(PurePosixPath(name.replace("\\", "/")).name or "upload", data, options, user_date))
        files_read += 1
    return LoadResult.from_rows(parsed.articles, parsed.records, parsed.rejections, files_read)


def _user_date(options: LoadOptions) -> UserDate | None:
    return UserDate(*parse_partial_date(options.published_at)) if options.published_at else None


def iter_files(paths: Iterable[str | Path]) -> Iterator[tuple[str, Path | None]]:
    """(name, path) for each file, folders walked in sorted order, hidden files skipped."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if child.is_file() and not any(part.startswith(".") for part in relative.parts):
                    yield str(child), child
        elif path.is_file():
            yield str(path), path
        else:
            yield str(path), None


def load_file(path: Path, options: LoadOptions, user_date: UserDate | None = None) -> ParsedFile:
    size = path.stat().st_size
    if size > options.max_file_bytes:
        return ParsedFile(rejections=[Rejection(str(path), None, _too_big(size, options.max_file_bytes))])
    return load_bytes(str(path), path.read_bytes(), options, user_date)


def load_bytes(
    name: str, data: bytes, options: LoadOptions, user_date: UserDate | None = None, in_archive: bool = False
) -> ParsedFile:
    """Parse one file's bytes by its suffix; every problem becomes a rejection."""
    try:
        return _dispatch(name, data, options, user_date, in_archive)
    except InputError as error:
        return ParsedFile(rejections=[Rejection(name, error.row, str(error))])


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
    text = decode(data, options.encoding)
    if suffix in TEXT_SUFFIXES | MARKDOWN_SUFFIXES | {".csv", ".jsonl", ".ndjson"}:
        check_line_lengths(text, options.max_line_chars)
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
            return data.decode(encoding)
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as error:
            raise InputError(f"cannot be decoded as {encoding}: {error.reason} at byte {error.start}") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if b"\x00" in data[:8192]:
        raise InputError("binary data (contains NUL bytes), not a text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} on line {line}); "
            "save the file as UTF-8 or name its encoding (e.g. --encoding cp1252)",
            row=line,
        ) from None


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


def parse_csv(name: str, text: str, options: LoadOptions, user_date: UserDate | None) -> ParsedFile:
    try:
        frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise InputError("no header row") from None
    except (pd.errors.ParserError, ValueError) as error:
        raise InputError(f"not a readable CSV: {str(error).strip()}") from None
    if frame.empty:
        raise InputError("CSV has a header but no rows")
    return parse_rows(name, frame, list(range(2, len(frame) + 2)), options, user_date)


def parse_json(name: str, text: str, options: LoadOptions, user_date: UserDate | None, lines: bool) -> ParsedFile:
    """A JSON array (or an object holding one, or a single object), or JSON Lines."""
    items: list[tuple[int, object]] = []
    rejections: list[Rejection] = []
    if lines:
        for number, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                try:
                    items.append((number, json.loads(line)))
                except json.JSONDecodeError as error:
                    rejections.append(Rejection(name, number, f"invalid JSON: {error.msg} at column {error.colno}"))
    else:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(f"invalid JSON: {error.msg} at line {error.lineno}, column {error.colno}", row=error.lineno) from None
        items = list(enumerate(_json_items(document), start=1))
    objects = []
    for number, item in items:
        if isinstance(item, dict):
            objects.append((number, item))
        else:
            rejections.append(Rejection(name, number, f"expected a JSON object, got {type(item).__name__}"))
    if not objects:
        if rejections:
            return ParsedFile(rejections=rejections)
        raise InputError("no JSON objects to read")
    result = parse_rows(name, pd.DataFrame([o for _, o in objects]), [n for n, _ in objects], options, user_date)
    result.rejections = rejections + result.rejections
    return result


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
    try:
        sheets = pd.read_excel(BytesIO(data), sheet_name=None, dtype=object)
    except Exception as error:  # openpyxl raises many types for a damaged workbook
        raise InputError(f"not a readable XLSX workbook ({type(error).__name__})") from None
    result = ParsedFile()
    for sheet, frame in sheets.items():
        frame = frame.dropna(how="all")
        if not frame.empty:
            numbers = [int(i) + 2 for i in frame.index]  # header is spreadsheet row 1
            result.extend(parse_rows(f"{name}#{sheet}", frame.reset_index(drop=True), numbers, options, user_date))
    if not (result.articles or result.records or result.rejections):
        raise InputError("workbook has no rows")
    return result


def load_zip(name: str, data: bytes, options: LoadOptions, user_date: UserDate | None) -> ParsedFile:
    """Every supported file in a zip archive, refusing zip bombs and unsafe paths. Nothing is extracted to disk."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError("not a readable zip archive") from None
    entries = [info for info in archive.infolist() if not info.is_dir()]
    if len(entries) > options.max_archive_entries:
        raise InputError(f"archive has {len(entries):,} files, over the limit of {options.max_archive_entries:,}")
    expanded = sum(info.file_size for info in entries)
    if expanded > options.max_archive_bytes:
        raise InputError(f"archive would expand to {expanded:,} bytes, over the limit of {options.max_archive_bytes:,}; refused as a possible zip bomb")
    result = ParsedFile()
    for info in entries:
        inner = f"{name}!{info.filename}"
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        if info.filename.startswith(("/", "\\")) or ".." in parts or ":" in info.filename:
            result.rejections.append(Rejection(inner, None, "unsafe path in archive (absolute or with '..'); not read"))
            continue
        if any(part.startswith((".", "__MACOSX")) for part in parts):
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > options.max_compression_ratio and info.file_size > 2**20:
            result.rejections.append(Rejection(inner, None, f"compression ratio {ratio:,.0f}:1 is implausible for text; refused as a possible zip bomb"))
            continue
        try:
            with archive.open(info) as handle:
                content = handle.read(options.max_file_bytes + 1)  # the header's size may lie
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError) as error:
            result.rejections.append(Rejection(inner, None, f"cannot be read from the archive: {error}"))
            continue
        result.extend(load_bytes(inner, content, options, user_date, in_archive=True))
    return result
