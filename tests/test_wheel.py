"""A built wheel works on its own: installed into a fresh virtual environment and run from an empty
folder, the `ceasefire` command ingests and reports with the catalog, gazetteer, issues and sample
data it ships, and a user's own catalog file is layered over the built-in one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from ceasefire.config import REPO_ROOT

ARTICLE = """Mediators meet in Doha
Qatari and Egyptian mediators met a Hamas delegation in Doha on Monday to discuss a truce.
"""


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ folder of a virtual environment that has the wheel, and nothing of the checkout."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"  # a copy, so the build leaves nothing in the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO_ROOT / name, source / name)
    for folder in ("src", "data"):  # the code, and the built-in data it ships (not the checkout's store)
        shutil.copytree(REPO_ROOT / folder, source / folder, ignore=shutil.ignore_patterns(
            "__pycache__", "*.egg-info", "*.duckdb*", "my-actors.yaml"))
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(root / "dist"), str(source)],
                 root, dict(os.environ))
    if built.returncode and not os.environ.get("CI"):
        pytest.skip(f"could not build the wheel here (no package index?): {built.stderr[-300:]}")
    assert built.returncode == 0, built.stderr
    # The test environment's packages serve as the wheel's dependencies: a venv of its own would
    # download them all again.
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(root / "venv")], check=True)
    wheel = next((root / "dist").glob("ceasefire_talks_dashboard-*.whl"))
    bin_dir = root / "venv" / "bin"
    # ... and so do those of the test environment's own virtual environment, which --system-site-packages
    # does not see: a path file lists its folder (after the venv's own, whose `ceasefire` is the wheel's;
    # the folder's own path files, such as the checkout's editable install, are not read).
    site = _run([bin_dir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root, dict(os.environ))
    Path(site.stdout.strip(), "test-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([bin_dir / "python", "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
                   check=True)
    return bin_dir


@pytest.fixture
def clean_env() -> dict[str, str]:
    return {name: value for name, value in os.environ.items()
            if not name.startswith("CEASEFIRE_") and name != "PYTHONPATH"}


def test_the_wheel_ingests_and_reports_from_an_empty_folder(installed, tmp_path, clean_env):
    work = tmp_path / "empty"
    work.mkdir()
    where = _run([installed / "python", "-c", "import ceasefire; print(ceasefire.__file__)"], work, clean_env)
    assert where.stdout.startswith(str(installed.parent)), where.stdout + where.stderr  # not the checkout
    article = tmp_path / "doha.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    ingested = _run([installed / "ceasefire", "ingest", str(article)], work, clean_env)
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    assert "articles: 1 added" in ingested.stdout
    stats = _run([installed / "ceasefire", "stats", "--json"], work, clean_env)
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["articles"] == 1 and (work / "data" / "ceasefire.duckdb").exists()
    # The shipped catalog found the actors and the shipped gazetteer the venue.
    rounds = _run([installed / "ceasefire", "query", "top_actors"], work, clean_env)
    assert {"Qatar", "Egypt", "Hamas"} <= {line.split(",")[0] for line in rounds.stdout.splitlines()}


def test_a_users_catalog_file_is_layered_over_the_built_in_one(installed, tmp_path, clean_env):
    work = tmp_path / "empty"
    (work / "data").mkdir(parents=True)
    (work / "data" / "my-actors.yaml").write_text(
        "- name: Doha Forum Group\n  type: other\n  aliases: [DFG]\n", encoding="utf-8")
    article = tmp_path / "dfg.txt"
    article.write_text("Talks in Doha\nThe DFG met Hamas and Qatari mediators in Doha.\n", encoding="utf-8")
    assert _run([installed / "ceasefire", "ingest", str(article)], work, clean_env).returncode == 0
    named = _run([installed / "ceasefire", "query", "top_actors"], work, clean_env).stdout
    assert {"Doha Forum Group", "Hamas", "Qatar"} <= {line.split(",")[0] for line in named.splitlines()}
