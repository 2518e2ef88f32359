"""Importers for published conflict datasets: ACLED, UCDP GED, PA-X, the UCDP Peace Agreement
Dataset, GDELT 2.0 events and GDELT DOC article lists.

Each dataset is one `DatasetSpec` in `DATASETS`: the columns that recognise its files and the
function that turns its table into events or negotiation records. A file is recognised by its
columns (`recognise`), or its format is forced (`LoadOptions.format`). Ids come from the
dataset's own ids ('acled:SDN12345', 'pax:1234', 'ucdp-pa:301'), so importing a file again adds nothing.
Every bad row is a Rejection naming the file, the row and why; the good rows are kept.

Layouts, mappings and their sources: docs/datasets.md.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import yaml
from pydantic import ValidationError

from ceasefire.config import ISSUES_YAML
from ceasefire.loaders.articles import build_article
from ceasefire.loaders.columns import normalise_header
from ceasefire.loaders.dates import check_plausible, truncate
from ceasefire.loaders.gazetteer import country_codes, country_named
from ceasefire.loaders.records import build_record
from ceasefire.loaders.schema import (
    Event,
    EventType,
    Precision,
    Rejection,
    clean_text,
    describe_validation_error,
)


@dataclass
class DatasetRows:
    """What one dataset file gave: event rows, negotiation record rows, article rows, and rejections."""

    events: list[dict] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    articles: list[dict] = field(default_factory=list)


# A parser takes the table (every cell text), the file's name and each row's number in the file.
Parser = Callable[[pd.DataFrame, str, Sequence[int]], DatasetRows]


@dataclass(frozen=True)
class DatasetSpec:
    name: str  # what --format and the Data page call it
    title: str
    columns: frozenset[str]  # normalised names that together recognise the dataset's files
    parse: Parser


class RowProblem(ValueError):
    """Why one row cannot be imported."""


# ---------------------------------------------------------------- cells

def _cell(raw: Mapping[str, object], column: str) -> str | None:
    return clean_text(raw.get(column))


def _required(raw: Mapping[str, object], column: str) -> str:
    value = _cell(raw, column)
    if value is None:
        raise RowProblem(f"{column} is empty")
    return value


def _number(raw: Mapping[str, object], column: str) -> float | None:
    value = _cell(raw, column)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise RowProblem(f"{column} {value[:40]!r} is not a number") from None


def _count(raw: Mapping[str, object], column: str) -> int | None:
    """A whole number of at least 0 ('3', '3.0'), or None for an empty cell."""
    value = _cell(raw, column)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not (number.is_integer() and number >= 0):
        raise RowProblem(f"{column} {value[:40]!r} is not a whole number of at least 0")
    return int(number)


def _date(text: str, formats: Iterable[str], column: str) -> datetime:
    """The date in one of the dataset's own `formats` (strptime), checked as plausible. Only the
    dataset's formats: a general parser would read ACLED's '05-03-2024' as 3 May."""
    for form in formats:
        try:
            return check_plausible(datetime.strptime(text.strip(), form))
        except ValueError as error:
            if "plausible" in str(error):
                raise RowProblem(f"{column}: {error}") from None
    raise RowProblem(f"{column} {text[:40]!r} is not a date this dataset writes")


def _split_names(value: str | None, separators: str = r";|\n") -> list[str]:
    return [part.strip() for part in re.split(separators, value or "") if part.strip()]


def _rows(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows keyed by normalised column name ('Actor1' and 'actor1' alike)."""
    renamed = frame.rename(columns=lambda c: normalise_header(c).replace(" ", "_"))
    return renamed.to_dict("records")


def _event(fields: dict, origin_file: str, origin_row: int) -> dict:
    try:
        return Event(**fields, origin_file=origin_file, origin_row=origin_row).to_row()
    except ValidationError as error:
        raise RowProblem(describe_validation_error(error)) from None


def _each_row(frame: pd.DataFrame, origin_file: str, row_numbers: Sequence[int],
              parse_row: Callable[[dict, str, int], dict]) -> tuple[list[dict], list[Rejection]]:
    rows, rejections = [], []
    for number, raw in zip(row_numbers, _rows(frame)):
        try:
            rows.append(parse_row(raw, origin_file, number))
        except (RowProblem, ValueError) as error:
            rejections.append(Rejection(origin_file, number, str(error)))
    return rows, rejections


# ---------------------------------------------------------------- ACLED

# ACLED writes time_precision 1 when the day is known, 2 for a week, 3 for a month (ACLED codebook).
ACLED_PRECISION: dict[str, Precision] = {"1": "day", "2": "week", "3": "month"}
# Current exports write 2024-03-15; older ones 15-03-2024 (day first) or 15 March 2024.
ACLED_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%d-%B-%Y", "%d-%b-%Y")
ACLED_TYPES: dict[str, EventType] = {
    "battles": "battle",
    "explosions/remote violence": "explosion or remote violence",
    "violence against civilians": "violence against civilians",
    "protests": "protest",
    "riots": "riot",
    "strategic developments": "strategic development",
}


def acled_event_type(event_type: str | None, sub_event_type: str | None) -> EventType | None:
    """ACLED's event type in the common vocabulary; its 'Agreement' sub-event is an agreement."""
    if (sub_event_type or "").casefold() == "agreement":
        return "agreement"
    return ACLED_TYPES.get((event_type or "").casefold())


def acled_event(raw: dict, origin_file: str, origin_row: int, actors: list[str] | None = None) -> dict:
    event_id = _required(raw, "event_id_cnty")
    precision_code = _cell(raw, "time_precision") or "1"
    precision = ACLED_PRECISION.get(precision_code.removesuffix(".0"))
    if precision is None:
        raise RowProblem(f"time_precision {precision_code[:20]!r} is not 1, 2 or 3")
    date = truncate(_date(_required(raw, "event_date"), ACLED_DATE_FORMATS, "event_date"), precision)
    event_type, sub_type = _cell(raw, "event_type"), _cell(raw, "sub_event_type")
    iso = _cell(raw, "iso")
    return _event({
        "dataset": "acled", "dataset_event_id": event_id, "date": date, "date_precision": precision,
        "event_type": acled_event_type(event_type, sub_type),
        "dataset_type": ": ".join(t for t in (event_type, sub_type) if t) or None,
        "actors": actors if actors is not None else acled_actors(raw),
        "location": _cell(raw, "location"),
        "country": (country_codes().iso(iso.removesuffix(".0")) if iso else None) or country_named(_cell(raw, "country")),
        "latitude": _number(raw, "latitude"), "longitude": _number(raw, "longitude"),
        "fatalities": _count(raw, "fatalities"), "source": _cell(raw, "source"), "notes": _cell(raw, "notes"),
    }, origin_file, origin_row)


def acled_actors(raw: dict) -> list[str]:
    """actor1, its associated actors, actor2 and its associated actors ('A; B' in one cell)."""
    names: list[str] = []
    for column in ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2"):
        names += [n for n in _split_names(_cell(raw, column), r";") if n not in names]
    return names


def parse_acled(frame: pd.DataFrame, origin_file: str, row_numbers: Sequence[int]) -> DatasetRows:
    """ACLED events. A monadic export repeats an event once per actor (same event_id_cnty, the
    actor in actor1): it is one event, with every actor of its rows, counted once."""
    raws = _rows(frame)
    actors_by_id: dict[str, list[str]] = {}
    for raw in raws:
        if (event_id := _cell(raw, "event_id_cnty")) is not None:
            known = actors_by_id.setdefault(event_id, [])
            known += [name for name in acled_actors(raw) if name not in known]
    result, seen = DatasetRows(), set()
    for number, raw in zip(row_numbers, raws):
        event_id = _cell(raw, "event_id_cnty")
        if event_id in seen:
            continue  # the same event again, for another actor
        try:
            result.events.append(acled_event(raw, origin_file, number, actors_by_id.get(event_id or "")))
            seen.add(event_id)
        except (RowProblem, ValueError) as error:
            result.rejections.append(Rejection(origin_file, number, str(error)))
    return result


# ---------------------------------------------------------------- UCDP GED

# UCDP GED date_prec (GED codebook): 1 the day is known; 2 a span of two to six days; 3 a week;
# 4 a month; 5 a year. A span shorter than a week counts as the week.
UCDP_PRECISION: dict[str, Precision] = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "year"}
UCDP_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y")
# type_of_violence: 1 state-based and 2 non-state conflict are fighting between organised
# armed groups (a battle); 3 one-sided violence is violence against civilians.
UCDP_VIOLENCE: dict[str, tuple[str, EventType]] = {
    "1": ("state-based conflict", "battle"),
    "2": ("non-state conflict", "battle"),
    "3": ("one-sided violence", "violence against civilians"),
}


def ucdp_event(raw: dict, origin_file: str, origin_row: int) -> dict:
    event_id = _required(raw, "id").removesuffix(".0")
    precision_code = (_cell(raw, "date_prec") or "1").removesuffix(".0")
    precision = UCDP_PRECISION.get(precision_code)
    if precision is None:
        raise RowProblem(f"date_prec {precision_code[:20]!r} is not 1 to 5")
    start = _date(_required(raw, "date_start"), UCDP_DATE_FORMATS, "date_start")
    end = _date(end_text, UCDP_DATE_FORMATS, "date_end") if (end_text := _cell(raw, "date_end")) else None
    violence = (_cell(raw, "type_of_violence") or "").removesuffix(".0")
    label, event_type = UCDP_VIOLENCE.get(violence, (None, None))
    conflict = _cell(raw, "conflict_name")
    return _event({
        "dataset": "ucdp", "dataset_event_id": event_id,
        "date": truncate(start, precision), "date_precision": precision,
        "end_date": end,
        "event_type": event_type,
        "dataset_type": ": ".join(t for t in (label or (violence or None), conflict) if t) or None,
        "actors": [n for n in (_cell(raw, "side_a"), _cell(raw, "side_b")) if n],
        "location": _cell(raw, "where_coordinates") or _cell(raw, "adm_2") or _cell(raw, "adm_1"),
        "country": country_named(_cell(raw, "country")),
        "latitude": _number(raw, "latitude"), "longitude": _number(raw, "longitude"),
        "fatalities": _count(raw, "best"),
        "source": _cell(raw, "source_office") or _cell(raw, "source_original"),
        "notes": _cell(raw, "source_headline"),
    }, origin_file, origin_row)


def parse_ucdp_ged(frame: pd.DataFrame, origin_file: str, row_numbers: Sequence[int]) -> DatasetRows:
    events, rejections = _each_row(frame, origin_file, row_numbers, ucdp_event)
    return DatasetRows(events=events, rejections=rejections)


# ---------------------------------------------------------------- PA-X

# PA-X's Stage, by its code or its label (PA-X codebook), in the project's outcome vocabulary.
# Every PA-X row is a signed agreement, so the outcome says what kind was reached:
#   Pre      pre-negotiation / process agreement: talks about talks, the process goes on -> ongoing
#   Cea      ceasefire / related: an agreement to stop fighting                          -> agreement
#   SubPar   framework / substantive, partial: some issues settled, others left          -> partial agreement
#   SubComp  framework / substantive, comprehensive                                     -> agreement
#   Imp, Ren implementation / renegotiation, renewal of an earlier agreement            -> agreement
#   Oth      other: no outcome is claimed, the stage is kept as outcome_text            -> None
PAX_STAGE_OUTCOMES: tuple[tuple[str, str | None], ...] = (
    (r"^pre\b|pre-?negotiation|process", "ongoing"),
    (r"^cea|ceasefire|cease-fire", "agreement"),
    (r"^subpar|partial", "partial agreement"),
    (r"^subcomp|comprehensive", "agreement"),
    (r"^imp|^ren|implementation|renegotiation|renewal", "agreement"),
    (r"^oth|other", None),
)
# Provision columns (0 not addressed, 1 to 3 how much), by the data/issues.yaml issue they are
# about. Confirmed names and the ones still to check against the codebook: docs/datasets.md.
PAX_ISSUE_COLUMNS: dict[str, str] = {
    "ce": "ceasefire", "ceprov": "ceasefire", "cegen": "ceasefire",
    "tjprire": "hostages",  # prisoner release
    "ssrff": "withdrawal",  # withdrawal of foreign forces
    "polps": "governance", "terps": "governance",  # political and territorial power-sharing
    "ssrddr": "governance",  # disarmament, demobilisation, reintegration
    "devsoc": "reconstruction",  # socio-economic reconstruction
    "gref": "displacement",  # refugees and displaced persons
}


@lru_cache(maxsize=2)
def _issue_labels(path: Path, mtime: float) -> dict[str, str]:
    return {entry["key"]: entry.get("label", entry["key"]) for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []}


def issue_labels() -> dict[str, str]:
    """{issue key: label} of data/issues.yaml. Records name issues by label, as the sample does."""
    return _issue_labels(ISSUES_YAML, ISSUES_YAML.stat().st_mtime)


def pax_outcome(stage: str | None) -> str | None:
    if stage is None:
        return None
    for pattern, outcome in PAX_STAGE_OUTCOMES:
        if re.search(pattern, stage, re.IGNORECASE):
            return outcome
    raise RowProblem(f"Stage {stage[:40]!r} is none of PA-X's stages (Pre, Cea, SubPar, SubComp, Imp, Ren, Oth)")


def provision_issues(raw: dict, provisions: Mapping[str, str]) -> list[str]:
    """The issues whose provision columns ({column: issue key}) the agreement addresses (a value
    above 0). Columns the file lacks are skipped; a value that is not a number rejects the row."""
    labels, found = issue_labels(), []
    for column, issue in provisions.items():
        value = _number(raw, column)
        label = labels.get(issue, issue)
        if value and value > 0 and label not in found:
            found.append(label)
    return found


def pax_record(raw: dict, origin_file: str, origin_row: int) -> dict:
    agreement_id = _required(raw, "agtid").removesuffix(".0")
    name = _cell(raw, "agt")
    stage = _cell(raw, "stage")
    outcome = pax_outcome(stage)
    # PA-X does not say where an agreement was signed: its venue is the country it is about
    # (Loc1ISO, an ISO code, else Con as written).
    country = country_codes().iso(_cell(raw, "loc1iso") or "") or country_named(_cell(raw, "con"))
    record = build_record({
        "start_date": _date(_required(raw, "dat"), ("%Y-%m-%d", "%d/%m/%Y"), "Dat"),
        "venue_country": country,
        "parties": _split_names(_cell(raw, "part")),
        "mediators": _split_names(_cell(raw, "thrdpart")),  # mediators, guarantors and witnesses
        "outcome": outcome,
        "key_issues": provision_issues(raw, PAX_ISSUE_COLUMNS),
        "proposal": name,
        "source": f"PA-X Peace Agreements Database, AgtId {agreement_id}" + (f": {name}" if name else ""),
    }, origin_file, origin_row)
    stage_text = f"PA-X stage: {stage}" if stage else None
    return record.model_copy(update={"dataset_id": f"pax:{agreement_id}", "outcome_text": stage_text}).to_row()


def parse_pax(frame: pd.DataFrame, origin_file: str, row_numbers: Sequence[int]) -> DatasetRows:
    records, rejections = _each_row(frame, origin_file, row_numbers, pax_record)
    return DatasetRows(records=records, rejections=rejections)


# ---------------------------------------------------------------- UCDP Peace Agreement Dataset

# pa_type (UCDP codebook, as Williams quotes it, docs/datasets.md): 1 full, the dyads settle the whole
# incompatibility; 2 partial, a part of it; 3 peace process, they agree to start a process that
# aims to settle it (talks about talks, as PA-X's Pre: the process goes on).
UCDP_PA_TYPES: dict[str, tuple[str, str]] = {
    "1": ("full agreement", "agreement"),
    "2": ("partial agreement", "partial agreement"),
    "3": ("peace process agreement", "ongoing"),
}
# Provision columns (1 the agreement provides for it, 0 not), by the data/issues.yaml issue they
# are about; the meanings are those of Williams' provision table (docs/datasets.md).
UCDP_PA_ISSUE_COLUMNS: dict[str, str] = {
    "cease": "ceasefire",
    "pris": "hostages",  # prisoner release
    "withd": "withdrawal",  # withdrawal of foreign forces
    "ddr": "governance", "shagov": "governance",  # disarmament; power sharing in government
    "return": "displacement",  # right of return for refugees
}
# UCDP names a state's side "Government of Sudan" (in GED and in the peace agreements alike).
GOVERNMENT_OF = re.compile(r"^Government of (?:the )?(.+)$")


def ucdp_pa_outcome(pa_type: str) -> tuple[str, str]:
    """(UCDP's name for the type, the outcome) of a pa_type code."""
    code = pa_type.removesuffix(".0")
    if code not in UCDP_PA_TYPES:
        raise RowProblem(f"pa_type {pa_type[:20]!r} is not 1 (full), 2 (partial) or 3 (peace process)")
    return UCDP_PA_TYPES[code]


def ucdp_pa_venue(actors: Sequence[str]) -> str | None:
    """UCDP does not say where an agreement was signed: the round's venue is the state whose
    government is a party (the first named, for an agreement between states), as PA-X's is the
    country the agreement is about."""
    governments = (match.group(1) for name in actors if (match := GOVERNMENT_OF.match(name)))
    return country_named(next(governments, None))


def ucdp_pa_record(raw: dict, origin_file: str, origin_row: int) -> dict:
    agreement_id = _required(raw, "paid").removesuffix(".0")
    name = _cell(raw, "pa_name")
    label, outcome = ucdp_pa_outcome(_required(raw, "pa_type"))
    # actor_name lists the parties as actor_id numbers them: "Government of Sudan, SPLM/A"
    parties = _split_names(_cell(raw, "actor_name"), r",\s+")
    record = build_record({
        "start_date": _date(_required(raw, "pa_date"), ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S"), "pa_date"),
        "venue_country": ucdp_pa_venue(parties),
        "parties": parties,
        "mediators": _split_names(_cell(raw, "pa_3rd"), r"[,;\n]"),  # third parties, whatever their role
        "outcome": outcome,
        "key_issues": provision_issues(raw, UCDP_PA_ISSUE_COLUMNS),
        "proposal": name,
        "source": f"UCDP Peace Agreement Dataset, paid {agreement_id}" + (f": {name}" if name else ""),
    }, origin_file, origin_row)
    return record.model_copy(update={"dataset_id": f"ucdp-pa:{agreement_id}", "outcome_text": f"UCDP: {label}"}).to_row()


def parse_ucdp_pa(frame: pd.DataFrame, origin_file: str, row_numbers: Sequence[int]) -> DatasetRows:
    records, rejections = _each_row(frame, origin_file, row_numbers, ucdp_pa_record)
    return DatasetRows(records=records, rejections=rejections)


# ---------------------------------------------------------------- GDELT 2.0 events

# The 61 tab-separated columns of a GDELT 2.0 event file, which has no header (GDELT event codebook).
GDELT_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *(f"Actor{n}{part}" for n in (1, 2) for part in (
        "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code",
        "Type1Code", "Type2Code", "Type3Code")),
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    *(f"{who}Geo_{part}" for who in ("Actor1", "Actor2", "Action") for part in (
        "Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")),
    "DATEADDED", "SOURCEURL",
)
# CAMEO codes in the common vocabulary: the longest matching prefix of EventCode wins. Codes that
# match none (statements, appeals, consultations, demands: roots 01-13 but 057 and 0871) have no
# common type; their CAMEO code is kept as dataset_type.
CAMEO_TYPES: dict[str, EventType] = {
    "057": "agreement",  # sign formal agreement
    "0871": "agreement",  # declare truce, ceasefire
    "14": "protest",
    "145": "riot",  # protest violently, riot
    "15": "strategic development",  # exhibit force posture
    "16": "strategic development",  # reduce relations
    "17": "strategic development",  # coerce: arrests, seizures, restrictions
    "18": "violence against civilians",  # assault: abduction, torture, killing
    "183": "explosion or remote violence",  # suicide, car or other non-military bombing
    "19": "battle",  # fight
    "194": "explosion or remote violence",  # fight with artillery and tanks
    "195": "explosion or remote violence",  # employ aerial weapons
    "196": "ceasefire violation",  # violate ceasefire
    "20": "violence against civilians",  # unconventional mass violence
}


def cameo_event_type(code: str) -> EventType | None:
    for size in range(len(code), 1, -1):
        if code[:size] in CAMEO_TYPES:
            return CAMEO_TYPES[code[:size]]
    return None


def first_line(text: str) -> str:
    """The text's first line, without copying the rest of a large file."""
    end = text.find("\n")
    return (text if end < 0 else text[:end]).rstrip("\r")


def looks_like_gdelt(text: str) -> bool:
    """Whether the text is a GDELT 2.0 event file: its first line has 61 tab-separated fields, an
    event id and a yyyymmdd date."""
    first = first_line(text).split("\t")
    return len(first) == len(GDELT_COLUMNS) and first[0].isdigit() and bool(re.fullmatch(r"\d{8}", first[1]))


def gdelt_event(raw: dict, origin_file: str, origin_row: int) -> dict:
    event_id = _required(raw, "globaleventid")
    if not event_id.isdigit():
        raise RowProblem(f"GLOBALEVENTID {event_id[:40]!r} is not a number")
    code = _required(raw, "eventcode")  # text: '0871' keeps its leading zero
    # SOURCEURL is a web address, or the name of a source that has none ("BBC Monitoring")
    cited = _cell(raw, "sourceurl")
    url = cited if cited and re.match(r"^https?://", cited, re.IGNORECASE) else None
    latitude, longitude = _number(raw, "actiongeo_lat"), _number(raw, "actiongeo_long")
    fips = _cell(raw, "actiongeo_countrycode")
    return _event({
        "dataset": "gdelt", "dataset_event_id": event_id,
        "date": _date(_required(raw, "sqldate"), ("%Y%m%d",), "SQLDATE"), "date_precision": "day",
        "event_type": cameo_event_type(code), "dataset_type": f"CAMEO {code}",
        "actors": [n for n in (_cell(raw, "actor1name"), _cell(raw, "actor2name")) if n],
        "location": _cell(raw, "actiongeo_fullname"),
        "country": country_codes().fips(fips) if fips else None,
        # GDELT writes no coordinates as empty cells; a lone one is no place
        "latitude": latitude if longitude is not None else None,
        "longitude": longitude if latitude is not None else None,
        "source": urlsplit(url).hostname if url else cited,
        "url": url,
    }, origin_file, origin_row)


def parse_gdelt_text(text: str, origin_file: str) -> DatasetRows:
    """A GDELT 2.0 event file: one event per line, 61 tab-separated fields. Row numbers are lines."""
    result = DatasetRows()
    rows, numbers = [], []
    for number, fields in enumerate(csv.reader(StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE), start=1):
        if not fields or fields == [""]:
            continue
        if len(fields) != len(GDELT_COLUMNS):
            result.rejections.append(Rejection(origin_file, number, f"line has {len(fields)} tab-separated fields, "
                                                                    f"a GDELT 2.0 event has {len(GDELT_COLUMNS)}"))
            continue
        rows.append(fields)
        numbers.append(number)
    frame = pd.DataFrame(rows, columns=list(GDELT_COLUMNS), dtype=str)
    events, rejections = _each_row(frame, origin_file, numbers, gdelt_event)
    result.events, result.rejections = events, result.rejections + rejections
    result.rejections.sort(key=lambda r: r.row or 0)
    return result


def parse_gdelt(frame: pd.DataFrame, origin_file: str, row_numbers: Sequence[int]) -> DatasetRows:
    """GDELT events given as a table with the codebook's column names (a BigQuery export, say)."""
    events, rejections = _each_row(frame, origin_file, row_numbers, gdelt_event)
    return DatasetRows(events=events, rejections=rejections)


# ---------------------------------------------------------------- GDELT DOC article lists

# The DOC API's seendate is 20250812T101500Z (UTC); its CSV exports and copies write it other ways.
GDELT_DOC_DATE_FORMATS = ("%Y%m%dT%H%M%SZ", "%Y%m%d%H%M%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def gdelt_doc_article(raw: dict, origin_file: str, origin_row: int) -> dict:
    """A listed article, known by its title and URL until its page is fetched (`ceasefire fetch
    --pending`): the title is its text for now, and it is identified by its URL."""
    title = _required(raw, "title")
    seen = _cell(raw, "seendate")
    fields = {"title": title, "text": title, "url": _required(raw, "url"), "source": _cell(raw, "domain"),
              "published_at": _date(seen, GDELT_DOC_DATE_FORMATS, "seendate") if seen else None}
    return build_article(fields, origin_file, "metadata", by_url=True, pending=True).to_row()


def parse_gdelt_doc(frame: pd.DataFrame, origin_file: str, row_numbers: Sequence[int]) -> DatasetRows:
    articles, rejections = _each_row(frame, origin_file, row_numbers, gdelt_doc_article)
    return DatasetRows(articles=articles, rejections=rejections)


# ---------------------------------------------------------------- the table of datasets

def _names(*columns: str) -> frozenset[str]:
    return frozenset(normalise_header(c) for c in columns)


DATASETS: tuple[DatasetSpec, ...] = (
    DatasetSpec("acled", "ACLED events export (CSV)",
                _names("event_id_cnty", "event_date", "time_precision", "event_type", "actor1", "fatalities"), parse_acled),
    DatasetSpec("ucdp-ged", "UCDP Georeferenced Event Dataset (GED, CSV)",
                _names("id", "type_of_violence", "side_a", "side_b", "date_prec", "date_start", "date_end", "best"), parse_ucdp_ged),
    DatasetSpec("pax", "PA-X peace agreements (CSV)", _names("AgtId", "Agt", "Dat", "Stage", "Part", "ThrdPart"), parse_pax),
    DatasetSpec("ucdp-pa", "UCDP Peace Agreement Dataset (XLSX or CSV)",
                _names("paid", "pa_name", "pa_date", "pa_type", "actor_name", "pa_3rd"), parse_ucdp_pa),
    DatasetSpec("gdelt-events", "GDELT 2.0 events (tab-separated, no header; .CSV or .zip)",
                _names("GLOBALEVENTID", "SQLDATE", "EventCode", "EventRootCode", "SOURCEURL"), parse_gdelt),
    DatasetSpec("gdelt-doc", "GDELT DOC article list (CSV, or the DOC API's JSON)",
                _names("url", "title", "seendate", "domain", "sourcecountry"), parse_gdelt_doc),
)
FORMATS: dict[str, DatasetSpec] = {spec.name: spec for spec in DATASETS}
FORMAT_NAMES: tuple[str, ...] = tuple(FORMATS)


def recognise(columns: Iterable[object]) -> str | None:
    """The dataset whose recognising columns the table has (names matched loosely), or None."""
    present = {normalise_header(c) for c in columns}
    return next((spec.name for spec in DATASETS if spec.columns <= present), None)


def parse_dataset(name: str, frame: pd.DataFrame, origin_file: str, row_numbers: Sequence[int]) -> DatasetRows:
    """Import a table as the dataset `name`; a table without its columns is rejected whole."""
    spec = FORMATS[name]
    present = {normalise_header(c) for c in frame.columns}
    if missing := sorted(spec.columns - present):
        return DatasetRows(rejections=[Rejection(origin_file, None, f"not a {spec.title} file: missing column(s) "
                                                 f"{', '.join(missing)}; found columns: {', '.join(map(str, frame.columns))[:300]}")])
    return spec.parse(frame.astype(object).where(frame.notna(), None), origin_file, row_numbers)
