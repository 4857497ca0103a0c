"""The example vectors of a test set, cached on disk by the model's id.

Embedding ~1,300 dev messages takes seconds; the cache key names the model
(its id carries the weights' and graph's hashes) and every text, so another
model or another set never reads these vectors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.core.understanding.embedding import Embedder, Matrix

CACHE = Path(__file__).resolve().parents[2] / ".cache" / "vectors"


def cached_vectors(embedder: Embedder, texts: Sequence[str]) -> Matrix:
    key = hashlib.sha256("\n".join([embedder.model_id, *texts]).encode()).hexdigest()[:16]
    path = CACHE / f"{key}.npy"
    if path.exists():
        loaded: Matrix = np.load(path)
        return loaded
    matrix = embedder.embed(texts)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, matrix)
    return matrix
