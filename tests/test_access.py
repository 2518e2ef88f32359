"""Read-only for visitors: the admin rules, the password check and its lockout, and the Data page."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from config import REPO_ROOT
from dashboard.access import AccessSettings, Attempt, LoginGuard
from store.db import open_store


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
    assert local.is_admin(False, None)
    hosted = AccessSettings(admin_password="pw", admin_emails=("admin@example.org",))
    assert not hosted.is_admin(False, None)
    assert hosted.is_admin(True, None)
    assert hosted.is_admin(False, "Admin@Example.org")
    assert not hosted.is_admin(False, "visitor@example.org")
    assert not AccessSettings(read_only=True).is_admin(True, None)


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
    assert tab_labels(app) == ["Upload", "Ingest history", "Actor catalog", "Download"]
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
    assert tab_labels(app) == ["Upload", "Ingest history", "Actor catalog", "Download"]
    app.button(key="admin_logout").click().run()
    assert tab_labels(app) == ["Ingest history", "Download"]


def test_read_only_deployment_has_no_login_and_a_read_only_store(tmp_path, monkeypatch):
    app = data_page(tmp_path, monkeypatch, CEASEFIRE_READ_ONLY="true")
    assert tab_labels(app) == ["Ingest history", "Download"]
    assert not app.text_input  # no password form when there is no password
    from dashboard.frame import store

    with pytest.raises(Exception, match="read-only"):
        store().con.execute("DELETE FROM articles")
