"""The reader's probes, cached on disk (bot/adapters/model/probes.py): a
restart trains nothing, a change of rows or labels trains again, a damaged
or unwritable cache costs only training, and the shipped probes are current."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from bot.adapters.model import ProbeCache
from bot.adapters.model.probes import file_name
from bot.core.understanding.probe import Probe

MODEL = "test-model"


def _rows() -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(7)
    matrix = rng.normal(size=(40, 16)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix, ["a", "b", "c", "d"] * 10


def _same(one: Probe, other: Probe) -> bool:
    return (one.classes == other.classes and np.array_equal(one.weights, other.weights)
            and np.array_equal(one.bias, other.bias) and np.array_equal(one.mean, other.mean)
            and one.scale == other.scale)


def test_a_restart_reads_the_probe_and_trains_nothing(tmp_path: Path) -> None:
    matrix, labels = _rows()
    first = ProbeCache(MODEL, tmp_path, prebuilt=None)
    trained = first.train(matrix, labels)
    first.save()
    again = ProbeCache(MODEL, tmp_path, prebuilt=None)
    assert _same(again.train(matrix, labels), trained)
    assert first.added == 1 and again.added == 0
    assert _same(trained, Probe.train(matrix, labels))  # the cache returns what training gives


@pytest.mark.parametrize("change", ["a row", "a label"])
def test_other_rows_or_labels_are_trained_again(tmp_path: Path, change: str) -> None:
    matrix, labels = _rows()
    cache = ProbeCache(MODEL, tmp_path, prebuilt=None)
    cache.train(matrix, labels)
    cache.save()
    if change == "a row":
        matrix = matrix.copy()
        matrix[3, 0] += np.float32(1e-3)
    else:
        labels = ["d", *labels[1:]]
    again = ProbeCache(MODEL, tmp_path, prebuilt=None)
    again.train(matrix, labels)
    assert again.added == 1


def test_a_damaged_file_is_trained_again_with_one_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / file_name(MODEL)).write_bytes(b"not an npz")
    matrix, labels = _rows()
    cache = ProbeCache(MODEL, tmp_path, prebuilt=None)
    with caplog.at_level(logging.WARNING, logger="bot.adapters.model"):
        cache.train(matrix, labels)
    assert cache.added == 1
    assert any("unreadable" in r.getMessage() for r in caplog.records)


def test_an_unwritable_directory_only_costs_training(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the directory should be")
    matrix, labels = _rows()
    cache = ProbeCache(MODEL, blocker / "data", prebuilt=None)
    cache.train(matrix, labels)
    with caplog.at_level(logging.WARNING, logger="bot.adapters.model"):
        cache.save()
    assert [r for r in caplog.records if "not writable" in r.getMessage()]


def test_the_shipped_probes_are_current(model_brain_probes: ProbeCache) -> None:
    """Fails when dialogs/ changed without ``python -m bot.adapters.model.prebuilt``:
    a fresh install would train the probes at start (about a second)."""
    assert model_brain_probes.added == 0, "run `python -m bot.adapters.model.prebuilt` and commit its files"


@pytest.fixture
def model_brain_probes(embedder) -> ProbeCache:  # type: ignore[no-untyped-def]
    from bot.adapters.model import ExampleVectors
    from bot.core.dialog.loader import load_dir
    from bot.core.understanding.content import load_understanding
    from bot.core.understanding.index import UnderstandingIndex, example_texts
    from tests.conftest import DIALOGS, make_brain

    brain = make_brain(load_dir(DIALOGS))
    content = load_understanding(DIALOGS)
    matrix = ExampleVectors(embedder, None).matrix(example_texts(content, brain.faq))
    probes = ProbeCache(embedder.model_id, None)
    UnderstandingIndex.build(content, brain.faq, matrix, probes.train)
    return probes
