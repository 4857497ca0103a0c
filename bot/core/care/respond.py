"""Where the user's own views meet a turn: the one entry point :mod:`bot.core.turn` calls."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.care import guide, journal
from bot.core.care.events import (
    CARE_EVENTS,
    JOURNAL_REQUESTS,
    CareView,
    OpenCare,
    WithEntries,
)
from bot.core.care.lines import with_help_lines
from bot.core.dialog import engine
from bot.core.dialog.engine import DialogState, Step
from bot.core.messages import Event, ShowProgress
from bot.core.profile import Profile

if TYPE_CHECKING:
    from bot.core.turn import Brain

__all__ = ["CARE_EVENTS", "after", "respond"]


def _node_for(brain: Brain, view: str) -> str | None:
    care = brain.graph.care
    if care is None:
        return None
    nodes = {
        CareView.SAFETY.value: care.safety_node,
        CareView.OPTIONS.value: care.options_node,
        CareView.COUNTRY.value: care.country_node,
        CareView.PLAN.value: care.plan_node,
    }
    node = nodes.get(view)
    return node if node in brain.graph.nodes else None


def open_view(brain: Brain, state: DialogState, view: CareView) -> Step:
    """Enter a shared care step (the safety step, the plan...), or stay put if the content has none."""
    node = _node_for(brain, view.value)
    return engine.enter(brain.graph, state, node) if node else engine.current(brain.graph, state)


def respond(brain: Brain, state: DialogState, event: Event) -> Step:
    """A care event: a shared step, or a view of the user's entries."""
    if isinstance(event, OpenCare):
        # An unknown view (forged data) shows the user their own current step.
        node = _node_for(brain, event.view)
        return engine.enter(brain.graph, state, node) if node else engine.current(brain.graph, state)
    if isinstance(event, JOURNAL_REQUESTS):
        event = WithEntries(event)  # nobody filled in entries (no storage): an empty journal
    assert isinstance(event, WithEntries)
    return journal.respond(brain, state, event)


def after(brain: Brain, event: Event, step: Step, profile: Profile) -> Step:
    """What every turn gets: help lines on safety steps, the visited section
    marked, and the guide map under /progress."""
    step = with_help_lines(brain, step, profile)
    state = guide.mark_visited(brain.graph, step.state)
    outcome = step.outcome
    care = brain.graph.care
    if isinstance(event, ShowProgress) and care is not None:
        found = guide.guide_map(brain.graph, care, state)
        if found is not None:
            outcome = replace(outcome, replies=(*outcome.replies, found))
    return Step(state, outcome)
