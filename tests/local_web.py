"""A web server on 127.0.0.1 (port 0) for the fetching tests: pages, feeds, DOC lists, robots.txt and
every failure a fetch must survive. Routes are set per test; nothing leaves this machine."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering: longer than the client's timeout is a timeout
    gzip: bool = False
    etag: str | None = None  # answers 304 to a request that sends it back


@dataclass
class LocalWeb:
    """The server's routes (path -> Route, or a callable giving one per request) and the requests seen."""

    routes: dict[str, Route | Callable[[], Route]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for seen, _ in self.requests if seen == path)


def page(title: str, paragraphs: list[str], date: str | None = None) -> bytes:
    """An article page as news sites write them: metadata in the head, the text in <article>."""
    meta = f'<meta property="article:published_time" content="{date}">' if date else ""
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return (f"<!doctype html><html><head><title>{title}</title>{meta}"
            f'<meta property="og:site_name" content="Local Wire"></head>'
            f"<body><nav>Home | World</nav><article><h1>{title}</h1>{body}</article>"
            "<footer>(c) Local Wire</footer></body></html>").encode()


def rss(entries: list[dict[str, str]], title: str = "Local Wire") -> bytes:
    items = "".join(
        f"<item><title>{e['title']}</title><link>{e['link']}</link><guid>{e.get('guid', e['link'])}</guid>"
        f"<description>{e.get('summary', '')}</description>"
        + (f"<pubDate>{e['date']}</pubDate>" if e.get("date") else "") + "</item>"
        for e in entries)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://example.invalid/</link><description>news</description>{items}</channel></rss>").encode()


def http_date(seconds: float) -> str:
    return formatdate(seconds, usegmt=True)


@contextmanager
def serve() -> Iterator[LocalWeb]:
    web = LocalWeb()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the stdlib calls it by this name
            web.requests.append((self.path, dict(self.headers.items())))
            found = web.routes.get(self.path)
            route = found() if callable(found) else found
            if route is None:
                route = Route(b"not here", "text/plain", 404)
            if route.delay:
                time.sleep(route.delay)
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.end_headers()
                return
            body = gzip.compress(route.body) if route.gzip else route.body
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(body)))
            if route.gzip:
                self.send_header("Content-Encoding", "gzip")
            if route.etag:
                self.send_header("ETag", route.etag)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client refused the body part-way
                pass

        def log_message(self, *args: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    web.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield web
    finally:
        server.shutdown()
        server.server_close()
