"""Print the issue's measures on the corpus, read unseen, for a grid of thresholds.

Tune here, on the corpus (``dialogs/corpus/``) only; the sets in
``tests/data/understanding/`` are for reporting, never tuning.
Usage: python scripts/calibrate_understanding.py [--misses] [name=v1,v2,...]...
(each ``name`` a field of ``Thresholds``; every combination is measured).

Each corpus file is read by the reader trained on all the other files
(:func:`bot.core.understanding.held_out.reader_without`), and the measures
are pooled over every file: the reader learns from the corpus, so reading a
file it learnt from would only measure its memory.

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
from bot.bootstrap import build_brain, reader_with_model  # noqa: E402
from bot.core.roles import Role  # noqa: E402
from bot.core.understanding.evaluate import evaluate  # noqa: E402
from bot.core.understanding.held_out import learnt_vectors, reader_without  # noqa: E402
from bot.core.understanding.reader import DEFAULT, Reader, Thresholds  # noqa: E402
from bot.core.understanding.reading import Context, Reading  # noqa: E402


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
    brain = build_brain(dialogs)
    full = reader_with_model(brain, load_embedder(), None, dialogs)
    rows = learnt_vectors(full)
    pooled: dict[str, list[Any]] = {}
    owner: dict[str, Reader] = {}
    for name in full.index.content.corpus.names():
        unseen = reader_without(full, name)
        data = yaml.safe_load((dialogs / "corpus" / f"{name}.yaml").read_text(encoding="utf-8"))
        for key, items in data.items():
            if isinstance(items, list):
                pooled.setdefault(key, []).extend(items)
                for item in items:
                    owner.setdefault(item if isinstance(item, str) else item["text"], unseen)
    for t in grid(sys.argv[1:]):
        def read(text: str, role: Role | None, t: Thresholds = t) -> Reading:
            return replace(owner[text], thresholds=t).read(text, rows[text], Context(role=role))

        report = evaluate(read, pooled)
        changed = {k: v for k, v in vars(t).items() if getattr(DEFAULT, k) != v}
        print(changed or "defaults", {k: round(v, 3) for k, v in report.measures.items()},
              {k: round(v, 3) for k, v in report.per_language.items()},
              "FAIL " + "; ".join(report.failing()) if report.failing() else "ok", flush=True)
        if "--misses" in sys.argv:
            for m in report.misses:
                print("  MISS", m)


if __name__ == "__main__":
    main()
