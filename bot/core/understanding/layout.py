"""What weighing a message needs of the index, apart from where the index came from.

Why apart: :class:`~bot.core.understanding.index.UnderstandingIndex` also
holds the content it was built from (the corpus, the dialogs' labels), and
importing it imports the content's loaders and their schema (pydantic,
YAML: ~23 MB and ~0.3 s). The model's own process only weighs vectors
(:mod:`bot.core.understanding.evidence`): it gets a :class:`Weighing`,
the vectors, probes and row layout, and imports nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.core.understanding.embedding import Matrix
from bot.core.understanding.labels import LabelKind
from bot.core.understanding.probe import Probe

Rows = npt.NDArray[np.intp]
Mask = npt.NDArray[np.bool_]
#: The danger probe's two classes; DANGER comes first in its output.
DANGER, OTHER = "danger", "other"


@dataclass(frozen=True)
class Layout:
    """Row indices and probe columns, precomputed for the reader."""

    masks: dict[LabelKind, Mask]
    danger: Rows
    not_danger: Rows
    feeling: Rows
    #: FAQ, off-topic and small talk: what argues against a feeling.
    feeling_rivals: Rows
    #: Off-topic and small talk: what argues against an FAQ answer.
    faq_rivals: Rows
    #: FAQ rows sorted by entry; ``faq_starts`` where each entry's run begins.
    faq_rows: Rows
    faq_starts: Rows
    faq_ids: tuple[str, ...]
    #: Probe columns of danger categories and of feelings, and their names.
    danger_columns: Rows
    danger_names: tuple[str, ...]
    feeling_columns: Rows
    feeling_names: tuple[str, ...]


@dataclass(frozen=True)
class Weighing:
    """The index's vectors, probes and layout: everything :func:`evidence.measure` reads."""

    matrix: Matrix
    layout: Layout
    probe: Probe | None
    danger_probe: Probe | None
    faq_probe: Probe | None
