"""Fetching by URL, watched sources and title-only articles, against a web server on 127.0.0.1."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta

import pandas as pd
import pytest
from local_web import Route, page, rss, serve

from ceasefire.cli.main import main
from ceasefire.fetching import fetch_pending_articles, fetch_urls, parse_every, refresh, watch
from ceasefire.ingest import ingest_paths
from ceasefire.loaders.http import FetchError, FetchSettings, HttpClient
from ceasefire.loaders.schema import url_key
from ceasefire.loaders.web import Progress
from ceasefire.store.db import Store

FAST = FetchSettings(timeout=0.5, retries=1, backoff=0, host_interval=0, max_bytes=200_000)
TALKS = ["Negotiators from Hamas and Israel met in Doha on Tuesday to discuss a ceasefire and the release of hostages.",
         "Qatari and Egyptian mediators said the talks would continue next week."]
CHANGED = [*TALKS, "A correction: the delegations met for a second day on Wednesday."]


@pytest.fixture
def web():
    with serve() as server:
        yield server


def articles(store: Store):
    return store.con.execute("SELECT article_id, title, url, text, published_at, published_from, source, text_pending, "
                             "origin_file FROM articles ORDER BY url").df()


def test_a_page_is_read_by_trafilatura_with_its_date_and_site_and_known_by_its_url(store, web):
    web.routes["/talks"] = Route(page("Talks resume in Doha", TALKS, "2025-08-12"))
    web.routes["/undated"] = Route(page("Envoys meet", ["Envoys met to discuss a truce, officials said."]))
    report = fetch_urls(store, [web.url("/talks"), web.url("/undated")], FAST)
    assert report.articles_added == 2 and not report.rejections
    dated, undated = articles(store).itertuples()
    assert (dated.title, dated.source, dated.url) == ("Talks resume in Doha", "Local Wire", web.url("/talks"))
    assert str(dated.published_at.date()) == "2025-08-12" and dated.published_from == "metadata"
    assert "Qatari and Egyptian mediators" in dated.text and "Home | World" not in dated.text
    assert dated.article_id == url_key(web.url("/talks"))
    assert undated.published_from == "unknown" and pd.isna(undated.published_at)


def test_a_page_fetched_again_with_a_changed_text_updates_its_article(store, web):
    web.routes["/talks"] = Route(page("Talks resume in Doha", TALKS, "2025-08-12"))
    fetch_urls(store, [web.url("/talks")], FAST)
    again = fetch_urls(store, [web.url("/talks")], FAST)
    assert (again.articles_added, again.articles_updated, again.sources[0].ingest.articles_duplicate) == (0, 0, 1)
    web.routes["/talks"] = Route(page("Talks resume in Doha (updated)", CHANGED, "2025-08-12"))
    changed = fetch_urls(store, [web.url("/talks")], FAST)
    assert (changed.articles_added, changed.articles_updated) == (0, 1)
    stored = articles(store)
    assert len(stored) == 1 and "second day on Wednesday" in stored.text[0] and stored.title[0].endswith("(updated)")
    # Analysed again, once: each sentence a row, the last reaching into the new text.
    rows, distinct, end = store.con.execute("SELECT count(*), count(DISTINCT sentence_index), max(char_end) FROM sentences "
                                            "WHERE article_id = ?", [stored.article_id[0]]).fetchall()[0]
    assert rows == distinct and end > len(" ".join(TALKS)) + 10


def rounds_page(outcome: str) -> bytes:
    table = ("<table><thead><tr><th>Date</th><th>Venue</th><th>Outcome</th><th>Mediators</th></tr></thead>"
             f"<tbody><tr><td>2025-07-06</td><td>Doha</td><td>{outcome}</td><td>Qatar; Egypt</td></tr></tbody></table>")
    return page("Rounds so far", TALKS).replace(b"</article>", table.encode() + b"</article>")


def test_the_rounds_in_a_page_fetched_again_are_those_of_its_new_text(store, web):
    web.routes["/rounds"] = Route(rounds_page("Talks collapsed"))
    assert fetch_urls(store, [web.url("/rounds")], FAST).sources[0].ingest.records_added == 1
    web.routes["/rounds"] = Route(rounds_page("Talks postponed"))
    fetch_urls(store, [web.url("/rounds")], FAST)
    assert store.con.execute("SELECT outcome FROM records").fetchall() == [("postponed",)]


def test_a_body_that_arrives_too_slowly_is_cut_off(web):
    web.routes["/drip"] = Route(page("Drip", TALKS))
    ticks = iter(range(0, 10_000, 40))
    with HttpClient(FetchSettings(deadline=30, host_interval=0, robots=False), clock=lambda: next(ticks)) as client:
        with pytest.raises(FetchError, match="took more than 30 s"):
            client.get(web.url("/drip"))


def test_a_feed_fetches_each_entry_page_and_keeps_the_feed_summary_when_a_page_fails(store, web):
    web.routes["/a"] = Route(page("Talks resume in Doha", TALKS))
    web.routes["/feed"] = Route(rss([
        {"title": "Talks resume in Doha", "link": web.url("/a"), "date": "Tue, 12 Aug 2025 10:00:00 GMT"},
        {"title": "Envoys in Cairo", "link": web.url("/gone"), "summary": "Envoys met in Cairo for talks on a truce.",
         "date": "Wed, 13 Aug 2025 09:00:00 GMT"},
    ]), "application/rss+xml")
    report = fetch_urls(store, [web.url("/feed")], FAST)
    assert report.sources[0].kind == "feed" and report.articles_added == 2
    assert [(r.file, r.reason) for r in report.rejections] == [
        (web.url("/gone"), "page not read: HTTP 404 Not Found; kept the feed's summary")]
    page_article, summary_article = articles(store).itertuples()
    assert "Qatari and Egyptian mediators" in page_article.text
    assert str(page_article.published_at.date()) == "2025-08-12"  # the page had no date: the feed's
    assert summary_article.text == "Envoys met in Cairo for talks on a truce." and str(summary_article.published_at.date()) == "2025-08-13"


@pytest.mark.parametrize(("route", "reason"), [
    (Route(b"", status=404), "HTTP 404"),
    (Route(b"", status=500), "HTTP 500"),
    (Route(page("Slow", TALKS), delay=1.5), "timed out"),
    (Route(b"x" * 300_000, "text/html"), "over the limit of 200,000"),
    (Route(b"\x89PNG" + b"0" * 100, "image/png"), "'image/png' is neither a web page"),
])
def test_a_failing_url_is_one_clear_rejection_and_the_other_urls_are_stored(store, web, route, reason):
    web.routes["/good"] = Route(page("Talks resume in Doha", TALKS))
    web.routes["/bad"] = route
    report = fetch_urls(store, [web.url("/bad"), web.url("/good")], FAST)
    assert report.articles_added == 1
    assert len(report.rejections) == 1 and report.rejections[0].file == web.url("/bad")
    assert reason in report.rejections[0].reason


def test_5xx_and_429_are_retried_with_backoff_and_retry_after(web):
    answers = iter([Route(b"", status=503), Route(b"", status=429, headers={"Retry-After": "7"}), Route(page("Ok", TALKS))])
    web.routes["/flaky"] = lambda: next(answers)
    waits: list[float] = []
    settings = FetchSettings(retries=2, backoff=0.25, host_interval=0)
    with HttpClient(settings, sleep=waits.append) as client:
        assert client.get(web.url("/flaky")).status == 200
    assert waits == [0.25, 7.0]  # the backoff, then the server's Retry-After
    web.routes["/down"] = Route(b"", status=502)
    with HttpClient(settings, sleep=lambda _: None) as client, pytest.raises(FetchError, match="HTTP 502"):
        client.get(web.url("/down"))
    assert web.hits("/down") == 3


def test_redirects_are_followed_a_bounded_number_of_times(web):
    web.routes["/old"] = Route(status=301, headers={"Location": "/new"})
    web.routes["/new"] = Route(page("Moved", TALKS))
    web.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})
    with HttpClient(FAST) as client:
        assert client.get(web.url("/old")).url == web.url("/new")
        with pytest.raises(FetchError, match="more than 5 redirects"):
            client.get(web.url("/loop"))
    assert web.hits("/loop") == 6


def test_a_gzip_bomb_is_refused_and_honest_gzip_is_read(web):
    web.routes["/bomb"] = Route(b"<html>" + b" " * 150_000, gzip=True)
    web.routes["/zipped"] = Route(page("Zipped", TALKS), gzip=True)
    with HttpClient(FAST) as client:
        with pytest.raises(FetchError, match="gzip bomb"):
            client.get(web.url("/bomb"))
        assert b"Qatari and Egyptian" in client.get(web.url("/zipped")).body


def test_robots_txt_is_obeyed_and_the_user_agent_names_the_project_and_contact(web, monkeypatch):
    monkeypatch.setenv("CEASEFIRE_CONTACT", "mailto:desk@example.org")
    web.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", "text/plain")
    web.routes["/private/a"] = Route(page("Secret", TALKS))
    web.routes["/public"] = Route(page("Public", TALKS))
    with HttpClient(FAST) as client:
        with pytest.raises(FetchError, match="robots.txt does not allow"):
            client.get(web.url("/private/a"))
        client.get(web.url("/public"))
    assert web.hits("/private/a") == 0 and web.hits("/robots.txt") == 1
    agents = {headers["User-Agent"] for _, headers in web.requests}
    assert agents == {"CeasefireTalksDashboard/0.1.0 (+mailto:desk@example.org)"}


def test_requests_to_one_host_are_spaced_by_the_host_interval(web):
    web.routes["/a"] = Route(page("A", TALKS))
    now = [100.0]
    waits: list[float] = []
    with HttpClient(FetchSettings(host_interval=3.0), sleep=waits.append, clock=lambda: now[0]) as client:
        client.get(web.url("/a"))  # robots.txt, then the page: the page waits for the host
        now[0] += 1.0
        client.get(web.url("/a"))
    assert waits == [3.0, 2.0]


def test_a_watched_feed_is_refreshed_incrementally_by_etag_and_entry_ids(store, web):
    entries = [{"title": "Talks resume", "link": web.url("/a")}]
    web.routes["/a"] = Route(page("Talks resume in Doha", TALKS))
    web.routes["/b"] = Route(page("Envoys in Cairo", ["Envoys met in Cairo for talks on a truce in Gaza, officials said."]))
    web.routes["/feed"] = lambda: Route(rss(entries), "application/rss+xml", etag=f'"v{len(entries)}"')
    assert watch(store, web.url("/feed"), "1h")
    first = refresh(store, FAST)
    assert first.articles_added == 1
    assert refresh(store, FAST).sources == []  # not due for an hour
    later = datetime.now() + timedelta(hours=2)
    unchanged = refresh(store, FAST, now=later)
    assert unchanged.sources[0].not_modified and web.requests[-1][1].get("If-None-Match") == '"v1"'
    entries.append({"title": "Envoys in Cairo", "link": web.url("/b")})
    changed = refresh(store, FAST, now=later + timedelta(hours=2))
    assert changed.articles_added == 1 and web.hits("/a") == 1 and web.hits("/b") == 1
    source = store.watched_sources().iloc[0]
    assert (source.kind, source.refreshes, source.articles_added, source.last_error) == ("feed", 3, 2, None)
    assert sorted(source.seen_entries) == sorted([web.url("/a"), web.url("/b")])


def test_an_entry_whose_page_failed_is_tried_again_at_the_next_refresh(store, web):
    web.routes["/feed"] = Route(rss([{"title": "Envoys in Cairo", "link": web.url("/b")}]), "application/rss+xml", etag='"v1"')
    watch(store, web.url("/feed"), "1h")
    assert refresh(store, FAST).rejections[0].reason == "page not read: HTTP 404 Not Found; nothing kept"
    web.routes["/b"] = Route(page("Envoys in Cairo", ["Envoys met in Cairo for talks on a truce in Gaza, officials said."]))
    again = refresh(store, FAST, now=datetime.now() + timedelta(hours=2))
    assert again.articles_added == 1 and not again.sources[0].not_modified
    assert store.watched_sources().etag.tolist() == ['"v1"']


def test_a_watched_source_that_fails_keeps_its_last_error(store, web):
    watch(store, web.url("/nothing"), "30m")
    refresh(store, FAST)
    assert store.watched_sources().last_error.tolist() == ["HTTP 404 Not Found"]
    with pytest.raises(ValueError, match="more often than once a minute"):
        parse_every("10s")


def doc_list(web, paths: list[str]) -> bytes:
    return json.dumps({"articles": [
        {"url": web.url(path), "url_mobile": "", "title": f"Ceasefire talks {path}", "seendate": "20250812T101500Z",
         "socialimage": "", "domain": "127.0.0.1", "language": "English", "sourcecountry": "Qatar"} for path in paths]}).encode()


def test_a_doc_list_ingested_gives_title_only_articles_that_fetching_replaces(store, web, write):
    web.routes["/a"] = Route(page("Talks resume in Doha", TALKS))
    report = ingest_paths(store, [write("doc.json", doc_list(web, ["/a", "/missing"]).decode())])
    assert report.articles_added == 2 and not report.rejections
    listed = articles(store)
    assert listed.text_pending.tolist() == [True, True] and listed.text.tolist() == listed.title.tolist()
    assert str(listed.published_at[0]) == "2025-08-12 10:15:00"
    fetched = fetch_pending_articles(store, FAST)
    assert (fetched.articles_added, fetched.articles_updated) == (0, 1)
    assert [r.reason for r in fetched.rejections] == ["page not read: HTTP 404 Not Found; it stays known by its title"]
    after = articles(store).set_index("url")
    assert not after.text_pending[web.url("/a")] and "Qatari and Egyptian" in after.text[web.url("/a")]
    assert str(after.published_at[web.url("/a")]) == "2025-08-12 10:15:00"  # the page has no date: the list's
    assert after.text_pending[web.url("/missing")]
    again = ingest_paths(store, [write("doc.json", doc_list(web, ["/a", "/missing"]).decode())])
    assert again.articles_added == again.articles_updated == 0  # a title-only row never replaces a fetched page
    assert not articles(store).set_index("url").text_pending[web.url("/a")]


def test_a_doc_list_fetched_by_url_fetches_its_pages(store, web):
    web.routes["/a"] = Route(page("Talks resume in Doha", TALKS))
    web.routes["/doc"] = Route(doc_list(web, ["/a", "/missing"]), "application/json; charset=utf-8")
    report = fetch_urls(store, [web.url("/doc")], FAST, Progress())
    assert report.sources[0].kind == "doc-list" and report.articles_added == 2
    assert articles(store).set_index("url").text_pending.to_dict() == {web.url("/a"): False, web.url("/missing"): True}


def test_progress_counts_every_page_and_entry(store, web):
    web.routes["/a"] = Route(page("Talks resume in Doha", TALKS))
    web.routes["/feed"] = Route(rss([{"title": "A", "link": web.url("/a")}, {"title": "B", "link": web.url("/b")}]),
                                "application/rss+xml")
    seen: list[tuple[int, int]] = []
    fetch_urls(store, [web.url("/feed"), web.url("/a")], FAST, Progress(listener=lambda p: seen.append((p.done, p.total))))
    assert seen[-1] == (4, 4) and all(done <= total for done, total in seen)


def test_the_cli_fetches_watches_and_refreshes(tmp_path, web, capsys):
    db = str(tmp_path / "cli.duckdb")
    web.routes["/a"] = Route(page("Talks resume in Doha", TALKS))
    fast = ["--timeout", "0.5", "--retries", "0", "--host-interval", "0"]
    assert main(["--db", db, "fetch", web.url("/a"), web.url("/missing"), *fast]) == 1
    out = capsys.readouterr().out
    assert f"{web.url('/a')}: page, 1 articles added" in out and f"{web.url('/missing')}: failed: HTTP 404" in out
    assert main(["--db", db, "watch", "add", web.url("/a"), "--every", "2h"]) == 0
    assert main(["--db", db, "refresh", *fast]) == 0
    assert main(["--db", db, "watch", "list"]) == 0
    listed = capsys.readouterr().out
    assert f"{web.url('/a')}  every 2h  page  last refresh" in listed and "1 refreshes, 0 articles added" in listed
    assert main(["--db", db, "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["articles_title_only"], stats["watched_sources"]) == (0, 1)
    assert main(["--db", db, "watch", "remove", web.url("/a")]) == 0
    assert main(["--db", db, "watch", "remove", web.url("/a")]) == 2
    assert main(["--db", db, "fetch"]) == 2


def test_swap_writes_a_copy_and_renames_it_over_the_store(tmp_path, web):
    db = tmp_path / "live.duckdb"
    Store(db).close()
    before = os.stat(db).st_ino
    web.routes["/a"] = Route(page("Talks resume in Doha", TALKS))
    assert main(["--db", str(db), "--swap", "fetch", web.url("/a"), "--host-interval", "0"]) == 0
    assert os.stat(db).st_ino != before and not (tmp_path / ".live.duckdb.updating").exists()
    with Store(db, read_only=True) as store:
        assert store.count("articles") == 1
    assert main(["--db", str(db), "--swap", "watch", "add", web.url("/a")]) == 0
    assert main(["--db", str(db), "--swap", "refresh", "--host-interval", "0"]) == 0
    swapped_in = os.stat(db).st_ino
    assert main(["--db", str(db), "--swap", "refresh"]) == 0  # nothing due: the store is not copied
    assert os.stat(db).st_ino == swapped_in


def test_an_older_store_gains_the_watched_sources_and_the_title_only_mark(tmp_path):
    path = tmp_path / "old.duckdb"
    with Store(path) as old:
        old.con.execute("DROP TABLE watched_sources")
        old.con.execute("ALTER TABLE articles DROP COLUMN text_pending")
    with Store(path) as upgraded:
        assert upgraded._has("articles", "text_pending") and upgraded.watched_sources().empty


def test_the_data_page_fetches_in_the_background_and_lists_watched_sources(tmp_path, web, monkeypatch):
    from samples import open_page

    from ceasefire.dashboard import actions

    path = tmp_path / "page.duckdb"
    monkeypatch.setenv("CEASEFIRE_DB", str(path))
    monkeypatch.setattr(actions, "_FETCH", {})
    monkeypatch.setattr(actions, "fetch_urls", lambda store, urls, progress: fetch_urls(store, urls, FAST, progress))
    with Store(path) as opened:
        watch(opened, web.url("/gone"), "1h")
        refresh(opened, FAST)
    web.routes["/a"] = Route(page("Talks resume in Doha", TALKS))
    app = open_page("pages/7_Data.py")
    listed = next(frame.value for frame in app.dataframe if "Last error" in frame.value.columns)
    assert listed.to_dict("records")[0] | {"Last refresh": None} == {
        "URL": web.url("/gone"), "Kind": "not fetched yet", "Every (s)": 3600, "Last refresh": None, "Refreshes": 1,
        "Articles added": 0, "Updated": 0, "Last error": "HTTP 404 Not Found"}
    app.text_area(key="web_urls").input(f"{web.url('/a')}\n{web.url('/missing')}").run()
    app.button(key="web_fetch").click().run()
    actions.current_fetch().thread.join()
    app.run()
    assert not app.exception
    shown = {metric.label: metric.value for metric in app.metric}
    assert (shown["Articles added"], shown["Rejected"]) == ("1", "1")
    rejected = next(frame.value for frame in app.dataframe if list(frame.value.columns) == ["URL", "Reason"])
    assert rejected.to_dict("records") == [{"URL": web.url("/missing"), "Reason": "HTTP 404 Not Found"}]
    app.button(key="web_watch").click().run()
    listed = next(frame.value for frame in app.dataframe if "Last error" in frame.value.columns)
    assert sorted(listed.URL) == sorted([web.url("/a"), web.url("/gone"), web.url("/missing")])


def test_the_articles_page_marks_a_title_only_article(tmp_path, web, monkeypatch, write):
    from samples import open_page

    path = tmp_path / "articles.duckdb"
    monkeypatch.setenv("CEASEFIRE_DB", str(path))
    with Store(path) as opened:
        ingest_paths(opened, [write("doc.json", doc_list(web, ["/a"]).decode())])
        listed = opened.con.execute("SELECT article_id FROM articles").fetchall()[0][0]
    app = open_page("pages/5_Articles.py", article=listed)
    assert not app.exception
    assert any(box.value.startswith("Title only: this article was listed") for box in app.info)


def test_the_data_page_fetches_the_pages_of_title_only_articles(tmp_path, web, monkeypatch, write):
    from samples import open_page

    from ceasefire.dashboard import actions

    path = tmp_path / "pending.duckdb"
    monkeypatch.setenv("CEASEFIRE_DB", str(path))
    monkeypatch.setattr(actions, "_FETCH", {})
    monkeypatch.setattr(actions, "fetch_pending_articles", lambda store, progress: fetch_pending_articles(store, FAST, progress))
    with Store(path) as opened:
        ingest_paths(opened, [write("doc.json", doc_list(web, ["/a", "/missing"]).decode())])
    web.routes["/a"] = Route(page("Talks resume in Doha", TALKS))
    app = open_page("pages/7_Data.py")
    assert any(caption.value.endswith("their pages not fetched yet: 2 article(s).") for caption in app.caption)
    app.button(key="web_fetch_pending").click().run()
    actions.current_fetch().thread.join()
    app.run()
    shown = {metric.label: metric.value for metric in app.metric}
    assert (shown["Articles updated"], shown["Rejected"]) == ("1", "1")
    assert any(caption.value.endswith("their pages not fetched yet: 1 article(s).") for caption in app.caption)
