"""Markup in articles, records and the catalog reaches visitors' browsers as text: no image, link or
request to the host it names, on any page."""

from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit

import pytest
from conftest import COUNCIL, FRONT, TRACKER, TRACKING
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

# Elements that load or point at an address on `host`, in HTML and SVG (plotly's links are SVG <a
# xlink:href>). Our own page links carry the filters, so the host's name in a query string is fine.
POINTING_AT = """host => [...document.querySelectorAll('*')].filter(element => [...element.attributes].some(attribute =>
    /^(src|srcset|href|xlink:href|action|formaction|poster|data)$/i.test(attribute.name)
    && attribute.value.split(/[\\s,]+/).some(address => {
        try { return new URL(address, document.baseURI).hostname.endsWith(host); } catch { return false; }
    }))).map(element => element.outerHTML.slice(0, 120))"""


def settled(page, heading: str, last: str) -> None:
    """Wait until the page's script has run (its title and `last`, a selector of what it shows last,
    are shown) and its plotly charts are drawn."""
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator(last).first).to_be_visible()
    for chart in page.locator(".js-plotly-plot").all():
        expect(chart.locator(".main-svg").first).to_be_attached()


def shows(page, text: str) -> bool:
    """Whether the page's main part comes to show `text` (word joiners aside) within 10 s."""
    try:
        page.wait_for_function("""text => document.querySelector('[data-testid="stMain"]').innerText
                                      .replaceAll('\\u2060', '').includes(text)""", arg=text, timeout=10_000)
    except PlaywrightTimeoutError:
        return False
    return True


TABLE = '[data-testid="stDataFrame"]'


def visits(server) -> list[tuple[str, str, str, str]]:
    """(path and query, page title, selector of what the page shows last, text it must show as typed) for every page."""
    front = urlencode({"actor": FRONT}, quote_via=quote)
    return [
        (f"/?{front}", "Overview", TABLE, "Latest rounds"),
        (f"/Negotiations?round={server.record_id}&news_round={server.news_round}", "Negotiations",
         "text=Review >> nth=-1", f"Talks collapsed {TRACKING}"),
        ("/Actors", "Actors", TABLE, f"Affiliation: {COUNCIL}"),
        (f"/Network?{front}", "Network", TABLE, "Named together in the same"),
        (f"/Timeline?agreement={server.agreement_id}", "Ceasefire timeline", TABLE, "Events 30 days either side of Cairo"),
        ("/Map", "Map", TABLE, "Show"),
        (f"/Articles?article={server.article_id}", "Articles", ".reader", f"Source: Zorgon Wire {TRACKING}"),
        (f"/Articles?{urlencode({'q': TRACKING}, quote_via=quote)}", "Articles", "text=Select an article",
         f"containing “{TRACKING}”"),
        ("/Issues", "Issues", ".js-plotly-plot", "Per"),
        (f"/Data?{front}", "Data", "role=tab[name='Download']", f"Downloads articles involving {FRONT}"),
    ]


@pytest.fixture
def tracked(page):
    """The page, and the addresses it asked for on TRACKER."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url)
            if (urlsplit(request.url).hostname or "").endswith(TRACKER) else None)
    return page, requests


def test_markup_from_the_data_is_shown_as_text_on_every_page(tracking_server, tracked):
    page, requests = tracked
    wrong: dict[str, object] = {}  # every page's findings, not just the first page's
    for number, (path, heading, last, text) in enumerate(visits(tracking_server)):
        page.goto(f"{tracking_server}{path}")
        settled(page, heading, last)
        if last.startswith("role=tab"):
            page.locator(last).click()
            expect(page.get_by_role("button", name="Prepare download")).to_be_visible()
        if heading == "Actors":  # plotly's hover label of the most mentioned actor (FRONT)
            bars = page.locator(".js-plotly-plot").last.locator(".barlayer .point path")
            expect(bars.first).to_be_visible()  # drawn: a chart's frame comes before its bars
            box = min((bar.bounding_box() for bar in bars.all()), key=lambda box: box["y"])  # the top bar
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(x - 5, y - 5)
            page.mouse.move(x, y)  # plotly finds the bar under the pointer from its moves
            expect(page.locator(".js-plotly-plot .hoverlayer .hovertext").first).to_be_attached()
        shown = shows(page, text)
        pointing = page.evaluate(POINTING_AT, TRACKER)
        if pointing or not shown:
            wrong[path] = pointing or f"{text!r} not shown"
        page.screenshot(path=f"/tmp/ceasefire-tracking-{number}-{heading.lower()}.png", full_page=True)
    assert not wrong, "\n".join(f"{path}: {found}" for path, found in wrong.items())
    assert requests == []
