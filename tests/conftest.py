from __future__ import annotations

from pathlib import Path

import pytest

from ceasefire.dashboard import frame
from ceasefire.dashboard.access import LoginGuard
from ceasefire.store.db import Store


@pytest.fixture(autouse=True)
def browser_on_this_machine(monkeypatch):
    """Pages under AppTest are opened from the server's machine, with no failed logins yet.
    (AppTest's st.context.ip_address is a mock object, not None or an address.)"""
    monkeypatch.setattr(frame, "_client_ip", lambda: None)
    monkeypatch.setattr(frame, "_LOGIN_GUARD", LoginGuard())


@pytest.fixture(autouse=True, scope="session")
def no_user_actors(tmp_path_factory):
    """Tests see the built-in catalog only, whatever actors this machine's user added."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CEASEFIRE_ACTORS", str(tmp_path_factory.mktemp("user") / "my-actors.yaml"))
        yield


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "test.duckdb") as opened:
        yield opened


@pytest.fixture
def write(tmp_path: Path):
    """write('name.ext', text_or_bytes) -> Path, creating folders as needed."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / "input" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write
