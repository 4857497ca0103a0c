"""Runs the blocking model off the event loop, in batches.

A typed message costs the model ~10–20 ms of CPU; a button press costs the
bot ~1 ms. If the model ran on the event loop, every press arriving meanwhile
would wait behind it. So the model runs in ONE dedicated thread (one call at
a time), and onnxruntime releases the GIL for the whole forward pass, so the
loop keeps running while a message is read (only the tokenizer, ~0.5 ms,
holds it).

The model thread also runs at a lower priority (``nice`` +10 by default, as
do onnxruntime's helpers: ``priority.py``): when the CPU is short (two
cores, other processes, a burst of texts), the scheduler then runs the event
loop first, so button presses keep their latency and the texts take what is
left.

Requests that arrive while a batch is running are collected and embedded
together as the next batch (up to ``max_batch``): under load this amortises
the per-call overhead, and no request waits for more than the batch ahead of
it plus its own.

Short replies recur ("ok", "thanks", "yes", "idk", an emoji): the vectors of
the last ``cache_size`` distinct texts are kept, keyed by a hash of the text
(the text itself is not kept), so a repeat costs no model call. The model is
deterministic, so a cached vector is the one the model would give.

The worker can also *weigh* each new text and its vector in the model
thread (``weigh``: the reader's comparison with its ~8,600 labelled rows,
its probes and the FAQ's word matcher, ~2 ms of CPU,
:mod:`bot.core.understanding.evidence`): done there it
adds no hop, and the event loop, where button presses are answered, never
spends those 2 ms. :meth:`EmbeddingWorker.weighed` returns the weighed
result, and the cache keeps it with the vector (about 6 KB together), so a
repeat is weighed no more than it is embedded. (Until 2026-12-02 the
evidence held every similarity, 35 KB, so only the last 256 were kept and
an older repeat was weighed on the loop: ~2 ms there for each.)

A failure never hangs a caller: the model's exception is raised in every
caller of that batch, a call on a closed worker raises
:class:`EmbeddingUnavailable`, and a batch slower than ``timeout`` raises
:class:`EmbeddingTimeout` in its callers. The core falls back to rules only.
While the batch in the model thread is already older than ``timeout`` (a
hung model: a batch of 16 takes ~0.2 s), a new text would only queue behind
it and time out in turn, so it is refused at once instead
(:class:`EmbeddingUnavailable`) and read by the rules without the wait; the
first batch the model finishes ends that.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable

import numpy as np

from bot.adapters.model.priority import MODEL_NICE, lower_priority
from bot.core.understanding.embedding import Embedder, Matrix, Vector

log = logging.getLogger(__name__)


class EmbeddingUnavailable(RuntimeError):
    """The worker is not running (not started, closed, or overloaded)."""


class EmbeddingTimeout(EmbeddingUnavailable, TimeoutError):
    """The model did not answer within the worker's timeout."""


#: A vector, and what ``weigh`` made of it in the model thread (None without ``weigh``).
_Result = tuple[Vector, Any]
_Request = tuple[str, "asyncio.Future[_Result]"]


@runtime_checkable
class WeighsToo(Protocol):
    """An embedder that can also weigh what it embeds, where it embeds it
    (:class:`bot.adapters.model.process.ModelProcess`: in the model's process)."""

    def embed_weighed(self, texts: list[str], weigh: Callable[[str, Vector], Any]) -> list[_Result]: ...

    def weigh_with(self, weigh: Callable[[str, Vector], Any]) -> None:
        """Get ready to weigh with ``weigh`` (blocking; called in the model thread at start)."""


def _remember(cache: OrderedDict[bytes, Any], key: bytes, value: Any, size: int) -> None:
    """Keep ``value`` as the most recent of at most ``size`` entries."""
    if size > 0:
        cache[key] = value
        if len(cache) > size:
            cache.popitem(last=False)


def _lower_priority(nice: int) -> None:
    """In the model thread, as it starts: it yields to the event loop."""
    lower_priority({threading.get_native_id()}, nice)


class EmbeddingWorker:
    """``async with EmbeddingWorker(embedder) as worker: vector = await worker.embed(text)``.

    Not thread-safe: use it from the one event loop it was started on.
    """

    def __init__(self, embedder: Embedder, *, max_batch: int = 16, timeout: float | None = 5.0,
                 max_pending: int = 1024, nice: int = MODEL_NICE, cache_size: int = 4096,
                 weigh: Callable[[str, Vector], Any] | None = None) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.embedder = embedder
        #: The embedder again when it weighs where it embeds (the model's own process).
        self._weighs_too: WeighsToo | None = embedder if isinstance(embedder, WeighsToo) else None
        #: Run on each new text and its vector in the model thread (pure and
        #: thread-safe: it only reads arrays and tables built at start).
        self.weigh = weigh
        self.max_batch = max_batch
        self.timeout = timeout
        self.max_pending = max_pending
        self.nice = nice
        self.batches = 0  # batches run so far (tests and benchmarks read it)
        self.batch_sizes: list[int] = []
        self.cache_size = cache_size
        self.cache_hits = 0
        self._cache: OrderedDict[bytes, _Result] = OrderedDict()
        self._pending: list[_Request] = []
        #: When the batch now in the model thread was handed to it (None: no batch there).
        self._batch_since: float | None = None
        self._wakeup = asyncio.Event()
        self._executor: ThreadPoolExecutor | None = None
        self._runner: asyncio.Task[None] | None = None
        self._closed = False

    # --- life cycle ------------------------------------------------------------

    async def start(self) -> Self:
        if self._closed:
            raise EmbeddingUnavailable("the embedding worker was closed")
        if self._runner is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trustbot-embed",
                                                initializer=_lower_priority, initargs=(self.nice,))
            self._runner = asyncio.get_running_loop().create_task(self._run(), name="trustbot-embed-batches")
            self._runner.add_done_callback(self._runner_ended)
            if self.weigh is not None and self._weighs_too is not None:
                # First in the model thread's queue: batches wait behind it, the loop does not.
                self._executor.submit(self._get_ready, self._weighs_too, self.weigh)
        return self

    @staticmethod
    def _get_ready(embedder: WeighsToo, weigh: Callable[[str, Vector], Any]) -> None:
        try:
            embedder.weigh_with(weigh)
        except Exception as exc:  # the first batch meets the same failure, and says so to its callers
            log.warning("the model could not get ready to weigh: %s", type(exc).__name__)

    def _runner_ended(self, runner: asyncio.Task[None]) -> None:
        """A bug in the batching loop must not leave callers waiting: close."""
        if not runner.cancelled() and runner.exception() is not None:
            log.error("the embedding worker stopped: %s", type(runner.exception()).__name__)
            self._closed = True
            self._fail_pending(EmbeddingUnavailable("the embedding worker stopped"))

    async def close(self) -> None:
        """Stop taking requests, fail the ones still queued, and let the thread
        finish the batch it may be running without waiting for it."""
        self._closed = True
        runner, self._runner = self._runner, None
        if runner is not None:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        self._fail_pending(EmbeddingUnavailable("the embedding worker was closed"))
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    @property
    def running(self) -> bool:
        return self._runner is not None and not self._closed

    @property
    def stuck(self) -> bool:
        """Whether the model's current batch is older than ``timeout``."""
        since = self._batch_since
        return (since is not None and self.timeout is not None
                and time.monotonic() - since > self.timeout)

    # --- requests --------------------------------------------------------------

    async def embed(self, text: str) -> Vector:
        """The L2-normalised vector of ``text``; raises the model's exception,
        :class:`EmbeddingUnavailable` or :class:`EmbeddingTimeout`."""
        vector, _ = await self._result(text)
        return vector

    async def weighed(self, text: str) -> Any:
        """``weigh(vector of text)``, weighed in the model thread (or kept from
        an earlier call); the vector itself without ``weigh``. Raises as
        :meth:`embed` does."""
        vector, weighed = await self._result(text)
        if self.weigh is None:
            return vector
        return weighed if weighed is not None else self.weigh(text, vector)

    async def _result(self, text: str) -> _Result:
        if not self.running:
            raise EmbeddingUnavailable("the embedding worker is not running")
        key = hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=16).digest()
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self.cache_hits += 1
            return cached
        result = await self._queued(text)
        _remember(self._cache, key, result, self.cache_size)
        return result

    async def _queued(self, text: str) -> _Result:
        """Through the batching queue to the model thread."""
        if len(self._pending) >= self.max_pending:
            raise EmbeddingUnavailable("the embedding worker is overloaded")
        if self.stuck:
            raise EmbeddingUnavailable("the model has not answered its batch in time")
        future: asyncio.Future[_Result] = asyncio.get_running_loop().create_future()
        self._pending.append((text, future))
        self._wakeup.set()
        if self.timeout is None:
            return await future
        try:
            return await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            raise EmbeddingTimeout(f"no embedding within {self.timeout:g} s") from None

    async def embed_many(self, texts: Sequence[str]) -> Matrix:
        """Rows for ``texts``, in order (each goes through the batching queue)."""
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        rows = await asyncio.gather(*(self.embed(text) for text in texts))
        return np.stack(rows)

    # --- the batching loop ---------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                batch = [(text, future) for text, future in self._pending[:self.max_batch] if not future.done()]
                del self._pending[:self.max_batch]
                if not batch:
                    continue
                texts = [text for text, _ in batch]
                assert self._executor is not None
                self._batch_since = time.monotonic()
                try:
                    results = await loop.run_in_executor(self._executor, self._embed_checked, texts)
                except asyncio.CancelledError:
                    self._fail(batch, EmbeddingUnavailable("the embedding worker was closed"))
                    raise
                except Exception as exc:
                    log.warning("sentence model failed on a batch of %d: %s", len(batch), type(exc).__name__)
                    self._fail(batch, exc)
                    continue
                finally:
                    self._batch_since = None
                self.batches += 1
                self.batch_sizes.append(len(batch))
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)

    def _embed_checked(self, texts: list[str]) -> list[_Result]:
        """In the worker thread: the model's rows, checked for shape, each weighed."""
        weigh = self.weigh
        if weigh is not None and self._weighs_too is not None:
            results = self._weighs_too.embed_weighed(texts, weigh)
            if len(results) != len(texts) or any(row.shape != (self.embedder.dim,) for row, _ in results):
                raise ValueError(f"the model returned {len(results)} results for {len(texts)} texts")
            return results
        matrix = self.embedder.embed(texts)
        if matrix.shape != (len(texts), self.embedder.dim):
            raise ValueError(f"the model returned shape {matrix.shape} for {len(texts)} texts")
        return [(row, weigh(text, row) if weigh is not None else None)
                for text, row in zip(texts, matrix, strict=True)]

    @staticmethod
    def _fail(batch: list[_Request], exc: BaseException) -> None:
        for _, future in batch:
            if not future.done():
                future.set_exception(exc)

    def _fail_pending(self, exc: BaseException) -> None:
        pending, self._pending = self._pending, []
        self._fail(pending, exc)
