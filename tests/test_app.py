"""The Streamlit app as a user sees it, driven by AppTest."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from config import REPO_ROOT


def test_home_shows_sample_figures_and_rounds(tmp_path, monkeypatch):
    monkeypatch.setenv("CEASEFIRE_DB", str(tmp_path / "app.duckdb"))
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Articles"] == "1"
    assert metrics["Negotiation rounds"] == "26"
    assert metrics["Rounds span"] == "Nov 2023 – Oct 2025"
    table = app.dataframe[0].value
    assert len(table) == 26
    assert table.iloc[0].venue == "Sharm el-Sheikh" and table.iloc[0].outcome == "agreement"
