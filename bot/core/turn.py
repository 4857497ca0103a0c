"""One turn of conversation: safety first, then the dialog, then the FAQ.

This is the single place that decides what an incoming event means, so every
front end gets the same priorities: a message about danger is never taken as
an answer to a dialog step (nor stored as one), and typed text that no step
waits for is a question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core import heard
from bot.core.care import respond as care
from bot.core.care.events import CareView
from bot.core.checkin import settings as checkin_settings
from bot.core.dialog import engine
from bot.core.dialog.engine import DialogState, Step
from bot.core.dialog.graph import DialogGraph
from bot.core.faq.matcher import FaqMatcher
from bot.core.faq.model import FaqBook
from bot.core.messages import (
    Button,
    Event,
    OpenFaq,
    Outcome,
    Reply,
    SetDiscreet,
    ShowSafetyPlan,
    Text,
    UpdateProfile,
)
from bot.core.profile import NO_PROFILE, Profile
from bot.core.routing import Route, route
from bot.core.safety.model import SafetyContent
from bot.core.safety.resources import Catalogue
from bot.core.understanding.reader import Reader


@dataclass(frozen=True)
class Brain:
    """Everything a turn needs to know, loaded once at start-up."""

    graph: DialogGraph
    faq: FaqBook
    matcher: FaqMatcher
    safety: SafetyContent
    #: Help lines from the config, per country code; they win over safety.yaml.
    resource_overrides: Catalogue = field(default_factory=dict)
    #: IANA zone -> ISO country code, to pick help lines for the user's country.
    zone_countries: Mapping[str, str] = field(default_factory=dict)
    #: Understanding of free text (the rules, and the model when loaded). Every
    #: brain the bot runs has one; None only while build_brain assembles it.
    reader: Reader | None = None


def respond(brain: Brain, state: DialogState, event: Event, profile: Profile = NO_PROFILE) -> Step:
    """One event of one user, routed by :func:`bot.core.routing.route`.

    Privacy events never reach here: they act on storage, so the service
    answers them. Rendering (discreet mode) happens after, in
    :func:`bot.core.render.render`, for every outcome alike.
    """
    step = _routed(brain, state, event, profile)
    return care.after(brain, event, step, profile)  # help lines, visited sections, guide map


def _routed(brain: Brain, state: DialogState, event: Event, profile: Profile) -> Step:
    match route(event):
        case Route.FREE_TEXT:
            assert isinstance(event, Text)
            return _free_text(brain, state, event, profile)
        case Route.DIALOG:
            return engine.step(brain.graph, state, event)
        case Route.CHECKIN_SETTINGS:
            return checkin_settings.respond(brain.graph, state, event, profile)
        case Route.SETTINGS:
            assert isinstance(event, SetDiscreet)
            return _set_discreet(brain, state, event)
        case Route.FAQ:
            return _faq(brain, state, event)
        case Route.SAFETY:
            assert isinstance(event, ShowSafetyPlan)
            return _safety_plan(brain, state, event)
        case Route.CARE:
            return care.respond(brain, state, event)
        case Route.HEARD:
            return heard.respond_event(brain, state, event, profile)
        case Route.PRIVACY | Route.PARTNER:
            raise ValueError(f"the service answers this event, not the turn: {type(event).__name__}")


def _free_text(brain: Brain, state: DialogState, event: Text, profile: Profile) -> Step:
    """Safety first; then the answer a step waits for; then a feeling, a
    question: the graded answer of :mod:`bot.core.heard`, read by the
    understanding reader (the rules, and the model's evidence when given).
    Every brain has one (``bootstrap.build_brain``)."""
    return heard.respond_text(brain, state, event, profile)


def _faq(brain: Brain, state: DialogState, event: Event) -> Step:
    state, notes = engine.repair(brain.graph, state)
    entry = brain.faq.get(event.faq_id) if isinstance(event, OpenFaq) else None
    replies = heard.faq_answer(brain, entry, state.role) if entry else _topics(brain, brain.faq.texts.topics_header)
    return Step(state, Outcome(replies=notes + replies))


def _safety_plan(brain: Brain, state: DialogState, event: ShowSafetyPlan) -> Step:
    if event.kind != "self_harm" and brain.graph.care is not None:
        # The partner plan is the user's own: one question at a time, saved.
        return care.open_view(brain, state, CareView.PLAN)
    state, notes = engine.repair(brain.graph, state)
    plan = brain.safety.texts.safety_plan.get(event.kind) or brain.safety.texts.safety_plan["partner"]
    return Step(state, Outcome(replies=notes + (Reply(plan, (heard.menu_button(brain),)),)))


def _set_discreet(brain: Brain, state: DialogState, event: SetDiscreet) -> Step:
    ui = brain.graph.ui
    choice = event.arg.strip().lower()
    if choice not in ("on", "off"):
        return Step(state, Outcome(replies=(Reply(ui.discreet_usage),)))
    on = choice == "on"
    text = ui.discreet_on if on else ui.discreet_off
    return Step(state, Outcome(replies=(Reply(text, (heard.menu_button(brain),)),),
                               effects=(UpdateProfile.of(discreet=on),)))


def _topics(brain: Brain, header: str) -> tuple[Reply, ...]:
    buttons = tuple(Button(e.title, OpenFaq(e.id)) for e in brain.faq) + (heard.menu_button(brain),)
    return (Reply(header, buttons),)
