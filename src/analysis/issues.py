"""Key issues (hostages, aid, withdrawal...) tagged per sentence from an editable taxonomy."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from analysis.matcher import Case, Phrase, PhraseMatcher
from config import DATA_DIR

ISSUES_YAML = DATA_DIR / "issues.yaml"


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


@lru_cache(maxsize=4)
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
