"""Which FAQ entry a typed question is about, and how sure the bot may be.

The approach is deliberately small: every example question becomes a set of
terms (see :mod:`bot.core.faq.text`), terms are weighted by how few entries
use them (IDF), and a question is compared with each example and with each
entry's whole vocabulary. Words the FAQ has never seen count *against* a match,
which is what keeps "what's the weather tomorrow" away from a confident answer.
Everything that does not depend on the question is computed once, in
``__init__``, so one question costs tens of microseconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.core.faq import text as textmod
from bot.core.faq.model import FaqBook

DecisionKind = Literal["answer", "clarify", "unsure"]

#: Answer outright at or above this score...
ANSWER_MIN = 0.50
#: ...and only if the runner-up is at least this far behind; otherwise ask.
ANSWER_MARGIN = 0.10
#: Below this the bot says it is not sure rather than guessing.
CLARIFY_MIN = 0.30
#: "Did you mean" offers at most this many entries, each within CLARIFY_SPREAD of the best.
CLARIFY_MAX = 3
CLARIFY_SPREAD = 0.15

#: Weight of a word no example uses, relative to the rarest known term. High on
#: purpose: a question full of words the FAQ never heard is probably not for it.
UNKNOWN_WEIGHT = 0.9
#: A typo-corrected word counts a little less than one spelled right...
CORRECTED_FACTOR = 0.8
#: ...and only places a question in the bot's world if it is this long: short
#: words have real neighbours ("score" is one letter from "store").
ANCHOR_FIX_MIN_LENGTH = 7
#: Typo correction is the costly step; a long story gets it for this many unknown words.
MAX_CORRECTIONS = 40
#: How much of a score comes from the single closest example (the rest: the entry's vocabulary).
EXAMPLE_SHARE = 0.6
#: Scores of a question with no term from this bot's world (see ``text.ANCHORS``)
#: are scaled by this, so such a question can at best get "did you mean".
NO_ANCHOR_FACTOR = 0.6


@dataclass(frozen=True)
class Match:
    faq_id: str
    score: float


@dataclass(frozen=True)
class Decision:
    """What to do with a question.

    ``matches`` are the entries to act on: one for "answer", two or three for
    "clarify" (as did-you-mean buttons), none for "unsure". ``top`` is the best
    three whatever the decision, for explaining and tuning.
    """

    kind: DecisionKind
    matches: tuple[Match, ...]
    top: tuple[Match, ...]

    @property
    def best(self) -> Match | None:
        return self.top[0] if self.top else None


@dataclass(frozen=True)
class _Example:
    entry: int
    norm: float


class FaqMatcher:
    """Ranks FAQ entries for a question. Build once per FaqBook; then read-only and thread-safe."""

    def __init__(self, book: FaqBook) -> None:
        self._ids = book.ids
        entry_terms: list[list[frozenset[str]]] = []
        surface: set[str] = set(textmod.lexicon_words())
        for entry in book.entries:
            sets = []
            for sample in (*entry.examples, entry.title):
                surface.update(textmod.tokens(sample))
                sets.append(frozenset(textmod.terms(sample)))
            entry_terms.append([s for s in sets if s])
            surface.update(textmod.tokens(entry.answer))

        n = len(book.entries)
        df: dict[str, int] = {}
        for sets in entry_terms:
            for term in set().union(*sets):
                df[term] = df.get(term, 0) + 1
        # Smoothed IDF: a term used by every entry still weighs a little.
        self._idf = {t: math.log((n + 1) / d) + 0.1 for t, d in df.items()}
        max_idf = max(self._idf.values(), default=1.0)
        self._unknown = UNKNOWN_WEIGHT * max_idf

        self._examples: list[_Example] = []
        self._postings: dict[str, list[int]] = {}
        self._vocab: list[set[str]] = []
        for index, sets in enumerate(entry_terms):
            vocab: set[str] = set()
            for terms in sets:
                number = len(self._examples)
                norm = math.sqrt(sum(self._idf[t] ** 2 for t in terms))
                self._examples.append(_Example(index, norm))
                for term in terms:
                    self._postings.setdefault(term, []).append(number)
                vocab |= terms
            self._vocab.append(vocab)

        # Words spelled as some content spells them are never "corrected".
        self._surface = frozenset(surface)
        # Typo correction looks only at words of similar length.
        self._by_length: dict[int, list[str]] = {}
        for word in sorted(surface):
            if len(word) >= 4 and word.isalpha():
                self._by_length.setdefault(len(word), []).append(word)

    @property
    def ids(self) -> tuple[str, ...]:
        return self._ids

    def _query(self, question: str) -> tuple[dict[str, float], bool]:
        """Term -> weight for a question (unknown words under their own keys), and
        whether any term places it in the bot's world."""
        words = textmod.tokens(question)
        fixed: dict[str, int] = {}  # term that came from a corrected word -> that word's length
        attempts = 0
        for position, word in enumerate(words):
            if word in self._surface or word in textmod.STOPWORDS or attempts >= MAX_CORRECTIONS:
                continue
            attempts += 1
            correction = self._correct(word)
            if correction is not None:
                words[position] = correction
                term = textmod.concept(correction)
                fixed[term] = max(fixed.get(term, 0), len(word))
        weights: dict[str, float] = {}
        anchored = False
        for position, term in enumerate(textmod.terms_of_tokens(words)):
            if term in self._idf:
                weight = self._idf[term]
                if term in fixed:
                    weight *= CORRECTED_FACTOR
                    anchored = anchored or (term in textmod.ANCHORS and fixed[term] >= ANCHOR_FIX_MIN_LENGTH)
                else:
                    anchored = anchored or term in textmod.ANCHORS
            else:
                # Numbers ("6 months", "08:30") say little about the topic either way.
                weight = 0.0 if term.isdigit() else self._unknown
                term = f"?{position}"
            weights[term] = max(weights.get(term, 0.0), weight)
        return weights, anchored

    def _correct(self, word: str) -> str | None:
        """The known word this one is probably a typo of, or None.

        OSA distance counts a swap of two neighbouring letters as one edit,
        the most common typo on a phone keyboard.
        """
        if len(word) < 5 or not word.isalpha():
            return None  # short words have too many neighbours: "wifi" is not "wife"
        allowed = 1 if len(word) <= 7 else 2
        candidates: list[str] = []
        for length in range(len(word) - allowed, len(word) + allowed + 1):
            candidates.extend(self._by_length.get(length, ()))
        found = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=allowed)
        return found[0] if found else None

    def rank(self, question: str) -> list[Match]:
        """Every entry with a score in 0..1, best first (ties keep the FAQ order)."""
        query, anchored = self._query(question)
        known = {t: w for t, w in query.items() if t in self._idf}
        total = sum(w * w for w in query.values())
        if not known or total <= 0.0:
            return [Match(faq_id, 0.0) for faq_id in self._ids]
        q_norm = math.sqrt(total)

        dots: dict[int, float] = {}
        for term, weight in known.items():
            for number in self._postings.get(term, ()):
                dots[number] = dots.get(number, 0.0) + weight * self._idf[term]
        best_example = [0.0] * len(self._ids)
        for number, dot in dots.items():
            example = self._examples[number]
            cosine = dot / (q_norm * example.norm) if example.norm else 0.0
            if cosine > best_example[example.entry]:
                best_example[example.entry] = cosine

        factor = 1.0 if anchored else NO_ANCHOR_FACTOR
        scores = []
        for index, faq_id in enumerate(self._ids):
            vocab = self._vocab[index]
            covered = sum(w * w for t, w in known.items() if t in vocab) / total
            score = factor * (EXAMPLE_SHARE * best_example[index] + (1 - EXAMPLE_SHARE) * covered)
            scores.append(Match(faq_id, round(min(1.0, score), 4)))
        order = sorted(range(len(scores)), key=lambda i: -scores[i].score)
        return [scores[i] for i in order]

    def decide(self, question: str) -> Decision:
        """Answer, ask "did you mean", or say honestly that it is not sure."""
        ranked = self.rank(question)
        top = tuple(ranked[:3])
        best = ranked[0] if ranked else None
        if best is None or best.score < CLARIFY_MIN:
            return Decision("unsure", (), top)
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        if best.score >= ANSWER_MIN and best.score - runner_up >= ANSWER_MARGIN:
            return Decision("answer", (best,), top)
        close = tuple(
            m for m in ranked[:CLARIFY_MAX] if m.score >= CLARIFY_MIN and best.score - m.score <= CLARIFY_SPREAD
        )
        return Decision("clarify", close, top)
