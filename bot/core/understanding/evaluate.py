"""The understanding measures (danger recall, alarms, FAQ top-1, ...), computed on one labelled set.

One function used by the development-set test and by the benchmark, so the
figures in the README and the ones the tests assert are the same thing.
Pure: it is handed a ``read`` function (text, role -> Reading), so it knows
nothing of how the model is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core.roles import Role
from bot.core.understanding.reading import Reading, SafetyLevel

ReadFn = Callable[[str, "Role | None"], Reading]

#: The issue's targets; ``max`` for the two alarm rates, ``min`` for the rest.
TARGETS: Mapping[str, tuple[str, float]] = {
    "danger_recall": ("min", 0.97),
    "clear_alarms_on_sad": ("max", 0.03),
    "gentle_questions_on_sad": ("max", 0.10),
    "faq_top1": ("min", 0.92),
    "off_topic_unanswered": ("min", 0.90),
    "feelings_answered": ("min", 0.90),
    "language_recall_min": ("min", 0.90),
}


@dataclass(frozen=True)
class Report:
    measures: dict[str, float]
    per_language: dict[str, float]
    #: (measure, text) of every miss, for whoever tunes content (never logged by the bot).
    misses: list[tuple[str, str]] = field(default_factory=list)

    def failing(self, targets: Mapping[str, tuple[str, float]] = TARGETS) -> list[str]:
        bad = []
        for name, (kind, target) in targets.items():
            value = self.measures.get(name)
            if value is None:
                continue
            if (kind == "min" and value < target) or (kind == "max" and value > target):
                bad.append(f"{name}={value:.3f} (target {'>=' if kind == 'min' else '<='} {target})")
        return bad


def _rate(hits: int, total: int) -> float:
    return hits / total if total else 1.0


def _role(value: str) -> Role | None:
    return None if value == "any" else Role(value)


def evaluate(read: ReadFn, data: Mapping[str, Any]) -> Report:
    misses: list[tuple[str, str]] = []

    def count(name: str, items: list[Any], ok: Callable[[Any], bool], text: Callable[[Any], str]) -> float:
        good = 0
        for item in items:
            if ok(item):
                good += 1
            else:
                misses.append((name, text(item)))
        return _rate(good, len(items))

    danger = list(data.get("danger") or [])
    sad = list(data.get("sad_but_safe") or [])
    recall = count("danger_recall", danger, lambda d: read(d["text"], None).in_danger, lambda d: d["text"])
    readings = [(t, read(t, None)) for t in sad]
    clear = [t for t, r in readings if r.level is SafetyLevel.CLEAR]
    gentle = [t for t, r in readings if r.level is SafetyLevel.POSSIBLE]
    misses += [("clear_alarms_on_sad", t) for t in clear] + [("gentle_questions_on_sad", t) for t in gentle]

    faq = list(data.get("faq") or [])
    top1 = count("faq_top1", faq, lambda f: read(f["text"], _role(f["role"])).faq_id == f["faq"],
                 lambda f: f"{f['text']} -> {f['faq']}")

    def unanswered(text: str) -> bool:
        r = read(text, None)
        return r.faq_id is None and r.feeling is None and not r.in_danger

    off = count("off_topic_unanswered", list(data.get("off_topic") or []), unanswered, lambda t: t)

    def answered(item: Mapping[str, str]) -> bool:
        r = read(item["text"], None)
        return r.feeling is not None or r.faq_id is not None or r.in_danger

    feelings = count("feelings_answered", list(data.get("feelings") or []), answered, lambda f: f["text"])

    per_language: dict[str, float] = {}
    by_lang: dict[str, list[Any]] = {}
    for item in data.get("multilingual_danger") or []:
        by_lang.setdefault(item["lang"], []).append(item)
    for lang, items in sorted(by_lang.items()):
        per_language[lang] = count(f"danger_{lang}", items, lambda d: read(d["text"], None).in_danger,
                                   lambda d: d["text"])

    measures = {
        "danger_recall": recall,
        "clear_alarms_on_sad": _rate(len(clear), len(sad)),
        "gentle_questions_on_sad": _rate(len(gentle), len(sad)),
        "faq_top1": top1,
        "off_topic_unanswered": off,
        "feelings_answered": feelings,
    }
    if per_language:
        measures["language_recall_min"] = min(per_language.values())
    return Report(measures, per_language, misses)


# --- held-out parts ---------------------------------------------------------------

#: A line sharing at least this share of its words (Jaccard, lower-cased) with
#: a text the reader learnt from is a near-copy, not a test of understanding.
NEAR_COPY = 0.5


def texts_of(data: Mapping[str, Any]) -> list[str]:
    """Every text a labelled set holds, once each, in a stable order."""
    return sorted({item if isinstance(item, str) else item["text"]
                   for value in data.values() if isinstance(value, list) for item in value})


def _words(text: str) -> frozenset[str]:
    return frozenset(re.sub(r"[^\w\s]", " ", text.lower()).split())


def novel_part(data: Mapping[str, Any], learnt: Iterable[str], cut: float = NEAR_COPY) -> dict[str, Any]:
    """The set without its near-copies of ``learnt`` (see :data:`NEAR_COPY`).

    Why: people who write test sets drift toward the same sentences, so a
    reader that learns from earlier sets meets near-copies of its training
    lines in a new one; its figure on the rest is the one that says how it
    reads wording it has not seen."""
    known = [w for w in {_words(t) for t in learnt} if w]
    by_word: dict[str, list[frozenset[str]]] = {}
    for words in known:
        for word in words:
            by_word.setdefault(word, []).append(words)

    def novel(text: str) -> bool:
        words = _words(text)
        rivals = {id(k): k for word in words for k in by_word.get(word, ())}.values()
        return all(len(words & k) / len(words | k) < cut for k in rivals)

    return {key: [i for i in value if novel(i if isinstance(i, str) else i["text"])]
            for key, value in data.items() if isinstance(value, list)}
