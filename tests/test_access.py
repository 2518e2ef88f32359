"""Read-only for visitors: the admin rules, the password check and its lockout, and the Data page."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ceasefire.config import REPO_ROOT
from ceasefire.dashboard import frame
from ceasefire.dashboard.access import (
    NO_ADMIN_CONFIGURED,
    AccessSettings,
    Attempt,
    LoginGuard,
    is_local_client,
    is_loopback_bind,
    local_admin_note,
)
from ceasefire.ingest import open_store


@pytest.mark.parametrize(("environ", "secrets", "hosted", "store_read_only"), [
    ({}, {}, False, False),  # a local install: the owner is admin
    ({"CEASEFIRE_ADMIN_PASSWORD": "pw"}, {}, True, False),
    ({}, {"admin_password": "pw"}, True, False),
    ({"CEASEFIRE_READ_ONLY": "true"}, {}, True, True),  # nobody writes, the store opens read-only
    ({"CEASEFIRE_READ_ONLY": "1", "CEASEFIRE_ADMIN_PASSWORD": "pw"}, {}, True, False),
    ({"CEASEFIRE_ADMIN_EMAILS": "Admin@Example.org, other@example.org"}, {}, True, False),
])
def test_settings_from_environment_and_secrets(environ, secrets, hosted, store_read_only):
    settings = AccessSettings.from_sources(environ, secrets)
    assert (settings.hosted, settings.store_read_only) == (hosted, store_read_only)


def test_who_is_admin():
    local = AccessSettings()
    assert local.is_admin(False, None, local_client=True)
    hosted = AccessSettings(admin_password="pw", admin_emails=("admin@example.org",))
    assert not hosted.is_admin(False, None, local_client=True)
    assert hosted.is_admin(True, None, local_client=False)
    assert hosted.is_admin(False, "Admin@Example.org", local_client=False)
    assert not hosted.is_admin(False, "visitor@example.org", local_client=True)
    assert not AccessSettings(read_only=True).is_admin(True, None, local_client=True)


@pytest.mark.parametrize(("local_client", "admin"), [(True, True), (False, False)])
def test_with_no_admin_configured_only_the_servers_own_machine_is_admin(local_client, admin):
    assert AccessSettings().is_admin(False, None, local_client=local_client) is admin


@pytest.mark.parametrize(("ip_address", "headers", "local"), [
    (None, [], True),  # a loopback peer, as st.context.ip_address reports it
    (None, [("Origin", "http://localhost:8501"), ("Host", "localhost:8501")], True),
    (None, [("Origin", "http://127.0.0.1:8501")], True),
    (None, [("Origin", "http://[::1]:8501")], True),
    ("203.0.113.7", [], False),  # another machine, or the client a trusted proxy forwarded
    ("192.168.1.20", [("Origin", "http://localhost:8501")], False),  # a forged Origin does not make it local
    (None, [("X-Forwarded-For", "203.0.113.7")], False),  # a local proxy uvicorn was told not to trust
    (None, [("forwarded", "for=203.0.113.7")], False),
    (None, [("X-Real-IP", "203.0.113.7")], False),
    (None, [("Origin", "https://dashboard.example.org")], False),  # a local proxy adding no header
])
def test_local_client(ip_address, headers, local):
    assert is_local_client(ip_address, headers) is local


@pytest.mark.parametrize(("address", "loopback"), [
    (None, False), ("", False), ("0.0.0.0", False), ("::", False), ("192.168.1.5", False),
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True),
])
def test_bind_address(address, loopback):
    assert is_loopback_bind(address) is loopback
    assert ("listens only on this machine" in local_admin_note(address)) is loopback


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_lockout_after_repeated_failures_per_client():
    clock = FakeClock()
    guard = LoginGuard(max_failures=3, window_seconds=60, lockout_seconds=300, clock=clock)
    assert guard.attempt("a", "pw", "pw") is Attempt.OK
    assert [guard.attempt("a", "nope", "pw") for _ in range(3)] == [Attempt.WRONG, Attempt.WRONG, Attempt.LOCKED]
    assert guard.attempt("a", "pw", "pw") is Attempt.LOCKED  # even the right password waits
    assert guard.locked_for("a") == 300
    assert guard.attempt("b", "pw", "pw") is Attempt.OK  # other clients are not locked out
    clock.now += 301
    assert guard.attempt("a", "pw", "pw") is Attempt.OK


def test_failures_outside_the_window_are_forgotten():
    clock = FakeClock()
    guard = LoginGuard(max_failures=3, window_seconds=60, lockout_seconds=300, clock=clock)
    for _ in range(2):
        assert guard.attempt("a", "x", "pw") is Attempt.WRONG
        clock.now += 61
    assert guard.attempt("a", "x", "pw") is Attempt.WRONG


def test_the_global_limit_stops_guessing_from_rotating_addresses():
    clock = FakeClock()
    guard = LoginGuard(max_failures=3, global_max_failures=4, window_seconds=60, lockout_seconds=300, clock=clock)
    outcomes = []
    for i in range(4):
        outcomes.append(guard.attempt(f"10.0.0.{i}", "x", "pw"))
        clock.now += 10
    assert outcomes == [Attempt.WRONG] * 3 + [Attempt.LOCKED]
    assert guard.attempt("10.0.0.99", "x", "pw") is Attempt.LOCKED  # a new address waits too, unchecked
    assert guard.attempt("10.0.0.99", "pw", "pw") is Attempt.LOCKED
    assert guard.locked_for("10.0.0.99") == 20  # until the oldest failure (40 s ago) leaves the window
    clock.now += 20
    assert guard.attempt("10.0.0.99", "pw", "pw") is Attempt.OK  # three failures left in the window: below 4
    assert guard.attempt("10.0.0.98", "x", "pw") is Attempt.LOCKED  # the fourth in the window again


def test_the_guard_forgets_old_failures_and_expired_lockouts():
    clock = FakeClock()
    guard = LoginGuard(max_failures=2, window_seconds=60, lockout_seconds=60, clock=clock)
    for i in range(100):
        guard.attempt(f"10.0.{i}.1", "x", "pw")
        guard.attempt(f"10.0.{i}.1", "x", "pw")
    clock.now += 61
    assert guard.locked_for("10.0.0.1") == 0
    assert (guard._failures, guard._all_failures, guard._locked_until) == ({}, [], {})


def data_page(tmp_path, monkeypatch, **environ: str) -> AppTest:
    path = tmp_path / f"access-{'-'.join(sorted(environ)) or 'local'}.duckdb"
    open_store(path).close()
    monkeypatch.setenv("CEASEFIRE_DB", str(path))
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    app.switch_page("pages/7_Data.py")
    return app.run()


def tab_labels(app: AppTest) -> list[str]:
    return [tab.label for tab in app.tabs]


def test_local_owner_sees_every_data_action(tmp_path, monkeypatch):
    app = data_page(tmp_path, monkeypatch)
    assert tab_labels(app) == ["Upload", "From the web", "Ingest history", "Actor catalog", "Unknown names", "Download"]
    assert not app.info


def test_visitors_of_a_hosted_dashboard_only_read_until_the_admin_logs_in(tmp_path, monkeypatch):
    app = data_page(tmp_path, monkeypatch, CEASEFIRE_ADMIN_PASSWORD="s3cret-Passw0rd")
    assert tab_labels(app) == ["Ingest history", "Download"]
    assert "read-only for visitors" in app.info[0].value
    app.text_input(key="admin_password").set_value("wrong")
    app.button[0].click().run()
    assert app.error[0].value == "Wrong password."
    assert tab_labels(app) == ["Ingest history", "Download"]
    app.text_input(key="admin_password").set_value("s3cret-Passw0rd")
    app.button[0].click().run()
    assert tab_labels(app) == ["Upload", "From the web", "Ingest history", "Actor catalog", "Unknown names", "Download"]
    app.button(key="admin_logout").click().run()
    assert tab_labels(app) == ["Ingest history", "Download"]


def test_read_only_deployment_has_no_login_and_a_read_only_store(tmp_path, monkeypatch):
    app = data_page(tmp_path, monkeypatch, CEASEFIRE_READ_ONLY="true")
    assert tab_labels(app) == ["Ingest history", "Download"]
    assert not app.text_input  # no password form when there is no password
    from ceasefire.dashboard.frame import store

    with pytest.raises(Exception, match="read-only"):
        store().con.execute("DELETE FROM articles")


def test_clearing_streamlits_caches_does_not_reset_the_lockout(tmp_path, monkeypatch):
    app = data_page(tmp_path, monkeypatch, CEASEFIRE_ADMIN_PASSWORD="s3cret-Passw0rd")
    for _ in range(5):
        app.text_input(key="admin_password").set_value("wrong")
        app.button[0].click().run()
    assert app.error[0].value.startswith("Too many failed attempts")
    st.cache_resource.clear()  # what a browser's `clear_cache` message does
    st.cache_data.clear()
    app.text_input(key="admin_password").set_value("s3cret-Passw0rd")
    app.button[0].click().run()
    assert app.error[0].value.startswith("Too many failed attempts")
    assert tab_labels(app) == ["Ingest history", "Download"]


class FakeSession:
    def __init__(self, session_id: str) -> None:
        self.id = session_id
        self._session_state: dict[str, object] = {"x": 1}


def test_only_an_admin_session_may_clear_the_servers_caches(monkeypatch):
    from streamlit.runtime.app_session import AppSession

    calls = []

    @st.cache_data
    def cached(value: int) -> int:
        calls.append(value)
        return value

    cached(1)
    visitor = FakeSession("visitor")
    AppSession._handle_clear_cache_request(visitor)
    cached(1)
    assert calls == [1] and visitor._session_state  # nothing cleared
    monkeypatch.setattr(frame, "_ADMIN_SESSIONS", {"admin"})
    admin = FakeSession("admin")
    AppSession._handle_clear_cache_request(admin)
    cached(1)
    assert calls == [1, 1] and not admin._session_state


def test_a_visitor_from_elsewhere_is_not_admin_when_none_is_configured(tmp_path, monkeypatch):
    monkeypatch.setattr(frame, "_client_ip", lambda: "203.0.113.7")
    app = data_page(tmp_path, monkeypatch)
    assert tab_labels(app) == ["Ingest history", "Download"]
    assert app.warning[0].value == NO_ADMIN_CONFIGURED
    assert not app.text_input  # no password to log in with


def test_the_local_owner_is_told_why_they_are_admin(tmp_path, monkeypatch):
    app = data_page(tmp_path, monkeypatch)
    assert any(caption.value.startswith("You are admin because this is a local install with no password")
               for caption in app.caption)


def test_the_admins_session_is_noted_and_a_visitors_is_not(tmp_path, monkeypatch):
    monkeypatch.setattr(frame, "_ADMIN_SESSIONS", set())
    data_page(tmp_path, monkeypatch)
    assert len(frame._ADMIN_SESSIONS) == 1  # the local owner's
    monkeypatch.setattr(frame, "_ADMIN_SESSIONS", set())
    monkeypatch.setattr(frame, "_client_ip", lambda: "203.0.113.7")
    data_page(tmp_path, monkeypatch)
    assert frame._ADMIN_SESSIONS == set()
