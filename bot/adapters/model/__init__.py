"""The sentence-embedding model behind the core's ``Embedder`` seam.

- :func:`load_embedder`: checks the pinned weights' and graph's hashes, then
  builds the onnxruntime session (blocking, once per process);
- :class:`EmbeddingWorker`: runs it in one worker thread, in batches, so the
  event loop never waits for it;
- :class:`ModelProcess`: the model in a process of its own, behind the same seam;
- :class:`ExampleVectors`: the labelled examples' vectors, cached on disk;
- :class:`ProbeCache`: the reader's trained probes, cached on disk;
- :class:`CorpusCache`: the parsed corpus files, cached on disk.

Importing this package imports nothing: each name loads its module when it
is first used (PEP 562). Why: the model's own process runs a module of this
package, and should not pay for the caches' and the corpus's imports
(~0.4 s and ~20 MB) it never uses. Nothing of the model runs before its
files have been checked.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.adapters.model.cache import ExampleVectors
    from bot.adapters.model.corpus_cache import CorpusCache
    from bot.adapters.model.e5_embedder import E5Embedder, load_embedder
    from bot.adapters.model.integrity import ModelIntegrityError
    from bot.adapters.model.probes import ProbeCache
    from bot.adapters.model.process import ModelProcess
    from bot.adapters.model.worker import EmbeddingTimeout, EmbeddingUnavailable, EmbeddingWorker

#: Each public name, and the module that defines it.
_HOMES = {
    "CorpusCache": "corpus_cache",
    "E5Embedder": "e5_embedder",
    "EmbeddingTimeout": "worker",
    "EmbeddingUnavailable": "worker",
    "EmbeddingWorker": "worker",
    "ExampleVectors": "cache",
    "ModelIntegrityError": "integrity",
    "ModelProcess": "process",
    "ProbeCache": "probes",
    "load_embedder": "e5_embedder",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # once: later lookups do not come here
    return value
