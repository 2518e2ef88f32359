"""A small HTTP client for fetching pages and feeds: polite, bounded and honest (docs/fetching.md).

Every limit is a field of `FetchSettings`. A request that cannot be answered raises `FetchError`
with the reason in words (the URL is the caller's to name); nothing else is raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx

from ceasefire.config import user_agent

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
SMALL_BODY_BYTES = 64 * 2**10  # bodies this small may compress well without being a bomb


@dataclass(frozen=True)
class FetchSettings:
    """How the client behaves; the defaults are documented in docs/fetching.md."""

    timeout: float = 20.0  # seconds to connect, and between two reads of the body
    deadline: float = 120.0  # seconds for a whole response: a body dripped slowly is cut off
    max_bytes: int = 10 * 2**20  # of a body, after decompression
    max_compression_ratio: int = 100  # decompressed : sent, past which a body is a bomb
    max_redirects: int = 5
    retries: int = 3  # more tries after a 429, a 5xx or a network error
    backoff: float = 2.0  # seconds before the first retry, doubled for each next one
    max_retry_wait: float = 60.0  # the longest a Retry-After is waited for
    host_interval: float = 1.0  # seconds between two requests to one host
    robots: bool = True  # obey robots.txt


class FetchError(Exception):
    """Why a URL could not be fetched."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int  # 200, or 304 when the conditional request found nothing new
    content_type: str  # the media type only, lower case ("text/html")
    body: bytes
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def check_http_url(url: str) -> str:
    """The URL itself, or FetchError when it is not an http(s) URL with a host."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError("not an http:// or https:// URL")
    return url.strip()


class HttpClient:
    """One client for a whole fetch: it remembers each host's robots.txt and last request."""

    def __init__(self, settings: FetchSettings = FetchSettings(), sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.settings = settings
        self.user_agent = user_agent()
        self._http = httpx.Client(timeout=settings.timeout, follow_redirects=False, headers={"User-Agent": self.user_agent})
        self._sleep, self._clock = sleep, clock
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser] = {}

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """The body at `url`, redirects followed (each hop checked against robots.txt); with `etag`
        or `last_modified`, a conditional request that may answer 304 with no body."""
        url = check_http_url(url)
        conditions = {name: value for name, value in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if value}
        for _ in range(self.settings.max_redirects + 1):
            if self.settings.robots and not self._allowed(url):
                raise FetchError("robots.txt does not allow fetching it")
            fetched, target = self._with_retries(url, conditions)
            if target is None:
                return fetched
            url = check_http_url(target)
        raise FetchError(f"more than {self.settings.max_redirects} redirects (a redirect loop?)")

    def _with_retries(self, url: str, headers: dict[str, str]) -> tuple[Fetched, str | None]:
        wait = self.settings.backoff
        for _ in range(self.settings.retries):
            try:
                return self._once(url, headers)
            except _Retryable as error:
                self._sleep(min(error.retry_after if error.retry_after is not None else wait, self.settings.max_retry_wait))
                wait *= 2
        try:
            return self._once(url, headers)
        except _Retryable as error:
            raise FetchError(str(error)) from None

    def _once(self, url: str, headers: dict[str, str]) -> tuple[Fetched, str | None]:
        """One request: the answer, and where it redirects to (None when it does not)."""
        self._wait_for_host(host_of(url))
        try:
            with self._http.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return _empty(response), None
                if response.is_redirect:
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchError(f"HTTP {response.status_code} redirect without a Location")
                    return _empty(response), str(response.url.join(location))
                if response.status_code in RETRY_STATUSES:
                    raise _Retryable(f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                                     _retry_after(response.headers.get("Retry-After")))
                if response.status_code != 200:
                    raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
                return self._read(response), None
        except httpx.TimeoutException:
            raise _Retryable(f"no answer within {self.settings.timeout:g} s (timed out)") from None
        except httpx.DecodingError:
            raise FetchError("the body's compression is broken") from None
        except httpx.HTTPError as error:
            raise _Retryable(f"network error: {type(error).__name__}") from None

    def _read(self, response: httpx.Response) -> Fetched:
        """The decompressed body, refused past `max_bytes` or an implausible compression ratio."""
        limit, ratio = self.settings.max_bytes, self.settings.max_compression_ratio
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"the body is {int(declared):,} bytes, over the limit of {limit:,}")
        body, started = bytearray(), self._clock()
        for chunk in response.iter_bytes():
            body += chunk
            if self._clock() - started > self.settings.deadline:
                raise FetchError(f"the body took more than {self.settings.deadline:g} s to arrive")
            sent = max(response.num_bytes_downloaded, 1)
            if len(body) > SMALL_BODY_BYTES and len(body) / sent > ratio:
                raise FetchError(f"the body expands more than {ratio}:1 when decompressed; refused as a possible gzip bomb")
            if len(body) > limit:
                raise FetchError(f"the body is over the limit of {limit:,} bytes")
        return Fetched(str(response.url), 200, _media_type(response), bytes(body), response.charset_encoding,
                       response.headers.get("ETag"), response.headers.get("Last-Modified"))

    def _wait_for_host(self, host: str) -> None:
        last = self._last_request.get(host)
        if last is not None and (pause := self.settings.host_interval - (self._clock() - last)) > 0:
            self._sleep(pause)
        self._last_request[host] = self._clock()

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        site = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        if site not in self._robots:
            self._robots[site] = self._read_robots(urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", "")))
        return self._robots[site].can_fetch(self.user_agent, url)

    def _read_robots(self, url: str) -> RobotFileParser:
        """A site's rules (RFC 9309): none when it has no robots.txt (4xx); everything disallowed when
        it cannot be read (5xx, network errors), as the RFC asks."""
        rules = RobotFileParser(url)
        try:
            fetched, target = self._with_retries(url, {})
            if target is not None:  # one redirect, as most sites send from http to https
                fetched, _ = self._with_retries(check_http_url(target), {})
            rules.parse(fetched.body.decode("utf-8", "replace").splitlines())
        except FetchError as error:
            if str(error).startswith("HTTP 4"):
                rules.allow_all = True
            else:
                rules.disallow_all = True
        return rules


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (a number of seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _empty(response: httpx.Response) -> Fetched:
    return Fetched(str(response.url), response.status_code, _media_type(response), b"", None,
                   response.headers.get("ETag"), response.headers.get("Last-Modified"))
