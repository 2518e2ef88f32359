"""Stories: agency copy republished by many outlets, grouped as one story.

Each article gets a MinHash signature of its word shingles (datasketch); an article joins the story
of the most similar earlier article whose estimated Jaccard similarity reaches THRESHOLD, found
through the signature's LSH bands, or else begins a story of its own, named by its id. Stories never
merge afterwards, so a story's id stays that of its first article (docs/analysis.md, "Stories").
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from hashlib import blake2b

import numpy as np
from datasketch import MinHash, MinHashLSH

# Five-word shingles: long enough that two reports of one round in their own words share almost
# none (their common names and phrases are shorter), short enough that a changed headline, a byline
# or an edited sentence costs only the few shingles around it.
SHINGLE_WORDS = 5
# 128 permutations estimate a similarity within about ±0.09 (1/√128), plenty either side of the threshold.
PERMUTATIONS = 128
# A copy with a paragraph of ten dropped or added, a new headline and byline stays near 0.8; one cut
# to its first half still reaches 0.5. Distinct reports of the same talks stay below 0.1.
THRESHOLD = 0.5

_SCHEME = "affine32"  # datasketch's default: 32-bit values, 4 bytes a permutation
_TEMPLATE = MinHash(num_perm=PERMUTATIONS, seed=1, scheme=_SCHEME)
# The bands datasketch chooses for this threshold (25 bands of 5 values): a pair at 0.5 shares a band
# with probability 1 - (1 - 0.5⁵)²⁵ ≈ 0.55, at 0.8 almost surely, at 0.2 hardly ever.
_BANDS = MinHashLSH(threshold=THRESHOLD, num_perm=PERMUTATIONS).hashranges
_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[bytes]:
    """The text's runs of SHINGLE_WORDS words, case folded and without punctuation (all its words when fewer)."""
    words = _WORD.findall(text.casefold())
    runs = max(len(words) - SHINGLE_WORDS + 1, 1) if words else 0
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(runs)}


def signature(text: str) -> bytes | None:
    """The text's MinHash signature as stored (PERMUTATIONS 32-bit values); None for a text without words."""
    found = shingles(text)
    if not found:
        return None
    # CRC-32 in place of datasketch's SHA-1 for the shingles: a third of the cost, and datasketch mixes
    # every input hash (MurmurHash3's finalizer) before permuting it.
    minhash = MinHash(permutations=_TEMPLATE.permutations, scheme=_SCHEME, hashfunc=zlib.crc32)
    minhash.update_batch(found)
    return minhash.hashvalues.astype("<u4").tobytes()


def _minhash(stored: bytes) -> MinHash:
    return MinHash(hashvalues=np.frombuffer(stored, dtype="<u4"), permutations=_TEMPLATE.permutations, scheme=_SCHEME)


def band_keys(stored: bytes | None) -> list[int]:
    """One 64-bit key per LSH band of a signature: articles sharing a key are candidates of one story,
    so the store finds an article's candidates with a plain look-up of its keys."""
    if stored is None:
        return []
    values = np.frombuffer(stored, dtype="<u4")
    return [int.from_bytes(blake2b(values[start:end].tobytes(), digest_size=8, salt=band.to_bytes(2, "little")).digest(),
                           "little", signed=True)
            for band, (start, end) in enumerate(_BANDS)]


def assign_stories(new: Sequence[tuple[str, bytes | None]],
                   stored: Iterable[tuple[str, str, bytes]]) -> list[str]:
    """The story of each new (article id, signature), in their order: that of the most similar article
    stored or new before it (ties: the earlier), when its estimated similarity reaches THRESHOLD;
    else the article's own id. `stored` holds the candidates (article id, story id, signature): at
    least those sharing a band key with a new article."""
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=PERMUTATIONS)
    story_of: dict[str, str] = {}
    minhashes: dict[str, MinHash] = {}
    order: dict[str, int] = {}

    def add(article_id: str, story_id: str, minhash: MinHash) -> None:
        story_of[article_id], minhashes[article_id], order[article_id] = story_id, minhash, len(order)
        lsh.insert(article_id, minhash, check_duplication=False)

    for article_id, story_id, values in stored:
        add(article_id, story_id, _minhash(values))
    stories = []
    for article_id, values in new:
        if values is None:
            stories.append(article_id)
            continue
        minhash = _minhash(values)
        scored = [(minhash.jaccard(minhashes[other]), -order[other], other) for other in lsh.query(minhash)]
        best = max(scored, default=None)
        story = story_of[best[2]] if best and best[0] >= THRESHOLD else article_id
        stories.append(story)
        add(article_id, story, minhash)
    return stories
