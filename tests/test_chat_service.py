"""The chat service over real databases: durable turns, per-user order, isolation."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.messages import Outcome, Press, QuickExit, SafetyFlag, Start, Text
from bot.service.chat import ChatService
from bot.storage import users
from bot.storage.database import Database
from bot.storage.users import UserKey
from tests.conftest import make_brain

ANA = UserKey("test", "ana")
BEN = UserKey("test", "ben")


async def _ignore(outcome: Outcome) -> None:
    return None


async def test_state_is_committed_and_a_new_service_continues_at_the_same_step(db: Database, min_graph) -> None:
    first = ChatService(db, make_brain(min_graph))
    await first.handle(ANA, Start(), _ignore)
    await first.handle(ANA, Press("choose_role", "role_broke_trust"), _ignore)
    await first.handle(ANA, Press("b_menu", "b_walk_away"), _ignore)
    restarted = ChatService(db, make_brain(min_graph))  # as after a restart: nothing in memory
    outcome = await restarted.handle(ANA, Press("b_walk_away", "yes"), _ignore)
    assert not outcome.stale
    assert outcome.replies[-1].text == "Second question?"


async def test_typed_answers_are_kept_in_the_users_journal(db: Database, min_graph) -> None:
    service = ChatService(db, make_brain(min_graph))
    for event in (Start(), Press("choose_role", "role_hurt_partner"), Press("h_menu", "h_take_responsibility"),
                  Text("You made me feel small")):
        await service.handle(ANA, event, _ignore)
    entries = await db.run(lambda c: users.journal_entries(c, users.find(c, ANA).id))
    assert [(e["name"], e["text"]) for e in entries] == [("note_h", "You made me feel small")]


async def test_two_quick_taps_by_one_user_are_handled_in_order(db: Database, min_graph) -> None:
    service = ChatService(db, make_brain(min_graph))
    await service.handle(ANA, Start(), _ignore)
    await service.handle(ANA, Press("choose_role", "role_broke_trust"), _ignore)
    delivered: list[str] = []

    async def slow(outcome: Outcome) -> None:
        await asyncio.sleep(0.01)
        # The last part of the last message: the step (a stale tap's notice is joined before it).
        delivered.append(outcome.replies[-1].text.split("\n\n")[-1])

    # The same button twice at once: the first moves on, the second is stale.
    results = await asyncio.gather(
        service.handle(ANA, Press("b_menu", "b_walk_away"), slow),
        service.handle(ANA, Press("b_menu", "b_walk_away"), slow),
    )
    assert [r.stale for r in results] == [False, True]
    assert delivered == ["broke_trust about walk_away.", "broke_trust about walk_away."]
    assert len(service.locks) == 0


async def test_users_never_see_each_others_state(db: Database, min_graph) -> None:
    service = ChatService(db, make_brain(min_graph))
    await service.handle(ANA, Start(), _ignore)
    await service.handle(ANA, Press("choose_role", "role_hurt_partner"), _ignore)
    outcome = await service.handle(BEN, Press("h_menu", "h_forgiveness"), _ignore)
    assert outcome.stale  # Ben is not on Ana's menu
    assert "hurt_partner" not in outcome.replies[-1].text


async def test_a_blocked_user_is_inactive_until_start(db: Database, min_graph) -> None:
    service = ChatService(db, make_brain(min_graph))
    await service.handle(ANA, Start(), _ignore)
    await service.mark_blocked(ANA)
    assert (await db.run(lambda c: users.find(c, ANA))).active is False
    await service.handle(ANA, Start(), _ignore)
    assert (await db.run(lambda c: users.find(c, ANA))).active is True


async def test_a_turn_returns_once_its_reply_is_out_and_the_users_next_turn_waits_for_its_ids(
        db: Database, min_graph) -> None:
    """The sent ids are committed after the turn returns, but still under the
    user's lock: the next turn of that user (a quick exit maybe) starts only
    once they are stored, while other users are not held up."""
    from bot.storage import privacy

    service = ChatService(db, make_brain(min_graph))
    await service.handle(ANA, Start(), _ignore)
    await service.handle(BEN, Start(), _ignore)
    gate = asyncio.Event()

    class SlowDb:
        """The sent ids' commit waits for the gate (the turns' own transactions do not)."""

        async def run(self, work):  # type: ignore[no-untyped-def]
            await gate.wait()
            return await db.run(work)

    service.sent_log.db = SlowDb()  # type: ignore[assignment]

    async def sends_two(outcome: Outcome) -> list[int]:
        return [501, 502]

    await service.handle(ANA, Press("choose_role", "role_broke_trust"), sends_two, chat_id=7)
    user_id = (await db.run(lambda c: users.find(c, ANA))).id
    assert await db.run(lambda c: privacy.message_ids(c, user_id)) == []  # not yet committed

    seen: list[list[int]] = []

    async def records_what_is_stored(outcome: Outcome) -> None:
        seen.append(await db.run(lambda c: privacy.message_ids(c, user_id)))

    next_turn = asyncio.create_task(service.handle(ANA, Press("b_menu", "b_walk_away"), records_what_is_stored))
    await service.handle(BEN, Press("choose_role", "role_hurt_partner"), _ignore)  # another user goes on
    await asyncio.sleep(0.02)
    assert not next_turn.done() and seen == []  # Ana's next turn waits for her ids
    gate.set()
    await next_turn
    assert seen == [[501, 502]]
    assert len(service.locks) == 0


async def test_settled_returns_once_every_pending_id_is_committed(db: Database, min_graph) -> None:
    from bot.storage import privacy

    service = ChatService(db, make_brain(min_graph))
    await service.handle(ANA, Start(), _ignore)

    async def sends_one(outcome: Outcome) -> list[int]:
        return [777]

    await service.handle(ANA, Press("choose_role", "role_broke_trust"), sends_one, chat_id=7)
    await service.settled()
    user_id = (await db.run(lambda c: users.find(c, ANA))).id
    assert await db.run(lambda c: privacy.message_ids(c, user_id)) == [777]


async def test_a_failed_commit_of_sent_ids_is_logged_and_still_releases_the_user(
        db: Database, min_graph, caplog: pytest.LogCaptureFixture) -> None:
    service = ChatService(db, make_brain(min_graph))
    await service.handle(ANA, Start(), _ignore)

    class BrokenDb:
        async def run(self, work):  # type: ignore[no-untyped-def]
            raise OSError("disk full")

    service.sent_log.db = BrokenDb()  # type: ignore[assignment]

    async def sends_one(outcome: Outcome) -> list[int]:
        return [901]

    with caplog.at_level("WARNING"):
        await service.handle(ANA, Press("choose_role", "role_broke_trust"), sends_one, chat_id=7)
        await service.settled()
    assert len(service.locks) == 0
    assert any("could not store sent message ids" in r.getMessage() and "OSError" in r.getMessage()
               for r in caplog.records)
    outcome = await asyncio.wait_for(service.handle(ANA, Press("b_menu", "b_walk_away"), _ignore), 5)
    assert outcome.replies


async def test_plain_danger_is_answered_without_waiting_for_the_model(db: Database, real_graph) -> None:
    """A busy or restarting model must not hold back the answer to danger
    the rules are sure of; other typed text still goes through it."""
    asked: list[str] = []
    never = asyncio.Event()

    async def stalled_model(text: str) -> object:
        asked.append(text)
        await never.wait()
        raise AssertionError("unreachable")

    service = ChatService(db, make_brain(real_graph), embed=stalled_model)
    await service.handle(ANA, Start(), _ignore)
    outcome = await asyncio.wait_for(service.handle(ANA, Text("he hit me and said he would kill me"), _ignore), 5)
    assert any(isinstance(effect, SafetyFlag) for effect in outcome.effects), outcome
    assert asked == []
    pending = asyncio.ensure_future(service.handle(ANA, Text("how do we talk about it without fighting"), _ignore))
    await asyncio.sleep(0.05)
    assert asked == ["how do we talk about it without fighting"] and not pending.done()
    pending.cancel()


async def test_a_quick_exit_tapped_while_the_model_reads_a_text_comes_after_that_texts_reply(
        db: Database, real_graph) -> None:
    """One user's events keep their order through the model's reading: the
    exit must not run first and leave the text's reply (and a new row) behind."""
    model = asyncio.Event()

    async def slow_model(text: str) -> object:
        await model.wait()
        return None  # no vector: the rules read it

    service = ChatService(db, make_brain(real_graph), embed=slow_model)
    await service.handle(ANA, Start(), _ignore, chat_id=1, message_id=1)
    replied: list[str] = []

    async def seen(outcome: Outcome) -> list[int]:
        replied.append("erase" if outcome.erase else "reply")
        return [] if outcome.erase else [100 + len(replied)]

    typed = asyncio.ensure_future(service.handle(ANA, Text("how do we talk about it"), seen, chat_id=1, message_id=2))
    await asyncio.sleep(0.05)
    leaving = asyncio.ensure_future(service.handle(ANA, QuickExit(), seen, chat_id=1, message_id=3))
    other = await asyncio.wait_for(service.handle(BEN, Start(), _ignore), 5)  # other users never wait
    assert other.replies and not typed.done() and not leaving.done()
    model.set()
    await asyncio.wait_for(asyncio.gather(typed, leaving), 5)
    await service.settled()
    assert replied == ["reply", "erase"]
    assert await db.run(lambda c: users.find(c, ANA)) is None

