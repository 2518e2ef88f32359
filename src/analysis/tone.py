"""Tone of sentences from VADER's lexicon: a trend indicator, never a verdict.

Full VADER (`SentimentIntensityAnalyzer.polarity_scores`) costs more per sentence than
all other extraction together (docs/analysis.md). We keep its lexicon, its negation scalar
and its compound normalisation, and score a whole article in one automaton pass
(many times faster); boosters, capitals and "but" rules are left out.
`tests/test_tone.py` checks that the result agrees in sign with full VADER.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

from vaderSentiment import vaderSentiment as vader

from ceasefire.analysis.matcher import Case, Phrase, PhraseMatcher, padded_fold

_WORD = re.compile(r"^[a-z][a-z' -]*[a-z]$")
_NEGATION_REACH = 3  # words before a sentiment word that a negator still flips, as in VADER
_ALPHA = 15  # VADER's normalisation constant


class ToneScorer:
    def __init__(self) -> None:
        lexicon = vader.SentimentIntensityAnalyzer().lexicon
        self._valences = PhraseMatcher(
            Phrase(word, valence, Case.ANY) for word, valence in lexicon.items() if _WORD.match(word)
        )
        self._negators = PhraseMatcher(
            Phrase(word, True, Case.ANY) for word in vader.NEGATE if _WORD.match(word) or word.isalpha()
        )

    def sentence_tones(self, text: str, spans: list[tuple[int, int]], padded: str | None = None) -> list[float]:
        """Compound tone in [-1, 1] for each (start, end) sentence span of `text`."""
        padded = padded or padded_fold(text)
        starts = [start for start, _ in spans]
        sums = [0.0] * len(spans)
        negators = self._negators.find(text, padded)
        negator_starts = [m.start for m in negators]
        for match in self._valences.find(text, padded):
            index = bisect_right(starts, match.start) - 1
            if index < 0:
                continue
            valence = match.phrase.value
            # VADER flips a word preceded, within three words and the same sentence, by a negator.
            before = bisect_left(negator_starts, match.start) - 1
            if before >= 0 and negators[before].start >= spans[index][0]:
                if len(text[negators[before].end : match.start].split()) < _NEGATION_REACH:
                    valence *= vader.N_SCALAR
            sums[index] += valence
        return [round(s / math.sqrt(s * s + _ALPHA), 4) for s in sums]


@lru_cache(maxsize=1)
def tone_scorer() -> ToneScorer:
    return ToneScorer()
