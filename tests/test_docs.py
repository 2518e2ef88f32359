"""The README documents every filter parameter, page, command and input field."""

from __future__ import annotations

from cli.main import build_parser
from config import REPO_ROOT
from dashboard.frame import PAGES
from loaders.articles import ARTICLE_SYNONYMS
from loaders.records import HEADER_SYNONYMS
from loaders.schema import OUTCOMES
from store.filters import PARAMS

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_url_parameter_is_documented():
    for name in PARAMS.values():
        assert f"`{name}`" in README, name


def test_every_page_is_documented():
    for _, label, _ in PAGES:
        assert f"| {label} |" in README, label


def test_every_cli_command_is_documented():
    commands = build_parser()._subparsers._group_actions[0].choices
    for command in commands:
        assert f"ceasefire {command}" in README, command


def test_every_input_field_and_outcome_is_documented():
    for field in [*ARTICLE_SYNONYMS, *HEADER_SYNONYMS]:
        assert f"`{field}`" in README, field
    for outcome in OUTCOMES:
        assert f"`{outcome}`" in README, outcome
