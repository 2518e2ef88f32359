"""A store that another process holds, a store whose clean-up after a commit fails, and a store served
by several processes while a new version of it is built aside and swapped in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import duckdb
import pytest
from samples import SAMPLE_RECORDS, SAMPLE_ROUNDS, SEED
from streamlit.testing.v1 import AppTest

from ceasefire.cli.main import main
from ceasefire.config import REPO_ROOT
from ceasefire.ingest import ingest_paths
from ceasefire.store.db import Store, StoreBusy

HOLD = textwrap.dedent("""
    import sys, time
    from ceasefire.store.db import Store
    store = Store(sys.argv[1])
    print("holding", flush=True)
    sys.stdin.readline()  # until the test lets go
""")


@pytest.fixture
def held(tmp_path):
    """A store that another process has open for writing, as `ceasefire ingest` has; let go with .release()."""
    path = tmp_path / "held.duckdb"
    Store(path).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")})
    assert holder.stdout.readline().strip() == "holding"

    def release() -> None:
        if holder.poll() is None:
            holder.communicate("\n", timeout=30)

    holder.release = release
    yield path, holder
    release()


def test_a_held_store_is_reported_as_busy_with_the_holders_pid(held):
    path, holder = held
    with pytest.raises(StoreBusy, match=rf"is busy: another process \(PID {holder.pid}: .*python.*\) has it open for "
                                        r"writing; try again when it ends"):
        Store(path, read_only=True)


@pytest.mark.parametrize("command", [["stats"], ["export", "articles", "--out", "x.csv"], ["query", "coverage"],
                                     ["ingest", str(SEED)]])
def test_the_command_line_says_busy_with_its_own_exit_status(held, command, capsys):
    path, holder = held
    assert main(["--db", str(path), *command]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"error: the store {path} is busy: another process (PID {holder.pid}") and "Traceback" not in err


def test_a_visitor_meets_a_busy_store_with_a_notice_and_no_server_path(held, monkeypatch):
    path, holder = held
    monkeypatch.setenv("CEASEFIRE_DB", str(path))
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    assert not app.exception
    assert [i.value for i in app.info] == ["The data is being updated right now. This page will try again in a few seconds."]
    shown = " ".join(str(e.value) for e in (*app.info, *app.markdown, *app.caption, *app.error))
    assert str(path) not in shown and str(holder.pid) not in shown
    holder.release()
    app.run()  # what the page's retry does once the ingest has ended
    assert not app.exception and app.title[0].value == "Overview"
    assert [m.value for m in app.metric][0] == "0" and "being updated" not in " ".join(i.value for i in app.info)


def test_a_failed_compaction_after_the_commit_keeps_what_was_stored_and_says_so(store, monkeypatch):
    def disk_full(self):
        raise duckdb.IOException('Could not write file "x.duckdb": No space left on device')

    monkeypatch.setattr(Store, "compact", disk_full)
    report = ingest_paths(store, [SEED, SAMPLE_RECORDS])
    assert (report.stored, report.articles_added, report.records_added) == (True, 1, SAMPLE_ROUNDS)
    assert report.after_commit_error == 'Could not write file "x.duckdb": No space left on device'
    assert (store.count("articles"), store.count("records"), store.count("ingests")) == (1, SAMPLE_ROUNDS, 1)
    summary = report.summary()
    assert "articles: 1 added" in summary and f"negotiation rounds: {SAMPLE_ROUNDS} added" in summary
    assert "stored as above; reordering the tables afterwards failed (Could not write" in summary
    monkeypatch.undo()
    assert ingest_paths(store, [SEED]).articles_duplicate == 1  # the store is usable afterwards


def test_a_failed_commit_reports_its_own_error(store):
    """DuckDB ends a transaction whose commit failed: the rollback that follows must not replace the error."""
    store.con.execute("CREATE TABLE unique_names (name VARCHAR PRIMARY KEY)")
    other = store.con.cursor()
    with pytest.raises(duckdb.TransactionException, match="Failed to commit: PRIMARY KEY"), store.writing():
        store.con.execute("INSERT INTO unique_names VALUES ('a')")
        other.execute("INSERT INTO unique_names VALUES ('a')")  # commits first: ours now conflicts


READER = textwrap.dedent("""
    import sys
    from ceasefire.dashboard.frame import _store
    for line in sys.stdin:  # one line a read: the store as a dashboard page gets it, and its articles
        print(_store(sys.argv[1]).count("articles"), flush=True)
""")


def test_two_servers_read_one_store_while_a_third_process_builds_a_copy_that_is_swapped_in(tmp_path):
    live = tmp_path / "live.duckdb"
    assert main(["--db", str(live), "ingest", str(SEED)]) == 0
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src"), "CEASEFIRE_READ_ONLY": "true"}
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(live)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True, env=env) for _ in range(2)]

    def read_all() -> list[int]:
        for reader in readers:
            reader.stdin.write("\n")
            reader.stdin.flush()
        return [int(reader.stdout.readline()) for reader in readers]

    try:
        assert read_all() == [1, 1]
        copy = tmp_path / "live.duckdb.new"
        shutil.copyfile(live, copy)
        ingest = subprocess.Popen([sys.executable, "-m", "ceasefire", "--db", str(copy), "ingest", str(SAMPLE_RECORDS),
                                   str(REPO_ROOT / "data" / "sample" / "articles")], env=env, stdout=subprocess.PIPE)
        while ingest.poll() is None:
            assert read_all() == [1, 1]  # readers are never blocked by the ingest, nor see part of it
        assert ingest.returncode == 0
        os.replace(copy, live)  # atomic: a reader opens the old file or the new one, never a mix
        with Store(live, read_only=True) as new:
            expected = new.count("articles")
        assert expected > 1 and read_all() == [expected, expected]
    finally:
        for reader in readers:
            reader.stdin.close()
            reader.wait(timeout=30)
