"""Actor mentions: catalog names, aliases, demonyms and surnames, resolved within an article."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ceasefire.analysis.catalog import Catalog
from ceasefire.analysis.matcher import Phrase, PhraseMatcher, case_rule, fold

MatchKind = Literal["name", "alias", "demonym", "surname"]

# What may stand between an office and the name of its holder: "UN Secretary-General António
# Guterres", "the Personal Envoy of the Secretary-General for Sudan, Ramtane Lamamra", "… Mr. Pedersen".
_TITLE_GAP = re.compile(r"[ ,]*(?:(?:Mr|Ms|Mrs|Dr)\.? )?")


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
        # The titles of people's offices, folded, and the offices whose names hold one of them: for an
        # office named as its holder's title ("UN Secretary-General António Guterres").
        self._titles = {a.name: {fold(r.title).strip() for r in a.roles} for a in catalog.actors.values() if a.roles}
        self._office_names = {a.name: [fold(f).strip() for f in (a.name, *a.aliases)] for a in catalog.actors.values()
                              if a.type not in ("person", "state", "territory")}

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
        return [m for m, after in zip(mentions, [*mentions[1:], None]) if not (after and self._describes(text, m, after))]

    def _describes(self, text: str, mention: ActorMention, after: ActorMention) -> bool:
        """Whether a mention only describes the actor named right after it, and so is not a mention
        of its own: a demonym before another actor's name ("Lebanese Hizballah"; "Palestinian
        Authority" is one name), or an office whose name holds the title of one of the offices of
        the person named right after it ("UN Secretary-General António Guterres" names Guterres,
        not his office; "The Security Council, Guterres said" names both)."""
        gap = text[mention.end:after.start]
        if mention.kind == "demonym":
            return after.actor != mention.actor and gap == " "
        names, titles = self._office_names.get(mention.actor), self._titles.get(after.actor)
        return (bool(names and titles) and _TITLE_GAP.fullmatch(gap) is not None
                and any(title in name for title in titles for name in names))
