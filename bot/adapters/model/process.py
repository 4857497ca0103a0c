"""The sentence model in a process of its own, behind the core's ``Embedder`` seam.

Why a process and not only a thread: onnxruntime releases the GIL for the
forward pass, but reading a message also runs Python around it (the
tokenizer, ~0.5 ms; the evidence's reductions, probes and FAQ word matcher,
~1 ms), and while the model thread holds the GIL the event loop cannot
answer a button press. In bench_latency at 200 updates/s the presses' p99
was 4.35 ms with the model reading typed text and 2.33 ms when every text
was already cached (2026-12-02, same hour): the difference is the model's
share of the one interpreter. In its own process the model shares only the
CPU, and at a lower priority (``nice`` +10) it yields that too.

What crosses the pipe is small: texts one way; vectors and a few numbers per
text the other (:func:`bot.core.understanding.evidence.detached`, ~6 KB).
What weighing reads of the reader is sent once, pickled (its vectors,
probes and row layout, and the FAQ's word matcher: ~15 MB, ~30 ms); the
evidence that comes back is attached to the bot's own reader, which it was
weighed from.

Failure: a child that dies (the OOM killer, a crash) fails the batch it was
reading with :class:`EmbeddingUnavailable`, so the bot answers by the rules;
the next batch starts a new child, at most once per ``restart_after``
seconds. A child that does not answer within ``timeout`` is killed. A model
whose files do not match their pinned hashes stops the bot at start, as in
process (:class:`ModelIntegrityError`).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any, Self

import numpy as np

from bot.adapters.model.e5_embedder import configured_threads
from bot.adapters.model.integrity import ModelIntegrityError
from bot.adapters.model.pipe import Ask, Reply
from bot.adapters.model.worker import EmbeddingTimeout, EmbeddingUnavailable
from bot.core.understanding.embedding import Matrix, Vector
from bot.core.understanding.evidence import attached
from bot.core.understanding.reader import Reader

log = logging.getLogger(__name__)

#: Seconds for the child to load and check the model (~1 s; a starved machine takes longer).
START_TIMEOUT = 120.0
#: Seconds for one batch (a batch of 16 takes ~0.2 s).
TIMEOUT = 30.0
#: Seconds between restarts of a child that died.
RESTART_AFTER = 30.0


class ModelProcess:
    """``ModelProcess.start()``: blocking until the model is loaded and checked
    in its child. Thread-safe: one request at a time crosses the pipe."""

    def __init__(self, *, threads: int | None = None, timeout: float = TIMEOUT,
                 start_timeout: float = START_TIMEOUT, restart_after: float = RESTART_AFTER) -> None:
        self.threads = configured_threads() if threads is None else max(1, threads)
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.restart_after = restart_after
        self._model_id = ""
        self._dim = 0
        self._loading = False  # launched, not yet heard READY from
        self.starts = 0  # children started so far (tests read it)
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._requests: Connection | None = None
        self._results: Connection | None = None
        self._reader: Reader | None = None  # the reader the child holds a copy of
        self._started_at = 0.0
        self._closed = False

    @classmethod
    def launch(cls, **kwargs: Any) -> Self:
        """Start the child without waiting for it: it loads and checks the
        model (~0.6 s) while the bot loads its content; the first use waits."""
        process = cls(**kwargs)
        with process._lock:
            process._launch()
        return process

    @classmethod
    def start(cls, **kwargs: Any) -> Self:
        """Start the child and wait until its model is loaded and checked."""
        process = cls.launch(**kwargs)
        try:
            process.wait_ready()
        except BaseException:
            process.close()
            raise
        return process

    def wait_ready(self) -> None:
        """Block until the child's model is loaded; raises what loading raised
        (:class:`ModelIntegrityError`, :class:`EmbeddingUnavailable`)."""
        with self._lock:
            self._ensure_running()

    @property
    def model_id(self) -> str:
        if self._loading:
            self.wait_ready()
        return self._model_id

    @property
    def dim(self) -> int:
        if self._loading:
            self.wait_ready()
        return self._dim

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child is not None else None

    # --- the Embedder seam -------------------------------------------------------

    def embed(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)  # dim waits for a launched child
        with self._lock:
            matrix: Matrix = self._ask((Ask.EMBED, list(texts)), Reply.ROWS)[1]
        return matrix

    def embed_weighed(self, texts: list[str], weigh: Callable[[str, Vector], Any]) -> list[tuple[Vector, Any]]:
        """Each text's vector and ``weigh(text, vector)``. A reader's own
        ``weigh`` runs in the child, on its copy of the reader; any other runs
        here, in the caller's thread."""
        reader = _reader_of(weigh)
        if reader is None:
            return [(row, weigh(text, row)) for text, row in zip(texts, self.embed(texts), strict=True)]
        with self._lock:
            self._hold(reader)
            _, matrix, detached = self._ask((Ask.WEIGH, texts), Reply.WEIGHED)
        return [(row, attached(values, reader.index, reader.matcher))
                for row, values in zip(matrix, detached, strict=True)]

    def weigh_with(self, weigh: Callable[[str, Vector], Any]) -> None:
        """Send what weighing reads of the reader behind ``weigh`` now (~15 MB),
        not with the first message someone types."""
        reader = _reader_of(weigh)
        if reader is not None:
            with self._lock:
                self._hold(reader)

    def _hold(self, reader: Reader) -> None:
        """The child holds a copy of ``reader`` (a new child holds none:
        ``_launch`` forgets it); under ``_lock``."""
        if self._reader is not reader:
            self._ask((Ask.READER, (reader.index.weighing, reader.matcher, reader.thresholds.top_k)), Reply.OK)
            self._reader = reader

    # --- the pipe ------------------------------------------------------------------

    def _ask(self, message: tuple[Any, ...], expected: Reply) -> tuple[Any, ...]:
        """Send, then wait for the one reply; under ``_lock``."""
        self._ensure_running()
        assert self._requests is not None and self._results is not None
        try:
            self._requests.send(message)
            answered = self._results.poll(self.timeout)
            reply: tuple[Any, ...] = self._results.recv() if answered else ()
        except (EOFError, OSError) as exc:
            self._stop(f"its pipe failed ({type(exc).__name__})")
            raise EmbeddingUnavailable("the model process stopped") from None
        if not answered:
            self._stop("it did not answer in time")
            raise EmbeddingTimeout(f"the model process gave no answer within {self.timeout:g} s")
        if reply[0] == Reply.ERROR:
            raise EmbeddingUnavailable(f"the model process failed on a batch ({reply[1]})")
        if reply[0] != expected:
            self._stop(f"it answered {reply[0]!r} to {message[0]!r}")
            raise EmbeddingUnavailable("the model process answered out of turn")
        return reply

    def _ensure_running(self) -> None:
        """A child whose model is loaded, or an exception; under ``_lock``."""
        if self._closed:
            raise EmbeddingUnavailable("the model process was closed")
        if self._child is None:
            if time.monotonic() - self._started_at < self.restart_after:
                raise EmbeddingUnavailable("the model process stopped; it restarts shortly")
            self._launch()
        if self._loading:
            self._await_ready()

    def _launch(self) -> None:
        """Start a child; under ``_lock``."""
        self._started_at = time.monotonic()
        self._reader = None
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        try:
            child = subprocess.Popen(
                [sys.executable, "-m", "bot.adapters.model.child", str(to_child_r), str(from_child_w),
                 str(self.threads)],
                pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL)
        except BaseException:
            for fd in (to_child_r, to_child_w, from_child_r, from_child_w):
                os.close(fd)
            raise
        # Only the child holds its ends now: if the bot dies, the child reads EOF.
        os.close(to_child_r)
        os.close(from_child_w)
        self._child = child
        self._requests = Connection(to_child_w, readable=False)
        self._results = Connection(from_child_r, writable=False)
        self._loading = True
        self.starts += 1

    def _await_ready(self) -> None:
        """Wait for the child's first word: its model loaded, or why not; under ``_lock``."""
        assert self._results is not None and self._child is not None
        try:
            ready = self._results.poll(self.start_timeout)
            first: tuple[Any, ...] = self._results.recv() if ready else ()
        except (EOFError, OSError):
            self._stop("it exited while loading")
            raise EmbeddingUnavailable("the model process exited while loading the model") from None
        if not ready:
            self._stop("it was not ready in time")
            raise EmbeddingTimeout(f"the model process was not ready within {self.start_timeout:g} s")
        if first[0] == Reply.FAILED:
            self._stop("its model failed the check")
            raise ModelIntegrityError(first[2])
        if first[0] != Reply.READY:
            self._stop(f"it began with {first[0]!r}")
            raise EmbeddingUnavailable("the model process began out of turn")
        _, self._model_id, self._dim = first
        self._loading = False
        log.info("sentence model loaded in its own process (pid %s)", self._child.pid)

    def _stop(self, why: str) -> None:
        """End the child (if any) and forget it; under ``_lock`` or at close."""
        child, self._child = self._child, None
        for conn in (self._requests, self._results):
            if conn is not None:
                conn.close()
        self._requests = self._results = None
        self._reader = None
        self._loading = False
        if child is None:
            return
        if not self._closed:
            log.warning("the model process stopped: %s", why)
        try:
            child.wait(timeout=2)  # it exits on the closed pipe
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()

    def close(self) -> None:
        """Stop the child: it reads EOF and exits (killed if it does not).
        Does not wait for a batch in flight: that child is killed, and the
        thread waiting for it sees the pipe close and cleans up."""
        self._closed = True
        if self._lock.acquire(timeout=1.0):
            try:
                self._stop("closed")
            finally:
                self._lock.release()
        elif (child := self._child) is not None:
            child.kill()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reader_of(weigh: Callable[[str, Vector], Any]) -> Reader | None:
    """The reader whose own ``weigh`` this is (then the child can weigh it
    with its copy); None for any other function."""
    reader = getattr(weigh, "__self__", None)
    return reader if isinstance(reader, Reader) and weigh == reader.weigh else None
