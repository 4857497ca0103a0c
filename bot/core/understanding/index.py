"""The labelled examples and their vectors, built once at start-up.

Rows of :attr:`UnderstandingIndex.matrix` follow :func:`example_texts`, so the
model adapter can cache the vectors keyed by the model and a hash of these
texts, and the core never needs to know how they were computed.

Everything that does not depend on the message is computed here, once: the
row masks of each kind, the FAQ rows grouped by entry and the linear probe
(:mod:`bot.core.understanding.probe`). Rebuilding the masks for every
message cost 3-12 ms; reading now only does a few vector operations.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from bot.core.faq.model import FaqBook
from bot.core.understanding.content import UnderstandingContent
from bot.core.understanding.embedding import Matrix
from bot.core.understanding.labels import ExampleLabel, LabelKind
from bot.core.understanding.layout import DANGER, OTHER, Layout, Mask, Rows, Weighing
from bot.core.understanding.probe import Probe, Trainer


def labelled_examples(content: UnderstandingContent, faq: FaqBook) -> list[tuple[str, ExampleLabel]]:
    """Every example text with its label: understanding.yaml, then each FAQ
    entry's examples and title."""
    rows = content.labelled()
    for entry in faq:
        rows += [(t, ExampleLabel(LabelKind.FAQ, entry.id)) for t in (*entry.examples, entry.title)]
    return rows


def example_texts(content: UnderstandingContent, faq: FaqBook) -> list[str]:
    """The texts to embed, in row order (what the adapter's cache keys on)."""
    return [text for text, _ in labelled_examples(content, faq)]


def probe_class(label: ExampleLabel) -> str:
    """The probe's class for an example: one per danger category and per
    feeling (they need different answers), one for all FAQ entries (the FAQ
    ranks entries itself), one each for safe, off-topic and small talk."""
    if label.kind in (LabelKind.DANGER, LabelKind.FEELING):
        return f"{label.kind.value}:{label.value}"
    return label.kind.value


def _layout(labels: tuple[ExampleLabel, ...], probe: Probe | None) -> Layout:
    kinds = np.array([label.kind.value for label in labels])
    masks = {kind: kinds == kind.value for kind in LabelKind}

    def rows(mask: Mask) -> Rows:
        return np.flatnonzero(mask).astype(np.intp)

    faq = [(label.value, i) for i, label in enumerate(labels) if label.kind is LabelKind.FAQ]
    order = sorted(faq)
    ids = tuple(dict.fromkeys(value for value, _ in order))
    starts = [next(k for k, (v, _) in enumerate(order) if v == entry) for entry in ids]
    classes = probe.classes if probe is not None else ()
    danger_cols = [i for i, c in enumerate(classes) if c.startswith("danger:")]
    feeling_cols = [i for i, c in enumerate(classes) if c.startswith("feeling:")]
    return Layout(
        masks=masks,
        danger=rows(masks[LabelKind.DANGER]),
        not_danger=rows(~masks[LabelKind.DANGER]),
        feeling=rows(masks[LabelKind.FEELING]),
        feeling_rivals=rows(masks[LabelKind.FAQ] | masks[LabelKind.OFF_TOPIC] | masks[LabelKind.SMALL_TALK]),
        faq_rivals=rows(masks[LabelKind.OFF_TOPIC] | masks[LabelKind.SMALL_TALK]),
        faq_rows=np.array([i for _, i in order], dtype=np.intp),
        faq_starts=np.array(starts, dtype=np.intp),
        faq_ids=ids,
        danger_columns=np.array(danger_cols, dtype=np.intp),
        danger_names=tuple(classes[i].split(":", 1)[1] for i in danger_cols),
        feeling_columns=np.array(feeling_cols, dtype=np.intp),
        feeling_names=tuple(classes[i].split(":", 1)[1] for i in feeling_cols),
    )


@dataclass(frozen=True)
class UnderstandingIndex:
    """Example labels, one L2-normalised vector per example, and what the
    reader precomputes from them (row layout, the probe)."""

    content: UnderstandingContent
    labels: tuple[ExampleLabel, ...]
    matrix: Matrix
    probe: Probe | None
    #: Danger against everything else: one direction for the danger score
    #: (the many-class probe splits danger's share over seven categories).
    danger_probe: Probe | None
    #: Which FAQ entry, trained on the FAQ's own examples: ranks entries by
    #: everything their examples share, not by the one closest question.
    faq_probe: Probe | None
    layout: Layout = field(repr=False)

    @classmethod
    def build(cls, content: UnderstandingContent, faq: FaqBook, matrix: Matrix | None,
              train: Trainer = Probe.train) -> UnderstandingIndex:
        """``matrix=None``: no model, rules only (an empty matrix, no probe).
        ``train``: how the probes are obtained (an adapter may pass one that
        reads them from a cache: training all three on the corpus takes ~1 s)."""
        labels = tuple(label for _, label in labelled_examples(content, faq))
        if matrix is None:
            matrix = np.zeros((0, 0), dtype=np.float32)
        elif matrix.shape[0] != len(labels):
            raise ValueError(f"{matrix.shape[0]} vectors for {len(labels)} examples: the cache is stale")
        probe = danger = faq_probe = None
        if matrix.shape[0]:
            rows = [i for i, label in enumerate(labels) if label.kind is LabelKind.FAQ]
            if rows:
                faq_probe = train(matrix[rows], [labels[i].value for i in rows])
            probe = train(matrix, [probe_class(label) for label in labels])
            danger = train(matrix, [DANGER if label.kind is LabelKind.DANGER else OTHER for label in labels])
        matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        return cls(content, labels, matrix, probe, danger, faq_probe, _layout(labels, probe))

    @property
    def has_vectors(self) -> bool:
        return bool(self.matrix.shape[0] > 0)

    @functools.cached_property
    def weighing(self) -> Weighing:
        """What weighing a message reads of this index (layout.py: without the content)."""
        return Weighing(self.matrix, self.layout, self.probe, self.danger_probe, self.faq_probe)
