"""Who may change the data: the admin rules of a shared dashboard, without Streamlit.

- No admin password and not read-only: a local install; its owner is admin.
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum

TRUE = {"1", "true", "yes", "on"}


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

    def is_admin(self, logged_in_with_password: bool, signed_in_email: str | None) -> bool:
        if not self.hosted:
            return True
        if self.admin_password and logged_in_with_password:
            return True
        return bool(signed_in_email) and signed_in_email.strip().lower() in self.admin_emails


class Attempt(Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass
class LoginGuard:
    """Checks admin passwords in constant time and locks a client out after repeated failures.

    One guard serves the whole server process (sessions are threads), keyed by client address.
    """

    max_failures: int = 5
    window_seconds: float = 15 * 60
    lockout_seconds: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _locked_until: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def locked_for(self, client: str) -> float:
        """Seconds until `client` may try again (0 when it may)."""
        with self._lock:
            return max(0.0, self._locked_until.get(client, 0.0) - self.clock())

    def attempt(self, client: str, candidate: str, password: str) -> Attempt:
        with self._lock:
            now = self.clock()
            if self._locked_until.get(client, 0.0) > now:
                return Attempt.LOCKED
            if hmac.compare_digest(candidate.encode("utf-8"), password.encode("utf-8")):
                self._failures.pop(client, None)
                return Attempt.OK
            recent = [t for t in self._failures.get(client, []) if now - t < self.window_seconds] + [now]
            self._failures[client] = recent
            if len(recent) >= self.max_failures:
                self._locked_until[client] = now + self.lockout_seconds
                self._failures.pop(client, None)
                return Attempt.LOCKED
            return Attempt.WRONG
