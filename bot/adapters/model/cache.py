"""Vectors of the fixed labelled examples, computed once and kept on disk.

The kNN compares each message with every labelled example of the content
(hundreds of texts). Embedding them all at each start would cost seconds on
two cores; they change only when the content or the model changes. So each
example's vector is stored under the sha256 of its text, in a file named
after the model: a restart with unchanged content reads one ``.npz`` (a few
ms), an edited content embeds only the texts that are new, and another model
(another ``model_id``) never sees the old vectors.

Sources, in order: this process's memory, the cache file in ``directory``
(the bot's data directory), a read-only pre-built file shipped with the
package (so a fresh install starts within the cold-start budget), and last
the model. A cache directory that cannot be written is not fatal: the
vectors stay in memory and one warning says so (with the error's kind, never
a text).
"""

from __future__ import annotations

import hashlib
import logging
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.adapters.model.atomic import write_atomically
from bot.core.understanding.embedding import Embedder, Matrix

log = logging.getLogger(__name__)

#: Texts embedded per model call while filling the cache.
CHUNK = 32
#: Where the vectors of the shipped content's examples are committed (package data,
#: rebuilt by ``python -m bot.adapters.model.prebuilt``).
PREBUILT_DIR = Path(__file__).resolve().parent / "data"
#: ``prebuilt=DEFAULT``: the shipped file for the embedder's model, if there is one.
DEFAULT = Path("<shipped>")


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def set_key(model_id: str, texts: Iterable[str]) -> str:
    """One digest for the model and an ordered list of texts."""
    digest = hashlib.sha256(model_id.encode())
    for text in texts:
        digest.update(b"\0" + text_key(text).encode())
    return digest.hexdigest()


def file_name(model_id: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in model_id)
    return f"example-vectors-{safe}.npz"


def read_vectors(path: Path, model_id: str, dim: int) -> dict[str, npt.NDArray[np.float32]] | None:
    """The ``{text key: vector}`` a cache file holds, or None when it is absent,
    of another model, or damaged (a damaged file is recomputed, not trusted)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["model_id"]) != model_id:
                return None
            keys = [k.decode() for k in data["keys"].tolist()]
            vectors = np.asarray(data["vectors"], dtype=np.float32)
    except (FileNotFoundError, NotADirectoryError):  # no cache yet (or no directory: _save warns)
        return None
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        log.warning("example vector cache %s unreadable (%s): recomputing", path, type(exc).__name__)
        return None
    if vectors.shape != (len(keys), dim) or not np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3):
        log.warning("example vector cache %s has bad vectors: recomputing", path)
        return None
    return dict(zip(keys, vectors, strict=True))


def write_vectors(path: Path, model_id: str, texts: Sequence[str], matrix: Matrix) -> None:
    """Atomically, so a crash never leaves half a cache."""
    write_atomically(path, lambda stream: np.savez(
        stream, model_id=np.array(model_id), set_key=np.array(set_key(model_id, texts)),
        keys=np.array([text_key(t).encode() for t in texts], dtype="S64"), vectors=matrix.astype(np.float32)))


class ExampleVectors:
    """``ExampleVectors(embedder, data_dir).matrix(texts)``: the examples' rows.

    Blocking (it may run the model): call it at start-up, in a thread if a
    loop is already running. ``computed`` counts texts embedded by the model,
    for the tests and the benchmark.
    """

    def __init__(self, embedder: Embedder, directory: Path | None, *, prebuilt: Path | None = DEFAULT) -> None:
        self.embedder = embedder
        self.path = None if directory is None else Path(directory) / file_name(embedder.model_id)
        self.prebuilt = PREBUILT_DIR / file_name(embedder.model_id) if prebuilt is DEFAULT else prebuilt
        self.computed = 0
        self._memory: dict[str, npt.NDArray[np.float32]] = {}
        self._warned = False
        self._loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for source in (self.prebuilt, self.path):  # the data directory's own file wins
            if source is not None:
                found = read_vectors(source, self.embedder.model_id, self.embedder.dim)
                if found:
                    self._memory.update(found)

    def matrix(self, texts: Sequence[str]) -> Matrix:
        """One row per text, in order; embeds only the texts not seen before."""
        self._load()
        keys = [text_key(text) for text in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._memory))
        if missing:
            by_key = dict(zip(keys, texts, strict=True))
            todo = [by_key[k] for k in missing]
            for start in range(0, len(todo), CHUNK):
                rows = self.embedder.embed(todo[start:start + CHUNK])
                for key, row in zip(missing[start:start + CHUNK], rows, strict=True):
                    self._memory[key] = row
            self.computed += len(todo)
        matrix = (np.stack([self._memory[k] for k in keys]) if keys
                  else np.zeros((0, self.embedder.dim), dtype=np.float32))
        if missing:  # everything else came from a file that will be there next time too
            self._save(texts, matrix)
        return matrix

    def _save(self, texts: Sequence[str], matrix: Matrix) -> None:
        if self.path is None:
            return
        try:
            write_vectors(self.path, self.embedder.model_id, texts, matrix)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                log.warning("example vector cache directory %s is not writable (%s): keeping the vectors "
                            "in memory; they will be computed again at the next start",
                            self.path.parent, type(exc).__name__)
