"""Readers never see half an ingest, and killing an ingest mid-way loses nothing that was stored."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from samples import GAZA_RECORDS, SAMPLE_RECORDS, SEED

from ceasefire.ingest import ingest, ingest_paths
from ceasefire.loaders.files import load_paths
from ceasefire.store.db import Store

CONSISTENCY = ("SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM article_stats), "
               "(SELECT count(*) FROM records)")


def articles_file(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for number in range(count):
            handle.write(json.dumps({
                "title": f"Round report {number}", "published": f"2025-0{1 + number % 9}-1{number % 10}",
                "text": f"Report {number}: Hamas and Israel sent delegations to Cairo. Egyptian and Qatari mediators "
                        f"proposed a truce of {number % 90 + 1} days and the release of hostages.\n" * 6,
            }) + "\n")
    return path


def test_readers_see_an_ingest_whole_or_not_at_all(store, tmp_path, monkeypatch):
    ingest_paths(store, [SEED])
    before = tuple(store.con.execute(CONSISTENCY).fetchall()[0])
    batch = load_paths([articles_file(tmp_path / "batch.jsonl", 40), SAMPLE_RECORDS])
    original = Store._save_extraction

    def slow_save(self, *args, **kwargs):  # the new articles are inserted but not committed while this sleeps
        time.sleep(0.6)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Store, "_save_extraction", slow_save)
    seen: set[tuple] = set()
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            with store.con.cursor() as cursor:
                seen.add(tuple(cursor.execute(CONSISTENCY).fetchall()[0]))

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    ingest(store, batch)
    time.sleep(0.1)
    done.set()
    for reader in readers:
        reader.join()
    after = tuple(store.con.execute(CONSISTENCY).fetchall()[0])
    assert after == (before[0] + 40, before[1] + 40, before[2] + GAZA_RECORDS)
    assert seen <= {before, after} and after in seen and before in seen


def run_ingest(db: Path, source: Path, kill_when=None) -> int | None:
    """Run `ceasefire ingest` in a child process; SIGKILL it once `kill_when()` is true."""
    process = subprocess.Popen([sys.executable, "-m", "ceasefire", "--db", str(db), "ingest", str(source)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None:
        if kill_when is not None and kill_when():
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return None
        time.sleep(0.005)
    return process.returncode


def test_killing_an_ingest_mid_way_loses_nothing(tmp_path):
    db = tmp_path / "killed.duckdb"
    with Store(db) as store:
        ingest_paths(store, [SEED, SAMPLE_RECORDS])
        baseline = tuple(store.con.execute(CONSISTENCY).fetchall()[0])
    source = articles_file(tmp_path / "big.jsonl", 1500)
    wal = Path(f"{db}.wal")
    started = time.monotonic()
    kills = [lambda: time.monotonic() - started > 1.5,  # while files are read and analysed
             lambda: wal.exists()]  # once the ingest transaction has begun writing
    for kill_when in kills:
        started = time.monotonic()
        assert run_ingest(db, source, kill_when) is None, "the ingest finished before it could be killed"
        with Store(db) as store:  # the file opens (the WAL is replayed or discarded) and is consistent
            state = tuple(store.con.execute(CONSISTENCY).fetchall()[0])
        assert state in {baseline, (baseline[0] + 1500, baseline[1] + 1500, baseline[2])}, state
    assert run_ingest(db, source) == 0
    with Store(db) as store:
        assert tuple(store.con.execute(CONSISTENCY).fetchall()[0]) == (baseline[0] + 1500, baseline[1] + 1500, baseline[2])
        assert store.con.execute("SELECT count(*) FROM records WHERE venue_city = 'Doha'").fetchall()[0][0] == 12
