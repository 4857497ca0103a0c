"""A message's vector weighed against the reader's index: the costly, pure part of reading.

Why a separate step: comparing a vector with every labelled row (about
8,000 rows, 12 MB of float32 streamed through memory) and running the three
probes costs about 2 ms of CPU. Done inside :func:`reader.read` on the event
loop, that was 2 ms during which no button press could be answered, for every
typed message. Weighed right where the vector is made, in the model's worker
thread (numpy releases the GIL for the product), it costs the loop nothing
and adds no hop: the reader then only takes maxima and thresholds.

Pure: plain arrays in, plain arrays out. The reader accepts either a vector
(it weighs it itself: tests, ``trustbot explain``, the evaluations) or the
:class:`Evidence` weighed elsewhere, so there is one way to read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.core.understanding.embedding import Vector
from bot.core.understanding.index import DANGER, UnderstandingIndex

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True, eq=False)
class Evidence:
    """What one vector says against one index. ``index`` is the index it was
    weighed against: a reader given evidence of another index (a reader
    rebuilt meanwhile) weighs the vector again rather than misread it."""

    index: UnderstandingIndex
    vector: Vector
    #: Cosine similarity with every row of the index (rows are L2-normalised).
    sims: Floats
    #: The main probe's probabilities (its columns: ``index.probe.classes``).
    proba: npt.NDArray[np.float64] | None
    #: The danger probe's probability that the message is danger.
    danger_p: float | None
    #: The FAQ-entry probe's probability per entry id.
    entry_p: dict[str, float]


def weigh(index: UnderstandingIndex, vector: Vector) -> Evidence:
    """``vector`` against ``index``: every similarity and probe output the reader uses."""
    sims: Floats = index.matrix @ vector
    proba = index.probe.proba(vector) if index.probe is not None else None
    danger_p = None
    if index.danger_probe is not None:
        danger_p = float(index.danger_probe.proba(vector)[index.danger_probe.classes.index(DANGER)])
    entry_p: dict[str, float] = {}
    if index.faq_probe is not None:
        entry_p = dict(zip(index.faq_probe.classes, (float(v) for v in index.faq_probe.proba(vector)),
                           strict=True))
    return Evidence(index=index, vector=vector, sims=sims, proba=proba, danger_p=danger_p, entry_p=entry_p)
