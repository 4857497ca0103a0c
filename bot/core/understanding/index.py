"""The labelled examples and their vectors, built once at start-up.

Rows of :attr:`UnderstandingIndex.matrix` follow :func:`example_texts`, so the
model adapter can cache the vectors keyed by the model and a hash of these
texts, and the core never needs to know how they were computed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.core.faq.model import FaqBook
from bot.core.understanding.content import ExampleLabel, LabelKind, UnderstandingContent
from bot.core.understanding.embedding import Matrix


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


@dataclass(frozen=True)
class UnderstandingIndex:
    """Example labels and one L2-normalised vector per example."""

    content: UnderstandingContent
    labels: tuple[ExampleLabel, ...]
    matrix: Matrix

    @classmethod
    def build(cls, content: UnderstandingContent, faq: FaqBook, matrix: Matrix | None) -> UnderstandingIndex:
        """``matrix=None``: no model, rules only (an empty matrix)."""
        labels = tuple(label for _, label in labelled_examples(content, faq))
        if matrix is None:
            matrix = np.zeros((0, 0), dtype=np.float32)
        elif matrix.shape[0] != len(labels):
            raise ValueError(f"{matrix.shape[0]} vectors for {len(labels)} examples: the cache is stale")
        return cls(content, labels, matrix)

    @property
    def has_vectors(self) -> bool:
        return bool(self.matrix.shape[0] > 0)
