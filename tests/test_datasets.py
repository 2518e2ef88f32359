"""Importers for ACLED, UCDP GED, PA-X, UCDP peace agreement and GDELT 2.0 event files.

Every fixture is written here from the datasets' published column layouts (docs/datasets.md):
the rows are made up, none is a third party's.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pandas as pd
import pytest
from samples import ACLED_COLUMNS, PAX_COLUMNS, UCDP_PA_COLUMNS, acled_row, gdelt_line, pax_row, to_csv, ucdp_pa_row

from ceasefire.cli.main import main
from ceasefire.loaders.datasets import (
    CAMEO_TYPES,
    DATASETS,
    GDELT_COLUMNS,
    PAX_STAGE_OUTCOMES,
    UCDP_PA_ISSUE_COLUMNS,
    UCDP_PA_TYPES,
    cameo_event_type,
    issue_labels,
    recognise,
)
from ceasefire.loaders.files import LoadOptions, load_paths
from ceasefire.loaders.gazetteer import country_codes
from ceasefire.loaders.schema import EVENT_COLUMNS, EVENT_TYPES, OUTCOMES, LoadResult
from ceasefire.read.log import ingest_history
from ceasefire.store.db import Store

UCDP_COLUMNS = ["id", "year", "type_of_violence", "conflict_name", "side_a", "side_b", "where_prec", "where_coordinates",
                "latitude", "longitude", "country", "region", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
                "deaths_civilians", "deaths_unknown", "best", "source_office", "source_headline"]



def ucdp_row(**values) -> dict:
    row = dict.fromkeys(UCDP_COLUMNS, "")
    row.update({"id": "500001", "year": "2023", "type_of_violence": "1", "conflict_name": "Sudan: Government",
                "side_a": "Government of Sudan", "side_b": "RSF", "where_prec": "1", "where_coordinates": "El Fasher town",
                "latitude": "13.6279", "longitude": "25.3494", "country": "Sudan", "region": "Africa", "date_prec": "1",
                "date_start": "2023-05-02 00:00:00.000", "date_end": "2023-05-02 00:00:00.000", "deaths_a": "2",
                "deaths_b": "3", "deaths_civilians": "1", "deaths_unknown": "0", "best": "6",
                "source_office": "Example Wire", "source_headline": "Made-up headline"})
    row.update(values)
    return row


def zipped(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


def rejections(result: LoadResult) -> list[tuple[int | None, str]]:
    return [(r.row, r.reason) for r in result.rejections]


# ---------------------------------------------------------------- recognition

@pytest.mark.parametrize(("columns", "expected"), [
    (ACLED_COLUMNS, "acled"),
    (["data_id", "iso", "event_id_cnty", "event_id_no_cnty", *ACLED_COLUMNS[1:]], "acled"),  # an older export
    ([c.upper() for c in ACLED_COLUMNS], "acled"),
    (UCDP_COLUMNS, "ucdp-ged"),
    (PAX_COLUMNS, "pax"),
    (UCDP_PA_COLUMNS, "ucdp-pa"),
    ([c.strip().upper() for c in UCDP_PA_COLUMNS], "ucdp-pa"),
    # version 2.0 (1975-2011, an .xls) names no actors: it is not this importer's layout
    (["PAID", "Region", "GWNO", "CID", "Name", "DyadName", "bwdID", "actorId", "Inc", "pa_name", "Year", "pa_date ",
      "pa_comment", "pa_sign", "c_sign", "pa_3rd", "c_3rd", "ended", "Duration", "cease", "pa_type"], None),
    (list(GDELT_COLUMNS), "gdelt-events"),
    (["date", "venue", "parties", "outcome"], None),
    (["title", "text", "event_date"], None),
    (ACLED_COLUMNS[:5], None),
])
def test_each_format_is_recognised_by_its_columns(columns, expected):
    assert recognise(columns) == expected


def test_no_two_formats_claim_the_same_columns():
    for spec in DATASETS:
        assert [other.name for other in DATASETS if other.columns <= spec.columns] == [spec.name]


# ---------------------------------------------------------------- ACLED

@pytest.mark.parametrize("written", ["2024-03-15", "15-03-2024", "15 March 2024"])
def test_acled_reads_each_of_its_date_forms(write, written):
    result = load_paths([write("acled.csv", to_csv([acled_row(event_date=written)]))])
    assert rejections(result) == []
    assert result.events.date.tolist() == [pd.Timestamp("2024-03-15")]


def test_acled_day_first_date_is_not_read_month_first(write):
    result = load_paths([write("acled.csv", to_csv([acled_row(event_date="05-03-2024")]))])
    assert result.events.date.tolist() == [pd.Timestamp("2024-03-05")]


def test_acled_event_becomes_an_event(write):
    result = load_paths([write("acled.csv", to_csv([acled_row(assoc_actor_1="Militia A; Militia B")]))])
    assert rejections(result) == [] and result.records.empty and result.articles.empty
    event = result.events.iloc[0]
    assert (event.event_id, event.dataset, event.dataset_event_id) == ("acled:SDN1001", "acled", "SDN1001")
    assert (event.date_precision, event.event_type, event.dataset_type) == ("day", "battle", "Battles: Armed clash")
    assert list(event.actors) == ["Military Forces of Sudan (2019-)", "Militia A", "Militia B", "Rapid Support Forces"]
    assert (event.location, event.country, event.latitude, event.longitude) == ("Omdurman", "Sudan", 15.6445, 32.4777)
    assert (event.fatalities, event.source, event.notes, event.origin_row) == (4, "Example Wire", "Made-up clash for a test.", 2)
    assert list(result.events.columns) == list(EVENT_COLUMNS)


@pytest.mark.parametrize(("precision", "expected", "date"), [
    ("1", "day", "2024-03-15"), ("2", "week", "2024-03-11"), ("3", "month", "2024-03-01")])
def test_acled_time_precision_gives_the_date_precision(write, precision, expected, date):
    result = load_paths([write("acled.csv", to_csv([acled_row(time_precision=precision)]))])
    assert result.events.date_precision.tolist() == [expected]
    assert result.events.date.tolist() == [pd.Timestamp(date)]  # the start of the week or month, as rounds do


@pytest.mark.parametrize(("event_type", "sub_event_type", "expected"), [
    ("Explosions/Remote violence", "Air/drone strike", "explosion or remote violence"),
    ("Violence against civilians", "Attack", "violence against civilians"),
    ("Protests", "Peaceful protest", "protest"), ("Riots", "Mob violence", "riot"),
    ("Strategic developments", "Agreement", "agreement"),
    ("Strategic developments", "Looting/property destruction", "strategic development"),
])
def test_acled_event_types_in_the_common_vocabulary(write, event_type, sub_event_type, expected):
    result = load_paths([write("acled.csv", to_csv([acled_row(event_type=event_type, sub_event_type=sub_event_type)]))])
    assert result.events.event_type.tolist() == [expected]


def test_acled_monadic_export_counts_each_event_once(write):
    rows = [acled_row(actor1="Military Forces of Sudan (2019-)", actor2=""),
            acled_row(actor1="Rapid Support Forces", actor2=""),
            acled_row(event_id_cnty="SDN1002", actor1="Protesters (Sudan)", actor2="", event_type="Protests",
                      sub_event_type="Peaceful protest", fatalities="0")]
    result = load_paths([write("monadic.csv", to_csv(rows))])
    assert rejections(result) == []
    assert result.events.event_id.tolist() == ["acled:SDN1001", "acled:SDN1002"]
    assert list(result.events.actors.iloc[0]) == ["Military Forces of Sudan (2019-)", "Rapid Support Forces"]
    assert result.events.fatalities.tolist() == [4, 0]  # not 8: the event's fatalities once


def test_acled_bad_rows_are_rejected_with_row_and_reason_and_good_rows_kept(write):
    rows = [acled_row(event_id_cnty="SDN1"), acled_row(event_id_cnty="SDN2", event_date="31-02-2024"),
            acled_row(event_id_cnty="SDN3", latitude="north"), acled_row(event_id_cnty="SDN4", latitude="95"),
            acled_row(event_id_cnty=""), acled_row(event_id_cnty="SDN6", fatalities="many"),
            acled_row(event_id_cnty="SDN7", fatalities="-2"), acled_row(event_id_cnty="SDN8", event_date="0001-01-01"),
            acled_row(event_id_cnty="SDN9", time_precision="7"), acled_row(event_id_cnty="SDN10")]
    result = load_paths([write("mixed.csv", to_csv(rows))])
    assert result.events.dataset_event_id.tolist() == ["SDN1", "SDN10"]
    found = rejections(result)
    assert [row for row, _ in found] == [3, 4, 5, 6, 7, 8, 9, 10]
    reasons = dict(found)
    assert reasons[3] == "event_date '31-02-2024' is not a date this dataset writes"
    assert reasons[4] == "latitude 'north' is not a number"
    assert reasons[5].startswith("latitude: Input should be less than or equal to 90")
    assert reasons[6] == "event_id_cnty is empty"
    assert reasons[7] == "fatalities 'many' is not a whole number of at least 0"
    assert reasons[8] == "fatalities '-2' is not a whole number of at least 0"
    assert reasons[9].startswith("event_date: date 0001-01-01 is outside the plausible range")
    assert reasons[10] == "time_precision '7' is not 1, 2 or 3"
    assert all(r.file.endswith("mixed.csv") for r in result.rejections)


def test_acled_country_comes_from_its_iso_code_before_its_name(write):
    rows = [acled_row(iso="180", country="Democratic Republic of Congo"), acled_row(event_id_cnty="X2", iso="", country="Sudan")]
    result = load_paths([write("acled.csv", to_csv(rows))])
    assert result.events.country.tolist() == ["DR Congo", "Sudan"]  # the name the gazetteer and the catalog use


def test_acled_from_xlsx(tmp_path):
    path = tmp_path / "acled.xlsx"
    pd.DataFrame([acled_row()]).to_excel(path, index=False)
    result = load_paths([path])
    assert rejections(result) == [] and result.events.event_id.tolist() == ["acled:SDN1001"]


# ---------------------------------------------------------------- UCDP GED

def test_ucdp_ged_event(write):
    result = load_paths([write("ged.csv", to_csv([ucdp_row()]))])
    assert rejections(result) == []
    event = result.events.iloc[0]
    assert (event.event_id, event.date, event.end_date) == ("ucdp:500001", pd.Timestamp("2023-05-02"), pd.Timestamp("2023-05-02"))
    assert (event.date_precision, event.event_type, event.dataset_type) == ("day", "battle", "state-based conflict: Sudan: Government")
    assert list(event.actors) == ["Government of Sudan", "RSF"]
    assert (event.fatalities, event.location, event.country) == (6, "El Fasher town", "Sudan")
    assert (event.latitude, event.longitude, event.source, event.notes) == (13.6279, 25.3494, "Example Wire", "Made-up headline")


@pytest.mark.parametrize(("date_prec", "expected"), [("1", "day"), ("2", "week"), ("3", "week"), ("4", "month"), ("5", "year")])
def test_ucdp_date_prec(write, date_prec, expected):
    row = ucdp_row(date_prec=date_prec, date_start="2023-05-10", date_end="2023-05-31")
    result = load_paths([write("ged.csv", to_csv([row]))])
    assert rejections(result) == [] and result.events.date_precision.tolist() == [expected]


def test_ucdp_one_sided_violence_and_country_names(write):
    rows = [ucdp_row(type_of_violence="3", country="DR Congo (Zaire)", side_b="Civilians"),
            ucdp_row(id="500002", country="Russia (Soviet Union)")]
    result = load_paths([write("ged.csv", to_csv(rows))])
    assert result.events.event_type.tolist() == ["violence against civilians", "battle"]
    assert result.events.country.tolist() == ["DR Congo", "Russia"]


def test_ucdp_bad_rows(write):
    rows = [ucdp_row(id="1"), ucdp_row(id="2", date_start="2023-02-30"), ucdp_row(id="3", best="six"),
            ucdp_row(id="4", longitude="200"), ucdp_row(id=""), ucdp_row(id="6", date_start="2023-05-09", date_end="2023-05-01")]
    result = load_paths([write("ged.csv", to_csv(rows))])
    assert result.events.dataset_event_id.tolist() == ["1"]
    reasons = dict(rejections(result))
    assert sorted(reasons) == [3, 4, 5, 6, 7]
    assert reasons[3] == "date_start '2023-02-30' is not a date this dataset writes"
    assert reasons[4] == "best 'six' is not a whole number of at least 0"
    assert reasons[5].startswith("longitude: Input should be less than or equal to 180")
    assert reasons[6] == "id is empty"
    assert reasons[7] == "end date 2023-05-01 is before start date 2023-05-09"


# ---------------------------------------------------------------- PA-X

def test_pax_agreement_becomes_a_negotiation_record(write):
    result = load_paths([write("pax.csv", to_csv([pax_row()]))])
    assert rejections(result) == [] and result.events.empty
    record = result.records.iloc[0]
    assert record.record_id == "pax:9001"
    assert (record.start_date, record.start_precision) == (pd.Timestamp("2023-05-20"), "day")
    assert list(record.parties) == ["Sudanese Armed Forces", "Rapid Support Forces"]
    assert list(record.mediators) == ["Saudi Arabia", "United States"]
    assert (record.outcome, record.outcome_text) == ("agreement", "PA-X stage: Cea")
    assert list(record.key_issues) == ["Ceasefire and truce terms", "Hostages and prisoners"]
    assert record.proposal == "Made-up Agreement on a Short-Term Ceasefire"
    assert record.source == "PA-X Peace Agreements Database, AgtId 9001: Made-up Agreement on a Short-Term Ceasefire"
    assert pd.isna(record.venue_city) and record.venue_country == "Sudan"


@pytest.mark.parametrize(("stage", "expected"), [
    ("Pre", "ongoing"), ("Cea", "agreement"), ("SubPar", "partial agreement"), ("SubComp", "agreement"),
    ("Imp", "agreement"), ("Ren", "agreement"), ("Oth", None),
    ("Framework/substantive - partial", "partial agreement"), ("Pre-negotiation/process", "ongoing"),
])
def test_pax_stage_in_the_outcome_vocabulary(write, stage, expected):
    result = load_paths([write("pax.csv", to_csv([pax_row(Stage=stage)]))])
    assert rejections(result) == []
    outcome = result.records.outcome.iloc[0]
    assert (None if pd.isna(outcome) else outcome) == expected


def test_pax_stage_outcomes_are_in_the_vocabulary():
    assert {outcome for _, outcome in PAX_STAGE_OUTCOMES} <= {*OUTCOMES, None}


def test_pax_bad_rows(write):
    rows = [pax_row(AgtId="1"), pax_row(AgtId="2", Dat="2023-13-01"), pax_row(AgtId=""), pax_row(AgtId="4", Stage="Maybe"),
            pax_row(AgtId="5", Ce="yes"), pax_row(AgtId="6", Loc1ISO="", Con="")]
    result = load_paths([write("pax.csv", to_csv(rows))])
    assert result.records.record_id.tolist() == ["pax:1"]
    reasons = dict(rejections(result))
    assert sorted(reasons) == [3, 4, 5, 6, 7]
    assert reasons[3] == "Dat '2023-13-01' is not a date this dataset writes"
    assert reasons[4] == "agtid is empty"
    assert reasons[5].startswith("Stage 'Maybe' is none of PA-X's stages")
    assert reasons[6] == "ce 'yes' is not a number"
    assert reasons[7] == "a round needs a venue (city or country)"


def test_pax_ingests_end_to_end_through_the_cli_and_again_adds_nothing(write, tmp_path, capsys):
    path = write("pax.csv", to_csv([pax_row(), pax_row(AgtId="9002", Dat="2023-06-01", Stage="SubPar")]))
    database = str(tmp_path / "store.duckdb")
    assert main(["--db", database, "ingest", str(path)]) == 0
    assert "negotiation rounds: 2 added, 0 already stored or repeated" in capsys.readouterr().out
    assert main(["--db", database, "ingest", str(path)]) == 0
    assert "negotiation rounds: 0 added, 2 already stored or repeated" in capsys.readouterr().out
    out = tmp_path / "records.csv"
    assert main(["--db", database, "export", "records", "--out", str(out)]) == 0
    exported = pd.read_csv(out)
    assert sorted(exported.record_id) == ["pax:9001", "pax:9002"]
    assert set(exported.conflicts.astype(str)) == {"Sudan"}  # worked out from the parties, as for any round


def test_pax_re_coded_agreement_keeps_its_id(write):
    first = load_paths([write("v7.csv", to_csv([pax_row()]))]).records.record_id.tolist()
    recoded = load_paths([write("v8.csv", to_csv([pax_row(Polps="2", Agt="Made-up Agreement (renamed)")]))]).records
    assert recoded.record_id.tolist() == first == ["pax:9001"]
    assert "Governance and the day after" in list(recoded.key_issues.iloc[0])


# ---------------------------------------------------------------- UCDP Peace Agreement Dataset

def test_ucdp_pa_agreement_becomes_a_negotiation_record(write):
    result = load_paths([write("ucdp-pa.csv", to_csv([ucdp_pa_row()]))])
    assert rejections(result) == [] and result.events.empty
    record = result.records.iloc[0]
    assert record.record_id == "ucdp-pa:9901"
    assert (record.start_date, record.start_precision) == (pd.Timestamp("2023-05-20"), "day")
    assert list(record.parties) == ["Government of Sudan", "RSF"]  # the catalog's names at ingest (below)
    assert list(record.mediators) == ["Saudi Arabia", "United States"]
    assert (record.outcome, record.outcome_text) == ("ongoing", "UCDP: peace process agreement")
    assert list(record.key_issues) == ["Ceasefire and truce terms", "Hostages and prisoners"]
    assert record.proposal == "Made-up Declaration on a Humanitarian Truce"
    assert record.source == "UCDP Peace Agreement Dataset, paid 9901: Made-up Declaration on a Humanitarian Truce"
    assert pd.isna(record.venue_city) and record.venue_country == "Sudan"
    assert pd.isna(record.end_date) and list(record.conflicts) == []  # conflicts are worked out at ingest


@pytest.mark.parametrize(("pa_type", "expected"), [
    ("1", ("agreement", "UCDP: full agreement")), ("2", ("partial agreement", "UCDP: partial agreement")),
    ("3", ("ongoing", "UCDP: peace process agreement")), ("2.0", ("partial agreement", "UCDP: partial agreement")),
])
def test_ucdp_pa_type_in_the_outcome_vocabulary(write, pa_type, expected):
    result = load_paths([write("ucdp-pa.csv", to_csv([ucdp_pa_row(pa_type=pa_type)]))])
    assert rejections(result) == []
    assert tuple(result.records[["outcome", "outcome_text"]].iloc[0]) == expected


def test_ucdp_pa_types_are_in_the_vocabulary():
    assert {outcome for _, outcome in UCDP_PA_TYPES.values()} <= set(OUTCOMES)


@pytest.mark.parametrize(("column", "issue"), UCDP_PA_ISSUE_COLUMNS.items())
def test_each_ucdp_pa_provision_tags_its_issue(write, column, issue):
    row = ucdp_pa_row(**{"cease": "0", "pris": "0", column: "1"})
    result = load_paths([write("ucdp-pa.csv", to_csv([row]))])
    assert rejections(result) == [] and list(result.records.key_issues.iloc[0]) == [issue_labels()[issue]]


def test_ucdp_pa_without_provisions_has_no_issues_and_a_third_party_list_splits(write):
    row = ucdp_pa_row(cease="0", pris="0", pa_3rd="UN; African Union\nIGAD", actor_name="Government of Chad, FUC, UFDD")
    record = load_paths([write("ucdp-pa.csv", to_csv([row]))]).records.iloc[0]
    assert list(record.key_issues) == []
    assert list(record.mediators) == ["UN", "African Union", "IGAD"]
    assert list(record.parties) == ["Government of Chad", "FUC", "UFDD"] and record.venue_country == "Chad"


@pytest.mark.parametrize("written", ["2023-05-20", "2023-05-20 00:00:00"])
def test_ucdp_pa_reads_its_date_forms(write, written):
    result = load_paths([write("ucdp-pa.csv", to_csv([ucdp_pa_row(pa_date=written)]))])
    assert rejections(result) == [] and result.records.start_date.tolist() == [pd.Timestamp("2023-05-20")]


def test_ucdp_pa_from_xlsx_with_date_and_number_cells(tmp_path):
    path = tmp_path / "ucdp-peace-agreements-221.xlsx"
    row = {**ucdp_pa_row(), "paid": 9901, "pa_type": 1, "cease": 1, "pris": 0, "pa_date": pd.Timestamp("2023-05-20")}
    pd.DataFrame([row]).to_excel(path, index=False)
    result = load_paths([path])
    assert rejections(result) == []
    assert result.records.record_id.tolist() == ["ucdp-pa:9901"]
    assert result.records.start_date.tolist() == [pd.Timestamp("2023-05-20")]
    assert list(result.records.key_issues.iloc[0]) == ["Ceasefire and truce terms"]


def test_ucdp_pa_bad_rows(write):
    rows = [ucdp_pa_row(paid="1"), ucdp_pa_row(paid="2", pa_date="20/05/2023"), ucdp_pa_row(paid=""),
            ucdp_pa_row(paid="4", pa_type="4"), ucdp_pa_row(paid="5", withd="yes"),
            ucdp_pa_row(paid="6", actor_name="SPLM/A, SPLM/A-IO"), ucdp_pa_row(paid="7", pa_date="1875-05-20")]
    result = load_paths([write("ucdp-pa.csv", to_csv(rows))])
    assert result.records.record_id.tolist() == ["ucdp-pa:1"]
    reasons = dict(rejections(result))
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8]
    assert reasons[3] == "pa_date '20/05/2023' is not a date this dataset writes"
    assert reasons[4] == "paid is empty"
    assert reasons[5] == "pa_type '4' is not 1 (full), 2 (partial) or 3 (peace process)"
    assert reasons[6] == "withd 'yes' is not a number"
    assert reasons[7] == "a round needs a venue (city or country)"  # no "Government of …" among the parties
    assert reasons[8].startswith("pa_date: ")
    assert all(r.file.endswith("ucdp-pa.csv") for r in result.rejections)


def test_ucdp_pa_ingests_end_to_end_and_again_adds_nothing(write, tmp_path, capsys):
    path = write("ucdp-pa.csv", to_csv([ucdp_pa_row(), ucdp_pa_row(paid="9902", pa_date="2023-06-01", pa_type="2")]))
    database = str(tmp_path / "store.duckdb")
    assert main(["--db", database, "ingest", str(path)]) == 0
    assert "negotiation rounds: 2 added, 0 already stored or repeated" in capsys.readouterr().out
    recoded = write("v23.csv", to_csv([ucdp_pa_row(pa_name="Made-up Declaration (renamed)"),
                                       ucdp_pa_row(paid="9902", pa_date="2023-06-01", pa_type="2")]))
    assert main(["--db", database, "ingest", str(recoded)]) == 0  # a later version: the same agreements
    assert "negotiation rounds: 0 added, 2 already stored or repeated" in capsys.readouterr().out
    out = tmp_path / "records.csv"
    assert main(["--db", database, "export", "records", "--out", str(out)]) == 0
    exported = pd.read_csv(out)
    assert sorted(exported.record_id) == ["ucdp-pa:9901", "ucdp-pa:9902"]
    assert set(exported.parties) == {"Sudan; Rapid Support Forces"}  # by the catalog's names
    assert set(exported.conflicts.astype(str)) == {"Sudan"}  # worked out from the parties, as for any round


def test_the_command_line_forces_the_ucdp_pa_format(write, tmp_path, capsys):
    database = str(tmp_path / "store.duckdb")
    rounds = write("rounds.csv", "date,venue\n2025-07-06,Doha\n")
    assert main(["--db", database, "ingest", "--format", "ucdp-pa", str(rounds)]) == 1
    assert "rounds.csv: not a UCDP Peace Agreement Dataset (XLSX or CSV) file: missing column(s)" in capsys.readouterr().out
    agreements = write("agreements.csv", to_csv([ucdp_pa_row()]))
    assert main(["--db", database, "ingest", "--format", "ucdp-pa", str(agreements)]) == 0
    assert "negotiation rounds: 1 added" in capsys.readouterr().out


def test_the_data_page_offers_the_ucdp_peace_agreement_dataset(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from ceasefire.config import REPO_ROOT
    from ceasefire.ingest import open_store

    open_store(tmp_path / "page.duckdb").close()
    monkeypatch.setenv("CEASEFIRE_DB", str(tmp_path / "page.duckdb"))
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    app.switch_page("pages/7_Data.py")
    app.run()
    choice = app.selectbox(key="data_format")
    assert "UCDP Peace Agreement Dataset (XLSX or CSV)" in choice.options
    assert any("the UCDP Peace Agreement Dataset" in m.value for m in app.markdown)  # the upload's note names it


# ---------------------------------------------------------------- GDELT

def test_gdelt_plain_event_file(write):
    lines = [gdelt_line(), gdelt_line(GLOBALEVENTID="1100000002", EventCode="190", EventBaseCode="190", EventRootCode="19",
                                      ActionGeo_CountryCode="IS", ActionGeo_FullName="Israel", ActionGeo_Lat="", ActionGeo_Long="")]
    result = load_paths([write("20240315120000.export.CSV", "\n".join(lines) + "\n")])
    assert rejections(result) == []
    truce, fight = result.events.iloc[0], result.events.iloc[1]
    assert (truce.event_id, truce.date, truce.date_precision) == ("gdelt:1100000001", pd.Timestamp("2024-03-15"), "day")
    assert (truce.event_type, truce.dataset_type) == ("agreement", "CAMEO 0871")  # the leading zero kept
    assert list(truce.actors) == ["ISRAEL", "HAMAS"]
    assert (truce.location, truce.country, truce.latitude, truce.longitude) == ("Gaza, Gaza Strip, Gaza Strip", "Palestine", 31.5, 34.4667)
    assert (truce.url, truce.source) == ("https://example.org/news/truce", "example.org")
    assert (fight.event_type, fight.country) == ("battle", "Israel")
    assert pd.isna(fight.latitude) and pd.isna(fight.fatalities)


def test_gdelt_zipped_event_file_gives_the_same_events(write):
    text = "\n".join([gdelt_line(), gdelt_line(GLOBALEVENTID="1100000002")]) + "\n"
    plain = load_paths([write("plain/20240315120000.export.CSV", text)])
    packed = load_paths([write("20240315120000.export.CSV.zip", zipped("20240315120000.export.CSV", text))])
    assert rejections(packed) == []
    columns = [c for c in EVENT_COLUMNS if c != "origin_file"]
    pd.testing.assert_frame_equal(plain.events[columns], packed.events[columns])
    assert packed.events.origin_file.iloc[0].endswith("20240315120000.export.CSV.zip!20240315120000.export.CSV")


def test_gdelt_bad_lines_name_their_line(write):
    lines = [gdelt_line(), gdelt_line(GLOBALEVENTID="2", SQLDATE="20240231"), "1\t20240315\tonly three",
             gdelt_line(GLOBALEVENTID="4", ActionGeo_Lat="north"), gdelt_line(GLOBALEVENTID="5", SOURCEURL="javascript:alert(1)"),
             gdelt_line(GLOBALEVENTID="x6"), gdelt_line(GLOBALEVENTID="6")]
    result = load_paths([write("events.CSV", "\n".join(lines) + "\n")])
    assert result.events.dataset_event_id.tolist() == ["1100000001", "5", "6"]
    assert rejections(result) == [
        (2, "SQLDATE '20240231' is not a date this dataset writes"),
        (3, "line has 3 tab-separated fields, a GDELT 2.0 event has 61"),
        (4, "actiongeo_lat 'north' is not a number"),
        (6, "GLOBALEVENTID 'x6' is not a number"),
    ]
    # a SOURCEURL that is no web address is no link: it names the source, as text
    kept = result.events.set_index("dataset_event_id")
    assert pd.isna(kept.loc["5", "url"]) and kept.loc["5", "source"] == "javascript:alert(1)"


def test_gdelt_source_without_a_web_address_keeps_its_event(write):
    result = load_paths([write("events.CSV", gdelt_line(SOURCEURL="BBC Monitoring") + "\n")])
    assert result.rejections == []
    assert result.events.source.iloc[0] == "BBC Monitoring" and pd.isna(result.events.url.iloc[0])


def test_gdelt_columns_are_the_61_of_the_codebook():
    assert len(GDELT_COLUMNS) == 61 == len(set(GDELT_COLUMNS))
    assert GDELT_COLUMNS[:2] == ("GLOBALEVENTID", "SQLDATE") and GDELT_COLUMNS[-2:] == ("DATEADDED", "SOURCEURL")
    assert GDELT_COLUMNS.index("EventCode") == 26 and GDELT_COLUMNS.index("ActionGeo_CountryCode") == 53


@pytest.mark.parametrize(("code", "expected"), [
    ("0871", "agreement"), ("057", "agreement"), ("0874", None), ("040", None), ("141", "protest"), ("1451", "riot"),
    ("173", "strategic development"), ("181", "violence against civilians"), ("1831", "explosion or remote violence"),
    ("190", "battle"), ("195", "explosion or remote violence"), ("196", "ceasefire violation"), ("202", "violence against civilians"),
])
def test_cameo_codes_in_the_common_vocabulary(code, expected):
    assert cameo_event_type(code) == expected


def test_cameo_mapping_uses_the_vocabulary():
    assert set(CAMEO_TYPES.values()) <= set(EVENT_TYPES)


@pytest.mark.parametrize(("fips", "expected"), [
    ("SU", "Sudan"), ("OD", "South Sudan"), ("IS", "Israel"), ("GZ", "Palestine"), ("WE", "Palestine"), ("UP", "Ukraine"),
    ("RS", "Russia"), ("CG", "DR Congo"), ("CF", "Republic of the Congo"), ("EG", "Egypt"), ("QA", "Qatar"), ("XX", None)])
def test_fips_codes_become_country_names(fips, expected):
    assert country_codes().fips(fips) == expected


def test_fips_is_not_iso():
    codes = country_codes()
    assert (codes.fips("SU"), codes.iso("SU")) == ("Sudan", None)
    assert (codes.iso("SD"), codes.iso("SDN"), codes.iso("729"), codes.iso(729)) == ("Sudan",) * 4
    assert codes.fips("SD") != "Sudan"


# ---------------------------------------------------------------- format forced, re-imports

def test_forcing_a_format_rejects_a_file_without_its_columns(write):
    path = write("rounds.csv", "date,venue\n2025-07-06,Doha\n")
    result = load_paths([path], LoadOptions(format="acled"))
    assert result.records.empty and result.events.empty
    assert [r.row for r in result.rejections] == [None]
    assert result.rejections[0].reason.startswith("not a ACLED events export (CSV) file: missing column(s)")


def test_the_command_line_forces_a_format(write, tmp_path, capsys):
    path = write("rounds.csv", "date,venue\n2025-07-06,Doha\n")
    database = str(tmp_path / "store.duckdb")
    assert main(["--db", database, "ingest", "--format", "acled", str(path)]) == 1  # something was rejected
    assert "rounds.csv: not a ACLED events export (CSV) file: missing column(s)" in capsys.readouterr().out
    assert main(["--db", database, "ingest", str(path)]) == 0  # recognised as rounds without it
    assert "negotiation rounds: 1 added" in capsys.readouterr().out


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown format 'acld'; formats are: auto, acled, ucdp-ged, pax, ucdp-pa, gdelt-events"):
        LoadOptions(format="acld")


def test_records_flag_keeps_a_table_of_rounds(write):
    # --records says the rows are rounds: an ACLED file is then not read as events.
    result = load_paths([write("acled.csv", to_csv([acled_row()]))], LoadOptions(kind="records"))
    assert result.events.empty and result.rejections[0].reason.startswith("missing required column(s)")


def test_forced_gdelt_reads_a_table_with_the_codebook_names(write):
    frame = pd.DataFrame([dict(zip(GDELT_COLUMNS, gdelt_line().split("\t")))])
    result = load_paths([write("bigquery.csv", frame.to_csv(index=False, quoting=csv.QUOTE_ALL))], LoadOptions(format="gdelt-events"))
    assert rejections(result) == [] and result.events.event_id.tolist() == ["gdelt:1100000001"]
    assert result.events.dataset_type.tolist() == ["CAMEO 0871"]


def test_re_import_gives_the_same_ids(write):
    files = [write("a/acled.csv", to_csv([acled_row(), acled_row(event_id_cnty="SDN1002")])),
             write("a/ged.csv", to_csv([ucdp_row()])), write("a/events.CSV", gdelt_line() + "\n")]
    first, second = load_paths(files), load_paths(files)
    assert first.events.event_id.tolist() == second.events.event_id.tolist() == [
        "acled:SDN1001", "acled:SDN1002", "ucdp:500001", "gdelt:1100000001"]
    edited = load_paths([write("b/acled.csv", to_csv([acled_row(fatalities="7", notes="Updated.")]))])
    assert edited.events.event_id.tolist() == ["acled:SDN1001"]  # ACLED updates an event under its id


def test_articles_and_rounds_still_load_as_before(write):
    result = load_paths([write("rounds.csv", "date,venue\n2025-07-06,Doha\n"),
                         write("news.csv", "title,text\nTalks,Mediators met in Cairo.\n")])
    assert rejections(result) == [] and len(result.records) == 1 and len(result.articles) == 1 and result.events.empty


# ---------------------------------------------------------------- stored

def test_events_are_stored_with_catalog_actors_and_conflicts_and_a_reimport_adds_nothing(write, tmp_path, capsys):
    acled = write("acled.csv", to_csv([acled_row(), acled_row(event_id_cnty="SDN1002", actor1="Unknown gunmen", actor2="",
                                                              fatalities="0")]))
    gdelt = write("events.CSV", "\n".join([gdelt_line()]) + "\n")
    database = str(tmp_path / "store.duckdb")
    assert main(["--db", database, "ingest", str(acled), str(gdelt)]) == 0
    assert "events: 3 added, 0 already stored (now as this input has them) or repeated" in capsys.readouterr().out
    revised = write("acled.csv", to_csv([acled_row(fatalities="9"), acled_row(event_id_cnty="SDN1002", actor1="Unknown gunmen",
                                                                               actor2="", fatalities="0")]))
    assert main(["--db", database, "ingest", str(revised), str(gdelt)]) == 0  # ACLED revised an event under its id
    assert "events: 0 added, 3 already stored (now as this input has them) or repeated" in capsys.readouterr().out
    store = Store(database, read_only=True)
    assert ingest_history(store.con).Events.tolist() == [0, 3]  # newest first: what each import added
    rows = {r[0]: r[1:] for r in store.con.execute(
        "SELECT event_id, dataset_actors, actors, conflicts, conflict_reason, fatalities FROM events").fetchall()}
    store.close()
    dataset_actors, actors, conflicts, reason, fatalities = rows["acled:SDN1001"]
    assert actors == ["Sudanese Armed Forces", "Rapid Support Forces"] and fatalities == 9  # by the catalog's names; revised
    assert dataset_actors == ["Military Forces of Sudan (2019-)", "Rapid Support Forces"]  # and as ACLED names them
    assert conflicts == ["Sudan"] and "Rapid Support Forces" in reason
    assert rows["acled:SDN1002"][2:4] == (["Sudan"], "Sudan: fought in Sudan")  # no known actor: its country's one conflict
    assert rows["gdelt:1100000001"][2] == ["Gaza"]
    out = tmp_path / "events.csv"
    assert main(["--db", database, "export", "events", "--out", str(out), "--conflict", "Sudan"]) == 0
    assert sorted(pd.read_csv(out).event_id) == ["acled:SDN1001", "acled:SDN1002"]
    capsys.readouterr()
    assert main(["--db", database, "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["events"] == 3


@pytest.mark.parametrize(("named", "actor"), [
    ("Military Forces of Israel (2022-)", "Israel Defense Forces"),  # ACLED: a state's forces, by government period
    ("Military Forces of Sudan (2019-)", "Sudanese Armed Forces"),
    ("Military Forces of Ukraine (2019-)", "Armed Forces of Ukraine"),
    ("Government of Sudan", "Sudan"),  # UCDP: a state's side
    ("RSF", "Rapid Support Forces"),
    ("Unknown gunmen", "Unknown gunmen"),  # unknown: as the dataset wrote it
])
def test_dataset_actor_names_become_the_catalogs(named, actor):
    from ceasefire.analysis.catalog import read_catalog

    assert read_catalog().dataset_actor(named) == actor
