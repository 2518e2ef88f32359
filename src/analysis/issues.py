"""Key issues (hostages, aid, withdrawal...) tagged per sentence from an editable taxonomy."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field

from ceasefire.analysis.matcher import Case, Phrase, PhraseMatcher
from ceasefire.config import ISSUES_YAML


class Issue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=r"^[a-z_]+$")
    label: str
    terms: list[str] = Field(min_length=1)


@dataclass(frozen=True)
class IssueMention:
    start: int
    end: int
    issue: str
    term: str


def read_issues(path: Path = ISSUES_YAML) -> tuple[Issue, ...]:
    return tuple(Issue.model_validate(entry) for entry in yaml.safe_load(path.read_text(encoding="utf-8")))


class IssueTagger:
    def __init__(self, issues: tuple[Issue, ...]):
        self.labels = {issue.key: issue.label for issue in issues}
        self._matcher = PhraseMatcher(
            Phrase(term.rstrip("*"), issue.key, Case.ANY, prefix=term.endswith("*"))
            for issue in issues
            for term in issue.terms
        )

    def find(self, text: str, padded: str | None = None) -> list[IssueMention]:
        return [IssueMention(m.start, m.end, m.phrase.value, m.phrase.text) for m in self._matcher.find(text, padded)]


def default_issue_tagger() -> IssueTagger:
    """The tagger of data/issues.yaml, rebuilt when the file changes. The Issues page needs only
    this, which is quick to build, not every extractor (the actor and place automata)."""
    return _issue_tagger(ISSUES_YAML.stat().st_mtime)


@lru_cache(maxsize=2)
def _issue_tagger(mtime: float) -> IssueTagger:
    return IssueTagger(read_issues(ISSUES_YAML))


def round_issue_counts(rounds: pd.DataFrame, tagger: IssueTagger) -> pd.DataFrame:
    """Rounds per (issue, outcome), tagging each round's key issues and proposal with the taxonomy."""
    rows = []
    for key_issues, proposal, outcome in rounds[["key_issues", "proposal", "outcome"]].itertuples(index=False):
        text = ". ".join(str(part) for part in (key_issues, proposal) if part)
        rows += [(issue, outcome) for issue in {m.issue for m in tagger.find(text)}]
    frame = pd.DataFrame(rows, columns=["issue", "outcome"])
    return frame.value_counts().rename("rounds").reset_index().sort_values(["issue", "outcome"], ignore_index=True)
