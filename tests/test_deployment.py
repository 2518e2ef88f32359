"""The deployment files say what the README promises. (Docker itself cannot run on the CI machine:
there is no Docker engine, so the image is checked as text here.)"""

from __future__ import annotations

import re

import tomllib

from ceasefire.config import REPO_ROOT


def test_dockerfile_runs_as_non_root_with_a_healthcheck_and_a_data_volume():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.startswith("# ") and "FROM python:3.11-slim" in dockerfile
    users = re.findall(r"^USER (\S+)$", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/_stcore/health", dockerfile, re.MULTILINE)
    assert "VOLUME /data" in dockerfile and "CEASEFIRE_DB=/data/" in dockerfile
    assert "RUN pip install .\n" in dockerfile and "pip install -e" not in dockerfile  # as from a wheel
    for needed in ("app.py", "pages", "data", "static", ".streamlit/config.toml", "src"):
        assert f"COPY --chown=app:app {needed}" in dockerfile, needed


def test_dockerfile_trusts_no_proxy_header_by_default():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r'^\s*FORWARDED_ALLOW_IPS=""\s*$', dockerfile, re.MULTILINE)


def test_requirements_install_the_project_for_streamlit_cloud():
    lines = [line.strip() for line in (REPO_ROOT / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines == ["-e ."]


def test_streamlit_config_and_secrets_example():
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == 50 and config["theme"]["primaryColor"]
    assert config["client"]["showSidebarNavigation"] is False
    assert config["client"]["showErrorDetails"] == "none"  # no traceback or server path for visitors
    secrets = tomllib.loads((REPO_ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8"))
    assert "admin_password" in secrets
    assert ".streamlit/secrets.toml" in (REPO_ROOT / ".gitignore").read_text()
