"""Paths of the bundled sample files the tests read, how page tests open a page, and rows in the
layouts of ACLED, PA-X, UCDP peace agreement and GDELT files, written here (no third-party rows)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from ceasefire.config import REPO_ROOT, SAMPLE_DIR
from ceasefire.loaders.datasets import GDELT_COLUMNS
from ceasefire.read.filters import Filters

SEED = SAMPLE_DIR / "articles" / "hamas-delegation-cairo.txt"
SAMPLE_RECORDS = SAMPLE_DIR / "records" / "gaza-ceasefire-rounds-2023-2025.csv"
APP = str(REPO_ROOT / "app.py")
with SAMPLE_RECORDS.open(encoding="utf-8", newline="") as _file:
    GAZA_RECORDS = sum(1 for _ in csv.DictReader(_file))  # the Gaza sample's rounds
SEED_RECORDS = 2  # the rounds of the seed article's table
SAMPLE_ROUNDS = GAZA_RECORDS + SEED_RECORDS  # a store of the seed and the Gaza sample


def open_page(page: str | None = None, **params: str | list[str]) -> AppTest:
    """A page as a browser opens it: the URL's parameters, then the run."""
    app = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        app.query_params[key] = value
    if page:
        app.switch_page(page)
    return app.run()


# ---------------------------------------------------------------- datasets, in their published layouts

ACLED_COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
                 "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
                 "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
                 "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp"]

def acled_row(**values) -> dict:
    row = dict.fromkeys(ACLED_COLUMNS, "")
    row.update({"event_id_cnty": "SDN1001", "event_date": "2024-03-15", "year": "2024", "time_precision": "1",
                "disorder_type": "Political violence", "event_type": "Battles", "sub_event_type": "Armed clash",
                "actor1": "Military Forces of Sudan (2019-)", "actor2": "Rapid Support Forces", "inter1": "1", "inter2": "2",
                "interaction": "12", "iso": "729", "region": "Northern Africa", "country": "Sudan", "admin1": "Khartoum",
                "location": "Omdurman", "latitude": "15.6445", "longitude": "32.4777", "geo_precision": "1",
                "source": "Example Wire", "source_scale": "National", "notes": "Made-up clash for a test.",
                "fatalities": "4", "timestamp": "1710500000"})
    row.update(values)
    return row


def to_csv(rows: list[dict]) -> str:
    return pd.DataFrame(rows).to_csv(index=False)



PAX_COLUMNS = ["Con", "Contp", "PP", "PPName", "Reg", "AgtId", "Ver", "Agt", "Dat", "Status", "Lgt", "Agtp", "Stage",
               "StageSub", "Part", "ThrdPart", "OthAgr", "Loc1ISO", "Loc2ISO", "UcdpCon", "UcdpAgr",
               "Ce", "CeProv", "CeGen", "HrGen", "Polps", "TjPrire", "GRef"]


def pax_row(**values) -> dict:
    row = dict.fromkeys(PAX_COLUMNS, "0")
    row.update({"Con": "Sudan", "Contp": "Government", "PP": "999", "PPName": "Made-up process", "Reg": "Africa (excl MENA)",
                "AgtId": "9001", "Ver": "1", "Agt": "Made-up Agreement on a Short-Term Ceasefire", "Dat": "2023-05-20",
                "Status": "Multiparty signed/agreed", "Lgt": "3", "Agtp": "Intra", "Stage": "Cea", "StageSub": "Ceasefire",
                "Part": "Sudanese Armed Forces; Rapid Support Forces", "ThrdPart": "Saudi Arabia; United States",
                "OthAgr": "", "Loc1ISO": "SDN", "Loc2ISO": "", "UcdpCon": "", "UcdpAgr": "",
                "Ce": "1", "CeGen": "2", "TjPrire": "1"})
    row.update(values)
    return row


# The columns of the UCDP Peace Agreement Dataset 22.1 CSV, in order (docs/datasets.md); "ref " and
# "return " end in a space there.
UCDP_PA_COLUMNS = ["paid", "region", "gwno", "conflict_id", "conflict_name", "dyad_id", "dyad_name", "actor_id", "actor_name",
                   "incompatibility", "pa_name", "year", "pa_date", "pa_comment", "pa_sign", "c_sign", "pa_3rd", "c_3rd",
                   "ended", "duration", "c_duration", "cease", "intarmy", "ddr", "withd", "mil_prov", "pp", "intgov", "intciv",
                   "elections", "interim", "natalks", "shagov", "pol_prov", "aut", "fed", "ind", "ref ", "shaloc", "regdev",
                   "cul", "demarcation", "locgov", "terr_prov", "amn", "pris", "recon", "return ", "justice_prov", "reaffirm",
                   "outlin", "pko", "gender", "co_impl", "termdur", "noconf17", "txt", "linktofulltextagreement",
                   "inclusive", "no_dyad", "pa_type", "out_iss", "procID", "frame", "version", "dateintervalstart_meta",
                   "dateintervalend_meta"]


def ucdp_pa_row(**values) -> dict:
    """A made-up agreement; a value for "return" or "ref" fills the column named with its space."""
    row = dict.fromkeys(UCDP_PA_COLUMNS, "0")
    row.update({"paid": "9901", "region": "4", "gwno": "625", "conflict_id": "99001", "conflict_name": "Sudan: Government",
                "dyad_id": "99101", "dyad_name": "Government of Sudan - RSF", "actor_id": "99201, 99202",
                "actor_name": "Government of Sudan, RSF", "incompatibility": "2",
                "pa_name": "Made-up Declaration on a Humanitarian Truce", "year": "2023", "pa_date": "2023-05-20",
                "pa_comment": "", "pa_sign": "For the government: a made-up name", "c_sign": "", "pa_3rd": "Saudi Arabia, United States",
                "c_3rd": "", "ended": "", "duration": "", "c_duration": "", "cease": "1", "pris": "1", "termdur": "1",
                "txt": "1", "linktofulltextagreement": "", "inclusive": "1", "no_dyad": "1", "pa_type": "3", "out_iss": "1",
                "procID": "999", "frame": "1", "version": "22.1", "dateintervalstart_meta": "2023-05-20",
                "dateintervalend_meta": "2023-05-20"})
    row.update({(f"{key} " if f"{key} " in UCDP_PA_COLUMNS else key): value for key, value in values.items()})
    return row


def gdelt_line(**values) -> str:
    row = dict.fromkeys(GDELT_COLUMNS, "")
    row.update({"GLOBALEVENTID": "1100000001", "SQLDATE": "20240315", "MonthYear": "202403", "Year": "2024",
                "FractionDate": "2024.2027", "Actor1Code": "ISR", "Actor1Name": "ISRAEL", "Actor2Code": "PSE",
                "Actor2Name": "HAMAS", "IsRootEvent": "1", "EventCode": "0871", "EventBaseCode": "087",
                "EventRootCode": "08", "QuadClass": "2", "GoldsteinScale": "9.0", "NumMentions": "10", "NumSources": "2",
                "NumArticles": "10", "AvgTone": "-2.5", "ActionGeo_Type": "4", "ActionGeo_FullName": "Gaza, Gaza Strip, Gaza Strip",
                "ActionGeo_CountryCode": "GZ", "ActionGeo_Lat": "31.5", "ActionGeo_Long": "34.4667",
                "DATEADDED": "20240315120000", "SOURCEURL": "https://example.org/news/truce"})
    row.update(values)
    return "\t".join(row[c] for c in GDELT_COLUMNS)


# Made-up events around two sample agreements (Gaza, 15 January 2025 in Doha; Sudan, 20 May 2023
# in Jeddah): (id, date, country, ISO code, location, actor1, actor2, ACLED event type, fatalities).
SAMPLE_EVENTS = [
    ("PSE1", "2025-01-02", "Palestine", "275", "Gaza City", "Military Forces of Israel (2022-)", "Hamas", "Battles", "5"),
    ("PSE2", "2025-01-10", "Palestine", "275", "Rafah", "Military Forces of Israel (2022-)", "", "Explosions/Remote violence", "7"),
    ("PSE3", "2025-01-20", "Palestine", "275", "Khan Younis", "Military Forces of Israel (2022-)", "Hamas", "Battles", "1"),
    ("SDN1", "2023-05-10", "Sudan", "729", "Omdurman", "Military Forces of Sudan (2019-)", "Rapid Support Forces", "Battles", "12"),
    ("SDN2", "2023-05-25", "Sudan", "729", "Khartoum", "Rapid Support Forces", "", "Violence against civilians", "3"),
    ("SDN3", "2023-08-01", "Sudan", "729", "El Fasher", "Rapid Support Forces", "", "Battles", "0"),
]
_PLACES = {"Gaza City": (31.5, 34.47), "Rafah": (31.29, 34.25), "Khan Younis": (31.34, 34.31), "Omdurman": (15.64, 32.48),
           "Khartoum": (15.5, 32.56), "El Fasher": (13.63, 25.35)}


def write_sample_events(folder: Path) -> Path:
    """SAMPLE_EVENTS as an ACLED export in `folder`."""
    rows = [acled_row(event_id_cnty=i, event_date=day, country=country, iso=iso, location=place, actor1=one, actor2=two,
                      event_type=kind, sub_event_type="", fatalities=dead, latitude=str(_PLACES[place][0]),
                      longitude=str(_PLACES[place][1]), notes="Made-up event for a test.")
            for i, day, country, iso, place, one, two, kind, dead in SAMPLE_EVENTS]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "acled-sample-events.csv"
    path.write_text(to_csv(rows), encoding="utf-8")
    return path


# ---------------------------------------------------------------- the same queries on every engine

# Filter sets the engines must agree under (tests/test_engines.py, tests/test_lake.py).
ENGINE_FILTERS = [
    Filters(),
    Filters(start=date(2025, 7, 1), end=date(2025, 10, 31)),
    Filters(actors=("Hamas", "Qatar"), locations=("Egypt",)),
    Filters(sources=("Reuters",), outcomes=("collapsed", "ongoing")),
    Filters(locations=("'); DROP TABLE articles; --",)),
    Filters(conflicts=("Sudan",)),
    Filters(conflicts=("Russia-Ukraine", "DR Congo-M23"), start=date(2025, 1, 1)),
]


# The queries a page runs with more than the filters, with the arguments it passes.
PAGE_QUERIES = {
    "actor_profile": {"actor": "Qatar"},
    "actor_sentences": {"actor": "Hamas", "limit": 30},
    "search_articles": {"text": "Cairo", "limit": 10},
    "events": {"limit": 50},
}


def assert_same_results(expected: object, actual: object, filters: Filters, names: Iterable[str]) -> None:
    """The registry's queries `names` (with PAGE_QUERIES' arguments) and the rounds from the news
    give the same on the `actual` engine as on the `expected` one, under `filters`."""
    from ceasefire.read.registry import REGISTRY, Q

    for name in names:
        kwargs = PAGE_QUERIES.get(name, {})
        on_expected, on_actual = REGISTRY[name](expected, filters, **kwargs), REGISTRY[name](actual, filters, **kwargs)
        if name == "search_articles":  # (total, page)
            assert on_actual[0] == on_expected[0]
            on_expected, on_actual = on_expected[1], on_actual[1]
        assert normalised(on_actual) == normalised(on_expected), name
    rounds = [(r.venue, r.first, r.articles, r.record_id) for r in Q.news_rounds(expected, filters)]
    assert [(r.venue, r.first, r.articles, r.record_id) for r in Q.news_rounds(actual, filters)] == rounds
    if filters == Filters():
        assert rounds


def _value(value: object) -> object:
    """Engines return dates, decimals and floats as slightly different types."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, date):
        return pd.Timestamp(value)
    if isinstance(value, (int, float, Decimal, np.number)) and not isinstance(value, bool):
        return round(float(value), 9)
    return value


def normalised(result: object) -> object:
    if isinstance(result, dict):
        return {key: normalised(value) if isinstance(value, pd.DataFrame) else _value(value) for key, value in result.items()}
    return list(result.columns), [tuple(_value(v) for v in row) for row in result.itertuples(index=False)]


# ---------------------------------------------------------------- stories: agency copy and its republications

AGENCY_PARAGRAPHS = [
    "CAIRO, Aug 12 - Egyptian and Qatari mediators presented Hamas and Israel with a revised proposal for a "
    "sixty-day truce on Tuesday, officials briefed on the talks said, after two days of meetings in the Egyptian capital.",
    "The proposal would see the release of ten living hostages in exchange for Palestinian prisoners held by Israel, "
    "and a pause in fighting during which negotiators would discuss a permanent end to the war.",
    "A Hamas delegation led by Khalil al-Hayya met the head of Egyptian intelligence late on Monday and was expected "
    "to deliver its answer within days, according to two people familiar with the discussions.",
    "Israeli officials did not comment publicly on the plan, but a government spokesperson said the negotiating team "
    "would travel to Doha later this week if the mediators reported progress on the remaining gaps.",
    "The main disagreements concern the withdrawal of Israeli forces from the Philadelphi corridor along the border "
    "with Egypt and guarantees that the fighting would not resume once the hostages were freed.",
    "Aid agencies have warned that conditions in the territory are deteriorating rapidly, with shortages of fuel, "
    "clean water and medicine reported in hospitals in the south and centre of the strip.",
    "United States envoy Steve Witkoff spoke by telephone with the Qatari prime minister on Monday evening, a "
    "diplomatic source said, and was pressing both sides to accept the framework before the end of the month.",
    "Previous rounds of talks in Doha and Cairo this year ended without agreement, with each side blaming the other "
    "for raising new conditions at the last moment.",
    "Mediators hope that a phased approach, beginning with humanitarian steps and a limited exchange, can rebuild "
    "enough trust for a broader deal that both sides have so far resisted.",
    "The talks are expected to continue in Cairo on Wednesday with technical teams working on maps and the "
    "sequencing of the prisoner releases, the officials said.",
]
AGENCY_COPY = "\n\n".join(AGENCY_PARAGRAPHS)
# The same round reported in another newsroom's own words: same names, places and numbers.
OTHER_REPORT = (
    "Negotiators gathered again in Cairo this week as Egypt and Qatar tried to narrow the differences between "
    "Israel and Hamas over a two-month ceasefire.\n\n"
    "According to people with knowledge of the meetings, the latest draft swaps ten hostages who are still alive "
    "for a number of Palestinian detainees, with a halt to hostilities while a lasting settlement is negotiated.\n\n"
    "Khalil al-Hayya headed the Hamas team, which sat down with Egypt's intelligence chief on Monday night; an "
    "answer from the movement is due shortly.\n\n"
    "Israel has kept silent in public. Its delegation could head to Doha in the coming days should the mediators "
    "see movement, a spokesperson for the government indicated.\n\n"
    "Sticking points remain the Philadelphi corridor on the Egyptian frontier and whether the war could restart "
    "after the captives come home.\n\n"
    "Steve Witkoff, Washington's envoy, called the prime minister of Qatar on Monday to urge the two parties to sign "
    "up to the outline within weeks."
)


def agency_article(source: str, text: str = AGENCY_COPY, title: str = "Mediators present revised Gaza truce plan",
                   published: str = "2025-08-12", url: str | None = None) -> dict:
    """An article (as a JSON file has it) republishing the agency copy, or any `text`."""
    return {"title": title, "body": text, "publisher": source, "published": published, **({"link": url} if url else {})}


def republications() -> dict[str, dict]:
    """The agency copy as five outlets published it (another headline, a byline, a paragraph dropped
    or added), and the same round in a sixth outlet's own words; by source."""
    local = ("In Khan Younis, residents queuing for water said they had heard promises of a truce many times "
             "before and would believe it only when the shelling stopped.")
    return {
        "Wire A": agency_article("Wire A", url="https://wire-a.example/truce-plan"),
        "Outlet B": agency_article("Outlet B", "By Jane Roe, Outlet B correspondent\n\n" + AGENCY_COPY,
                                   title="Egypt and Qatar put new ceasefire offer to Hamas"),
        "Outlet C": agency_article("Outlet C", "\n\n".join(AGENCY_PARAGRAPHS[:-1]), published="2025-08-13"),
        "Outlet D": agency_article("Outlet D", f"{AGENCY_COPY}\n\n{local}", title="Truce plan: what we know",
                                   published="2025-08-20", url="https://outlet-d.example/gaza"),
        "Outlet E": agency_article("Outlet E", OTHER_REPORT, title="Cairo talks resume", published="2025-08-12"),
    }


def as_upload(name: str, *articles: dict) -> tuple[str, bytes]:
    return name, json.dumps(list(articles)).encode()


def store_of_everything(folder: Path):
    """A DuckDB store of all the sample data and SAMPLE_EVENTS in `folder` (the caller closes it)."""
    from ceasefire.ingest import ingest_paths
    from ceasefire.store.db import Store

    store = Store(folder / "everything.duckdb")
    ingest_paths(store, [SAMPLE_DIR, write_sample_events(folder / "events")])
    return store
