"""A message's vector weighed against the reader's index: the costly, pure part of reading.

Why a separate step: comparing a vector with every labelled row (about
8,600 rows, 13 MB of float32 streamed through memory), running the three
probes and reducing the similarities to what the reader decides on costs
about 2 ms of CPU. Done inside :func:`reader.read` on the event loop, that
was 2 ms during which no button press could be answered, for every typed
message. Weighed right where the vector is made, in the model's worker
thread (numpy releases the GIL for the product), it costs the loop nothing
and adds no hop: the reader then only compares a few numbers with its bars.

Why only a few numbers and not every similarity: the reader never needs
more than maxima, means of the nearest few and which row was nearest, per
kind of example. Kept that small (about 6 KB with the vector, against 35 KB
with every similarity), the evidence of thousands of recent texts can be
kept, so a repeated text ("ok", a question asked again) costs neither the
model nor the loop anything.

The FAQ's lexical ranking of the text (the typo-tolerant word matcher, about
0.3 ms) is weighed there too: like the rest it depends on the text alone,
not on who typed it or where. The safety rules are not: they run on the
loop for every message, model or none, before anything else.

Pure: plain arrays in, plain numbers out. The reader accepts either a vector
(it weighs it itself: tests, ``trustbot explain``, the evaluations) or the
:class:`Evidence` weighed elsewhere, so there is one way to read.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from bot.core.faq.matcher import FaqMatcher
from bot.core.understanding.embedding import Vector
from bot.core.understanding.layout import DANGER, Weighing

if TYPE_CHECKING:  # not at run time: the model's process weighs without it (layout.py)
    from bot.core.understanding.index import UnderstandingIndex

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True)
class DangerNeighbours:
    """How much closer the message is to the danger examples than to any other."""

    #: Nearest danger example's similarity minus the nearest other example's.
    gap: float
    #: Mean similarity of the ``top_k`` nearest danger examples, and of the others.
    near_top: float
    far_top: float
    #: Row of the nearest danger example (its label names the category).
    nearest: int


@dataclass(frozen=True)
class FeelingNeighbours:
    best: float
    #: Row of the nearest feeling example.
    nearest: int
    #: Nearest FAQ, off-topic or small-talk example: what argues against a feeling.
    rival: float


@dataclass(frozen=True, eq=False)
class Evidence:
    """What one vector says against one index, reduced to what the reader uses.

    ``index``, ``matcher`` and ``top_k`` are what it was weighed with: a
    reader given evidence of another index (a reader rebuilt meanwhile), or
    another matcher or ``top_k``, weighs ``vector`` again rather than misread it."""

    index: UnderstandingIndex
    matcher: FaqMatcher
    top_k: int
    vector: Vector
    danger: DangerNeighbours | None
    feeling: FeelingNeighbours | None
    #: Best similarity per FAQ entry, in ``index.layout.faq_ids`` order (empty: no FAQ rows).
    faq_best: tuple[float, ...]
    #: Nearest off-topic or small-talk example: what argues against an FAQ answer (-1: none).
    faq_rival: float
    #: The main probe's probabilities (its columns: ``index.probe.classes``).
    proba: npt.NDArray[np.float64] | None
    #: The danger probe's probability that the message is danger.
    danger_p: float | None
    #: The FAQ-entry probe's probability per entry id.
    entry_p: dict[str, float]
    #: The lexical matcher's score per entry id.
    lexical: dict[str, float]


#: Everything in :class:`Evidence` but what it was weighed against: what
#: another process sends back (:func:`detached`, :func:`attached`).
_OWN = tuple(f.name for f in fields(Evidence) if f.name not in ("index", "matcher"))
Detached = tuple[Any, ...]


def detached(evidence: Evidence) -> Detached:
    """The evidence without its index and matcher, to send between processes.

    Why: the model may run in a process of its own, with its own copy of the
    reader. The numbers it weighed are plain data; the index and matcher are
    large, and on the bot's side they must be the bot's own objects, because
    the reader trusts evidence only when it was weighed against *its* index
    (identity, checked in ``reader._evidence``)."""
    return tuple(getattr(evidence, name) for name in _OWN)


def attached(values: Detached, index: UnderstandingIndex, matcher: FaqMatcher) -> Evidence:
    """Evidence from :func:`detached`, against ``index`` and ``matcher``: the
    caller vouches they hold the same content as the copies it was weighed with."""
    if len(values) != len(_OWN):
        raise ValueError(f"detached evidence has {len(values)} fields, not {len(_OWN)}")
    return Evidence(index=index, matcher=matcher, **dict(zip(_OWN, values, strict=True)))


def _top_mean(values: Floats, k: int) -> float:
    """Mean of the ``k`` largest values (all of them when there are fewer; -1 when none)."""
    if values.size <= k:
        return float(values.mean()) if values.size else -1.0
    return float(np.partition(values, values.size - k)[-k:].mean())


def _danger(index: Weighing, sims: Floats, top_k: int) -> DangerNeighbours | None:
    lay = index.layout
    if lay.danger.size == 0 or lay.not_danger.size == 0:
        return None
    near, far = sims[lay.danger], sims[lay.not_danger]
    return DangerNeighbours(gap=float(near.max() - far.max()), near_top=_top_mean(near, top_k),
                            far_top=_top_mean(far, top_k), nearest=int(lay.danger[int(near.argmax())]))


def _feeling(index: Weighing, sims: Floats) -> FeelingNeighbours | None:
    lay = index.layout
    if lay.feeling.size == 0 or lay.feeling_rivals.size == 0:
        return None
    near = sims[lay.feeling]
    return FeelingNeighbours(best=float(near.max()), nearest=int(lay.feeling[int(near.argmax())]),
                             rival=float(sims[lay.feeling_rivals].max()))


def lexical_scores(matcher: FaqMatcher, text: str) -> dict[str, float]:
    return {match.faq_id: match.score for match in matcher.rank(text)}


def weigh(index: UnderstandingIndex, matcher: FaqMatcher, text: str, vector: Vector, top_k: int) -> Evidence:
    """``text`` and its ``vector`` against ``index`` and ``matcher``: every
    reduction, probe output and lexical score the reader uses."""
    return attached(measure(index.weighing, matcher, text, vector, top_k), index, matcher)


def measure(index: Weighing, matcher: FaqMatcher, text: str, vector: Vector, top_k: int) -> Detached:
    """:func:`weigh`'s numbers, without the index they were weighed against
    (what the model's process sends back: :func:`detached`)."""
    lay = index.layout
    sims: Floats = index.matrix @ vector
    faq_best: tuple[float, ...] = ()
    if lay.faq_rows.size:
        faq_best = tuple(float(s) for s in np.maximum.reduceat(sims[lay.faq_rows], lay.faq_starts))
    proba = index.probe.proba(vector) if index.probe is not None else None
    danger_p = None
    if index.danger_probe is not None:
        danger_p = float(index.danger_probe.proba(vector)[index.danger_probe.classes.index(DANGER)])
    entry_p: dict[str, float] = {}
    if index.faq_probe is not None:
        entry_p = dict(zip(index.faq_probe.classes, (float(v) for v in index.faq_probe.proba(vector)),
                           strict=True))
    own = {"top_k": top_k, "vector": vector, "danger": _danger(index, sims, top_k), "feeling": _feeling(index, sims),
           "faq_best": faq_best, "faq_rival": float(sims[lay.faq_rivals].max()) if lay.faq_rivals.size else -1.0,
           "proba": proba, "danger_p": danger_p, "entry_p": entry_p,
           "lexical": lexical_scores(matcher, text) if faq_best else {}}
    return tuple(own[name] for name in _OWN)
