"""A real `streamlit run` server on the sample store, and Debian's headless Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml
from samples import acled_row, to_csv

from ceasefire.config import REPO_ROOT
from ceasefire.ingest import ingest, open_store
from ceasefire.loaders.files import load_uploads

# Hostile text a visitor's browser must show as text, never run.
EVIL_TEXT = ("Evil page\n<script>alert('script ran')</script> Hamas met in Cairo. "
             "<img src=x onerror=\"alert('onerror ran')\"> <a href=\"javascript:alert('link ran')\">click</a>")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def evil_article_id(server) -> str:
    return server.evil_article_id


class Server(str):
    """The server's base URL, carrying the id of the hostile article stored before it started."""

    evil_article_id: str
    store_file: Path

    def rounds(self, where: str = "TRUE") -> str:
        """The heading the Negotiations page shows for the stored rounds meeting an SQL condition."""
        with duckdb.connect(str(self.store_file.with_suffix(".copy.duckdb")), read_only=True) as con:
            return f"{con.execute(f'SELECT count(*) FROM records WHERE {where}').fetchone()[0]} rounds"


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    store_file = tmp_path_factory.mktemp("e2e") / "sample.duckdb"
    with open_store(store_file) as store:
        evil = load_uploads([("evil.txt", EVIL_TEXT.encode())])
        ingest(store, evil)
        evil_id = evil.articles.article_id.iloc[0]
    shutil.copy(store_file, store_file.with_suffix(".copy.duckdb"))  # the server holds the store's lock; tests count in the copy
    with _streamlit(store_file) as url:
        url.evil_article_id, url.store_file = evil_id, store_file
        yield url


@contextlib.contextmanager
def _streamlit(store_file: Path, data_dir: Path | None = None) -> Iterator[Server]:
    """`streamlit run app.py` on `store_file` (and `data_dir`'s catalog), until the block ends."""
    port = _free_port()
    env = {**os.environ, "CEASEFIRE_DB": str(store_file)} | ({"CEASEFIRE_DATA_DIR": str(data_dir)} if data_dir else {})
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = Server(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail(f"streamlit did not start: {process.stdout.read().decode()[-2000:]}")
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


# Markup from articles and records that a browser would fetch or follow if it rendered it (a tracking
# pixel, links): every page must show it as text. The host is reserved, never a real address.
TRACKER = "tracker.invalid"
TRACKING = (f"![](http://{TRACKER}/pixel.png) [x](http://{TRACKER}/) <http://{TRACKER}/> "
            f'<a href="http://{TRACKER}/">a</a> <img src="http://{TRACKER}/i.png"> www.{TRACKER}')
COUNCIL = f"Zorgon Council ![](http://{TRACKER}/pixel.png)"
FRONT = f'Zorgon Front <a href="http://{TRACKER}/">a</a>'


class TrackingServer(Server):
    """A server on a store holding only an article, two records, an event and two catalog actors full of TRACKING."""

    article_id: str
    record_id: str
    news_round: str
    agreement_id: str


@pytest.fixture(scope="session")
def tracking_server(tmp_path_factory) -> TrackingServer:
    from ceasefire.analysis.extract import Extractors
    from ceasefire.read import queries
    from ceasefire.read.filters import Filters
    from ceasefire.store.db import Store

    data_dir = tmp_path_factory.mktemp("tracking-data")
    shutil.copytree(REPO_ROOT / "data", data_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.duckdb*", "sample"))
    with (data_dir / "actors" / "zorgon.yaml").open("w", encoding="utf-8") as catalog:
        # The text names them by their plain aliases: the catalog matches names word by word.
        catalog.write(yaml.safe_dump([{"name": COUNCIL, "type": "other", "aliases": ["Zorgon Council"]},
                                      {"name": FRONT, "type": "armed group", "affiliation": COUNCIL,
                                       "aliases": ["Zorgon Front", f"Zorgon [x](http://{TRACKER}/)"]}], allow_unicode=True))
    article = {"title": f"Zorgon talks {TRACKING}", "source": f"Zorgon Wire {TRACKING}",
               "url": "https://news.example.org/zorgon", "published_at": "2025-06-12",
               "text": "Zorgon Front and Zorgon Council met Hamas negotiators in Cairo on 10 June 2025 over the hostages "
                       f"and a ceasefire. {TRACKING}\n\nTalks in Cairo between Zorgon Front and Israel collapsed on 11 June "
                       f"2025. {TRACKING}\n\nZorgon Front said Zorgon Council would return to Cairo. Zorgon Front "
                       "named Zorgon Front twice."}
    records = io.StringIO()
    csv.writer(records).writerows([
        ["start_date", "end_date", "venue", "country", "parties", "mediators", "outcome", "key_issues", "proposal", "source"],
        ["2025-06-10", "2025-06-11", "Cairo", "Egypt", f"{FRONT}; Hamas; {TRACKING}", "Egypt; Qatar",
         f"Talks collapsed {TRACKING}", f"hostages; {TRACKING}", f"Zorgon plan {TRACKING}", f"Zorgon Wire {TRACKING}"],
        ["2025-06-20", "", "Cairo", "Egypt", f"{FRONT}; Israel", "Egypt", "agreement", "ceasefire", "", f"Zorgon Wire {TRACKING}"],
    ])
    # An event whose every text field carries the markup, within the agreement's window.
    events = to_csv([acled_row(event_id_cnty="ZRG1", event_date="2025-06-15", country="Egypt", iso="818",
                               location=f"Zorgon {TRACKING}", actor1=f"Zorgon Front {TRACKING}", actor2="Hamas",
                               notes=f"Zorgon note {TRACKING}", source=f"Zorgon Wire {TRACKING}", latitude="30.04",
                               longitude="31.24")])
    store_file = data_dir / "tracking.duckdb"
    with Store(store_file) as store:
        ingest(store, load_uploads([("zorgon.json", json.dumps(article).encode()), ("zorgon-rounds.csv", records.getvalue().encode()),
                                    ("zorgon-events.csv", events.encode())]),
                     extractors=Extractors.load(actors_path=data_dir / "actors"))
        article_id = store.con.execute("SELECT article_id FROM articles").fetchone()[0]
        record_id = store.con.execute("SELECT record_id FROM records WHERE outcome = 'collapsed'").fetchone()[0]
        agreement_id = store.con.execute("SELECT record_id FROM records WHERE outcome = 'agreement'").fetchone()[0]
        news_round = queries.news_rounds(store.con, Filters())[0].key
    with _streamlit(store_file, data_dir) as url:
        url = TrackingServer(url)
        url.article_id, url.record_id, url.news_round, url.agreement_id = article_id, record_id, news_round, agreement_id
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = "browser tests need Debian's chromium package (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    # A cold server's first render (plotly's bundle, the first queries) can take longer than expect's 5 s default.
    expect.set_options(timeout=20_000)
    yield page
    context.close()
