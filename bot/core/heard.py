"""Answer what the reader understood from typed text.

Safety first at every step: clear danger gets the full safety reply (crisis
lines for self-harm, a calm cooling-off answer for risk to others, device
safety for control); possible danger gets one gentle question, and what was
typed waits unsaved until the user answers it. Then ask steps (a nudge for
"ok" or an emoji, questions answered while the step keeps waiting), feelings
(a reflection and 1-3 next steps), small talk, and the role-aware FAQ.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.care.events import CareView, OpenCare
from bot.core.dialog import engine
from bot.core.dialog.engine import DialogState, Step
from bot.core.faq.model import FaqEntry
from bot.core.messages import (
    Button,
    Event,
    ListFaq,
    OpenFaq,
    OpenMenu,
    OpenSection,
    OpenTool,
    Outcome,
    QuickExit,
    Reply,
    SafetyAnswer,
    SafetyFlag,
    ShowSafetyPlan,
    ShowSupport,
    SkipStep,
    Text,
)
from bot.core.profile import Profile
from bot.core.roles import Role
from bot.core.safety.check import SafetyResult
from bot.core.safety.resources import DEFAULT, Resource, resources_for
from bot.core.safety.respond import format_resource, plan_kind, safety_replies
from bot.core.understanding.content import NextStep
from bot.core.understanding.reading import (
    Context,
    Feeling,
    Reading,
    SafetyCategory,
    SafetyLevel,
)

if TYPE_CHECKING:
    from bot.core.turn import Brain

#: The "not sure" topic list shows at most this many entries.
MAX_TOPICS = 6
GROUNDING_NODE = "tool_grounding"
HEARD_EVENTS = (SafetyAnswer, OpenTool, ShowSupport, SkipStep)


def context_of(brain: Brain, state: DialogState) -> Context:
    node = brain.graph.nodes.get(state.node) if state.node else None
    role = Role(state.role) if state.role in {r.value for r in Role} else None
    return Context(role=role, node=state.node, section=getattr(node, "section", None),
                   writing=engine.awaiting_text(brain.graph, state))


def respond_text(brain: Brain, state: DialogState, event: Text, profile: Profile) -> Step:
    assert brain.reader is not None
    state, notes = engine.repair(brain.graph, state)
    reading = brain.reader.read(event.text, event.vector, context_of(brain, state), event.found)
    if reading.level is SafetyLevel.CLEAR:
        return safety_step(brain, state, reading.categories, profile, reading.language)
    if reading.level is SafetyLevel.POSSIBLE:
        return _ask_if_safe(brain, state, event.text, reading)
    waiting = engine.awaiting_text(brain.graph, state)
    if waiting:
        return _at_ask_step(brain, state, event, reading, notes)
    return Step(state, Outcome(replies=notes + _free_text(brain, state, reading)))


def _free_text(brain: Brain, state: DialogState, reading: Reading) -> tuple[Reply, ...]:
    if reading.feeling is not None and not (reading.question and reading.faq_id):
        return _reflect(brain, state, reading)
    if reading.small_talk is not None:
        return (_small_talk(brain, state, reading),)
    if reading.faq_id is not None and (entry := brain.faq.get(reading.faq_id)):
        return faq_answer(brain, entry, state.role)
    if reading.faq_candidates:
        texts = brain.faq.texts
        buttons = [Button(e.title, OpenFaq(e.id)) for i in reading.faq_candidates if (e := brain.faq.get(i))]
        buttons.append(Button(texts.none_of_these_button, ListFaq()))
        return (Reply(texts.did_you_mean, tuple(buttons)),)
    return topics(brain, state.role, brain.faq.texts.unsure)


def _at_ask_step(brain: Brain, state: DialogState, event: Text, reading: Reading,
                 notes: tuple[Reply, ...]) -> Step:
    """A step waits for the user's own words: "ok" or an emoji is not an
    answer, and a question is answered while the step keeps waiting."""
    assert brain.reader is not None
    texts = brain.reader.index.content.texts
    if reading.small_talk is not None or (reading.feeling is not None and not event.text.strip().isalpha()
                                          and len(event.text.split()) <= 1):
        buttons = (Button(texts.skip_button, SkipStep()), menu_button(brain))
        return Step(state, Outcome(replies=notes + (Reply(texts.nudge, buttons),)))
    if reading.question and reading.faq_id and (entry := brain.faq.get(reading.faq_id)):
        answer = faq_answer(brain, entry, state.role)
        return Step(state, Outcome(replies=notes + answer + (Reply(texts.still_waiting),)))
    return engine.step(brain.graph, state, Text(event.text))


def _ask_if_safe(brain: Brain, state: DialogState, text: str, reading: Reading) -> Step:
    graded = brain.safety.graded
    assert graded is not None
    check = graded.check
    buttons = (Button(check.not_safe, SafetyAnswer("not_safe")), Button(check.okay, SafetyAnswer("okay")),
               Button(check.not_sure, SafetyAnswer("not_sure")), Button(brain.graph.ui.quick_exit_button, QuickExit()))
    waiting = engine.awaiting_text(brain.graph, state)
    category = reading.category.value if reading.category else None
    feeling = reading.feeling.value if reading.feeling else None
    held = replace(state, pending=text if waiting else None, pending_category=category, pending_feeling=feeling)
    return Step(held, Outcome(replies=(Reply(check.question, buttons),)))


def respond_event(brain: Brain, state: DialogState, event: Event, profile: Profile) -> Step:
    """Buttons of the graded answer, feelings and ask steps."""
    graded = brain.safety.graded
    pending, category, feeling = state.pending, state.pending_category, state.pending_feeling
    state = state.released()
    if isinstance(event, SafetyAnswer) and graded is not None:
        if event.choice == "not_safe":
            categories = (SafetyCategory(category),) if category in {c.value for c in SafetyCategory} else (
                SafetyCategory.FEAR,)
            return safety_step(brain, state, categories, profile, "en")
        if event.choice == "okay":
            if pending is not None and engine.awaiting_text(brain.graph, state):
                return engine.step(brain.graph, state, Text(pending))
            if brain.reader is not None and feeling in {f.value for f in Feeling}:
                # What they wrote was a feeling: it still deserves an answer.
                reflected = _reflect(brain, state, Reading(feeling=Feeling(feeling)))
                return Step(state, Outcome(replies=(Reply(graded.check.okay_feeling),) + reflected))
            return engine.current(brain.graph, state, (Reply(graded.check.okay_reply),))
        return _support(brain, state, profile, category)
    if isinstance(event, ShowSupport):
        return _support(brain, state, profile, None)
    if isinstance(event, OpenTool):
        node = f"tool_{event.name}"
        if node in brain.graph.nodes:
            return engine.enter(brain.graph, state, node)
        return engine.current(brain.graph, state)
    if isinstance(event, SkipStep):
        return engine.step(brain.graph, state, OpenMenu())
    return engine.current(brain.graph, state)


def _support(brain: Brain, state: DialogState, profile: Profile, category: str | None) -> Step:
    graded = brain.safety.graded
    assert graded is not None
    cats = (category,) if category else ("self_harm", "fear")
    lines = [format_resource(r, brain.safety.texts) for r in _resources(brain, profile, cats)]
    text = graded.support + "\n\n" + brain.safety.texts.resources_header + "\n" + "\n".join(lines)
    buttons = (Button(brain.safety.texts.buttons["menu"], OpenMenu()),
               Button(brain.graph.ui.quick_exit_button, QuickExit()))
    return Step(state, Outcome(replies=(Reply(text, buttons),)))


def _resources(brain: Brain, profile: Profile, categories: tuple[str, ...]) -> list[Resource]:
    """The country's lines that fit; where none is meant for the most urgent
    category, the fallback ones that are (e.g. Find A Helpline)."""
    country = brain.zone_countries.get(profile.timezone or "")
    found = [r for r in resources_for(country, brain.resource_overrides, catalogue=brain.safety.resources)
             if r.serves(categories)]
    if not any(categories[0] in r.topics for r in found):
        known = {r.name for r in found}
        found += [r for r in brain.safety.resources.get(DEFAULT, ())
                  if categories[0] in r.topics and r.name not in known]
    return found


def safety_step(brain: Brain, state: DialogState, categories: tuple[SafetyCategory, ...], profile: Profile,
                language: str) -> Step:
    """The full safety reply; the user is put back on their menu so nothing
    more they type is filed as an answer, and nothing typed is saved."""
    names = tuple(c.value for c in categories)
    resources = _resources(brain, profile, names)
    reply = safety_replies(SafetyResult(True, names), resources, brain.safety.texts)
    actions: dict[str, Event] = {"safety_plan": ShowSafetyPlan(plan_kind(reply.categories)),
                                 "walk_away": OpenCare(CareView.OPTIONS.value), "menu": OpenMenu()}
    buttons = tuple(Button(b.label, actions[b.id]) for b in reply.buttons)
    buttons += (Button(brain.graph.ui.quick_exit_button, QuickExit()),)
    messages = list(reply.messages)
    graded = brain.safety.graded
    if graded is not None and SafetyCategory.CONTROL in categories:
        messages.insert(-1, graded.device_safety)
    if graded is not None and language != "en":
        messages[1] += "\n\n" + graded.other_language
    replies = tuple(Reply(m) for m in messages[:-1]) + (Reply(messages[-1], buttons),)
    stopped = replace(state.released(), node=brain.graph.menu_for(state.role) if state.role else None)
    return Step(stopped, Outcome(replies=replies, effects=(SafetyFlag(reply.categories),)))


def _reflect(brain: Brain, state: DialogState, reading: Reading) -> tuple[Reply, ...]:
    assert brain.reader is not None and reading.feeling is not None
    content = brain.reader.index.content
    feeling = content.feelings[reading.feeling]
    options = feeling.reflections(state.role)
    counter = f"feeling.{reading.feeling.value}"
    text = options[state.variants.get(counter, 0) % len(options)]
    texts = content.texts
    buttons: list[Button] = []
    for step in feeling.next:
        if step is NextStep.GROUNDING and GROUNDING_NODE in brain.graph.nodes:
            buttons.append(Button(texts.grounding_button, OpenTool("grounding")))
        elif step is NextStep.GUIDE and state.role and (section := feeling.guide.get(state.role)):
            buttons.append(Button(texts.guide_button, OpenSection(section)))
        elif step is NextStep.SUPPORT:
            buttons.append(Button(texts.support_button, ShowSupport()))
        elif step is NextStep.FAQ and feeling.faq and brain.faq.get(feeling.faq):
            buttons.append(Button(texts.faq_button, OpenFaq(feeling.faq)))
    return (Reply(text, tuple(buttons[:3]) + (menu_button(brain),)),)


def _small_talk(brain: Brain, state: DialogState, reading: Reading) -> Reply:
    assert brain.reader is not None and reading.small_talk is not None
    talk = brain.reader.index.content.small_talk.get(reading.small_talk)
    replies = talk[1] if talk else ("🙂",)
    return Reply(replies[0], (menu_button(brain),))


def menu_button(brain: Brain) -> Button:
    """The button back to the user's menu, under most replies."""
    return Button(brain.graph.ui.menu_button, OpenMenu())


def faq_answer(brain: Brain, entry: FaqEntry, role: str | None) -> tuple[Reply, ...]:
    """An FAQ entry's answer in the role's own words, with its section, all topics and the menu."""
    buttons = []
    if entry.section:
        buttons.append(Button(brain.faq.texts.open_section_button, OpenSection(entry.section)))
    buttons += [Button(brain.faq.texts.all_topics_button, ListFaq()), menu_button(brain)]
    return (Reply(entry.answer_for(role), tuple(buttons)),)


def topics(brain: Brain, role: str | None, header: str, limit: int | None = MAX_TOPICS) -> tuple[Reply, ...]:
    """Topic buttons that fit the role (at most ``limit``; None: all)."""
    fitting = [e for e in brain.faq if e.fits(role) and (role is None or e.roles)] + \
        [e for e in brain.faq if e.fits(role) and not (role is None or e.roles)]
    if role is None:
        fitting = list(brain.faq)
    chosen = fitting if limit is None else fitting[:limit]
    buttons = tuple(Button(e.title, OpenFaq(e.id)) for e in chosen) + (Button(brain.faq.texts.all_topics_button,
                                                                             ListFaq()), menu_button(brain))
    return (Reply(header, buttons),)
