"""One turn of conversation: safety first, then the dialog, then the FAQ.

This is the single place that decides what an incoming event means, so every
front end gets the same priorities: a message about danger is never taken as
an answer to a dialog step (nor stored as one), and typed text that no step
waits for is a question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from bot.core import heard
from bot.core.care import respond as care
from bot.core.care.events import CareView, OpenCare
from bot.core.checkin import settings as checkin_settings
from bot.core.dialog import engine
from bot.core.dialog.engine import DialogState, Step
from bot.core.dialog.graph import DialogGraph
from bot.core.faq.matcher import FaqMatcher
from bot.core.faq.model import FaqBook, FaqEntry
from bot.core.messages import (
    Button,
    Event,
    ListFaq,
    OpenFaq,
    OpenMenu,
    OpenSection,
    Outcome,
    QuickExit,
    Reply,
    SafetyFlag,
    SetDiscreet,
    ShowSafetyPlan,
    Text,
    UpdateProfile,
)
from bot.core.profile import NO_PROFILE, Profile
from bot.core.routing import Route, route
from bot.core.safety import check as safety_check
from bot.core.safety.model import SafetyContent
from bot.core.safety.resources import Catalogue, resources_for
from bot.core.safety.respond import plan_kind as safety_plan_kind
from bot.core.safety.respond import safety_replies
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
    #: Understanding of free text; None: the older rules-only path.
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
    """Safety first; then the answer a step waits for; then a question.

    With the understanding reader (rules and the model's neighbours) the
    graded answer of :mod:`bot.core.heard`; without it, the rules alone.
    """
    if brain.reader is not None:
        return heard.respond_text(brain, state, event, profile)
    danger = safety_check.check(event.text)
    if danger.hit:
        return _safety(brain, state, danger, profile)
    if engine.awaiting_text(brain.graph, state):
        return engine.step(brain.graph, state, event)
    state, notes = engine.repair(brain.graph, state)
    return Step(state, Outcome(replies=notes + _question(brain, state, event.text)))


def _faq(brain: Brain, state: DialogState, event: Event) -> Step:
    state, notes = engine.repair(brain.graph, state)
    entry = brain.faq.get(event.faq_id) if isinstance(event, OpenFaq) else None
    replies = _answer(brain, entry, state.role) if entry else _topics(brain, brain.faq.texts.topics_header)
    return Step(state, Outcome(replies=notes + replies))


def _safety_plan(brain: Brain, state: DialogState, event: ShowSafetyPlan) -> Step:
    if event.kind != "self_harm" and brain.graph.care is not None:
        # The partner plan is the user's own: one question at a time, saved.
        return care.open_view(brain, state, CareView.PLAN)
    state, notes = engine.repair(brain.graph, state)
    plan = brain.safety.texts.safety_plan.get(event.kind) or brain.safety.texts.safety_plan["partner"]
    return Step(state, Outcome(replies=notes + (Reply(plan, (_menu(brain),)),)))


def _menu(brain: Brain) -> Button:
    return Button(brain.graph.ui.menu_button, OpenMenu())


def _safety(brain: Brain, state: DialogState, danger: safety_check.SafetyResult, profile: Profile) -> Step:
    """Stop the current flow and answer with care and real resources.

    The user is put back on their menu, so a step that waited for typed text
    no longer does: nothing more they type is filed as a dialog answer.
    """
    country = brain.zone_countries.get(profile.timezone or "")
    resources = resources_for(country, brain.resource_overrides, catalogue=brain.safety.resources)
    reply = safety_replies(danger, resources, brain.safety.texts)
    plan_kind = safety_plan_kind(reply.categories)
    actions: dict[str, Event] = {
        "safety_plan": ShowSafetyPlan(plan_kind),
        # After a disclosure, "my options" are safety options, never the walk-away quiz.
        "walk_away": OpenCare(CareView.OPTIONS.value),
        "menu": OpenMenu(),
    }
    buttons = tuple(Button(b.label, actions[b.id]) for b in reply.buttons)
    buttons += (Button(brain.graph.ui.quick_exit_button, QuickExit()),)
    replies = tuple(Reply(m) for m in reply.messages[:-1]) + (Reply(reply.messages[-1], buttons),)
    state, _ = engine.repair(brain.graph, state)
    stopped = replace(state, node=brain.graph.menu_for(state.role) if state.role else None)
    return Step(stopped, Outcome(replies=replies, effects=(SafetyFlag(reply.categories),)))


def _set_discreet(brain: Brain, state: DialogState, event: SetDiscreet) -> Step:
    ui = brain.graph.ui
    choice = event.arg.strip().lower()
    if choice not in ("on", "off"):
        return Step(state, Outcome(replies=(Reply(ui.discreet_usage),)))
    on = choice == "on"
    text = ui.discreet_on if on else ui.discreet_off
    return Step(state, Outcome(replies=(Reply(text, (_menu(brain),)),), effects=(UpdateProfile.of(discreet=on),)))


def _answer(brain: Brain, entry: FaqEntry, role: str | None = None) -> tuple[Reply, ...]:
    buttons = []
    if entry.section:
        buttons.append(Button(brain.faq.texts.open_section_button, OpenSection(entry.section)))
    buttons += [Button(brain.faq.texts.all_topics_button, ListFaq()), _menu(brain)]
    return (Reply(entry.answer_for(role), tuple(buttons)),)


def _topics(brain: Brain, header: str) -> tuple[Reply, ...]:
    buttons = tuple(Button(e.title, OpenFaq(e.id)) for e in brain.faq) + (_menu(brain),)
    return (Reply(header, buttons),)


def _question(brain: Brain, state: DialogState, text: str) -> tuple[Reply, ...]:
    decision = brain.matcher.decide(text)
    if decision.kind == "answer" and decision.matches:
        entry = brain.faq.get(decision.matches[0].faq_id)
        if entry is not None:
            return _answer(brain, entry)
    if decision.kind == "clarify" and decision.matches:
        texts = brain.faq.texts
        buttons = [Button(e.title, OpenFaq(e.id)) for m in decision.matches if (e := brain.faq.get(m.faq_id))]
        buttons.append(Button(texts.none_of_these_button, ListFaq()))
        return (Reply(texts.did_you_mean, tuple(buttons)),)
    return _topics(brain, brain.faq.texts.unsure)
