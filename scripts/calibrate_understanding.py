"""Print the issue's measures on the DEVELOPMENT set for a grid of thresholds.

Tune here, on dev.yaml only; the fresh set is for reporting, never tuning.
Usage: python scripts/calibrate_understanding.py [--misses] [name=v1,v2,...]...
(each ``name`` a field of ``Thresholds``; every combination is measured).

Why a script and not a fit: the thresholds trade danger recall against
alarms on sad-but-safe messages, and that trade is a judgement (a missed
danger costs more than a gentle question), made by reading the table.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.adapters.model import load_embedder  # noqa: E402
from bot.core.faq.loader import load_faq  # noqa: E402
from bot.core.faq.matcher import FaqMatcher  # noqa: E402
from bot.core.roles import Role  # noqa: E402
from bot.core.understanding.content import load_understanding  # noqa: E402
from bot.core.understanding.evaluate import evaluate  # noqa: E402
from bot.core.understanding.index import UnderstandingIndex, example_texts  # noqa: E402
from bot.core.understanding.reader import DEFAULT, Reader, Thresholds  # noqa: E402
from bot.core.understanding.reading import Context, Reading  # noqa: E402
from tests.support.e5 import cached_vectors  # noqa: E402


def grid(args: list[str]) -> list[Thresholds]:
    axes: list[list[tuple[str, Any]]] = []
    for arg in args:
        if "=" in arg:
            name, values = arg.split("=", 1)
            kind = int if name == "top_k" else float
            axes.append([(name, kind(v)) for v in values.split(",")])
    combos: list[dict[str, Any]] = [dict(combo) for combo in itertools.product(*axes)]
    return [replace(DEFAULT, **combo) for combo in combos]


def main() -> None:
    dialogs = ROOT / "dialogs"
    content, faq = load_understanding(dialogs), load_faq(dialogs)
    embedder = load_embedder()
    index = UnderstandingIndex.build(content, faq, cached_vectors(embedder, example_texts(content, faq)))
    data = yaml.safe_load((ROOT / "tests/data/understanding/dev.yaml").read_text(encoding="utf-8"))
    texts = sorted({(i if isinstance(i, str) else i["text"]) for v in data.values() if isinstance(v, list) for i in v})
    vectors = dict(zip(texts, cached_vectors(embedder, texts), strict=True))
    base = Reader(index, faq, FaqMatcher(faq))
    for t in grid(sys.argv[1:]):
        reader = replace(base, thresholds=t)

        def read(text: str, role: Role | None, reader: Reader = reader) -> Reading:
            return reader.read(text, vectors.get(text), Context(role=role))

        report = evaluate(read, data)
        changed = {k: v for k, v in vars(t).items() if getattr(DEFAULT, k) != v}
        print(changed or "defaults", {k: round(v, 3) for k, v in report.measures.items()},
              {k: round(v, 3) for k, v in report.per_language.items()},
              "FAIL " + "; ".join(report.failing()) if report.failing() else "ok")
        if "--misses" in sys.argv:
            for m in report.misses:
                print("  MISS", m)


if __name__ == "__main__":
    main()
