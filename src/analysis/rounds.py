"""Negotiation rounds reconstructed from the news, each field with the sentence it came from.

`find_candidates` reads one article's sentences and mentions (as extraction stores them)
and returns a candidate round per venue where talks are reported: venue, date normalised
against the publication date, parties, mediators, people, outcome cue, issues and proposal.
`reconcile` groups the candidates of many articles into rounds, matches them to loaded
records and flags disagreements between sources instead of hiding them.
"""

from __future__ import annotations

import hashlib
import re
from calendar import monthrange
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ceasefire.analysis.catalog import Catalog
from ceasefire.analysis.conflicts import ConflictFinder
from ceasefire.analysis.matcher import fold

# A sentence reports talks when it names one of these.
TRIGGER = re.compile(
    r"\b(talks|negotiat\w*|delegations?|mediat\w*|proposals?|truce|round of|last round|rounds? in|summit|"
    r"meet|meets|meeting|met|sessions?|discuss\w*|discussions|deal|agreements?|accords?|declarations?|framework|memorandum|"
    r"signing|signed|sign|agreed|dialogue|consultations|ceasefire (?:plan|framework|proposal)|peace (?:plan|process|conference))\b",
    re.IGNORECASE,
)
# The same, on text folded by analysis.matcher.fold (lower case, punctuation as spaces): twice as fast.
TRIGGER_FOLDED = re.compile(TRIGGER.pattern)

# A place is a venue when the sentence says talks are held there: "talks in Cairo", "met at the
# White House", "delegations arrived in Doha", "the Jeddah talks", "hosted by South Africa". A
# preposition counts when the words before it are about talks, not about the war ("a truce in
# Yemen", "the attack in Israel").
_PREPOSITION = re.compile(r"\b(?:in|at|to|from|left|leave|leaves|leaving|visited|visits|reached)\s+(?:the\s+)?$", re.IGNORECASE)
_TALK_WORDS = re.compile(
    r"\b(?:talks|negotiat\w*|met|meet\w*|summit|delegations?|round|sessions?|discussions?|discussed|consultations|conference|"
    r"signed|signing|sign|convened|gathered|hosted|hosting|host|mediat\w*|arrived|arriving|arrive|travel\w*|headed|heading|"
    r"flew|fly|visit\w*|negotiators|envoys?|ceremony|dialogue|gathering|sit down|sat down|held|hold|holding|resumed|resume|"
    r"agreed|agree|agreements?|deal|accords?|declaration|memorandum)\b",
    re.IGNORECASE)
_WAR_WORDS = re.compile(
    r"\b(?:truce|ceasefire|cease-fire|war|fighting|attacks?|strikes?|bombing|shelling|violence|offensive|clashes|killed|"
    r"situation|crisis|conflict|hostilities|displaced|famine|deaths|casualties)\s+$", re.IGNORECASE)
_VENUE_AFTER = re.compile(
    r"^\W{0,2}\s*(?:peace\s+|ceasefire\s+|truce\s+)?(?:talks|meeting|round|summit|negotiations|discussions|conference)\b",
    re.IGNORECASE)
# A document or a process named after a place is not a round held there: "the Jeddah Declaration",
# "the 1991 Almaty Declaration", "the Luanda Process", "the Minsk agreements".
_NAMES_A_DOCUMENT = re.compile(
    r"^(?:['’]s)?\s+(?:peace\s+|ceasefire\s+)?(?:declarations?|accords?|agreements?|process|format|framework|protocols?|"
    r"memorandum|communiqu[eé]|roadmap|road map|plan|initiative|formula)\b(?!\s+to\b)", re.IGNORECASE)  # "plan to" is a verb
# Places listed together share what the sentence says of the first ("meetings in Brussels,
# Chișinău, Washington and Moscow"): a place after a venue and a comma or "and", itself followed by
# the list's next comma or "and", or the clause's end; not the subject of what follows ("talks
# resumed in Doha, Israel's delegation said", "in Washington, Moscow said").
_PLACE_GLUE = re.compile(r"^\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)(?:in\s+|at\s+)?(?:the\s+)?$", re.IGNORECASE)
_LIST_GOES_ON = re.compile(r"^\s*(?:,|;|\.|\band\b|\bor\b|$)", re.IGNORECASE)
_REACH = 200  # characters either side of a place or a list of actors that the rules read
_LAST_WORDS = re.compile(r"(?:\S+\s+){0,2}$")
# A country that hosts the talks: "hosted by South Africa", "Qatar, which hosts the talks",
# "thanked South Africa for hosting the peace talks".
_HOSTED_BY = re.compile(r"\bhosted\s+by\s+(?:the\s+(?:government\s+of\s+)?)?$", re.IGNORECASE)
_HOSTS = re.compile(r"^(?:['’]s)?(?:\s+government)?,?\s+(?:which\s+|who\s+)?(?:\w+\s+){0,2}?"
                    r"(?:hosts|hosted|hosting|will host|to host)\b", re.IGNORECASE)
_FOR_HOSTING = re.compile(r"\bfor hosting\b", re.IGNORECASE)
# A venue the sentence places in the past ("the last round in Doha") is an earlier round, undated.
_PAST = re.compile(r"\b(?:last|previous|earlier|former|prior)\s+(?:round|talks|negotiations|meeting)s?\b", re.IGNORECASE)

# Outcome cues, most decisive first: a round's outcome is the most decisive cue among all its sentences.
OUTCOME_CUES: tuple[tuple[str, str], ...] = (
    ("collapsed", (r"\b(?:collaps\w*|crumbl\w*|broke down|break(?:s)? down|fell apart|fallen apart|ended without|"
                   r"walked out|failed)\b")),
    ("agreement", (r"\b(?:agreed (?:to|on|upon)(?! (?:meet|resume|continue|hold|return|keep|reconvene|talk))|"
                   r"(?<!will )(?<!to )(?<!would )signed|(?:reached|struck|concluded|clinched|sealed|finali[sz]ed|initial+ed) an?\s+"
                   r"(?:\w+\s+){0,2}?(?:deal|agreement|accord|ceasefire|truce|declaration|memorandum)|clinched|sealed|"
                   r"signing (?:of|ceremony)|(?:the|official|formal) signing|"
                   r"announced an?\s+(?:\w+\s+){0,2}?(?:ceasefire|truce|agreement|deal))\b")),
    ("partial agreement", (r"\b(?:partial (?:deal|agreement)|first phase agreed|agreed the first phase|"
                           r"interim (?:deal|agreement)|"
                           # some measures agreed, not the settlement itself: nothing of a ceasefire, a deal or
                           # an end in the rest of the sentence, and not "refused to agree"
                           r"(?<!not )(?<!refused to )(?<!failed to )(?<!never )"
                           r"(?:agree(?:d|s)? (?:on|to|upon) |"
                           r"agreed (?=(?:several|some|a number of|a set of|a series of|initial|first) )|"
                           r"agreement (?:on|to|upon) )"
                           r"(?!(?:meet|resume|continue|hold|return|keep|reconvene|talk)\b)"
                           r"(?!.*\b(?:ceasefire|truce|peace|deal|agreement|accord|declaration|cessation|armistice|"
                           r"settlement|end|ending|halt|stop|framework|plan|text|terms|proposal|memorandum|principles)\b)"
                           r"(?:an? |the )?(?:further |new |first |second )?(?:\w+ ){0,2}?"
                           r"(?:(?:prisoners?|detainees?|hostages?|pows?) (?:exchange|swap|release)s?|"
                           r"(?:several|some|a number of|a set of|a series of|initial|first) (?:\w+ )?(?:measures|steps)|"
                           r"opening|reopening|exchange|swap|release|withdrawal|return|delivery|entry|evacuation|creation|"
                           r"establishment|formation|measures|steps|mechanism)\b)\b")),
    ("stalled", r"\b(?:stalled|(?<!break the )deadlock(?:ed)?|impasse|stalemate|stuck|no breakthrough|without a breakthrough)\b"),
    ("postponed", r"\b(?:postponed|delayed|called off|put off|rescheduled|cancell?ed|recessed|recessing|a recess in|"
                  r"into recess)\b"),
    ("ongoing", (r"\b(?:arrived|arrives|arriving|under ?way|on ?going|resumed|resume|kicking off|kicked off|began|begin|"
                r"hosted|hosting|continu\w+|working overtime|are holding|held talks|hold talks|headed to|heading to|met|meets|"
                r"discussed|convened|convening|convenes|will meet|will hold|opened|having met)\b")),
)
# Searched on the folded sentence (lower case, punctuation as spaces): several times faster than
# ignoring case, and the cues hold no punctuation. Within one sentence a partial agreement is read
# before an agreement: "agreed on a prisoner exchange" says what was agreed, and that it was not all.
_DECISIVENESS = {outcome: rank for rank, (outcome, _) in enumerate(OUTCOME_CUES)}  # lower is more decisive
_IN_A_SENTENCE = ("collapsed", "partial agreement", "agreement", "stalled", "postponed", "ongoing")
_OUTCOME_FOLDED = tuple((outcome, re.compile(dict(OUTCOME_CUES)[outcome])) for outcome in _IN_A_SENTENCE)
# Talks still to come are not under way: "will begin negotiations", "negotiations to be convened",
# "talks about to start".
_TO_COME = re.compile(r"\b(?:will|shall|would|to) (?:\w+ )?$")  # "will begin", "to be convened", "offered to host"
_PROPOSAL = re.compile(r"\b(\d+|[a-z]+)-day\s+(?:\w+[ -]){0,2}?(ceasefire|truce)\b", re.IGNORECASE)


def outcome_cue(folded: str) -> str | None:
    """The outcome a folded sentence names, if any: the most decisive, a partial agreement before an
    agreement, and talks said to be under way only where they are not still to come."""
    for outcome, pattern in _OUTCOME_FOLDED:
        for match in pattern.finditer(folded):
            if outcome != "ongoing" or not _TO_COME.search(folded, max(0, match.start() - 40), match.start()):
                return outcome
    return None


# Roles read from the sentence around a list of actors ("Egypt, Qatar and the United States"):
# what comes before the list or after it says whether they mediate or negotiate.
_LIST_GLUE = re.compile(
    r"^(?:['’]s?)?(?:\s*,\s*|\s+|\s*/\s*)(?:(?:and|or|&|as well as|along with|together with|with)\s+)?(?:the\s+)?"
    r"(?:(?:[A-Z][\w.'’-]*|prime|foreign|defen[cs]e|minister|president|envoy|special|chief|intelligence|secretary|state|"
    r"deputy|head|leader|negotiators?|officials?|representatives?|director|general|adviser|advisor|spokes\w+)\s+){0,4}$")
_MEDIATOR_BEFORE = re.compile(
    r"(?:\b(?:mediated|brokered|facilitated|hosted|sponsored|convened|chaired|organi[sz]ed|arranged|guaranteed)\s+by|"
    r"\bunder the (?:auspices|mediation|sponsorship|facilitation|aegis) of|\bwith the (?:mediation|help|facilitation) of|"
    r"\bmediation (?:of|by|from)|\bmediators?\s+(?:from|of|including)?|\bfacilitators?\s+(?:from|of)?|"
    r"\b(?:host|mediat|broker|facilitat)\w*\s+(?:\w+\s+){0,3}?(?:with|alongside|together with)|\bmediated\s+jointly\s+by)\s+(?:the\s+)?$",
    re.IGNORECASE)
_MEDIATOR_AFTER = re.compile(
    r"^(?:['’]s?)?(?:\s*[-–]\s*|\s+)(?:(?:has|have|had|is|are|was|were|will|would)\s+(?:been\s+|also\s+)?)?"
    r"(?:brokered|mediated|mediating|mediates|mediate|mediation|mediators?|mediating team|facilitat\w*|sponsored|hosted|hosts|hosting|host|"
    r"convened|guarantors?|led mediation)\b|"
    r"^,?\s+(?:which|who)\s+(?:has\s+|have\s+|is\s+|are\s+|had\s+)?(?:been\s+)?(?:mediat|broker|host|facilitat|sponsor)\w*|"
    r"^,?\s+as\s+(?:a\s+|the\s+)?(?:mediators?|hosts?|facilitators?|guarantors?)\b|^,\s+(?:the|a|one of the)\s+(?:mediators?|hosts?)\b|"
    r"^(?:\s+and\s+(?:its|their)\s+[\w-]+(?:\s+[\w-]+)?)?\s+for\s+(?:again\s+|the\s+|its\s+|their\s+)?"
    r"(?:hosting|mediating|facilitating|brokering|facilitation|mediation)\b|"
    r"^\s*-\s*led\s+(?:peace\s+)?(?:process|talks|mediation|negotiations|efforts)\b",
    re.IGNORECASE)
_PARTY_BEFORE = re.compile(
    r"(?:\bbetween|\bdelegations?\s+(?:from|of)|\brepresentatives\s+of|\bnegotiators\s+(?:from|of)|\bparties,?\s+|"
    r"\b(?:talks|negotiations|meetings?|discussions)\s+involving)\s+(?:the\s+)?$",
    re.IGNORECASE)
_PARTY_AFTER = re.compile(
    r"^(?:['’]s?)?\s+(?:(?:negotiating\s+)?(?:delegations?|negotiators|negotiating teams?)\b)|"
    r"^,?\s+(?:(?:have|has|had|both|finally|formally|officially|jointly)\s+)*(?:agreed|signed|reached|accepted|rejected|concluded|"
    r"initial+ed|struck|committed|exchanged|responded)\b|"
    r"^,?\s+(?:will|would|are to|are set to|are due to)\s+(?:sign|meet|agree|resume|exchange)\b",
    re.IGNORECASE)
# Who speaks of the talks from outside: "the Secretary-General welcomes…", "UNSMIL commends…",
# "the EU calls on the parties…". Such an actor takes no usual role either.
_OBSERVER_AFTER = re.compile(
    r"^(?:['’]s?)?,?\s+(?:(?:has|have|had|also|again|today|warmly|strongly|once again)\s+)*"
    r"(?:welcom\w*|commend\w*|applaud\w*|congratulat\w*|urg(?:e|es|ed)|call(?:s|ed)? (?:on|upon)|condemn\w*|"
    r"deplor\w*|hail\w*|reiterat\w*|express\w*)\b",
    re.IGNORECASE)
# How far apart two reports of one round may date it: days for day-precise dates, else the same month.
DAY_TOLERANCE = 5
# An undated "last round in Doha" is looked for up to this long before the article.
PAST_WINDOW = timedelta(days=120)


@dataclass(frozen=True)
class Sentence:
    index: int
    text: str
    folded: str = ""  # analysis.matcher.fold of the text (lower case, punctuation as spaces), when the caller has it


@dataclass(frozen=True)
class Mention:
    """A mention of something in a sentence, as the extraction tables store it."""

    sentence: int
    start: int  # offsets within the sentence
    end: int
    name: str
    kind: str = "name"  # how an actor is named: name, alias, demonym, surname… (analysis/actors.py)


@dataclass(frozen=True)
class DateMention:
    sentence: int
    value: date | None
    precision: str | None
    kind: str
    start: int = 0  # offset within the sentence


@dataclass(frozen=True)
class PlaceInfo:
    name: str
    kind: str
    country: str | None


@dataclass
class Candidate:
    """A round one article reports. `evidence` maps each field to (value, sentence index) pairs."""

    article_id: str
    venue: str
    country: str | None
    date: date | None
    precision: str | None
    past: bool
    parties: list[str]
    mediators: list[str]
    people: list[str]
    outcome: str | None
    issues: list[str]
    proposal: str | None
    conflicts: list[str] = field(default_factory=list)
    evidence: list[tuple[str, str, int]] = field(default_factory=list)  # (field, value, sentence index)

    @property
    def candidate_id(self) -> str:
        return f"{self.article_id}:{self.venue}"

    def as_row(self) -> tuple:
        """The `round_candidates` row (see analysis/extract.py TABLES); `from_row` reads it back."""
        return (self.article_id, self.venue, self.country, self.date, self.precision, self.past, self.parties,
                self.mediators, self.people, self.outcome, self.issues, self.proposal, self.conflicts)

    @classmethod
    def from_row(cls, row: Sequence) -> Candidate:
        return cls(*row[:5], bool(row[5]), *(list(v) for v in row[6:9]), row[9], list(row[10]), row[11], list(row[12] or ()))


def find_candidates(
    article_id: str, published: date | None, published_precision: str | None, sentences: Sequence[Sentence],
    actors: Sequence[Mention], places: Sequence[Mention], dates: Sequence[DateMention], issues: Sequence[Mention],
    place_info: dict[str, PlaceInfo], catalog: Catalog, finder: ConflictFinder | None = None,
    article_conflicts: Sequence[str] = (),
) -> list[Candidate]:
    """The rounds an article reports: one candidate per venue named in a sentence about talks.

    `sentences` may hold just the article's sentences about talks (those TRIGGER matches);
    the mentions are the whole article's, with offsets within their sentence. `finder` tells the
    round's conflict, whose usual parties and mediators fill roles the text leaves unsaid;
    `article_conflicts` are the article's, for a round whose own actors tell none."""
    text = {s.index: s.text for s in sentences}
    triggered = [s.index for s in sentences if (TRIGGER_FOLDED.search(s.folded) if s.folded else TRIGGER.search(s.text))]
    by_venue: dict[str, list[int]] = {}
    past_venues: set[str] = set()
    hosts: set[str] = set()
    at: dict[tuple[str, int], int] = {}  # (venue, sentence) → where in the sentence it is named a venue
    war = finder.of_country if finder else {}
    in_sentence: dict[int, list[Mention]] = {}
    for mention in places:
        in_sentence.setdefault(mention.sentence, []).append(mention)
    for index in triggered:
        past = None
        how = None
        previous: Mention | None = None
        for mention in in_sentence.get(index, ()):
            listed = (how == "place" and previous is not None and _PLACE_GLUE.match(text[index][previous.end:mention.start])
                      and _LIST_GOES_ON.match(text[index][mention.end:mention.end + 10]))
            previous = mention
            if _NAMES_A_DOCUMENT.match(text[index][mention.end:mention.end + 40]):
                how = None
                continue
            place = place_info.get(mention.name)
            listed_place = listed and place and place.kind in ("city", "country")
            how = "place" if listed_place else _venue_kind(text[index], mention, place, war)
            if how:
                by_venue.setdefault(mention.name, []).append(index)
                at.setdefault((mention.name, index), mention.start)
                if how == "host":
                    hosts.add(mention.name)
                past = bool(_PAST.search(text[index])) if past is None else past
                if past:
                    past_venues.add(mention.name)
    # A country that hosts talks held in one of its cities is the city's round ("talks in Sharm
    # el-Sheikh, which Egypt is hosting"), and a country named only as a host where the article
    # names the city of the talks is a co-host ("in Geneva, co-hosted by Saudi Arabia"): their
    # sentences are about that round.
    cities = [v for v in by_venue if place_info[v].kind == "city"]
    cities_in = {place_info[v].country for v in cities}
    for venue in [v for v in by_venue if place_info[v].kind == "country" and (v in cities_in or (v in hosts and cities))]:
        del by_venue[venue]
        past_venues.discard(venue)
    if not by_venue:
        return []
    # Sentences about talks that name no venue ("discussions with Egyptian mediators will focus on…")
    # describe the article's main round: the first current venue named, or the only venue.
    current = [v for v in by_venue if v not in past_venues]
    main = current[0] if current else next(iter(by_venue)) if len(by_venue) == 1 else None
    venue_sentences = {s for found in by_venue.values() for s in found}
    unplaced = [i for i in triggered if i not in venue_sentences]
    folded = {s.index: s.folded or fold(s.text) for s in sentences}
    cues = {i: outcome_cue(folded[i]) for i in triggered}  # once per sentence, whichever rounds it is about
    candidates = []
    for venue, indexes in by_venue.items():
        past = venue in past_venues and venue != main
        about = sorted(set(indexes) | (set(unplaced) if venue == main else set()))
        candidates.append(_candidate(
            article_id, venue, place_info.get(venue), past, indexes, about, text, published, published_precision,
            actors, dates, issues, catalog, finder, article_conflicts, {i: at[(venue, i)] for i in indexes}, cues,
        ))
    return candidates


def _venue_kind(sentence: str, mention: Mention, place: PlaceInfo | None, war: Collection[str] = ()) -> str | None:
    """Whether the sentence holds talks at this place: "host" for a country hosting them, "place"
    for a place they are held at, None for neither. In the countries where a conflict is fought
    (`war`) the talk word must come just before: "talks on opening roads in Taiz" are not held there."""
    if place is None or place.kind not in ("city", "country"):
        return None
    # What decides lies near the place: a bounded window keeps a very long sentence linear.
    before, after = sentence[max(0, mention.start - _REACH): mention.start], sentence[mention.end: mention.end + _REACH]
    if place.kind == "country" and (_HOSTED_BY.search(before) or _HOSTS.search(after)
                                     or (_FOR_HOSTING.search(after) and not _PREPOSITION.search(before))):
        return "host"
    preposition = _PREPOSITION.search(before)
    if preposition and preposition.group(0).lower().startswith("from") and place.kind == "country":
        return None  # "mediators from the United States": where they come from
    if preposition:
        leading = before[: preposition.start()]
        # The words just before the preposition say what happens there: talks, or the war.
        # In the countries where a conflict is fought the talk word must come just before ("met in
        # Goma"): "an agreement to open roads in Taiz" is not a round in Taiz.
        at_war = (place.country or place.name) in war
        near = _LAST_WORDS.search(leading).group(0) if at_war else leading[-80:]
        talks = not _WAR_WORDS.search(leading) and bool(_TALK_WORDS.search(near))
        # A place that opens its clause ("On 4 October, in Caracas, the two sides announced talks")
        # is where the clause happens: talks said anywhere in the sentence are held there.
        opens = not at_war and (not leading.strip() or leading.rstrip().endswith((",", ";", ":")))
        return "place" if talks or (opens and bool(_TALK_WORDS.search(after))) else None
    return "place" if place.kind == "city" and _VENUE_AFTER.search(after) else None


def read_roles(sentence: str, mentions: Sequence[Mention]) -> dict[str, str]:
    """The roles the sentence gives the actors it names: {"Qatar": "mediators", "Hamas": "parties"},
    or "observers" for those who speak of the talks from outside ("X welcomes…").

    Actors listed together ("Egypt, Qatar and the United States", "Russian and Ukrainian") share the
    role the words around the list give: "mediated by …", "… mediators", "talks between …",
    "… agreed", "the … delegations". An actor the sentence gives no role is left out."""
    ordered = sorted(mentions, key=lambda m: m.start)
    lists: list[list[Mention]] = []
    for mention in ordered:
        if lists and mention.start >= lists[-1][-1].end and _LIST_GLUE.match(sentence[lists[-1][-1].end:mention.start]):
            lists[-1].append(mention)
        elif not lists or mention.start >= lists[-1][-1].end:
            lists.append([mention])
    roles: dict[str, str] = {}
    for names in lists:
        before, after = sentence[max(0, names[0].start - _REACH): names[0].start], sentence[names[-1].end: names[-1].end + _REACH]
        role = ("mediators" if _MEDIATOR_BEFORE.search(before) or _MEDIATOR_AFTER.match(after) else
                "parties" if _PARTY_BEFORE.search(before) or _PARTY_AFTER.match(after) else
                "observers" if _OBSERVER_AFTER.match(after) else None)
        if role:
            for mention in names:
                if not _not_its_side(sentence, mention):
                    roles.setdefault(mention.name, role)
    return roles


# A demonym that names a people rather than its state's side: "Palestinians and Israelis", "the
# Yemeni people", "Libyan civil society"; or the sides within a state: "the two Libyan delegations",
# "both Sudanese parties", "rival Libyan governments".
_PEOPLE_AFTER = re.compile(r"\s+(?:civil\s+)?(?:people|peoples|population|society|civilians|women|men|children|families|"
                           r"citizens|refugees|cities|towns|villages|lives|crisis)\b", re.IGNORECASE)
_SIDES_BEFORE = re.compile(r"\b(?:two|both|rival|opposing|warring)\s+$", re.IGNORECASE)


def _not_its_side(sentence: str, mention: Mention) -> bool:
    """Whether an actor named by its demonym is the people or the sides within it, not the state."""
    if mention.kind != "demonym":
        return False
    surface = sentence[mention.start:mention.end]
    plural = surface.endswith("s") and not surface.endswith("ese")  # "Israelis"; "Sudanese" is both
    return (plural or bool(_PEOPLE_AFTER.match(sentence, mention.end))
            or bool(_SIDES_BEFORE.search(sentence, max(0, mention.start - 20), mention.start)))


def _candidate(
    article_id: str, venue: str, place: PlaceInfo | None, past: bool, venue_indexes: list[int], about: list[int],
    text: dict[int, str], published: date | None, published_precision: str | None,
    actors: Sequence[Mention], dates: Sequence[DateMention], issues: Sequence[Mention], catalog: Catalog,
    finder: ConflictFinder | None, article_conflicts: Sequence[str], venue_at: dict[int, int], cues: dict[int, str | None],
) -> Candidate:
    evidence: list[tuple[str, str, int]] = [("venue", venue, venue_indexes[0])]
    when, precision = None, None
    # An earlier round keeps only a date written out ("July 2025"); "Tuesday" in its sentence is about now.
    # The date is the one nearest the venue in the first venue sentence that has one (not a dateline's).
    usable = [d for d in dates if d.sentence in venue_at and d.value
              and (d.kind == "absolute" if past else d.kind != "duration")]
    found = min(usable, key=lambda d: (venue_indexes.index(d.sentence), abs(d.start - venue_at[d.sentence])), default=None)
    if found:
        when, precision = found.value, found.precision
        evidence.append(("date", f"{found.value} ({found.precision})", found.sentence))
    elif not past and published:
            when, precision = published, published_precision or "day"
            evidence.append(("date", f"{published} ({precision}, from the publication date)", venue_indexes[0]))
    kept = [m for m in actors if not _is_media(catalog, m.name)]
    named = [m for m in kept if m.sentence in about]
    conflicts = _round_conflicts(named, catalog, finder, article_conflicts, evidence)
    # An earlier round named in passing has only what its own sentences say.
    elsewhere = [] if past else kept
    parties, mediators = _roles(named, elsewhere, text, catalog, finder, conflicts, evidence,
                                venue_indexes[0] if not past else None, published.year if published else None)
    people: list[str] = []
    for mention in named:
        actor = catalog.actors.get(mention.name)
        if actor and actor.type == "person" and mention.name not in people:
            people.append(mention.name)
            evidence.append(("people", mention.name, mention.sentence))
    outcome = None
    for index in about:  # the most decisive cue of all its sentences
        cue = cues[index]
        if cue and (outcome is None or _DECISIVENESS[cue] < _DECISIVENESS[outcome[0]]):
            outcome = (cue, index)
    if outcome:
        evidence.append(("outcome", *outcome))
    tagged = []
    for mention in issues:
        if mention.sentence in about and mention.name not in tagged:
            tagged.append(mention.name)
            evidence.append(("issues", mention.name, mention.sentence))
    proposal = None
    for index in about:
        match = _PROPOSAL.search(text[index])
        if match:
            proposal = f"{match.group(1).lower()}-day {'truce' if match.group(2).lower() in ('truce', 'ceasefire') else ''}".strip()
            evidence.append(("proposal", proposal, index))
            break
    return Candidate(article_id, venue, place.country if place else None, when, precision, past, sorted(parties),
                     sorted(mediators), people, outcome[0] if outcome else None, tagged, proposal, conflicts, evidence)


def _is_media(catalog: Catalog, name: str) -> bool:
    actor = catalog.actors.get(name)
    return actor is not None and actor.type == "media"


def _round_conflicts(named: Sequence[Mention], catalog: Catalog, finder: ConflictFinder | None,
                     article_conflicts: Sequence[str], evidence: list[tuple[str, str, int]]) -> list[str]:
    """The round's conflicts, by the actors its sentences name, else its article's. The round's
    names are some of the article's, so an article of one conflict (or none) decides for it."""
    if finder is None:
        return list(article_conflicts)
    found = finder.assign([m.name for m in named]) if len(article_conflicts) > 1 else []
    first = named[0].sentence if named else 0
    for assignment in found:
        evidence.append(("conflicts", f"{assignment.conflict} ({assignment.reason})", first))
    if found:
        return [a.conflict for a in found]
    for conflict in article_conflicts:
        evidence.append(("conflicts", f"{conflict} (its article's)", first))
    return list(article_conflicts)


def _roles(named: Sequence[Mention], everywhere: Sequence[Mention], text: dict[int, str], catalog: Catalog,
           finder: ConflictFinder | None, conflicts: Sequence[str], evidence: list[tuple[str, str, int]],
           venue_sentence: int | None, year: int | None = None) -> tuple[list[str], list[str]]:
    """Parties and mediators, by what the round's sentences say of each actor (one named a mediator
    as often as a party mediates); for actors they name without a role, an envoy's organisation
    mediates (unless it is a side), else the round's conflicts' usual parties and mediators (usual
    mediators only while the text names none). A negotiation has two sides: while fewer parties are
    found, the usual parties the article names elsewhere are added, and with none at all the
    conflict's usual parties; each marked as such."""
    usual: dict[str, tuple[str, str]] = {}  # actor → (its usual role, the conflict)
    for conflict in (c for c in finder.conflicts if c.name in conflicts) if finder else ():
        for name in conflict.mediators:
            usual.setdefault(name, ("mediators", conflict.name))
        for name in conflict.parties:
            usual.setdefault(name, ("parties", conflict.name))

    def side(name: str) -> str:
        """Who an actor speaks for: the first of its affiliations that is a usual party or mediator
        of the round's conflict (the Sudanese Armed Forces, not Sudan), else the top one (Israel
        for the IDF, Hamas for Khalil al-Hayya)."""
        return catalog.root(name, until=usual)

    said: dict[str, Counter[str]] = {}
    where: dict[tuple[str, str], int] = {}
    for index in sorted({m.sentence for m in named}):
        for name, role in read_roles(text[index], [m for m in named if m.sentence == index]).items():
            root = side(name)
            said.setdefault(root, Counter())[role] += 1
            where.setdefault((root, role), index)
    chosen: dict[str, list[str]] = {"parties": [], "mediators": []}
    unsaid: list[tuple[str, int]] = []  # (actor, its sentence): named without a role, with a usual one
    for mention in named:
        root = side(mention.name)
        if root in chosen["parties"] or root in chosen["mediators"]:
            continue
        if root in said:
            counts = said[root]
            if counts["mediators"] or counts["parties"]:
                role = "mediators" if counts["mediators"] >= counts["parties"] else "parties"
                chosen[role].append(root)
                evidence.append((role, root, where[(root, role)]))
        elif (envoy := _envoy(catalog, mention.name, year)) and usual.get(root, ("",))[0] != "parties":  # a side's envoy negotiates
            chosen["mediators"].append(root)
            evidence.append(("mediators", f"{root} ({mention.name}, {envoy})", mention.sentence))
        elif root in usual and not _not_its_side(text[mention.sentence], mention):
            unsaid.append((root, mention.sentence))
    # Usual roles for the actors named without one: a party for each (a negotiation has two sides),
    # a mediator only while the text names none ("Turkey hosted the talks" leaves the other usual mediators out).
    named_mediators = bool(chosen["mediators"])
    for root, sentence in unsaid:
        role, conflict = usual[root]
        if root not in chosen[role] and not (role == "mediators" and named_mediators):
            chosen[role].append(root)
            evidence.append((role, f"{root} (a usual {role[:-1] if role == 'mediators' else 'party'} of {conflict}; "
                                   "the text gives no role)", sentence))
    taken = {*chosen["parties"], *chosen["mediators"]}
    if len(chosen["parties"]) < 2:
        for mention in everywhere:
            if mention.kind == "demonym":  # "the Israeli strikes" elsewhere say nothing of the talks' sides
                continue
            root = side(mention.name)
            if root not in taken and usual.get(root, ("",))[0] == "parties":
                taken.add(root)
                chosen["parties"].append(root)
                evidence.append(("parties", f"{root} (a usual party of {usual[root][1]}, named elsewhere in the article)",
                                 mention.sentence))
    sides = [name for name, (role, _) in usual.items() if role == "parties"]
    if not chosen["parties"] and len(sides) == 2 and venue_sentence is not None:  # a conflict of two sides: them
        for name, (role, conflict) in usual.items():
            if role == "parties" and name not in taken:
                chosen["parties"].append(name)
                evidence.append(("parties", f"{name} (a usual party of {conflict}; the article names no party)", venue_sentence))
    return chosen["parties"], chosen["mediators"]


# Offices whose holder mediates by office: the envoy of the UN, of a state or of a regional organisation.
_ENVOY = re.compile(r"\b(?:envoy|mediator|facilitator|special representative|special coordinator)\b", re.IGNORECASE)


def _envoy(catalog: Catalog, name: str, year: int | None) -> str | None:
    """The title of an envoy's office a person held in `year` (any year when it is unknown)."""
    actor = catalog.actors.get(name)
    for role in actor.roles if actor else ():
        if _ENVOY.search(role.title) and (year is None or ((role.start or year) <= year <= (role.end or year))):
            return role.title
    return None


@dataclass(frozen=True)
class RecordSpan:
    """A loaded round, as far as matching needs it."""

    record_id: str
    venue_city: str | None
    venue_country: str | None
    start: date
    end: date | None
    precision: str
    outcome: str | None


@dataclass
class NewsRound:
    """Candidates from one or more articles that report the same round, and what they agree on."""

    venue: str
    country: str | None
    first: date | None
    last: date | None
    candidates: list[Candidate]
    record_id: str | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Stable while the same candidates make up the round."""
        ids = "|".join(sorted(c.candidate_id for c in self.candidates))
        return hashlib.sha256(ids.encode()).hexdigest()[:16]

    @property
    def articles(self) -> list[str]:
        return list(dict.fromkeys(c.article_id for c in self.candidates))

    @property
    def outcome(self) -> str | None:
        counts = Counter(c.outcome for c in self.candidates if c.outcome)
        return counts.most_common(1)[0][0] if counts else None

    def union(self, name: str) -> list[str]:
        return list(dict.fromkeys(v for c in self.candidates for v in getattr(c, name)))

    @property
    def proposal(self) -> str | None:
        return next((c.proposal for c in self.candidates if c.proposal), None)


def _shift(day: date, by: timedelta) -> date:
    """`day + by`, held at date.min or date.max: a store may hold a date in year 1 or 9999
    (loaded before dates were range-checked), and the page must still work out its rounds."""
    try:
        return day + by
    except OverflowError:
        return date.max if by > timedelta(0) else date.min


def _span(when: date | None, precision: str | None) -> tuple[date, date] | None:
    if when is None:
        return None
    if precision == "day":
        return when, when
    if precision == "week":
        return when, _shift(when, timedelta(days=6))
    if precision == "month":
        return when.replace(day=1), when.replace(day=monthrange(when.year, when.month)[1])
    return date(when.year, 1, 1), date(when.year, 12, 31)


def _overlaps(a: tuple[date, date], b: tuple[date, date], slack: int = 0) -> bool:
    return _shift(a[0], -timedelta(days=slack)) <= b[1] and _shift(b[0], -timedelta(days=slack)) <= a[1]


def reconcile(
    candidates: Iterable[Candidate], records: Iterable[RecordSpan] = (), published: dict[str, date] | None = None,
    decisions: dict[str, tuple[str, str | None]] | None = None,
) -> list[NewsRound]:
    """Group candidates into rounds (same venue, compatible dates), attach them to matching records,
    and flag disagreements. `published` gives articles' dates, to place undated past rounds;
    `decisions` maps candidate ids to (decision, record id) from analysts' reviews."""
    published = published or {}
    decisions = decisions or {}
    records = list(records)
    at_venue: dict[str, list[NewsRound]] = {}  # each venue's rounds, in date order
    remaining = [c for c in candidates if decisions.get(c.candidate_id, ("",))[0] != "rejected"]
    # In date order a candidate can only extend the latest round at its venue.
    for candidate in sorted((c for c in remaining if c.date), key=lambda c: (c.venue, c.date)):
        span = _span(candidate.date, candidate.precision)
        venue_rounds = at_venue.setdefault(candidate.venue, [])
        latest = venue_rounds[-1] if venue_rounds else None
        if latest and _overlaps((latest.first, latest.last), span, DAY_TOLERANCE):  # type: ignore[arg-type]
            latest.candidates.append(candidate)
            latest.first, latest.last = min(latest.first, span[0]), max(latest.last, span[1])  # type: ignore[type-var]
        else:
            venue_rounds.append(NewsRound(candidate.venue, candidate.country, span[0], span[1], [candidate]))
    for candidate in (c for c in remaining if not c.date):
        when = published.get(candidate.article_id)
        window = (_shift(when, -PAST_WINDOW), when) if when else None
        venue_rounds = at_venue.setdefault(candidate.venue, [])
        earlier = [r for r in venue_rounds if r.first and (window is None or _overlaps((r.first, r.last), window))]
        if earlier:
            earlier[-1].candidates.append(candidate)
        else:
            venue_rounds.append(NewsRound(candidate.venue, candidate.country, None, None, [candidate]))
    rounds = [r for venue_rounds in at_venue.values() for r in venue_rounds]
    for news_round in rounds:
        _match_record(news_round, records, published, decisions)
        _flag(news_round, records)
    return sorted(rounds, key=lambda r: (r.first or date.min, r.venue), reverse=True)


def _match_record(news_round: NewsRound, records: list[RecordSpan], published: dict[str, date],
                  decisions: dict[str, tuple[str, str | None]]) -> None:
    chosen = [decisions[c.candidate_id][1] for c in news_round.candidates
              if decisions.get(c.candidate_id, ("",))[0] in ("accepted", "merged")]
    if chosen and chosen[0]:
        news_round.record_id = chosen[0]
        return
    if news_round.first:
        span = (news_round.first, news_round.last)
    else:  # an undated earlier round: before the article that mentions it
        dates = [published[a] for a in news_round.articles if a in published]
        if not dates:
            return
        span = (_shift(min(dates), -PAST_WINDOW), max(dates))
    best = None
    for record in records:
        if news_round.venue not in (record.venue_city, record.venue_country):
            continue
        record_span = _span(record.start, record.precision)
        record_span = (record_span[0], max(record_span[1], record.end or record.start))
        if _overlaps(span, record_span, DAY_TOLERANCE if news_round.first else 0):
            distance = abs((record.start - span[0]).days)
            if best is None or distance < best[0]:
                best = (distance, record.record_id)
    news_round.record_id = best[1] if best else None


def _flag(news_round: NewsRound, records: list[RecordSpan]) -> None:
    outcomes = Counter(c.outcome for c in news_round.candidates if c.outcome)
    if len(outcomes) > 1:
        news_round.flags.append("sources disagree on the outcome: " + ", ".join(
            f"{o} ({n} article{'s' if n > 1 else ''})" for o, n in outcomes.most_common()))
    days = sorted({c.date for c in news_round.candidates if c.date and c.precision == "day"})
    if len(days) > 1 and (days[-1] - days[0]).days > 1:
        news_round.flags.append(f"sources date it differently: {', '.join(str(d) for d in days)}")
    record = next((r for r in records if r.record_id == news_round.record_id), None)
    if record and record.outcome and news_round.outcome and record.outcome != news_round.outcome:
        news_round.flags.append(f"the news says {news_round.outcome}, the record says {record.outcome}")
