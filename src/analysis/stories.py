"""Stories: agency copy republished by many outlets, grouped as one story.

Each article gets a MinHash signature of its word shingles (datasketch). An article joins the story
whose first article is the most similar to it, if their estimated Jaccard similarity reaches
THRESHOLD (candidates found through the signature's LSH bands), or else begins a story of its own,
named by its id. Articles are compared with the first article of each story only: every story is
one candidate however many copies it has (boilerplate shared by many articles cannot make the
look-up quadratic), and a story cannot drift from its original through a chain of edits. Stories
never merge afterwards, so a story's id stays that of its first article (docs/analysis.md, "Stories").
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from hashlib import blake2b
from itertools import accumulate

import numpy as np
from datasketch import MinHash, MinHashLSH

# Five-word shingles: long enough that two reports of one round in their own words share almost
# none (their common names and phrases are shorter), short enough that a changed headline, a byline
# or an edited sentence costs only the few shingles around it.
SHINGLE_WORDS = 5
# 128 permutations estimate a similarity within about ±0.09 (1/√128), plenty either side of the threshold.
PERMUTATIONS = 128
# A copy with a new headline and byline, or one of ten paragraphs dropped or added, stays above 0.9;
# one cut to half of the text is at 0.5. Distinct reports of the same talks stay below 0.1.
THRESHOLD = 0.5

_SCHEME = "affine32"  # datasketch's default: 32-bit values, 4 bytes a permutation
_TEMPLATE = MinHash(num_perm=PERMUTATIONS, seed=1, scheme=_SCHEME)
# The bands datasketch's LSH chooses for this threshold (25 bands of 5 values): a pair at 0.5 shares a
# band with probability 1 - (1 - 0.5⁵)²⁵ ≈ 0.55, at 0.7 with 0.98, at 0.2 with 0.008. A band's key
# (band_keys) serves the store's look-up and the grouping of a batch alike.
_BANDS = MinHashLSH(threshold=THRESHOLD, num_perm=PERMUTATIONS).hashranges
# A band key shared by the first articles of more stories than this comes of boilerplate (a standard
# paragraph, a disclaimer, a template), not of one story: it finds no candidates. Without this cap the
# look-up of a corpus of similar texts grows with the store (bench/stories.py).
COMMON_BAND = 10
_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[bytes]:
    """The text's runs of SHINGLE_WORDS words, case folded and without punctuation (all its words when fewer)."""
    words = _WORD.findall(text.casefold())
    joined = " ".join(words).encode()
    if len(words) <= SHINGLE_WORDS:
        return {joined} if words else set()
    # Cut from the words joined once, by each word's offset: cheaper than joining the words of every run.
    starts = [0, *accumulate(len(word.encode()) + 1 for word in words)]
    return {joined[starts[i] : starts[i + SHINGLE_WORDS] - 1] for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(text: str) -> bytes | None:
    """The text's MinHash signature as stored (PERMUTATIONS 32-bit values); None for a text without words."""
    found = shingles(text)
    if not found:
        return None
    # CRC-32 in place of datasketch's SHA-1 for the shingles: cheaper, and as good here, since datasketch
    # mixes every input hash (MurmurHash3's finalizer) before permuting it.
    minhash = MinHash(permutations=_TEMPLATE.permutations, scheme=_SCHEME, hashfunc=zlib.crc32)
    minhash.update_batch(found)
    return minhash.hashvalues.astype("<u4").tobytes()


def band_keys(stored: bytes | None) -> tuple[int, ...]:
    """One 64-bit key per LSH band of a signature: articles sharing a key are candidates of one story,
    so the store finds an article's candidates with a plain look-up of its keys."""
    if stored is None:
        return ()
    values = np.frombuffer(stored, dtype="<u4")
    return tuple(int.from_bytes(blake2b(values[start:end].tobytes(), digest_size=8, salt=band.to_bytes(2, "little")).digest(),
                                "little", signed=True)
                 for band, (start, end) in enumerate(_BANDS))


@dataclass(frozen=True)
class Signed:
    """An article, or the first article of a story: its id (the story's), signature and band keys."""

    id: str
    signature: bytes | None
    keys: tuple[int, ...]

    @classmethod
    def of(cls, article_id: str, signature: bytes | None) -> Signed:
        return cls(article_id, signature, band_keys(signature))


def similarity(first: bytes, second: bytes) -> float:
    """The estimated Jaccard similarity of two signatures: the share of equal values (as MinHash.jaccard,
    without building a MinHash for each stored signature)."""
    return float(np.count_nonzero(np.frombuffer(first, dtype="<u4") == np.frombuffer(second, dtype="<u4"))) / PERMUTATIONS


def assign_stories(new: Sequence[Signed], stored: Iterable[Signed]) -> list[str]:
    """The story of each new article, in their order: the story, stored or begun by a new article
    before it, whose first article is the most similar (ties: the earlier), when their estimated
    similarity reaches THRESHOLD; else the article's own id, beginning a story. Stories are found
    through the band keys they share with the article, but for keys shared by more than COMMON_BAND
    stories. `stored` holds the candidates (each story's first article, by the story's id): at least
    those sharing such a key with a new article (Store.stories_sharing)."""
    first: dict[str, tuple[int, bytes]] = {}  # story id → (its rank, the signature of its first article)
    sharing: dict[int, list[str]] = defaultdict(list)  # band key → the stories whose first article has it

    def begin(story: Signed) -> None:
        first[story.id] = (len(first), story.signature)  # type: ignore[assignment]
        for key in story.keys:
            sharing[key].append(story.id)

    for story in stored:
        begin(story)
    stories = []
    for article in new:
        candidates = {story for key in article.keys if len(found := sharing.get(key, ())) <= COMMON_BAND for story in found}
        scored = [(similarity(article.signature, first[story][1]), -first[story][0], story)  # type: ignore[arg-type]
                  for story in candidates]
        best = max(scored, default=None)
        if best and best[0] >= THRESHOLD:
            stories.append(best[2])
            continue
        stories.append(article.id)
        if article.signature is not None:
            begin(article)
    return stories
