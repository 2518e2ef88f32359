"""Who may change the data: the admin rules of a shared dashboard, without Streamlit.

- No admin password and not read-only: a local install. Whoever opens it on the server's own
  machine is admin; visitors from elsewhere only read (and are told why).
- An admin password (secret `admin_password` or $CEASEFIRE_ADMIN_PASSWORD): visitors
  only read; the Data page asks for the password before upload, edit and re-analysis.
- $CEASEFIRE_READ_ONLY=true with no password: nobody writes through the app, and the
  store is opened read-only.
- Optional single sign-on: with Streamlit's `[auth]` secrets configured and admin
  e-mail addresses listed (secret `admin_emails` or $CEASEFIRE_ADMIN_EMAILS), a signed-in
  user with one of those addresses is admin.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import urlsplit

TRUE = {"1", "true", "yes", "on"}
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
# Headers a proxy adds: a connection that carries one came from elsewhere through it.
FORWARDING_HEADERS = {"x-forwarded-for", "forwarded", "x-real-ip"}


def is_local_client(ip_address: str | None, headers: Iterable[tuple[str, str]]) -> bool:
    """Whether a browser runs on the server's own machine.

    `ip_address` is Streamlit's `st.context.ip_address`: None for a loopback peer, after
    uvicorn replaced the peer with the X-Forwarded-For client of a trusted proxy
    ($FORWARDED_ALLOW_IPS). A loopback peer is still a proxy when it adds a forwarding header,
    or when the page was opened at a non-local address (the browser's Origin). A local proxy
    that adds neither cannot be told from a local browser: set an admin password behind it.
    """
    if ip_address is not None:
        return False
    for name, value in headers:
        name = name.lower()
        if name in FORWARDING_HEADERS:
            return False
        if name == "origin" and (urlsplit(value).hostname or "") not in LOOPBACK_HOSTS:
            return False
    return True


def is_loopback_bind(address: str | None) -> bool:
    """Streamlit's `server.address`: unset means every interface, so other machines connect too."""
    return bool(address) and address.strip("[]").lower() in LOOPBACK_HOSTS


@dataclass(frozen=True)
class AccessSettings:
    admin_password: str | None = None
    read_only: bool = False
    admin_emails: tuple[str, ...] = ()

    @classmethod
    def from_sources(cls, environ: Mapping[str, str], secrets: Mapping[str, object]) -> AccessSettings:
        password = str(secrets.get("admin_password") or environ.get("CEASEFIRE_ADMIN_PASSWORD") or "") or None
        emails = secrets.get("admin_emails") or environ.get("CEASEFIRE_ADMIN_EMAILS") or ()
        if isinstance(emails, str):
            emails = [e for e in emails.replace(";", ",").split(",")]
        return cls(
            admin_password=password,
            read_only=str(environ.get("CEASEFIRE_READ_ONLY", "")).strip().lower() in TRUE,
            admin_emails=tuple(e.strip().lower() for e in emails if str(e).strip()),
        )

    @property
    def hosted(self) -> bool:
        """Visitors are read-only unless they prove they are admin."""
        return bool(self.admin_password or self.read_only or self.admin_emails)

    @property
    def store_read_only(self) -> bool:
        """Open DuckDB read-only: nobody can ever write through this app."""
        return self.read_only and not self.admin_password and not self.admin_emails

    def is_admin(self, logged_in_with_password: bool, signed_in_email: str | None, *, local_client: bool) -> bool:
        if not self.hosted:
            return local_client  # no admin configured: only the owner at the server's machine writes
        if self.admin_password and logged_in_with_password:
            return True
        return bool(signed_in_email) and signed_in_email.strip().lower() in self.admin_emails


NO_ADMIN_CONFIGURED = (
    "No admin is configured on this server, so visitors from other machines only read. Its owner can "
    "change data by opening it on the server itself (http://localhost:8501), or set `admin_password` in "
    ".streamlit/secrets.toml (or `CEASEFIRE_ADMIN_PASSWORD`) and restart it to log in from elsewhere."
)


def local_admin_note(bind_address: str | None) -> str:
    """Why the owner of an unconfigured install is admin, and who else can reach it."""
    reach = ("It listens only on this machine (server.address)." if is_loopback_bind(bind_address) else
             "It also accepts visitors from other machines (server.address is not 127.0.0.1); they only read.")
    return ("You are admin because this is a local install with no password and you opened it on this machine. "
            f"{reach} To share it, set `admin_password` (see docs/deployment.md).")


class Attempt(Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass
class LoginGuard:
    """Checks admin passwords in constant time and limits wrong guesses.

    One guard serves the whole server process (sessions are threads). A client (as
    `client` keys it) that fails `max_failures` times within the window is locked out;
    and when all clients together fail `global_max_failures` times within the window,
    every attempt waits until the oldest of those failures leaves it, so changing one's
    address does not buy more guesses. Attempts refused while locked are not checked.
    """

    max_failures: int = 5
    global_max_failures: int = 50
    window_seconds: float = 15 * 60
    lockout_seconds: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _all_failures: list[float] = field(default_factory=list)
    _locked_until: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _forget(self, now: float) -> None:
        """Drop what no longer counts, so rotating addresses cannot grow the guard."""
        self._all_failures = [t for t in self._all_failures if now - t < self.window_seconds]
        for client in list(self._failures):
            self._failures[client] = [t for t in self._failures[client] if now - t < self.window_seconds]
            if not self._failures[client]:
                del self._failures[client]
        for client in [c for c, until in self._locked_until.items() if until <= now]:
            del self._locked_until[client]

    def _wait(self, client: str, now: float) -> float:
        wait = self._locked_until.get(client, 0.0) - now
        excess = len(self._all_failures) - self.global_max_failures
        if excess >= 0:  # the oldest `excess + 1` failures must leave the window first
            wait = max(wait, self._all_failures[excess] + self.window_seconds - now)
        return max(0.0, wait)

    def locked_for(self, client: str) -> float:
        """Seconds until `client` may try again (0 when it may)."""
        with self._lock:
            now = self.clock()
            self._forget(now)
            return self._wait(client, now)

    def attempt(self, client: str, candidate: str, password: str) -> Attempt:
        with self._lock:
            now = self.clock()
            self._forget(now)
            if self._wait(client, now) > 0:
                return Attempt.LOCKED
            if hmac.compare_digest(candidate.encode("utf-8"), password.encode("utf-8")):
                self._failures.pop(client, None)
                return Attempt.OK
            self._all_failures.append(now)
            recent = self._failures.setdefault(client, [])
            recent.append(now)
            if len(recent) >= self.max_failures:
                self._locked_until[client] = now + self.lockout_seconds
                del self._failures[client]
                return Attempt.LOCKED
            if len(self._all_failures) >= self.global_max_failures:
                return Attempt.LOCKED
            return Attempt.WRONG
