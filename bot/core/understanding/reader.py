"""Read one typed message: danger first, then small talk, feelings and the FAQ.

Rules (precise, no model) are combined with nearest neighbours over the
labelled examples (paraphrases, other languages). Cosine scores of a small
e5 model sit in a narrow band (about 0.75-0.95), so decisions use *margins*:
how much closer a message is to the best example of one kind than to the
best example of every other kind. The thresholds were calibrated on the
development set only (tests/data/understanding/dev.yaml).

Pure: plain data in, a :class:`Reading` out; no clock, storage or model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.core.faq.matcher import FaqMatcher
from bot.core.faq.model import FaqBook
from bot.core.safety import check as safety_check
from bot.core.understanding import rules
from bot.core.understanding.content import LabelKind
from bot.core.understanding.embedding import Vector
from bot.core.understanding.index import UnderstandingIndex
from bot.core.understanding.reading import (
    CATEGORY_ORDER,
    Context,
    Feeling,
    Reading,
    SafetyCategory,
    SafetyLevel,
)


@dataclass(frozen=True)
class Thresholds:
    """Margins in cosine units, calibrated on the development set."""

    #: Danger example closer than any safe example by this much: the gentle question...
    possible_margin: float = 0.005
    #: ...and by this much, with a "clear" example nearest: the full safety reply.
    clear_margin: float = 0.03
    #: A feeling example closer than any FAQ / off-topic / small-talk one by this much.
    feeling_margin: float = 0.03
    #: The best FAQ entry ahead of every non-FAQ example...
    faq_margin: float = 0.02
    #: ...and ahead of the runner-up entry (else "did you mean").
    faq_lead: float = 0.0
    #: The lexical score the best entry needs unless its lead is strong.
    lexical_floor: float = 0.15
    faq_strong: float = 0.05
    #: Blend of the lexical matcher's score and the kNN similarity for ranking entries.
    lexical_weight: float = 0.15


DEFAULT = Thresholds()
#: No role, no step: how a message reads outside any dialog.
NO_CONTEXT = Context()


@dataclass(frozen=True)
class Reader:
    """Everything reading needs, built once: the index, the FAQ and its matcher."""

    index: UnderstandingIndex
    faq: FaqBook
    matcher: FaqMatcher
    thresholds: Thresholds = DEFAULT

    def read(self, text: str, vector: Vector | None = None, context: Context = NO_CONTEXT) -> Reading:
        return read(self, text, vector, context)


def _rule_danger(text: str, context: Context) -> tuple[SafetyCategory, ...]:
    found = {SafetyCategory(c) for c in safety_check.check(text).categories}
    found |= set(rules.other_language_danger(text))
    return tuple(c for c in CATEGORY_ORDER if c in found)


def read(reader: Reader, text: str, vector: Vector | None, context: Context) -> Reading:
    language = rules.language(text)
    question = rules.is_question(text)
    danger = _rule_danger(text, context)
    if danger:
        return Reading(SafetyLevel.CLEAR, danger, language=language, question=question, danger_margin=1.0)
    index = reader.index
    knn = vector is not None and index.has_vectors
    sims = index.matrix @ vector if knn and vector is not None else None

    level, category, margin = SafetyLevel.NONE, None, 0.0
    if sims is not None:
        level, category, margin = _knn_danger(reader, sims, text, context)
    if level is not SafetyLevel.NONE and category is not None:
        return Reading(level, (category,), language=language, question=question, danger_margin=margin)

    talk = rules.small_talk(text)
    lone = rules.lone_feeling(text)
    if lone is not None:
        return Reading(feeling=lone, question=False, danger_margin=margin)
    if talk is not None:
        return Reading(small_talk=talk, question=question, danger_margin=margin)

    faq_id, candidates, score = _faq(reader, text, sims, context)
    feeling = rules.feeling_words(text)
    if feeling is None and sims is not None:
        feeling = _knn_feeling(reader, sims)
    if faq_id is not None and feeling is not None and not question:
        # A statement of a feeling is met as a feeling, a question as a question.
        faq_id, candidates = None, ()
    return Reading(language=language, feeling=feeling, faq_id=faq_id, faq_candidates=candidates,
                   faq_score=score, question=question, danger_margin=margin)


def _best(sims: np.ndarray, mask: np.ndarray) -> tuple[float, int]:
    if not mask.any():
        return -1.0, -1
    masked = np.where(mask, sims, -2.0)
    i = int(masked.argmax())
    return float(masked[i]), i


def _masks(index: UnderstandingIndex) -> dict[LabelKind, np.ndarray]:
    kinds = np.array([label.kind.value for label in index.labels])
    return {kind: kinds == kind.value for kind in LabelKind}


def _knn_danger(reader: Reader, sims: np.ndarray, text: str,
                context: Context) -> tuple[SafetyLevel, SafetyCategory | None, float]:
    index, t = reader.index, reader.thresholds
    masks = _masks(index)
    danger, at = _best(sims, masks[LabelKind.DANGER])
    other, _ = _best(sims, ~masks[LabelKind.DANGER])
    margin = danger - other
    if at < 0 or margin < t.possible_margin:
        return SafetyLevel.NONE, None, margin
    label = index.labels[at]
    category = SafetyCategory(label.value)
    if category is SafetyCategory.CONTROL and rules.by_me(text):
        # "i hid my phone from her": the user's own act, a confession.
        return SafetyLevel.NONE, None, margin
    if margin >= t.clear_margin and label.level is SafetyLevel.CLEAR:
        return SafetyLevel.CLEAR, category, margin
    return SafetyLevel.POSSIBLE, category, margin


def _knn_feeling(reader: Reader, sims: np.ndarray) -> Feeling | None:
    masks = _masks(reader.index)
    best, at = _best(sims, masks[LabelKind.FEELING])
    rival = masks[LabelKind.FAQ] | masks[LabelKind.OFF_TOPIC] | masks[LabelKind.SMALL_TALK]
    other, _ = _best(sims, rival)
    if at < 0 or best - other < reader.thresholds.feeling_margin:
        return None
    return Feeling(reader.index.labels[at].value)


def _faq(reader: Reader, text: str, sims: np.ndarray | None,
         context: Context) -> tuple[str | None, tuple[str, ...], float]:
    """The entry to answer (or None), "did you mean" candidates, and the best score."""
    role = context.role.value if context.role else None
    fits = {entry.id for entry in reader.faq if entry.fits(role)}
    decision = reader.matcher.decide(text)
    if sims is None:
        best = decision.best.score if decision.best else 0.0
        if decision.kind == "answer" and decision.matches[0].faq_id in fits:
            return decision.matches[0].faq_id, (), best
        if decision.kind == "clarify":
            return None, tuple(m.faq_id for m in decision.matches if m.faq_id in fits), best
        return None, (), best
    index, t = reader.index, reader.thresholds
    masks = _masks(index)
    lexical = {m.faq_id: m.score for m in reader.matcher.rank(text)}
    per_entry: dict[str, float] = {}
    for row, label in enumerate(index.labels):
        if label.kind is LabelKind.FAQ and label.value in fits:
            per_entry[label.value] = max(per_entry.get(label.value, -1.0), float(sims[row]))
    if not per_entry:
        return None, (), 0.0
    scored = sorted(((s + t.lexical_weight * lexical.get(e, 0.0), e) for e, s in per_entry.items()), reverse=True)
    (top, first), (second, _) = scored[0], scored[1] if len(scored) > 1 else (-1.0, "")
    # Feelings and sadness may well be asked about: only off-topic and small
    # talk argue against answering. Words from the FAQ's world (the lexical
    # score) must back a modest lead.
    other, _ = _best(sims, masks[LabelKind.OFF_TOPIC] | masks[LabelKind.SMALL_TALK])
    ahead = per_entry[first] - other
    backed = lexical.get(first, 0.0) >= t.lexical_floor or ahead >= t.faq_strong
    if ahead >= t.faq_margin and top - second >= t.faq_lead and backed:
        return first, (), round(top, 4)
    if ahead >= t.faq_margin - 0.03:
        close = tuple(e for s, e in scored[:3] if top - s <= 0.03)
        return None, close if len(close) > 1 else (first,), round(top, 4)
    return None, (), round(top, 4)
