"""Benchmark: importing a dataset export, and the Ceasefire timeline's queries on a million events.

    python bench/events.py [--events 1000000] [--import-rows 100000] [--runs 5]

An ACLED-layout export of `--import-rows` made-up rows is imported through `ceasefire ingest`'s
own path (recognised by its columns, validated, stored); then `--events` made-up events are put
straight into a store holding the bundled sample, and each query of the timeline and the map is
timed under the filters users pick. Prints a table and writes bench/results/events.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from samples import ACLED_COLUMNS, acled_row  # noqa: E402  (the tests' ACLED layout, written from its codebook)

from ceasefire.config import SAMPLE_DIR  # noqa: E402
from ceasefire.ingest import ingest_paths  # noqa: E402
from ceasefire.read.filters import Filters  # noqa: E402
from ceasefire.read.registry import Q  # noqa: E402
from ceasefire.store.db import Store  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
# (conflict, country, places, actors): where the made-up events happen, and who takes part.
THEATRES = [
    ("Gaza", "Palestine", ["Gaza City", "Khan Younis", "Rafah"], ["Israel Defense Forces", "Hamas"]),
    ("Sudan", "Sudan", ["Khartoum", "Omdurman", "El Fasher"], ["Sudanese Armed Forces", "Rapid Support Forces"]),
    ("Russia-Ukraine", "Ukraine", ["Kharkiv", "Donetsk", "Zaporizhzhia"], ["Russian Armed Forces", "Armed Forces of Ukraine"]),
    ("DR Congo-M23", "DR Congo", ["Goma", "Bukavu"], ["FARDC", "M23"]),
]
TYPES = ["battle", "explosion or remote violence", "violence against civilians", "protest", "strategic development"]
FILTERS = {
    "none": Filters(),
    "Sudan": Filters(conflicts=("Sudan",)),
    "Sudan, 2024": Filters(conflicts=("Sudan",), start=date(2024, 1, 1), end=date(2024, 12, 31)),
    "Rapid Support Forces": Filters(actors=("Rapid Support Forces",)),
    "Khartoum": Filters(locations=("Khartoum",)),
}
QUERIES = {
    "events_over_time (week)": lambda con, f: Q.events_over_time(con, f, grain="week"),
    "agreement_windows (30 days)": lambda con, f: Q.agreement_windows(con, f, days=30),
    "event_places": lambda con, f: Q.event_places(con, f),
    "events (a 60-day window)": lambda con, f: Q.events(con, f, start=date(2023, 4, 20), end=date(2023, 6, 19)),
}


def made_up_events(count: int, seed: int = 7) -> pd.DataFrame:
    """Rows of the events table, spread over 2022–2025 and the theatres above."""
    rng = random.Random(seed)
    first = date(2022, 1, 1)
    rows = []
    for number in range(count):
        conflict, country, places, actors = THEATRES[number % len(THEATRES)]
        day = first + timedelta(days=rng.randrange(4 * 365))
        rows.append(("acled:" + f"B{number}", "acled", f"B{number}", day, "day", None, rng.choice(TYPES), None,
                     actors, actors[: rng.randint(1, 2)], rng.choice(places), country, 10 + rng.random(), 30 + rng.random(),
                     rng.choice([0, 0, 1, 2, 5]), "Made-up wire", None, None, [conflict], f"{conflict}: made up",
                     "bench.csv", number + 2, 0))
    return pd.DataFrame(rows, columns=["event_id", "dataset", "dataset_event_id", "date", "date_precision", "end_date",
                                       "event_type", "dataset_type", "dataset_actors", "actors", "location", "country",
                                       "latitude", "longitude", "fatalities", "source", "notes", "url", "conflicts",
                                       "conflict_reason", "origin_file", "origin_row", "ingest_id"])


def time_import(folder: Path, rows: int) -> dict[str, float]:
    rng = random.Random(3)
    export = folder / "acled-bench.csv"
    pd.DataFrame([acled_row(event_id_cnty=f"SDN{n}", event_date=(date(2023, 1, 1) + timedelta(days=rng.randrange(900))).isoformat(),
                            fatalities=str(rng.choice([0, 1, 3])))
                  for n in range(rows)], columns=ACLED_COLUMNS).to_csv(export, index=False)
    with Store(folder / "import.duckdb") as store:
        started = time.perf_counter()
        report = ingest_paths(store, [export])
        seconds = time.perf_counter() - started
    assert report.events_added == rows, report.summary()
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_second": round(rows / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        imported = time_import(folder, args.import_rows)
        print(f"import: {imported['rows']:,} ACLED rows in {imported['seconds']} s ({imported['rows_per_second']:,} rows/s)")
        with Store(folder / "events.duckdb") as store:
            ingest_paths(store, [SAMPLE_DIR])
            incoming = made_up_events(args.events)  # noqa: F841 (read by name below)
            store.con.execute("INSERT INTO events SELECT * FROM incoming")
            store.con.execute("CHECKPOINT")
            timings: dict[str, dict[str, float]] = {}
            for name, call in QUERIES.items():
                for label, filters in FILTERS.items():
                    call(store.con, filters)  # warm
                    runs = []
                    for _ in range(args.runs):
                        started = time.perf_counter()
                        call(store.con, filters)
                        runs.append((time.perf_counter() - started) * 1000)
                    timings.setdefault(name, {})[label] = round(statistics.median(runs), 1)
    header = "| query | " + " | ".join(FILTERS) + " |"
    lines = [header, "| --- |" + " ---: |" * len(FILTERS)]
    lines += [f"| {name} | " + " | ".join(str(v) for v in row.values()) + " |" for name, row in timings.items()]
    meta = (f"{args.events:,} made-up events beside the bundled sample; median of {args.runs} runs in ms, "
            f"after one warm run. Import: {imported['rows']:,} ACLED-layout rows through `ingest_paths` in "
            f"{imported['seconds']} s ({imported['rows_per_second']:,} rows/s).")
    print(meta)
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "events.json").write_text(json.dumps({"meta": meta, "import": imported, "queries": timings}, indent=2) + "\n")
    (RESULTS / "events.md").write_text(f"# Events: import and the timeline's queries\n\n{meta}\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
