"""Print the issue's measures on the DEVELOPMENT set for a grid of thresholds.

Tune here, on dev.yaml only; the fresh set is for reporting, never tuning.
Usage: python scripts/calibrate_understanding.py [--misses]
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.faq.loader import load_faq  # noqa: E402
from bot.core.faq.matcher import FaqMatcher  # noqa: E402
from bot.core.understanding.content import load_understanding  # noqa: E402
from bot.core.understanding.evaluate import evaluate  # noqa: E402
from bot.core.understanding.index import UnderstandingIndex, example_texts  # noqa: E402
from bot.core.understanding.reader import DEFAULT, Reader  # noqa: E402
from bot.core.understanding.reading import Context, Role  # noqa: E402
from tests.support.e5 import E5Embedder, cached_vectors  # noqa: E402


def main() -> None:
    dialogs = ROOT / "dialogs"
    content, faq = load_understanding(dialogs), load_faq(dialogs)
    embedder = E5Embedder()
    index = UnderstandingIndex.build(content, faq, cached_vectors(embedder, example_texts(content, faq)))
    data = yaml.safe_load((ROOT / "tests/data/understanding/dev.yaml").read_text(encoding="utf-8"))
    texts = sorted({(i if isinstance(i, str) else i["text"]) for v in data.values() if isinstance(v, list) for i in v})
    vectors = dict(zip(texts, cached_vectors(embedder, texts)))
    base = Reader(index, faq, FaqMatcher(faq))
    grid = [DEFAULT]
    for arg in sys.argv[1:]:
        if "=" in arg:
            k, v = arg.split("=")
            grid = [replace(g, **{k: float(v)}) for g in grid]
    for t in grid:
        reader = replace(base, thresholds=t)

        def read(text: str, role: Role | None) -> object:
            return reader.read(text, vectors.get(text), Context(role=role))

        report = evaluate(read, data)  # type: ignore[arg-type]
        print(t)
        print({k: round(v, 3) for k, v in report.measures.items()}, report.per_language)
        if "--misses" in sys.argv:
            for m in report.misses:
                print("  MISS", m)
    _ = np


if __name__ == "__main__":
    main()
