"""Linking partners on PostgreSQL with two bot instances on one database (issue #13).

Two chat services (each with its own connection pool and dispatcher, as two
processes have) share one database and one fake clock. What one instance
does, the other sees; races are run for real with ``asyncio.gather``: an
invite accepted on both at once links once, both partners' check-ins make one
question, two answers typed at once reveal it exactly once, and two partners
accepting each other's invites at the same instant end up in one link.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
import sqlalchemy as sa

from bot.core.dialog.graph import DialogGraph
from bot.core.partner.events import AcceptInvite, OpenInvite
from bot.storage import migrate
from bot.storage.database import Database
from bot.storage.tables import partner_links
from tests.conftest import make_brain
from tests.support.checkin import Clock, Rig, at
from tests.support.couple import Couple
from tests.support.postgres import PostgresServer

ZONE = "Europe/London"
_names = itertools.count()


@pytest_asyncio.fixture
async def two(postgres: PostgresServer, real_graph: DialogGraph) -> AsyncIterator[tuple[Couple, Couple]]:
    url = postgres.create_database(f"pair{next(_names)}")
    first, second = Database(url), Database(url)
    await migrate.upgrade(first)
    clock = Clock(at(2025, 6, 2, 5))
    brain = make_brain(real_graph)
    a = Couple(Rig(first, brain, clock))
    b = Couple(Rig(second, brain, clock), inbox=a.inbox)
    b.rig.chat.notify = a.rig.chat.notify
    yield a, b
    await first.dispose()
    await second.dispose()


async def _tick_both(a: Couple, b: Couple, day: int) -> None:
    """Both instances' dispatchers look at once, a minute after everyone's 08:00 (London) on ``day``.
    Every day in between is ticked too, so no check-in is skipped as too late."""
    start = a.rig.clock().day + 1 if a.rig.clock() >= at(2025, 6, 2, 7, 1) else day
    for each in range(start, day + 1):
        a.rig.clock.set(at(2025, 6, each, 7, 1))
        await asyncio.gather(a.rig.dispatcher.tick(), b.rig.dispatcher.tick())


def _checkin(a: Couple, b: Couple, name: str) -> tuple[Couple, list[str]]:
    """Which instance sent the user's latest check-in, and its texts."""
    sent = [(c, c.rig.received[name][-1]) for c in (a, b) if name in c.rig.received]
    latest = max(sent, key=lambda pair: pair[1].at)
    return latest[0], latest[1].texts


async def test_accept_on_one_instance_confirm_on_the_other_and_reveal_exactly_once(two: tuple[Couple, Couple]) -> None:
    a, b = two
    await a.rig.user("ana", ZONE, role="broke_trust")
    await b.rig.user("ben", ZONE, role="hurt_partner")
    for name in ("cat", "dan", "eve"):
        await a.rig.user(name, ZONE)

    # The invite is made on A, opened on B; Ben taps Accept on both instances at once: linked once.
    token = await a.invite("ana")
    assert "Ana invited you" in await b.do("ben", OpenInvite(token))
    said = await asyncio.gather(a.do("ben", AcceptInvite()), b.do("ben", AcceptInvite()))
    assert sum("You're linked" in s for s in said) == 1, said
    assert "linked with your partner" in await a.partner("ben")
    assert "linked with your partner" in await b.partner("ana")
    assert len(a.inbox["ana"]) == 1

    # Two people racing for one invite on two instances: one link, never two.
    token = await a.invite("cat", "Cat")
    await a.do("dan", OpenInvite(token))
    await b.do("eve", OpenInvite(token))
    raced = await asyncio.gather(a.do("dan", AcceptInvite()), b.do("eve", AcceptInvite()))
    assert sorted("You're linked" in s for s in raced) == [False, True], raced
    linked = [name for name in ("dan", "eve") if "linked with your partner" in await a.partner(name)]
    assert len(linked) == 1
    assert await a.couple_of(linked[0]) == await a.couple_of("cat") != await a.couple_of("ana")

    # Both check-ins, claimed by whichever instance: one question for the couple, offered to both.
    couple = await a.couple_of("ana")
    assert couple is not None and couple == await b.couple_of("ben")
    await _tick_both(a, b, 2)
    assert len(await a.items("question", couple)) == 1
    for name in ("ana", "ben"):
        assert any("A question for you both" in t for t in _checkin(a, b, name)[1]), (name, _checkin(a, b, name)[1])

    # Ana's promise, shared on the instance that sent her check-in; Ben confirms on the other one.
    ana_on, _ = _checkin(a, b, "ana")
    await ana_on.press("ana", "4 · okay")
    await ana_on.say("ana", "home by six")
    share = a.button("ana", "Share with my partner") if ana_on is a else b.button("ana", "Share with my partner")
    await b.do("ana", share)
    await _tick_both(a, b, 3)
    ben_on, texts = _checkin(a, b, "ben")
    assert any("They promised: “home by six”" in t for t in texts)
    other = b if ben_on is a else a
    assert "own record only" in await other.do("ben", ben_on.button("ben", "It felt kept"))
    assert [f["value"] for f in await a.items("felt")] == ["yes"]

    # Three rounds of both answering at the same moment on different instances: each revealed once.
    for day in (5, 8, 11):
        await _tick_both(a, b, day)
        question = (await a.items("question", couple))[-1]
        assert question["value"] is None
        await a.do("ana", a.button("ana", "Answer privately") if "ana" in a.rig.screen and
                   "Answer privately" in a.buttons("ana") else b.button("ana", "Answer privately"))
        await b.do("ben", b.button("ben", "Answer privately") if "ben" in b.rig.screen and
                   "Answer privately" in b.buttons("ben") else a.button("ben", "Answer privately"))
        before = sum("You both answered" in t for t in a.inbox.get("ana", []) + a.inbox.get("ben", []))
        said = await asyncio.gather(a.say("ana", f"ana on day {day}"), b.say("ben", f"ben on day {day}"))
        after = sum("You both answered" in t for t in a.inbox.get("ana", []) + a.inbox.get("ben", []))
        in_replies = sum("You both answered" in s for s in said)
        assert in_replies == 1 and after - before == 1, (said, day)
        assert (await a.items("question", couple))[-1]["value"] == "revealed"
    assert len(await a.items("question", couple)) == 3  # days 2, 6 and 9: one every three days at most


#: Rounds of the crossed race: before the fix every one of them ended in a deadlock.
CROSSED_ROUNDS = 12


@pytest.mark.slow
async def test_crossed_invites_accepted_at_once_on_two_instances_make_one_link_and_no_error(
        two: tuple[Couple, Couple], caplog: pytest.LogCaptureFixture) -> None:
    """Each partner invites the other, each opens the other's invite, and both tap
    Accept at the same instant on different instances. Each transaction holds its
    own side and reaches for the other's: taken in opposite orders, PostgreSQL
    aborted one of them as a deadlock and that partner got an error instead of an
    answer. Whatever the interleaving, both must be told they are linked, and the
    database must hold exactly one link between the two of them. The locks are
    taken in one order, so no transaction even needs running again (a retry
    would hide an ordering bug behind a one-second deadlock timeout)."""
    a, b = two
    caplog.set_level(logging.WARNING, logger="bot.storage.database")
    problems: list[str] = []
    for n in range(CROSSED_ROUNDS):
        ana, ben = f"ana{n}", f"ben{n}"
        await a.rig.user(ana, ZONE, role="broke_trust")
        await b.rig.user(ben, ZONE, role="hurt_partner")
        from_ana = await a.invite(ana, "Ana")
        from_ben = await b.invite(ben, "Ben")
        assert "Ben invited you" in await a.do(ana, OpenInvite(from_ben))
        assert "Ana invited you" in await b.do(ben, OpenInvite(from_ana))

        said = await asyncio.gather(a.do(ana, AcceptInvite()), b.do(ben, AcceptInvite()), return_exceptions=True)
        failed = [f"{type(s).__name__} {getattr(getattr(s, 'orig', None), 'sqlstate', '')}"
                  for s in said if isinstance(s, BaseException)]
        if failed:
            problems.append(f"round {n}: {failed}")
            continue
        if not all("You're linked" in str(s) for s in said):
            problems.append(f"round {n}: {said}")

        ana_id, ben_id = await a.user_id(ana), await a.user_id(ben)
        rows = await a.rig.db.run(lambda conn, ids=(ana_id, ben_id): [tuple(r) for r in conn.execute(
            sa.select(partner_links.c.user_id, partner_links.c.partner_id, partner_links.c.status,
                      partner_links.c.couple).where(partner_links.c.user_id.in_(ids))
            .order_by(partner_links.c.user_id))])
        assert [(r[0], r[1], r[2]) for r in rows] == [(ana_id, ben_id, "active"), (ben_id, ana_id, "active")], n
        assert rows[0][3] == rows[1][3], n
        assert "linked with your partner" in await b.partner(ana)
        assert "linked with your partner" in await a.partner(ben)
        # One acceptance notice: the link was made once, by whichever accept came first.
        assert len(a.inbox.get(ana, []) + a.inbox.get(ben, [])) == 1, n
    assert not problems, problems
    assert not [r.getMessage() for r in caplog.records if r.name == "bot.storage.database"]
