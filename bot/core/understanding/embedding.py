"""The one thing the core needs from a sentence-embedding model.

The core never loads a model, never hashes a file and never runs anything off
the event loop: it is handed vectors (plain numpy arrays) and compares them.
Loading, the integrity check, threads and batching are the model adapter's
job (``bot/adapters/model/``). Keeping the seam this small lets the tests
swap the real model for a tiny fake when a test is about routing, not
understanding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
"""One L2-normalised embedding (shape ``(dim,)``)."""

Matrix = npt.NDArray[np.float32]
"""L2-normalised embeddings, one per row (shape ``(n, dim)``)."""


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors. Blocking and CPU-bound:
    callers on an event loop must run it in a worker (see the adapter)."""

    @property
    def model_id(self) -> str:
        """Names the model and its weights' hash; keys every cache of vectors."""
        ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Matrix:
        """One row per text, in order; an empty input gives shape ``(0, dim)``."""
        ...
