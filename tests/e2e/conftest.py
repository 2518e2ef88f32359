"""A real `streamlit run` server on the sample store, and Debian's headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ceasefire.config import REPO_ROOT
from ceasefire.loaders.files import load_uploads
from ceasefire.ingest import open_store
from ceasefire.ingest import ingest

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


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    store_file = tmp_path_factory.mktemp("e2e") / "sample.duckdb"
    with open_store(store_file) as store:
        evil = load_uploads([("evil.txt", EVIL_TEXT.encode())])
        ingest(store, evil)
        evil_id = evil.articles.article_id.iloc[0]
    port = _free_port()
    env = {**os.environ, "CEASEFIRE_DB": str(store_file)}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = Server(f"http://127.0.0.1:{port}")
    url.evil_article_id = evil_id
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
    yield url
    process.terminate()
    process.wait(timeout=20)


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
