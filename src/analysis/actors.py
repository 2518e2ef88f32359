"""Actor mentions: catalog names, aliases, demonyms and surnames, resolved within an article."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ceasefire.analysis.catalog import Catalog
from ceasefire.analysis.matcher import Phrase, PhraseMatcher, case_rule

MatchKind = Literal["name", "alias", "demonym", "surname"]


@dataclass(frozen=True)
class ActorForm:
    """What a matched phrase can mean: one actor, or (for a shared last name) several."""

    actors: tuple[str, ...]
    kind: MatchKind
    needs_introduction: bool = False  # a bare last name counts only after the full name


@dataclass(frozen=True)
class ActorMention:
    start: int
    end: int
    actor: str
    kind: MatchKind


class ActorExtractor:
    def __init__(self, catalog: Catalog):
        phrases: list[Phrase[ActorForm]] = []
        claimed: set[str] = set()
        for actor in catalog.actors.values():
            forms = [(actor.name, "name")] + [(a, "alias") for a in actor.aliases]
            forms += [(d, "demonym") for d in actor.demonyms] + [(s, "surname") for s in actor.surnames]
            for form, kind in forms:
                phrases.append(Phrase(form, ActorForm((actor.name,), kind), case_rule(form)))
                claimed.add(form.casefold())
        last_names: dict[str, list[str]] = {}
        for actor in catalog.actors.values():
            if actor.last_name and actor.last_name.casefold() not in claimed:
                last_names.setdefault(actor.last_name, []).append(actor.name)
        for last_name, owners in last_names.items():
            phrases.append(Phrase(last_name, ActorForm(tuple(owners), "surname", True), case_rule(last_name)))
        self._matcher = PhraseMatcher(phrases)

    def find(self, text: str, padded: str | None = None) -> list[ActorMention]:
        """Mentions in reading order. A bare last name ("Sinwar") resolves to the one person of
        that name already named in full earlier in the article, or is dropped as ambiguous."""
        mentions: list[ActorMention] = []
        introduced: set[str] = set()
        for match in self._matcher.find(text, padded):
            form = match.phrase.value
            if form.needs_introduction:
                known = [actor for actor in form.actors if actor in introduced]
                if len(known) != 1:
                    continue
                actor = known[0]
            else:
                actor = form.actors[0]
                if form.kind in ("name", "alias"):
                    introduced.add(actor)
            mentions.append(ActorMention(match.start, match.end, actor, form.kind))
        # A demonym just before another actor's name describes that actor ("Lebanese Hizballah",
        # "Palestinian Authority" aside, which is one name): it is not a mention of the state.
        return [m for m, after in zip(mentions, [*mentions[1:], None][: len(mentions)], strict=True)
                if not (m.kind == "demonym" and after and after.actor != m.actor and text[m.end:after.start] == " ")]
