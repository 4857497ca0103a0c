"""One router and one rendering: every event has a route, every reply is rendered alike."""

from __future__ import annotations

from typing import get_args

import pytest

from bot.adapters.commands import COMMANDS, HIDDEN_COMMANDS, command_event
from bot.core.dialog.engine import DialogState
from bot.core.identity import UserKey
from bot.core.messages import ConfirmDelete, Event, Outcome, Reply, SetDiscreet, Start
from bot.core.routing import ROUTES, Route, route
from bot.core.turn import Brain, respond
from bot.service.chat import ChatService
from bot.storage.database import Database

DISCREET = UserKey("test", "quiet")


def test_every_event_type_has_exactly_one_route() -> None:
    events = set(get_args(Event))
    assert events == set(ROUTES), f"missing: {events - set(ROUTES)}, extra: {set(ROUTES) - events}"


def test_privacy_events_are_answered_by_the_service_not_the_turn(brain: Brain) -> None:
    with pytest.raises(ValueError, match="service answers"):
        respond(brain, DialogState(), ConfirmDelete())
    assert route(ConfirmDelete()) is Route.PRIVACY


class Collect:
    def __init__(self) -> None:
        self.replies: list[Reply] = []

    async def __call__(self, outcome: Outcome) -> list[int]:
        self.replies.extend(outcome.replies)
        return []


async def _discreet_user(service: ChatService) -> None:
    await service.handle(DISCREET, Start(), Collect())
    await service.handle(DISCREET, SetDiscreet("on"), Collect())


def _covered(brain: Brain, replies: list[Reply]) -> bool:
    line = brain.graph.ui.discreet_line
    # One cover line per message, at its top, also where texts were joined into one.
    return all(r.discreet and r.text.startswith(line) and r.text.count(line) == 1 for r in replies)


@pytest.mark.parametrize("name", sorted([*COMMANDS, *HIDDEN_COMMANDS]))
async def test_every_command_is_covered_in_discreet_mode(name: str, db: Database, brain: Brain) -> None:
    service = ChatService(db, brain, admins=frozenset({DISCREET}))
    await _discreet_user(service)
    seen = Collect()
    event = command_event(f"/{name}")
    assert event is not None
    await service.handle(DISCREET, event, seen)
    if name == "exit":
        assert seen.replies == []  # a quick exit says nothing at all
        return
    assert seen.replies, f"/{name} answered nothing"
    assert _covered(brain, seen.replies), [r.text[:40] for r in seen.replies]


async def test_delete_and_export_replies_are_covered_in_discreet_mode(db: Database, brain: Brain) -> None:
    service = ChatService(db, brain)
    await _discreet_user(service)
    export, ask, done = Collect(), Collect(), Collect()
    await service.handle(DISCREET, command_event("/export") or Start(), export)
    await service.handle(DISCREET, command_event("/delete") or Start(), ask)
    await service.handle(DISCREET, ConfirmDelete(), done)
    assert export.replies[0].document is not None
    for replies in (export.replies, ask.replies, done.replies):
        assert replies and _covered(brain, replies)


async def test_short_notices_are_covered_in_discreet_mode_and_create_no_user(db: Database, brain: Brain) -> None:
    service = ChatService(db, brain)
    await _discreet_user(service)
    quiet, stranger = Collect(), Collect()
    await service.say(DISCREET, brain.graph.ui.not_text, quiet)
    await service.say(UserKey("test", "stranger"), brain.graph.ui.not_text, stranger)
    assert _covered(brain, quiet.replies)
    assert stranger.replies[0].text == brain.graph.ui.not_text and not stranger.replies[0].discreet
