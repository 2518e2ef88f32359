"""The dashboard in a real browser on a lake of Parquet tables (CEASEFIRE_DB=lake:FOLDER)."""

from __future__ import annotations

import re

import duckdb
from conftest import _streamlit
from playwright.sync_api import expect

from ceasefire.store.lake import write_lake


def test_the_dashboard_on_a_lake_filters_links_and_stays_read_only(server, page, tmp_path):
    lake = tmp_path / "lake"
    with duckdb.connect(str(server.store_file.with_suffix(".copy.duckdb")), read_only=True) as con:
        write_lake(con, lake)
    with _streamlit(f"lake:{lake}") as url:
        page.goto(f"{url}/Negotiations?outcome=collapsed&location=Doha")
        expect(page.get_by_role("heading", name=server.rounds("outcome = 'collapsed' AND venue_city = 'Doha'"))).to_be_visible()
        page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Actors").click()
        expect(page).to_have_url(re.compile(r"/Actors\?location=Doha&outcome=collapsed$"))
        expect(page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first).to_be_visible()
        page.goto(f"{url}/Data")
        expect(page.get_by_text("This dashboard reads a lake of Parquet tables")).to_be_visible()
        expect(page.get_by_role("tab", name="Upload")).to_have_count(0)  # not even for the server's owner
        page.screenshot(path="/tmp/ceasefire-lake-data.png", full_page=True)
