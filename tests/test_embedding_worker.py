"""The embedding worker: batches, keeps the event loop free, never hangs a caller."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Sequence

import numpy as np
import pytest

from bot.adapters.model import (
    E5Embedder,
    EmbeddingTimeout,
    EmbeddingUnavailable,
    EmbeddingWorker,
)
from bot.core.understanding.embedding import Matrix


class FakeEmbedder:
    """Row i is a one-hot of len(text) % dim; records each batch and the
    thread it ran on; can be told to block until released, or to fail."""

    model_id = "fake"
    dim = 8

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.threads: set[str] = set()
        self.gate = threading.Event()
        self.gate.set()
        self.failure: Exception | None = None

    def embed(self, texts: Sequence[str]) -> Matrix:
        self.threads.add(threading.current_thread().name)
        self.batches.append(list(texts))
        self.gate.wait(10)
        if self.failure is not None:
            raise self.failure
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            matrix[i, len(text) % self.dim] = 1.0
        return matrix


async def test_concurrent_calls_are_batched_in_one_worker_thread() -> None:
    fake = FakeEmbedder()
    fake.gate.clear()  # the first batch blocks until released: the rest queue up meanwhile
    async with EmbeddingWorker(fake, max_batch=16) as worker:
        first = asyncio.create_task(worker.embed("a"))
        await asyncio.sleep(0.05)
        texts = ["b" * n for n in range(1, 21)]  # 20 more while the first batch runs
        rest = [asyncio.create_task(worker.embed(text)) for text in texts]
        await asyncio.sleep(0.05)
        fake.gate.set()
        vectors = await asyncio.gather(first, *rest)
    assert [len(b) for b in fake.batches] == [1, 16, 4]
    assert worker.batches == 3
    for text, vector in zip(["a", *texts], vectors, strict=True):
        assert vector.shape == (8,) and vector[len(text) % 8] == 1.0  # each caller gets its own row
    assert len(fake.threads) == 1 and next(iter(fake.threads)).startswith("trustbot-embed")
    assert threading.current_thread().name not in fake.threads


async def test_the_loop_keeps_ticking_while_the_model_reads(embedder: E5Embedder) -> None:
    """The real model, so this also proves the engine releases the GIL."""
    texts = [f"{i} i can't sleep, i keep picturing them together and i feel sick." for i in range(16)]
    ticks: list[float] = []
    reading = True

    async def ticker() -> None:
        while reading:
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.001)

    async with EmbeddingWorker(embedder, max_batch=16, timeout=None) as worker:
        ticking = asyncio.create_task(ticker())
        await asyncio.sleep(0.01)
        started = time.perf_counter()
        matrix = await worker.embed_many(texts)
        took = time.perf_counter() - started
        reading = False
        await ticking
    assert matrix.shape == (16, 384)
    during = [t for t in ticks if started <= t <= started + took]
    gaps = np.diff(during)
    assert took > 0.05, "the batch was too quick to show anything"
    assert len(during) >= 10, f"{len(during)} ticks in {took * 1000:.0f} ms of embedding"
    assert gaps.max() < took / 2, f"the loop stalled {gaps.max() * 1000:.0f} ms of {took * 1000:.0f} ms"


async def test_a_model_failure_reaches_every_caller_of_that_batch_and_the_worker_goes_on() -> None:
    fake = FakeEmbedder()
    async with EmbeddingWorker(fake) as worker:
        fake.failure = RuntimeError("engine broke")
        results = await asyncio.gather(worker.embed("a"), worker.embed("bb"), return_exceptions=True)
        assert [type(r) for r in results] == [RuntimeError, RuntimeError]
        fake.failure = None
        assert (await worker.embed("ccc"))[3] == 1.0


async def test_a_wrong_shape_from_the_model_is_an_error_not_a_wrong_answer() -> None:
    class Short(FakeEmbedder):
        def embed(self, texts: Sequence[str]) -> Matrix:
            return super().embed(texts)[:-1]

    async with EmbeddingWorker(Short()) as worker:
        with pytest.raises(ValueError, match="shape"):
            await worker.embed("a")


async def test_a_stuck_model_times_out_instead_of_hanging() -> None:
    fake = FakeEmbedder()
    fake.gate.clear()
    async with EmbeddingWorker(fake, timeout=0.1) as worker:
        with pytest.raises(EmbeddingTimeout):
            await worker.embed("a")
        fake.gate.set()


async def test_while_the_model_is_stuck_new_texts_are_refused_at_once_not_after_the_timeout() -> None:
    fake = FakeEmbedder()
    fake.gate.clear()
    async with EmbeddingWorker(fake, timeout=0.2) as worker:
        waiting = asyncio.create_task(worker.embed("first"))
        await asyncio.sleep(0.05)
        assert not worker.stuck  # a batch in the model, not overdue yet
        with pytest.raises(EmbeddingTimeout):
            await waiting
        assert worker.stuck
        started = time.perf_counter()
        with pytest.raises(EmbeddingUnavailable, match="not answered"):
            await worker.embed("second")
        assert time.perf_counter() - started < 0.1  # no wait: the rules read it now
        fake.gate.set()  # the model answers its batch: texts go to it again
        for _ in range(100):
            if not worker.stuck:
                break
            await asyncio.sleep(0.01)
        assert (await worker.embed("third"))[len("third") % fake.dim] == 1.0


async def test_calls_outside_the_running_worker_fail_at_once() -> None:
    fake = FakeEmbedder()
    worker = EmbeddingWorker(fake)
    with pytest.raises(EmbeddingUnavailable):
        await worker.embed("before start")
    async with worker:
        assert (await worker.embed("a"))[1] == 1.0
    with pytest.raises(EmbeddingUnavailable):
        await worker.embed("after close")
    with pytest.raises(EmbeddingUnavailable):
        await worker.start()


async def test_close_fails_queued_calls_instead_of_leaving_them_waiting() -> None:
    fake = FakeEmbedder()
    fake.gate.clear()
    worker = await EmbeddingWorker(fake, timeout=None).start()
    running = asyncio.create_task(worker.embed("running"))
    await asyncio.sleep(0.05)
    queued = asyncio.create_task(worker.embed("queued"))
    await asyncio.sleep(0.01)
    await worker.close()
    fake.gate.set()
    for task in (running, queued):
        with pytest.raises(EmbeddingUnavailable):
            await asyncio.wait_for(task, 2)


async def test_an_overloaded_worker_sheds_load() -> None:
    fake = FakeEmbedder()
    fake.gate.clear()
    async with EmbeddingWorker(fake, max_pending=2, timeout=None) as worker:
        first = asyncio.create_task(worker.embed("a"))
        await asyncio.sleep(0.05)
        queued = [asyncio.create_task(worker.embed(t)) for t in ("b", "c")]
        await asyncio.sleep(0)
        with pytest.raises(EmbeddingUnavailable, match="overloaded"):
            await worker.embed("d")
        fake.gate.set()
        await asyncio.gather(first, *queued)


async def test_the_worker_matches_the_model_called_directly(embedder: E5Embedder) -> None:
    texts = ["he reads all my messages", "me da miedo volver a casa", "thanks"]
    async with EmbeddingWorker(embedder) as worker:
        rows = await asyncio.gather(*(worker.embed(t) for t in texts))
    assert np.allclose(np.stack(rows), embedder.embed(texts), atol=1e-5)


async def test_the_model_thread_yields_to_the_loop_when_the_cpu_is_short() -> None:
    class Priority(FakeEmbedder):
        def embed(self, texts: Sequence[str]) -> Matrix:
            self.nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
            return super().embed(texts)

    fake = Priority()
    loop_nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    async with EmbeddingWorker(fake, nice=10) as worker:
        await worker.embed("a")
    assert fake.nice == min(19, loop_nice + 10)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == loop_nice  # the loop's own is untouched


async def test_a_repeated_text_is_answered_from_the_cache_without_the_model() -> None:
    fake = FakeEmbedder()
    async with EmbeddingWorker(fake, cache_size=2) as worker:
        first = await worker.embed("ok")
        again = await worker.embed("ok")
        await worker.embed("thanks")
        await worker.embed("yes")  # "ok" is now the least recently used of three: dropped
        await worker.embed("ok")
    assert np.array_equal(first, again)
    assert [b for batch in fake.batches for b in batch] == ["ok", "thanks", "yes", "ok"]
    assert worker.cache_hits == 1


async def test_a_vector_is_weighed_in_the_model_thread_once_and_never_on_the_loop() -> None:
    weighed_on: list[str] = []

    def weigh(text: str, vector: np.ndarray) -> tuple[str, int]:
        weighed_on.append(threading.current_thread().name)
        assert int(vector.argmax()) == len(text)  # each text with its own vector
        return (text, int(vector.argmax()))

    fake = FakeEmbedder()
    async with EmbeddingWorker(fake, weigh=weigh, cache_size=2) as worker:
        first = await worker.weighed("abc")
        assert len(weighed_on) == 1 and weighed_on[0].startswith("trustbot-embed")
        again = await worker.weighed("abc")  # a repeat: neither the model nor the weighing again
        assert again is first and len(weighed_on) == 1
        await worker.weighed("abcd")
        older = await worker.weighed("abc")  # still kept with its vector: nothing weighed anywhere
        assert older is first and len(weighed_on) == 2
        await worker.weighed("ab")  # "abcd" is now the least recently used of three: dropped
        await worker.weighed("abcd")  # read and weighed again, in the model thread
    assert all(name.startswith("trustbot-embed") for name in weighed_on)
    assert len(weighed_on) == 4
    assert [t for batch in fake.batches for t in batch] == ["abc", "abcd", "ab", "abcd"]
    assert worker.cache_hits == 2


async def test_without_a_weigh_step_the_worker_gives_the_vector() -> None:
    async with EmbeddingWorker(FakeEmbedder()) as worker:
        vector = await worker.weighed("ab")
    assert isinstance(vector, np.ndarray) and vector[2] == 1.0


async def test_a_failing_weigh_step_fails_its_callers_and_the_worker_goes_on() -> None:
    def weigh(text: str, vector: np.ndarray) -> int:
        if vector[1] == 1.0:
            raise ValueError("broken")
        return int(vector.argmax())

    async with EmbeddingWorker(FakeEmbedder()) as worker:
        worker.weigh = weigh
        with pytest.raises(ValueError, match="broken"):
            await worker.weighed("a")
        assert await worker.weighed("abc") == 3
