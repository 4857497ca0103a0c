"""Linking partners (issue #13), as two people live it: conversations over the chat service.

Each test runs on SQLite and on PostgreSQL. The clock is fake and check-ins
come from the real dispatcher, so "at the hurt partner's next check-in"
means exactly that.
"""

from __future__ import annotations

import pytest

from bot.core import callbacks
from bot.core.dialog.graph import DialogGraph
from bot.core.messages import QuickExit, SetDiscreet
from bot.core.partner.events import (
    AcceptInvite,
    AnswerQuestion,
    FeltKept,
    Invite,
    OpenInvite,
    SendSummary,
    SharePromise,
    Unlink,
)
from bot.core.partner.rules import token_hash
from bot.service.partner import purge_expired_invites
from bot.storage import privacy
from bot.storage.database import Database
from tests.conftest import make_brain
from tests.support.checkin import Clock, Rig, at
from tests.support.couple import Couple

ZONE = "Europe/London"
PROMISE = "home by six and phone face down at dinner"
DANGER = "he said he would kill me if i ever leave"


@pytest.fixture
def couple(db: Database, real_graph: DialogGraph) -> Couple:
    # 05:00 UTC on a June Monday: 06:00 in London, check-ins come at 08:00 local (07:00 UTC).
    return Couple(Rig(db, make_brain(real_graph), Clock(at(2025, 6, 2, 5))))


async def _linked(c: Couple) -> None:
    await c.rig.user("ana", ZONE, role="broke_trust")
    await c.rig.user("ben", ZONE, role="hurt_partner")
    await c.link("ana", "ben")


async def _first_checkins(c: Couple) -> None:
    await c.checkins_at(at(2025, 6, 2, 7, 1))


async def _promise(c: Couple) -> str:
    """Ana's check-in: a mood, then today's promise; returns what she saw."""
    await c.press("ana", "4 · okay")
    return await c.say("ana", PROMISE)


async def test_invite_accept_share_a_promise_and_the_other_confirms_it_at_their_check_in(couple: Couple) -> None:
    c = couple
    await c.rig.user("ana", ZONE, role="broke_trust")
    await c.rig.user("ben", ZONE, role="hurt_partner")
    token = await c.invite("ana", "Ana")
    assert len(token) >= 22 and len(token) <= 64
    assert not await c.items("promise")
    opened = await c.do("ben", OpenInvite(token))
    assert "Ana invited you" in opened and "Never shared" in opened
    assert c.buttons("ben") == ["Accept", "Decline"]
    assert "linked" in await c.press("ben", "Accept")
    assert c.inbox["ana"] == ["Your invite was accepted: you're linked now. /partner shows what can be shared."]
    assert "linked with your partner" in await c.partner("ana")

    await _first_checkins(c)
    after = await _promise(c)
    assert "share this promise" in after and "Share with my partner" in c.buttons("ana")
    assert "Shared" in await c.press("ana", "Share with my partner")
    assert [i["text"] for i in await c.items("promise")] == [PROMISE]
    assert "ben" not in c.inbox  # nothing is pushed: it waits for Ben's own check-in

    await c.checkins_at(at(2025, 6, 3, 7, 1))
    checkin = c.rig.received["ben"][-1]
    assert any(f"They promised: “{PROMISE}”. Did it feel kept?" in t for t in checkin.texts)
    assert {"It felt kept", "Partly", "It didn't", "Skip"} <= set(checkin.buttons)
    assert "own record only" in await c.press("ben", "Partly")
    felt = await c.items("felt")
    assert [(f["user_id"], f["value"]) for f in felt] == [(await c.user_id("ben"), "partly")]
    # The answer is only in Ben's record: Ana's export does not have it, Ben's does.
    ana, ben = await c.user_id("ana"), await c.user_id("ben")
    ana_export = await c.rig.db.run(lambda conn: privacy.export_user(conn, ana))
    ben_export = await c.rig.db.run(lambda conn: privacy.export_user(conn, ben))
    assert [i["kind"] for i in ana_export["partner_items"]] == ["promise"]
    assert [(row["status"], row["paused"]) for row in ana_export["partner_links"]] == [("active", False)]
    assert "token_hash" in ana_export["partner_links"][0] and ana_export["partner_links"][0]["token_hash"] is None
    assert [(i["kind"], i["value"]) for i in ben_export["partner_items"]] == [("felt", "partly")]
    assert len(c.inbox["ana"]) == 1  # the acceptance only: nothing of Ben's verdict reaches Ana
    # Asked once: the next check-in does not ask again.
    await c.checkins_at(at(2025, 6, 4, 7, 1))
    assert not any("They promised" in t for t in c.received("ben"))
    # Ana sees a summary of the week only if Ben chooses to send it: counts, nothing else.
    await c.partner("ben")
    assert "1 partly" in await c.press("ben", "Send them this week's summary")
    assert c.inbox["ana"][-1] == "This week, about the promises you shared: 0 felt kept, 1 partly, 0 not."
    assert "nothing from this week" in await c.do("ana", SendSummary())


async def test_a_shared_question_is_revealed_only_after_both_answered_and_only_once(couple: Couple) -> None:
    c = couple
    await _linked(c)
    await _first_checkins(c)
    for name in ("ana", "ben"):
        assert any("A question for you both" in t for t in c.received(name))
    assert len(await c.items("question")) == 1
    assert "Type your answer" in await c.press("ana", "Answer privately")
    saved = await c.say("ana", "the walk on Sunday")
    assert "once they've answered too" in saved and "the walk on Sunday" not in saved
    assert "ben" not in c.inbox  # Ben sees nothing of Ana's answer yet
    assert "Answer privately" in c.buttons("ben")
    await c.press("ben", "Answer privately")
    revealed = await c.say("ben", "when you listened last night")
    assert "You: when you listened last night" in revealed and "Your partner: the walk on Sunday" in revealed
    assert [t for t in c.inbox["ana"] if "You both answered" in t] == [
        next(t for t in c.inbox["ana"] if "You both answered" in t)]
    assert "You: the walk on Sunday" in c.inbox["ana"][-1]
    assert [q["value"] for q in await c.items("question")] == ["revealed"]
    # Tapping again cannot reveal it a second time.
    question_id = (await c.items("question"))[0]["id"]
    assert "closed" in await c.do("ana", AnswerQuestion(question_id))
    assert sum("You both answered" in t for t in c.inbox["ana"]) == 1


async def test_either_may_skip_and_then_nothing_is_revealed(couple: Couple) -> None:
    c = couple
    await _linked(c)
    await _first_checkins(c)
    await c.press("ana", "Answer privately")
    await c.say("ana", "something private")
    assert "Nothing is shared" in await c.press("ben", "Skip this one")
    assert [q["value"] for q in await c.items("question")] == ["skipped"]
    assert not any("something private" in t for t in c.inbox.get("ben", []))


async def test_unlink_is_instant_and_the_other_is_not_told(couple: Couple) -> None:
    c = couple
    await _linked(c)
    inbox_before = list(c.inbox.get("ben", []))
    assert "not linked anymore" in await c.do("ana", Unlink())
    assert c.inbox.get("ben", []) == inbox_before
    assert "not linked with a partner" in await c.partner("ben")
    assert (await c.link_rows(await c.user_id("ben")))[0] == 0
    # Nothing shared reaches either side any more.
    await _first_checkins(c)
    assert not any("question for you both" in t for t in c.received("ben"))


async def test_a_safety_hit_pauses_sharing_silently_until_the_user_resumes(couple: Couple) -> None:
    c = couple
    await _linked(c)
    await _first_checkins(c)
    await c.press("ben", "Answer privately")
    await c.say("ben", DANGER)  # typed as the answer to the shared question: safety comes first
    assert "🚪 Quick exit" in c.buttons("ben")  # the safety answer, as always
    assert await c.items("answer") == []  # and it was not filed as an answer, nor shown to Ana
    assert not any(DANGER in t for t in c.inbox.get("ana", []))
    ana_view = await c.partner("ana")
    assert "paused" not in ana_view and "linked with your partner" in ana_view
    assert "paused" in await c.partner("ben") and "Resume sharing" in c.buttons("ben")
    # Ana's space does not reach Ben while he is paused, and she is not told why.
    await c.partner("ana")
    assert "Take the space" in await c.press("ana", "I need some space today")
    assert "ben" not in c.inbox
    # Nothing shared at check-ins, to or from Ben: no new question, no promise.
    await c.checkins_at(at(2025, 6, 3, 7, 1))
    assert not any("question for you both" in t for t in c.received("ben"))
    await _promise(c)
    assert "Shared" in await c.press("ana", "Share with my partner")  # as always: Ana learns nothing
    await c.checkins_at(at(2025, 6, 4, 7, 1))
    assert not any("They promised" in t for t in c.received("ben"))
    assert "They promised" not in await c.partner("ben")
    # Ben resumes when he chooses; then what Ana shared reaches him.
    assert "back on" in await c.press("ben", "Resume sharing")
    assert "paused" not in await c.partner("ben")
    await c.checkins_at(at(2025, 6, 5, 7, 1))
    assert any("They promised" in t for t in c.received("ben"))
    assert any("question for you both" in t for t in c.received("ben"))


async def test_space_today_sends_a_gentle_message_and_no_check_in_that_day(couple: Couple) -> None:
    c = couple
    await _linked(c)
    await c.partner("ben")
    await c.do("ana", SetDiscreet("on"))
    assert "Take the space" in await c.press("ben", "I need some space today")
    # Ana is in discreet mode: the message opens with her neutral line, like every other.
    discreet_line = c.rig.brain.graph.ui.discreet_line
    assert c.inbox["ana"][-1].startswith(f"{discreet_line}\n\nYour partner needs some space today")
    await _first_checkins(c)
    assert "ana" not in c.rig.received  # no nudges that day
    assert "ben" in c.rig.received
    await c.checkins_at(at(2025, 6, 3, 7, 1))
    assert "ana" in c.rig.received  # the next day, as usual


async def test_expired_reused_and_unknown_tokens_link_nobody(couple: Couple) -> None:
    c = couple
    for name in ("ana", "ben", "cat"):
        await c.rig.user(name, ZONE)
    old = await c.invite("ana")
    c.rig.clock.advance(hours=24, seconds=1)
    assert "doesn't work" in await c.do("ben", OpenInvite(old))
    assert "not linked with a partner" in await c.partner("ana")  # the expired invite (and the name) are gone
    token = await c.invite("ana")
    await c.do("ben", OpenInvite(token))
    await c.press("ben", "Accept")
    assert "doesn't work" in await c.do("cat", OpenInvite(token))  # used once already
    assert "no invite waiting" in await c.do("cat", AcceptInvite())
    assert "doesn't work" in await c.do("cat", OpenInvite("not-a-token-at-all-xxxxxxxx"))
    assert "doesn't work" in await c.do("cat", OpenInvite("../../etc"))
    assert "not linked" in await c.partner("cat")
    rows = await c.rig.db.run(
        lambda conn: conn.exec_driver_sql("SELECT token_hash, inviter_name FROM partner_links").all()
    )
    assert all(r[0] is None and r[1] is None for r in rows)  # used: no hash, no name kept
    assert token_hash(token) != token and len(token_hash(token)) == 64
    # One link per person: neither Ana nor Ben can invite or be invited while linked.
    assert "already linked" in await c.do("ana", Invite("Ana"))
    assert "already linked" in await c.do("ben", OpenInvite(await c.invite("cat", "Cat")))
    assert "no invite waiting" in await c.do("ben", AcceptInvite())


async def test_declining_tells_the_inviter_nothing_but_not_accepted_yet(couple: Couple) -> None:
    c = couple
    await c.rig.user("ana", ZONE)
    await c.rig.user("ben", ZONE, role="hurt_partner")
    token = await c.invite("ana")
    await c.do("ben", OpenInvite(token))
    assert "won't be told" in await c.press("ben", "Decline")
    assert "ana" not in c.inbox
    assert "hasn't been accepted yet" in await c.partner("ana")
    assert "doesn't work" in await c.do("ben", OpenInvite(token))


async def test_forged_callbacks_cannot_reach_another_couples_data(couple: Couple) -> None:
    c = couple
    await _linked(c)
    await _first_checkins(c)
    await _promise(c)
    await c.press("ana", "Share with my partner")
    promise_item = (await c.items("promise"))[0]["id"]
    question = (await c.items("question"))[0]["id"]
    for name in ("dan", "eve"):
        await c.rig.user(name, ZONE)
    await c.link("dan", "eve", first_name="Dan")
    # Another couple forges buttons naming Ana and Ben's items, through the real decoder.
    for data in (f"1:Pf:{promise_item}:yes", f"1:Pq:{question}", f"1:Pk:{question}", "1:Ps:1", "1:Pa"):
        event = callbacks.decode(data)
        said = await c.do("eve", event)
        assert "can't find" in said or "closed" in said or "no invite" in said, (data, said)
    assert await c.items("felt") == []
    assert await c.items("answer") == []
    assert [q["value"] for q in await c.items("question") if q["id"] == question] == [None]
    # Ben cannot answer his own partner's promise with a made-up verdict, nor share Ana's promise.
    assert "can't find" in await c.do("ben", FeltKept(promise_item, "definitely"))
    assert "can't find" in await c.do("ben", SharePromise(1))


async def test_delete_and_quick_exit_leave_no_row_of_that_user_in_the_link_tables(couple: Couple) -> None:
    c = couple
    await _linked(c)
    await _first_checkins(c)
    await _promise(c)
    await c.press("ana", "Share with my partner")
    await c.partner("ana")
    await c.press("ana", "Answer privately")
    await c.say("ana", "the walk on Sunday")
    await c.press("ben", "Answer privately")
    await c.say("ben", "when you listened")
    ana, ben = await c.user_id("ana"), await c.user_id("ben")
    inbox_before = len(c.inbox.get("ben", []))
    await c.delete("ana")
    assert await c.link_rows(ana) == (0, 0)
    assert (await c.link_rows(ben))[0] == 0  # Ben's side of the link went too: he is simply not linked
    assert [a["text"] for a in await c.items("answer")] == ["when you listened"]  # what Ben wrote stays his
    assert not await c.items("promise")  # the copy held for Ben went with Ana
    assert "not linked with a partner" in await c.partner("ben")
    assert len(c.inbox.get("ben", [])) == inbox_before  # no notice of the deletion

    await c.rig.user("cat", ZONE)
    await c.link("cat", "ben", first_name="Cat")
    cat = await c.user_id("cat")
    assert cat is not None
    await c.rig.event("cat", QuickExit())
    assert await c.link_rows(cat) == (0, 0)
    assert "not linked with a partner" in await c.partner("ben")


async def test_an_expired_invite_and_the_name_it_held_are_swept_even_if_nobody_comes(couple: Couple) -> None:
    c = couple
    await c.rig.user("ana", ZONE)
    await c.invite("ana", "Ana")
    names = "SELECT count(*) FROM partner_links WHERE inviter_name IS NOT NULL"
    await purge_expired_invites(c.rig.db, c.rig.clock())
    assert await c.rig.db.run(lambda conn: conn.exec_driver_sql(names).scalar()) == 1  # still valid: kept
    c.rig.clock.advance(hours=24, seconds=1)
    await purge_expired_invites(c.rig.db, c.rig.clock())
    assert await c.rig.db.run(lambda conn: conn.exec_driver_sql(names).scalar()) == 0
    assert await c.link_rows(await c.user_id("ana")) == (0, 0)
