"""The safety content as plain, frozen data (what ``safety.yaml`` becomes)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.safety.resources import Catalogue

#: Button ids a safety reply may offer; the turn layer maps them to events.
BUTTON_IDS: tuple[str, ...] = ("safety_plan", "walk_away", "menu")
#: The two safety plans: one for danger from a partner, one for self-harm.
PLAN_KINDS: tuple[str, ...] = ("partner", "self_harm", "cooling_off")


@dataclass(frozen=True)
class SafetyTexts:
    """The words of a safety reply, owned by the writers."""

    #: First words of the reply, per danger category.
    openings: Mapping[str, str]
    not_care: str
    resources_header: str
    #: "{name}" and "{details}"; details are the call/text/url/note parts joined.
    resource_line: str
    resource_call: str
    resource_text: str
    #: Plan kind -> the words offering that plan.
    safety_plan_offer: Mapping[str, str]
    privacy_note: str
    #: Button id -> label.
    buttons: Mapping[str, str]
    #: Plan kind ("partner", "self_harm") -> the plan's text.
    safety_plan: Mapping[str, str]


@dataclass(frozen=True)
class CheckTexts:
    """The gentle "are you safe right now?" question and its three buttons."""

    question: str
    not_safe: str
    okay: str
    not_sure: str
    okay_reply: str
    #: Said instead of ``okay_reply`` when what they wrote was a feeling,
    #: which is then met as any feeling is.
    okay_feeling: str


@dataclass(frozen=True)
class GradedTexts:
    """Words for the graded answer, beside the full safety reply."""

    check: CheckTexts
    #: Support without alarm: "Not sure" and "talk to someone".
    support: str
    #: Discreet mode, quick exit and /delete, for control and monitoring.
    device_safety: str
    #: Said when the message was in a language the bot does not speak yet.
    other_language: str


@dataclass(frozen=True)
class SafetyContent:
    texts: SafetyTexts
    #: Country code (or "default") -> resources, in the order to show them.
    resources: Catalogue
    graded: GradedTexts | None = None
