"""The reader trained without one corpus file, to measure it on that file.

The reader learns from every file of ``dialogs/corpus/``, so its figure on a
corpus file would only say it remembers its training. Leaving the file out
whole (one file is one writer's set, written at one time) and training on
the rest gives the figure it would have had on that set unseen: the
development set's figure, and the earlier blind sets' figures, measured the
same way (the benchmark and ``scripts/calibrate_understanding.py``).

Pure: no model runs; the vectors are the full reader's own rows.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from bot.core.understanding.embedding import Vector
from bot.core.understanding.index import UnderstandingIndex, example_texts
from bot.core.understanding.probe import Probe, Trainer
from bot.core.understanding.reader import Reader


def learnt_vectors(reader: Reader) -> dict[str, Vector]:
    """Each text the reader learnt from, with its vector (its own rows: the
    corpus files' texts need no model to be read unseen)."""
    return dict(zip(example_texts(reader.index.content, reader.faq), reader.index.matrix, strict=True))


def reader_without(reader: Reader, part: str, train: Trainer = Probe.train) -> Reader:
    """``reader`` as if ``dialogs/corpus/<part>.yaml`` did not exist."""
    index = reader.index
    if not index.has_vectors:
        raise ValueError("a reader without the model learns nothing from the corpus")
    rows = learnt_vectors(reader)
    content = replace(index.content, corpus=index.content.corpus.without(part))
    matrix = np.stack([rows[text] for text in example_texts(content, reader.faq)])
    return replace(reader, index=UnderstandingIndex.build(content, reader.faq, matrix, train))
