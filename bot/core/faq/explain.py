"""Why the bot would do what it does with a message (``trustbot explain``).

Runs the same two steps as the turn layer, in the same order: the safety
check first, then the FAQ matcher. Returns plain data (JSON-able) so the CLI
can print it as JSON or through :func:`format_explanation`; the message
itself is never part of the output.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.core.faq import matcher as matcher_mod
from bot.core.faq.matcher import FaqMatcher
from bot.core.safety.check import SafetyResult, check

#: What the bot does, by priority: a safety hit wins over any FAQ decision.
ACTIONS = ("safety", "answer", "clarify", "unsure")


def explain(
    text: str,
    matcher: FaqMatcher,
    *,
    safety_check: Callable[[str], SafetyResult] = check,
) -> dict[str, Any]:
    """``safety``, ``faq_id`` (None unless the bot would answer outright) and
    ``score`` (the best FAQ score), plus the details behind them:
    ``categories``, ``decision``, ``action``, ``candidates`` and ``top``.

    ``faq_id`` is the matcher's view even on a safety hit; ``action`` says what
    the bot would actually do ("safety" then).
    """
    safety = safety_check(text)
    decision = matcher.decide(text)
    best = decision.best
    return {
        "safety": safety.hit,
        "faq_id": decision.matches[0].faq_id if decision.kind == "answer" else None,
        "score": best.score if best else 0.0,
        "categories": list(safety.categories),
        "decision": decision.kind,
        "action": "safety" if safety.hit else decision.kind,
        "candidates": [m.faq_id for m in decision.matches],
        "top": [{"faq_id": m.faq_id, "score": m.score} for m in decision.top],
    }


def _why(explanation: Mapping[str, Any]) -> str:
    top = explanation["top"]
    best = top[0]["score"] if top else 0.0
    lead = best - top[1]["score"] if len(top) > 1 else best
    kind = explanation["decision"]
    if kind == "answer":
        return (f"score {best:.2f} >= {matcher_mod.ANSWER_MIN:.2f} and lead {lead:.2f} "
                f">= {matcher_mod.ANSWER_MARGIN:.2f}")
    if kind == "clarify":
        if best >= matcher_mod.ANSWER_MIN:
            return f"lead {lead:.2f} < {matcher_mod.ANSWER_MARGIN:.2f}: too close to call"
        return f"score {best:.2f} between {matcher_mod.CLARIFY_MIN:.2f} and {matcher_mod.ANSWER_MIN:.2f}"
    return f"score {best:.2f} < {matcher_mod.CLARIFY_MIN:.2f}"


def format_explanation(explanation: Mapping[str, Any]) -> str:
    """A few lines for a person tuning content: safety, top 3, and the bot's move."""
    lines = []
    if explanation["safety"]:
        lines.append(f"safety: HIT ({', '.join(explanation['categories'])})")
    else:
        lines.append("safety: no hit")
    lines.append("faq top 3:")
    for rank, match in enumerate(explanation["top"], 1):
        lines.append(f"  {rank}. {match['faq_id']:<20} {match['score']:.3f}")
    kind = explanation["decision"]
    lines.append(f"matcher: {kind} ({_why(explanation)})")
    action = explanation["action"]
    if action == "safety":
        move = "send the safety reply with resources; no FAQ answer"
    elif action == "answer":
        move = f"answer with FAQ '{explanation['faq_id']}'"
    elif action == "clarify":
        move = "ask \"did you mean\": " + ", ".join(explanation["candidates"])
    else:
        move = "say it is not sure and list the topics"
    lines.append(f"without the model, bot would: {move}")
    return "\n".join(lines)
