"""How fast free text is understood: run by hand, ``python bench/bench_faq.py``.

Prints the cold start (imports, reading faq.yaml, building the matcher) and
the per-message latency of ``FaqMatcher.decide`` and ``safety.check`` over the
evaluation questions, each timed one call at a time over many repetitions.
Not a unit test on purpose: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _time_calls(function, texts: list[str], repetitions: int) -> list[float]:
    """Microseconds per call, one sample per call."""
    samples = []
    clock = time.perf_counter_ns
    for _ in range(repetitions):
        for text in texts:
            start = clock()
            function(text)
            samples.append((clock() - start) / 1000)
    return samples


def _report(name: str, samples: list[float]) -> None:
    print(
        f"{name:<22} mean {statistics.fmean(samples):7.1f} µs   p50 {_percentile(samples, 0.50):7.1f} µs   "
        f"p99 {_percentile(samples, 0.99):7.1f} µs   max {max(samples):8.1f} µs   ({len(samples)} calls)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=200, help="passes over the evaluation set")
    args = parser.parse_args()

    start = time.perf_counter()
    from bot.core.faq.loader import load_faq
    from bot.core.faq.matcher import FaqMatcher
    from bot.core.safety.check import check

    imported = time.perf_counter()
    book = load_faq(ROOT / "dialogs")
    loaded = time.perf_counter()
    matcher = FaqMatcher(book)
    built = time.perf_counter()
    print(f"cold start             {1000 * (built - start):7.1f} ms total: imports {1000 * (imported - start):.1f} ms, "
          f"load faq.yaml {1000 * (loaded - imported):.1f} ms, build matcher {1000 * (built - loaded):.1f} ms")

    rebuilds = [0.0] * 20
    for i in range(len(rebuilds)):
        t0 = time.perf_counter()
        FaqMatcher(load_faq(ROOT / "dialogs"))
        rebuilds[i] = 1000 * (time.perf_counter() - t0)
    print(f"warm load + build      {statistics.median(rebuilds):7.1f} ms (median of {len(rebuilds)})")

    import yaml

    data = yaml.safe_load((ROOT / "tests" / "data" / "faq_eval.yaml").read_text(encoding="utf-8"))
    texts = [q for qs in data["faq"].values() for q in qs] + data["off_topic"]
    texts += [p["text"] for p in data["safety"]["positive"]] + data["safety"]["negative"]
    print(f"{len(texts)} messages x {args.repetitions} repetitions")

    _time_calls(matcher.decide, texts, 2)  # warm caches, as a running bot would have
    _report("FaqMatcher.decide", _time_calls(matcher.decide, texts, args.repetitions))
    _report("safety.check", _time_calls(check, texts, args.repetitions))
    _report("check + decide", _time_calls(lambda t: (check(t), matcher.decide(t)), texts, args.repetitions))


if __name__ == "__main__":
    main()
