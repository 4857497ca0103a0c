"""The caring reply to a safety hit: plain texts and button ids, no transport.

Kept apart from the check so the words stay with the writers (``safety.yaml``)
and the turn layer decides what a button does. The reply never suggests
talking it out with the partner or couples work, and never tells anyone to
leave: it offers real numbers, a safety plan, and says a bot is not care.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.safety.check import CATEGORIES, SafetyResult
from bot.core.safety.model import SafetyTexts
from bot.core.safety.resources import Resource

#: Danger that comes from a partner (everything but self-harm and the user's own anger).
PARTNER_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if c not in ("self_harm", "risk_to_others"))


def plan_kind(categories: Sequence[str]) -> str:
    """Which safety plan fits the most urgent category."""
    first = next((c for c in CATEGORIES if c in categories), "")
    return {"self_harm": "self_harm", "risk_to_others": "cooling_off"}.get(first, "partner")


@dataclass(frozen=True)
class SafetyButton:
    """A button to offer: ``id`` is one of "safety_plan", "walk_away", "menu"."""

    id: str
    label: str


@dataclass(frozen=True)
class SafetyReply:
    """Messages to send in order; the buttons go under the last one."""

    messages: tuple[str, ...]
    buttons: tuple[SafetyButton, ...]
    categories: tuple[str, ...]


def _partner_danger(categories: Sequence[str]) -> bool:
    return any(c in PARTNER_CATEGORIES for c in categories)


def format_resource(resource: Resource, texts: SafetyTexts) -> str:
    """One line: the name, then how to reach it (call, text, web, note)."""
    details = []
    if resource.phone:
        details.append(texts.resource_call.format(phone=resource.phone))
    if resource.sms:
        details.append(texts.resource_text.format(sms=resource.sms))
    if resource.url:
        details.append(resource.url.removeprefix("https://").removeprefix("http://"))
    if resource.note:
        details.append(resource.note)
    return texts.resource_line.format(name=resource.name, details=", ".join(details))


def safety_replies(result: SafetyResult, resources: Sequence[Resource], texts: SafetyTexts) -> SafetyReply:
    """What to say after a hit; an empty reply when there was none.

    ``resources`` are the user's country's (see ``resources_for``); those
    meant for other kinds of danger are left out.
    """
    if not result.hit:
        return SafetyReply((), (), ())
    ordered = [c for c in CATEGORIES if c in result.categories]
    opening = texts.openings[ordered[0]]

    shown = [r for r in resources if r.serves(ordered)]
    help_lines = [texts.not_care]
    if shown:
        help_lines.append(texts.resources_header + "\n" + "\n".join(format_resource(r, texts) for r in shown))
    plan = plan_kind(ordered)
    closing = texts.safety_plan_offer[plan] + "\n\n" + texts.privacy_note

    button_ids = ["safety_plan"]
    if _partner_danger(ordered):
        button_ids.append("walk_away")
    button_ids.append("menu")
    buttons = tuple(SafetyButton(b, texts.buttons[b]) for b in button_ids)
    return SafetyReply((opening, "\n\n".join(help_lines), closing), buttons, tuple(ordered))


def safety_plan_texts(categories: Sequence[str], texts: SafetyTexts) -> tuple[str, ...]:
    """The plan(s) for the "safety_plan" button: self-harm first, then partner danger.

    With no categories (an old button, say) the partner plan is shown: it is
    the one this bot's users most often need.
    """
    plans = []
    if "self_harm" in categories:
        plans.append(texts.safety_plan["self_harm"])
    if "risk_to_others" in categories:
        plans.append(texts.safety_plan["cooling_off"])
    if _partner_danger(categories) or not plans:
        plans.append(texts.safety_plan["partner"])
    return tuple(plans)
