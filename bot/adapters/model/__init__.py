"""The sentence-embedding model behind the core's ``Embedder`` seam.

- :func:`load_embedder`: checks the pinned weights' and graph's hashes, then
  builds the onnxruntime session (blocking, once per process);
- :class:`EmbeddingWorker`: runs it in one worker thread, in batches, so the
  event loop never waits for it;
- :class:`ModelProcess`: the model in a process of its own, behind the same seam;
- :class:`ExampleVectors`: the labelled examples' vectors, cached on disk;
- :class:`ProbeCache`: the reader's trained probes, cached on disk;
- :class:`CorpusCache`: the parsed corpus files, cached on disk.

Importing this package imports numpy but not onnxruntime: nothing of the
model runs before its files have been checked.
"""

from bot.adapters.model.cache import ExampleVectors
from bot.adapters.model.corpus_cache import CorpusCache
from bot.adapters.model.e5_embedder import E5Embedder, load_embedder
from bot.adapters.model.integrity import ModelIntegrityError
from bot.adapters.model.probes import ProbeCache
from bot.adapters.model.process import ModelProcess
from bot.adapters.model.worker import (
    EmbeddingTimeout,
    EmbeddingUnavailable,
    EmbeddingWorker,
)

__all__ = [
    "CorpusCache",
    "E5Embedder",
    "EmbeddingTimeout",
    "EmbeddingUnavailable",
    "EmbeddingWorker",
    "ExampleVectors",
    "ModelIntegrityError",
    "ModelProcess",
    "ProbeCache",
    "load_embedder",
]
