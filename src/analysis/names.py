"""Unknown names: capitalised names, acronyms and titled names that neither the actor catalog nor
the gazetteer matched, found without a model (docs/analysis.md, "Unknown names").

Pure and cheap: one regular expression finds the runs of capitalised words of a text, and only runs
of two words or more, or acronyms, are looked at further. A run is cut where the text names a
catalog actor (the words just before it, its title or first name, go with it), a function word
("The", "However") or a month or day; what is left is a name when it has two capitalised words and
one of them is more than a generic word ("Alliance Fleuve Congo", not "Foreign Ministry"), when it
follows a title ("General Kagame" gives "Kagame"), or when it is an acronym ("AFC", "SPLM-N"). A
name that is exactly a place the gazetteer knows is left out, and so is a sentence's first word when
the article also uses it in lower case (it is capitalised by its position only).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import ValidationError

from ceasefire.analysis.catalog import Actor, Catalog, CatalogError
from ceasefire.analysis.conflicts import conflict_names
from ceasefire.loaders.schema import describe_validation_error

NameKind = Literal["name", "acronym", "titled"]

_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĪĮİĶĹĽŁŃŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽ"
# A capitalised word ("Nangaa", "SPLM-N", "People's"), or after the first word of a name one with a
# lower-case Arabic article ("Khalil al-Hayya").
_REST = r"\w*(?:['’\-]\w+)*"
_WORD = rf"(?:[{_UPPER}]{_REST}|(?:al|el|ad|an|ar|as|ash|at|az)-[{_UPPER}]\w*)"
# Between two words of a name: spaces, after an abbreviated title its full stop ("Gen. Kagame"), and
# lower-case words that may join them ("Ministry of Health", "Mohammed bin Salman").
_CONNECTORS = ("of the", "of", "for", "de", "du", "des", "la", "le", "bin", "ibn", "van", "von", "der", "da", "di", "dos")
_SPACE = r"[ \t]+"
_JOINS = "|".join(connector.replace(" ", _SPACE) for connector in _CONNECTORS)
_ABBREVIATED = (r"\.(?:(?<=\bMr\.|\bMs\.|\bDr\.|\bLt\.)|(?<=\bMrs\.|\bGen\.|\bCol\.|\bMaj\.|\bSgt\.|\bSen\.|\bRep\.|\bGov\.)"
                r"|(?<=\bCapt\.|\bProf\.))")
_BETWEEN = rf"(?:{_ABBREVIATED})?{_SPACE}(?:(?:{_JOINS}){_SPACE})?"
# What may hold a name: two words or more, or an acronym alone. Every match starts with a capital, so
# the regular expression engine skips to the next capital letter (most of a text is passed over
# there); the first word is taken whole, never retried shorter ("(?=(…))\1", an atomic group).
_RUN = re.compile(rf"[{_UPPER}](?:(?=({_REST}))\1(?:{_BETWEEN}{_WORD})+|[{_UPPER}0-9]+(?:-[{_UPPER}0-9]+)*\b)")
_TOKEN = re.compile(rf"{_WORD}|\b(?:{'|'.join(c for c in _CONNECTORS if ' ' not in c)}|the)\b")
_ACRONYM = re.compile(rf"[{_UPPER}][{_UPPER}0-9]+(?:-[{_UPPER}0-9]+)*")
_ROMAN = re.compile(r"[IVXLCDM]+")
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-zß-öø-ÿ]\w{3}")
_WORDS = re.compile(r"\b\w")
_CAPITALISED = re.compile(rf"\b[{_UPPER}]")

# Words that start a sentence, or tie or introduce one, and are never part of a name: they cut a run.
FUNCTION_WORDS = frozenset("""
    a an the this that these those it its he she they we i you his her their our my your
    in on at by for from with without to into onto of over under after before during since until
    while when where why how what who whom which whose if as and but or nor so yet then than there here
    however meanwhile moreover also although though despite according because following amid among
    today yesterday tomorrow tonight last next earlier later now some many most all both each every
    other another such no not yes one two three four five six seven eight nine ten first second third
    read related photo image video update updated breaking live analysis opinion editorial exclusive
    said says say asked told added
""".split())
MONTHS_AND_DAYS = frozenset("""
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    monday tuesday wednesday thursday friday saturday sunday
""".split())
# Titles: a name after one of these is a name even as one word ("General Kagame").
TITLES = frozenset("""
    president minister secretary secretary-general general gen lieutenant lt colonel col major maj
    captain capt sergeant sgt commander admiral marshal brigadier king queen prince princess sheikh
    emir sultan mr mrs ms dr prof professor senator sen rep congressman
    congresswoman governor gov mayor ambassador envoy chancellor chairman chairwoman chair spokesman
    spokeswoman spokesperson speaker leader chief judge pope cardinal bishop archbishop imam ayatollah
    rabbi premier negotiator mediator director coordinator representative commissioner adviser advisor
""".split())
# Words that belong to names of bodies or offices but are no name alone ("Ministry", "Foreign Ministry").
GENERIC_WORDS = frozenset("""
    ministry government council committee commission assembly parliament congress senate court army
    forces force police office department agency authority bureau service services group movement party
    front alliance union organisation organization association coalition brigade brigades division unit
    national international foreign interior defence defense health security public federal state states
    republic democratic people people's popular joint special supreme high central united nations news
    talks agreement accord plan deal ceasefire truce peace process conference summit round phase
    north south east west northern southern eastern western new old great prime vice deputy acting
    former senior interim transitional official officials affairs
""".split()) | TITLES
# Acronyms that are no names.
ACRONYM_WORDS = frozenset("am pm tv ok ceo id gmt utc pdf faq usd eur".split())


@dataclass(frozen=True)
class NameMention:
    start: int
    end: int
    name: str
    kind: NameKind


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    word: str
    folded: str
    connector: bool


def find_names(text: str, sentences: list[tuple[int, int]], sentence_of: Callable[[int], int],
               known: Iterable[tuple[int, int]], places: Iterable[tuple[int, int]]) -> list[NameMention]:
    """Unknown names in `text`, in reading order. `sentences` are the sentence spans, `sentence_of`
    maps an offset to its sentence (text.SentenceIndex.of), `known` are the spans of actor
    mentions and `places` those of place mentions."""
    runs = list(_RUN.finditer(text))
    if not runs:
        return []
    actor_at = _mask(len(text), known)
    places = list(places)
    place_at, place_spans = _mask(len(text), places), set(places)
    found: list[NameMention] = []
    capitalised_sentences: dict[int, bool] = {}
    for run in runs:
        if actor_at.find(0, run.start(), run.end()) < 0 or place_at.find(0, run.start(), run.end()) < 0:
            continue  # all of it a catalog name ("Khalil al-Hayya") or a place ("Sharm el-Sheikh")
        index = sentence_of(run.start())
        shouty = capitalised_sentences.get(index)
        if shouty is None:
            shouty = capitalised_sentences[index] = _mostly_capitalised(text, *sentences[index])
        if shouty:  # a headline in title case or capitals: every word looks like a name
            continue
        tokens = [_Token(m.start(), m.end(), m.group(), m.group().casefold(), not m.group()[0].isupper())
                  for m in _TOKEN.finditer(text, run.start(), run.end())]
        sentence_start = sentences[index][0]
        first = tokens[0]
        if not any(c.isalnum() for c in text[sentence_start:first.start]):  # the sentence's first word
            if first.folded in FUNCTION_WORDS or (first.folded not in TITLES and _used_in_lower_case(first.word, text)):
                tokens = tokens[1:]
        found += _names_in(text, tokens, actor_at, place_at, place_spans)
    return found


def _names_in(text: str, tokens: list[_Token], actor_at: bytearray, place_at: bytearray,
              place_spans: set[tuple[int, int]]) -> list[NameMention]:
    """The names in one run of capitalised words: cut at actors, function words, months and days,
    and acronyms (each a name of its own)."""
    found: list[NameMention] = []
    segment: list[_Token] = []
    for token in tokens:
        if actor_at[token.start]:
            if segment and segment[-1].connector:  # "Corneille Nangaa of the AFC": a name of its own
                found += _segment_name(text, segment, place_at, place_spans)
            segment = []  # the words right before a catalog name (title, first name) go with it
            continue
        if token.connector:
            if segment:
                segment.append(token)
            continue
        if token.folded in FUNCTION_WORDS or token.folded in MONTHS_AND_DAYS:
            found += _segment_name(text, segment, place_at, place_spans)
            segment = []
            continue
        if _is_acronym(token.word):
            found += _segment_name(text, segment, place_at, place_spans)
            segment = []
            if (token.start, token.end) not in place_spans and token.folded not in ACRONYM_WORDS and not _ROMAN.fullmatch(token.word):
                found.append(NameMention(token.start, token.end, token.word, "acronym"))
            continue
        segment.append(token)
    return found + _segment_name(text, segment, place_at, place_spans)


def _segment_name(text: str, segment: list[_Token], place_at: bytearray,
                  place_spans: set[tuple[int, int]]) -> list[NameMention]:
    words = [t for t in segment if not t.connector]
    if not words:
        return []
    kind: NameKind = "name"
    titles = [i for i, t in enumerate(segment) if t.folded in TITLES]
    if titles:  # the name after the last title, less the words of the office ("Secretary of State Marco Rubio")
        rest = segment[titles[-1] + 1:]
        while rest and (rest[0].connector or rest[0].folded in GENERIC_WORDS):
            rest = rest[1:]
        if rest:
            segment, kind = rest, "titled"
    while segment and segment[-1].connector:
        segment = segment[:-1]
    words = [t for t in segment if not t.connector]
    if kind == "name" and (len(words) < 2 or all(_generic(t.folded) or place_at[t.start] for t in words)):
        return []  # "Foreign Ministry", "Doha Talks": no word of a name of its own
    if kind == "titled" and len(words) == 1 and _generic(words[0].folded):
        return []
    start, end = segment[0].start, segment[-1].end
    name = " ".join(text[start:end].split())
    for suffix in ("'s", "’s"):
        if name.endswith(suffix):
            name, end = name[: -len(suffix)], end - len(suffix)
    if (start, end) in place_spans or len(name) < 2:
        return []
    return [NameMention(start, end, name, kind)]


def _generic(folded: str) -> bool:
    return folded in GENERIC_WORDS or folded.removesuffix("'s").removesuffix("’s") in GENERIC_WORDS


def _is_acronym(word: str) -> bool:
    return _ACRONYM.fullmatch(word) is not None


def _mask(length: int, spans: Iterable[tuple[int, int]]) -> bytearray:
    mask = bytearray(length + 1)
    for start, end in spans:
        mask[start:end] = b"\x01" * (end - start)
    return mask


def _used_in_lower_case(word: str, text: str) -> bool:
    """Whether the text also writes this word in lower case ("Negotiators met" and later "negotiators")."""
    lower = word.lower()
    if lower == word:
        return False
    at = text.find(lower)
    while at >= 0:
        end = at + len(lower)
        if (at == 0 or not text[at - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            return True
        at = text.find(lower, end)
    return False


def _mostly_capitalised(text: str, start: int, end: int) -> bool:
    """A sentence of three words or more, three in four of them capitalised and none in lower case of
    four letters or more: a headline in title case or capitals ("What Lies Ahead", "REBELS TAKE GOMA")."""
    if _LOWER_WORD.search(text, start, end) is not None:
        return False
    words = len(_WORDS.findall(text, start, end))
    return words >= 3 and len(_CAPITALISED.findall(text, start, end)) * 4 >= words * 3


def with_new_actor(catalog: Catalog, name: str, type: str, affiliation: str | None = None,
                   actor_name: str | None = None, conflicts: Sequence[str] = ()) -> Catalog:
    """`catalog` with an unknown name added as an actor of its own; named `actor_name` if given (a
    titled "Kagame" as "Paul Kagame"), the name then becoming its alias. Raises CatalogError when
    the catalog already has the name or the entry is not valid (an unknown affiliation or conflict)."""
    name, actor_name = " ".join(name.split()), " ".join((actor_name or name).split())
    if not name:
        raise CatalogError("the name is empty")
    if name in catalog.actors or catalog.canonical(name) != name:
        raise CatalogError(f"{name!r} is in the catalog already (as {catalog.canonical(name)!r})")
    aliases = [name] if actor_name.casefold() != name.casefold() else []
    try:
        actor = Actor(name=actor_name, type=type, affiliation=affiliation or None, aliases=aliases,  # type: ignore[arg-type]
                      conflicts=list(conflicts))
    except ValidationError as error:
        raise CatalogError(f"{actor_name}: {describe_validation_error(error)}") from None
    if actor.name in catalog.actors:
        raise CatalogError(f"{actor.name!r} is an actor already: add {name!r} as its alias instead")
    unknown = set(actor.conflicts) - set(conflict_names())
    if unknown:
        raise CatalogError(f"unknown conflict(s) {', '.join(sorted(unknown))}; choose from: {', '.join(conflict_names())}")
    return Catalog([*catalog.actors.values(), actor])


def with_alias(catalog: Catalog, name: str, of: str) -> Catalog:
    """`catalog` with an unknown name added as an alias of the existing actor `of` (its name or an alias)."""
    name = " ".join(name.split())
    owner = catalog.actors.get(catalog.canonical(of))
    if owner is None:
        raise CatalogError(f"{of!r} is not an actor in the catalog")
    if name in catalog.actors or catalog.canonical(name) != name:
        raise CatalogError(f"{name!r} is in the catalog already (as {catalog.canonical(name)!r})")
    changed = owner.model_copy(update={"aliases": [*owner.aliases, name]})
    return Catalog(changed if actor.name == owner.name else actor for actor in catalog.actors.values())
