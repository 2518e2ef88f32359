"""The dashboard in a real browser: deep links, page switches, charts, uploads."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect


def sidebar_chips(page, expected: int) -> list[str]:
    """The values selected in the sidebar's multiselect filters, once `expected` of them are shown."""
    tags = page.locator('[data-testid="stSidebar"] [data-tag]:visible')
    expect(tags).to_have_count(expected)
    return [tags.nth(i).get_attribute("aria-label") for i in range(expected)]


def test_deep_link_with_filters_opens_the_filtered_view(server, page):
    page.goto(f"{server}/Negotiations?outcome=collapsed&location=Doha")
    expect(page.get_by_role("heading", name="Negotiations")).to_be_visible()
    expect(page.get_by_role("heading", name=server.rounds("outcome = 'collapsed' AND venue_city = 'Doha'"))).to_be_visible()
    assert sorted(sidebar_chips(page, 2)) == ["Doha", "collapsed"]


def test_switching_pages_keeps_the_filters(server, page):
    page.goto(f"{server}/?outcome=collapsed")
    expect(page.get_by_text("Negotiation rounds")).to_be_visible()
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Actors").click()
    expect(page.get_by_role("heading", name="Actors", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/Actors\?outcome=collapsed$"))
    assert sidebar_chips(page, 1) == ["collapsed"]
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Negotiations").click()
    expect(page.get_by_role("heading", name=server.rounds("outcome = 'collapsed'"))).to_be_visible()


def test_changing_a_filter_rewrites_the_url(server, page):
    page.goto(f"{server}/Negotiations")
    expect(page.get_by_role("heading", name=server.rounds())).to_be_visible()
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Round outcomes").click()
    page.get_by_role("option", name="stalled").click()
    page.keyboard.press("Escape")
    expect(page.get_by_role("heading", name=server.rounds("outcome = 'stalled'"))).to_be_visible()
    assert parse_qs(urlparse(page.url).query) == {"outcome": ["stalled"]}


def test_charts_render(server, page):
    page.goto(server)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    plotly = page.locator(".js-plotly-plot").first
    expect(plotly).to_be_visible()
    vega = page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first
    expect(vega).to_be_visible()
    box = vega.bounding_box()
    assert box["width"] > 300 and box["height"] > 150
    # The map draws its coastlines from the topojson served by the app itself.
    coastlines = page.locator(".js-plotly-plot g.layer.coastlines path").first
    expect(coastlines).to_be_attached()
    assert len(coastlines.get_attribute("d") or "") > 1000
    page.screenshot(path="/tmp/ceasefire-overview.png", full_page=True)


def test_a_conflict_link_scopes_the_pages_and_the_overview_sets_conflicts_side_by_side(server, page):
    page.goto(server)
    expect(page.get_by_role("heading", name="Conflicts side by side")).to_be_visible()
    page.goto(f"{server}/Negotiations?conflict=Sudan")
    expect(page.get_by_role("heading", name=server.rounds("list_contains(conflicts, 'Sudan')"))).to_be_visible()
    assert sidebar_chips(page, 1) == ["Sudan"]
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Overview").click()
    expect(page).to_have_url(re.compile(r"/\?conflict=Sudan$"))
    expect(page.get_by_role("heading", name="Conflicts side by side")).to_have_count(0)
    page.screenshot(path="/tmp/ceasefire-overview-sudan.png", full_page=True)


def test_selecting_a_round_shows_its_details(server, page):
    page.goto(f"{server}/Negotiations?location=Sharm%20el-Sheikh")
    expect(page.get_by_role("heading", name=server.rounds("venue_city = 'Sharm el-Sheikh'"))).to_be_visible()
    grid = page.locator('.st-key-negotiations_table [data-testid="stDataFrame"]')
    expect(grid).to_be_visible()
    # Relative to the grid and measured at the click, so a chart above that is still laying out cannot move it.
    grid.click(position={"x": 20, "y": 55})  # the selection box of the first row (newest round)
    expect(page.get_by_role("heading", name="Sharm el-Sheikh, 13 October 2025")).to_be_visible()
    expect(page.get_by_text("Mediators:")).to_be_visible()
    assert "round=" in page.url


def test_uploading_a_bad_file_shows_the_reason(server, page, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    garbage = tmp_path / "rounds.csv"
    garbage.write_text("date,venue,outcome\n2025-02-30,Doha,collapsed\n", encoding="utf-8")
    page.goto(f"{server}/Data")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files([str(empty), str(garbage)])
    page.get_by_role("button", name="Ingest").click()
    expect(page.get_by_text("Rejected: 2 (files or rows, listed below). Everything else was stored.")).to_be_visible()
    rejections = page.locator('[data-testid="stDataFrame"]').first
    expect(rejections).to_be_visible()
    page.screenshot(path="/tmp/ceasefire-upload.png", full_page=True)


def test_hostile_article_text_is_shown_as_text_and_never_runs(server, page, evil_article_id):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{server}/Articles?article={evil_article_id}")
    expect(page.get_by_role("heading", name="Evil page")).to_be_visible()
    reader = page.locator(".reader")
    expect(reader).to_contain_text("<script>alert('script ran')</script>")
    expect(reader).to_contain_text("onerror=")
    assert reader.locator("script, img, a[href^='javascript']").count() == 0
    expect(reader.locator("mark.actor", has_text="Hamas")).to_be_visible()
    page.wait_for_timeout(500)
    assert dialogs == []


def test_uploaded_zip_with_path_traversal_is_refused(server, page, tmp_path):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../etc/cron.d/evil.txt", "Evil\nHamas met in Cairo.")
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(buffer.getvalue())
    page.goto(f"{server}/Data")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(bundle))
    page.get_by_role("button", name="Ingest").click()
    expect(page.get_by_text("Rejected: 1 (files or rows, listed below). Everything else was stored.")).to_be_visible()


def test_selecting_an_actor_in_the_network_filters_by_it(server, page):
    page.goto(f"{server}/Network")
    expect(page.get_by_role("heading", name="Network", exact=True)).to_be_visible()
    nodes = page.locator(".js-plotly-plot .scatterlayer .trace").last.locator("path.point")
    expect(nodes.first).to_be_visible()
    box = nodes.first.bounding_box()  # the actor with the most co-mentions
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x - 5, y - 5)
    page.mouse.move(x, y)  # plotly picks the point under the pointer from the hover
    page.mouse.click(x, y)
    expect(page).to_have_url(re.compile(r"/Network\?actor=[^&]+$"))
    actor = parse_qs(urlparse(page.url).query)["actor"][0]
    assert actor in ("United States", "Hamas", "Israel") and sidebar_chips(page, 1) == [actor]
    expect(page.get_by_text(f"Showing items involving {actor}")).to_be_visible()
    # Removing the filter sticks: the chart's old selection does not put it back.
    page.locator('[data-testid="stSidebar"] [data-tag]:visible').get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/Network$"))
    sidebar_chips(page, 0)


def test_a_visitor_forwarded_from_elsewhere_only_reads_when_no_admin_is_configured(server, browser):
    """uvicorn trusts X-Forwarded-For from 127.0.0.1 by default, as from a local proxy: the
    visitor it names is on another machine, so the Data page offers no upload."""
    context = browser.new_context(extra_http_headers={"X-Forwarded-For": "203.0.113.7"})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{server}/Data")
    expect(page.get_by_text("No admin is configured on this server")).to_be_visible()
    expect(page.get_by_role("tab", name="Download")).to_be_visible()
    expect(page.get_by_role("tab", name="Upload")).to_have_count(0)
    context.close()


def test_the_owner_on_the_servers_machine_is_told_why_they_are_admin(server, page):
    page.goto(f"{server}/Data")
    expect(page.get_by_text("You are admin because this is a local install with no password")).to_be_visible()
    expect(page.get_by_text("It listens only on this machine")).to_be_visible()  # --server.address 127.0.0.1
    expect(page.get_by_role("tab", name="Upload")).to_be_visible()


def test_an_acled_export_dropped_on_the_data_page_shows_on_the_timeline_and_the_map(server, page, tmp_path):
    from samples import SAMPLE_EVENTS, gdelt_line, pax_row, to_csv, write_sample_events

    pax, gdelt = tmp_path / "pax.csv", tmp_path / "20230601.export.CSV"
    pax.write_text(to_csv([pax_row(AgtId="9100", Dat="2023-06-01", Agt="Made-up truce for a test")]), encoding="utf-8")
    gdelt.write_text(gdelt_line(GLOBALEVENTID="1100000099", SQLDATE="20230602", Actor1Name="SUDAN", Actor2Name="",
                                ActionGeo_CountryCode="SU", ActionGeo_FullName="Khartoum, Khartoum, Sudan") + "\n", encoding="utf-8")
    page.goto(f"{server}/Data")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        [str(write_sample_events(tmp_path)), str(pax), str(gdelt)])
    page.get_by_role("button", name="Ingest").click()
    expect(page.get_by_text("Everything was accepted.")).to_be_visible()
    added = page.locator('[data-testid="stMetric"]', has_text="Events added")
    expect(added).to_contain_text(re.compile(rf"Events added\s*{len(SAMPLE_EVENTS) + 1}\b"))  # ACLED's and GDELT's
    rounds = page.locator('[data-testid="stMetric"]', has_text="Rounds added")
    expect(rounds).to_contain_text(re.compile(r"Rounds added\s*1\b"))  # the PA-X agreement is a round

    page.goto(f"{server}/Timeline?conflict=Sudan")
    expect(page.get_by_role("heading", name="Before and after each agreement")).to_be_visible()
    chart = page.locator(".st-key-timeline_chart .js-plotly-plot")
    expect(chart).to_be_visible()
    expect(chart.locator(".legendtext", has_text="battle")).to_have_count(1)
    expect(chart.locator("text.gtitle")).to_have_text("Events per week around the rounds of talks and agreements")
    page.screenshot(path="/tmp/ceasefire-timeline.png", full_page=True)
    bar = chart.locator(".barlayer .point path").first  # the first week with events (10 May 2023: a battle)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x - 5, y - 5)
    page.mouse.move(x, y)  # plotly picks the point under the pointer from the hover
    expect(chart.locator(".hoverlayer .hovertext").first).to_be_attached()
    page.mouse.click(x, y)
    expect(page.get_by_text(re.compile(r"^Battle, the week from 08 May 2023:$"))).to_be_visible()
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(2)  # its events, above the agreements
    grid = page.locator('.st-key-timeline_agreements [data-testid="stDataFrame"]')
    expect(grid).to_be_visible()
    grid.click(position={"x": 20, "y": 55})  # the newest agreement
    expect(page).to_have_url(re.compile(r"agreement=[^&]+"))
    expect(page.get_by_role("heading", name=re.compile(r"^Events 30 days either side of "))).to_be_visible()

    page.goto(f"{server}/Map?conflict=Sudan")
    expect(page.get_by_role("button", name="events")).to_be_visible()  # the layer of events
