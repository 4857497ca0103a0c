"""Rebuild the committed vectors of the shipped content's examples.

``python -m bot.adapters.model.prebuilt`` (after editing the examples in
``dialogs/understanding.yaml``, ``dialogs/faq.yaml`` or ``dialogs/corpus/``;
it also writes the probes trained on them, see ``probes.py``; the test
``tests/test_model_adapter.py::test_the_shipped_example_vectors_are_current``
fails until you do).

Why commit them: embedding the ~470 examples takes 5–10 s on two cores,
which a fresh install would pay at its first start (the cold-start budget is
2 s). With this file the first start reads them in milliseconds; a bot whose
content differs embeds only its own new texts, once, into its data directory.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bot.adapters.model.cache import (
    PREBUILT_DIR,
    ExampleVectors,
    file_name,
    write_vectors,
)
from bot.adapters.model.corpus_cache import FILE_NAME as CORPUS_FILE
from bot.adapters.model.corpus_cache import CorpusCache, write_parsed
from bot.adapters.model.e5_embedder import E5Embedder, load_embedder
from bot.adapters.model.probes import ProbeCache
from bot.adapters.model.probes import file_name as probe_file_name

SHIPPED_DIALOGS = Path(__file__).resolve().parents[3] / "dialogs"


def shipped_example_texts(dialogs: Path = SHIPPED_DIALOGS) -> list[str]:
    """The example texts of the content in ``dialogs``, in index row order."""
    from bot.core.faq.loader import load_faq
    from bot.core.understanding.content import load_understanding
    from bot.core.understanding.index import example_texts

    return example_texts(load_understanding(dialogs), load_faq(dialogs))


def prebuilt_path(embedder: E5Embedder) -> Path:
    return PREBUILT_DIR / file_name(embedder.model_id)


def build(embedder: E5Embedder, dialogs: Path = SHIPPED_DIALOGS, *, full: bool = False) -> tuple[Path, int]:
    """Write the file; returns its path and how many texts the model embedded
    (only the new ones, unless ``full``: the others' vectors are reused)."""
    texts = list(dict.fromkeys(shipped_example_texts(dialogs)))  # one row per distinct text
    path = prebuilt_path(embedder)
    for old in PREBUILT_DIR.glob("example-vectors-*.npz"):  # another model's file would only be dead weight
        if old != path:
            old.unlink()
    vectors = ExampleVectors(embedder, None, prebuilt=None if full else path)
    write_vectors(path, embedder.model_id, texts, vectors.matrix(texts))
    write_shipped_probes(embedder.model_id, dialogs, vectors)
    write_shipped_corpus(dialogs)
    return path, vectors.computed


def write_shipped_corpus(dialogs: Path) -> Path:
    """The shipped corpus, parsed, so a fresh install does not parse its YAML at start."""
    from bot.core.dialog.loader import DialogError
    from bot.core.understanding.corpus import load_corpus

    parsed = CorpusCache(None, prebuilt=None)
    _, problems = load_corpus(dialogs, parsed)
    if problems:
        raise DialogError(problems)
    path = PREBUILT_DIR / CORPUS_FILE
    write_parsed(path, parsed.used)
    return path


def write_shipped_probes(model_id: str, dialogs: Path, vectors: ExampleVectors) -> Path:
    """The shipped content's probes, trained afresh into their own file (only
    those: another content's probes would be dead weight)."""
    from bot.core.faq.loader import load_faq
    from bot.core.understanding.content import load_understanding
    from bot.core.understanding.index import UnderstandingIndex, example_texts

    content, faq = load_understanding(dialogs), load_faq(dialogs)
    for old in PREBUILT_DIR.glob("probes-*.npz"):
        old.unlink()
    probes = ProbeCache(model_id, PREBUILT_DIR, prebuilt=None)
    UnderstandingIndex.build(content, faq, vectors.matrix(example_texts(content, faq)), probes.train)
    probes.save()
    return probes_file(model_id)


def probes_file(model_id: str) -> Path:
    return PREBUILT_DIR / probe_file_name(model_id)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--full", action="store_true", help="embed every example again (default: only new ones)")
    parser.add_argument("--dialogs", type=Path, default=SHIPPED_DIALOGS, help="content directory (default: dialogs/)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    embedder = load_embedder()
    path, computed = build(embedder, args.dialogs, full=args.full)
    print(  # noqa: T201 - this command-line entry point reports what it wrote
        f"wrote {path} ({path.stat().st_size // 1024} KiB, {computed} example(s) embedded) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
