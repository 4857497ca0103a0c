"""The dispatcher on real databases (SQLite and PostgreSQL) with a fake clock.

Each test drives time by hand and ticks the dispatcher as the bot's job would,
then checks what every user received: exactly one check-in per local day, at
the wall-clock time they chose, whatever DST, restarts or crashes did.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import date, datetime, timedelta

import pytest

from bot.core.messages import CheckinCommand, Start, TimezoneCommand
from bot.service.checkin_claims import ClaimStats
from bot.storage.database import Database
from bot.storage.users import UserKey
from tests.support.checkin import CHANNEL, Clock, Rig, at


def one_per_day(rig: Rig, name: str, zone: str) -> list[str]:
    """The local send times; fails if any local day got two check-ins."""
    days = [r.local_date for r in rig.received.get(name, [])]
    assert len(days) == len(set(days)), f"{name} got two check-ins on one day: {rig.local_times(name, zone)}"
    return rig.local_times(name, zone)


@pytest.mark.parametrize(
    ("zone", "at_time", "start", "end", "expected"),
    [
        ("Europe/Berlin", "02:30", at(2025, 3, 29, 12), at(2025, 3, 31, 12),
         ["2025-03-30 03:30", "2025-03-31 02:30"]),
        ("Europe/Berlin", "02:30", at(2025, 10, 25, 12), at(2025, 10, 27, 12),
         ["2025-10-26 02:30", "2025-10-27 02:30"]),
        ("America/New_York", "02:30", at(2025, 3, 8, 12), at(2025, 3, 10, 12),
         ["2025-03-09 03:30", "2025-03-10 02:30"]),
        ("America/New_York", "01:30", at(2025, 11, 1, 12), at(2025, 11, 3, 12),
         ["2025-11-02 01:30", "2025-11-03 01:30"]),
    ],
    ids=["berlin-spring-forward", "berlin-fall-back", "new-york-spring-forward", "new-york-fall-back"],
)
async def test_dst_days_get_one_check_in_at_the_wall_clock_time(db: Database, brain, zone, at_time, start, end,
                                                              expected) -> None:
    clock = Clock(start)
    rig = Rig(db, brain, clock)
    await rig.user("ana", zone, at_time)
    await rig.run_until(end, step=timedelta(minutes=5))
    assert one_per_day(rig, "ana", zone) == expected
    # The fall-back hour is ticked through twice; the database says one row a day.
    assert [r["status"] for r in await rig.rows("ana")] == ["sent", "sent"]


async def test_users_at_utc_plus_14_and_utc_minus_11_each_get_their_own_morning(db: Database, brain) -> None:
    clock = Clock(at(2025, 6, 1, 0, 0))
    rig = Rig(db, brain, clock)
    await rig.user("kiri", "Pacific/Kiritimati", "08:00")  # already 14:00 on 1 June there
    await rig.user("pago", "Pacific/Pago_Pago", "08:00")  # still 13:00 on 31 May there
    await rig.run_until(at(2025, 6, 3, 23, 59), step=timedelta(minutes=10))
    assert one_per_day(rig, "kiri", "Pacific/Kiritimati") == [
        "2025-06-02 08:00", "2025-06-03 08:00", "2025-06-04 08:00"]
    assert one_per_day(rig, "pago", "Pacific/Pago_Pago") == [
        "2025-06-01 08:00", "2025-06-02 08:00", "2025-06-03 08:00"]
    # At 18:00 UTC on 2 June, Kiritimati is on 3 June while Pago Pago is on 2 June.
    kiri = [r.at for r in rig.received["kiri"]]
    pago = [r.at for r in rig.received["pago"]]
    assert kiri[0] == at(2025, 6, 1, 18) and pago[0] == at(2025, 6, 1, 19)


async def test_moving_east_in_the_middle_of_the_day_does_not_repeat_that_day(db: Database, brain) -> None:
    clock = Clock(at(2025, 1, 15, 5))
    rig = Rig(db, brain, clock)
    await rig.user("ana", "Europe/Berlin", "08:00")
    await rig.run_until(at(2025, 1, 15, 11))
    assert rig.local_times("ana", "Europe/Berlin") == ["2025-01-15 08:00"]
    # Noon in Berlin: Ana lands in New York, where it is 06:00 on the same day.
    await rig.event("ana", TimezoneCommand("America/New_York"))
    assert await rig.next_at("ana") == at(2025, 1, 16, 13)  # 08:00 New York tomorrow, not today
    await rig.run_until(at(2025, 1, 17, 0))
    assert rig.local_times("ana", "America/New_York")[1:] == ["2025-01-16 08:00"]
    assert len(rig.received["ana"]) == 2


async def test_moving_to_a_zone_where_tomorrow_has_begun_gets_tomorrows_check_in(db: Database, brain) -> None:
    clock = Clock(at(2025, 1, 15, 10))
    rig = Rig(db, brain, clock)
    await rig.user("ben", "America/New_York", "08:00")
    await rig.run_until(at(2025, 1, 15, 14))
    assert rig.local_times("ben", "America/New_York") == ["2025-01-15 08:00"]
    # 09:00 in New York is 23:00 in Tokyo: 16 January's check-in there is due at midnight UTC.
    await rig.event("ben", TimezoneCommand("Tokyo"))
    await rig.run_until(at(2025, 1, 16, 1))
    assert rig.local_times("ben", "Asia/Tokyo") == ["2025-01-15 22:00", "2025-01-16 08:00"]
    assert [r.local_date for r in rig.received["ben"]] == [date(2025, 1, 15), date(2025, 1, 16)]


async def test_a_crash_after_the_claim_and_before_the_send_is_sent_once_after_the_lease(db: Database, brain) -> None:
    clock = Clock(at(2025, 1, 15, 6, 55))
    rig = Rig(db, brain, clock)
    await rig.user("ana", "Europe/Berlin", "08:00")
    clock.set(at(2025, 1, 15, 7, 0))
    # A dispatcher claims, commits, and dies before sending anything.
    claims = await db.run(lambda c: rig.claims.claim(c, clock(), (CHANNEL,), 100))
    assert len(claims) == 1 and not rig.received
    # A restarted bot ticks at once: the claim is still leased, nothing is sent twice.
    await rig.tick()
    assert not rig.received
    clock.advance(minutes=rig.config.lease.total_seconds() / 60 + 1)
    report = await rig.tick()
    assert report.resent == 1 and len(rig.received["ana"]) == 1
    await rig.run_until(at(2025, 1, 15, 12))
    assert len(rig.received["ana"]) == 1
    assert [(r["status"], r["attempts"]) for r in await rig.rows("ana")] == [("sent", 2)]


async def test_a_claim_that_crashes_twice_or_expires_is_not_sent_again(db: Database, brain) -> None:
    clock = Clock(at(2025, 1, 15, 6, 55))
    rig = Rig(db, brain, clock)
    await rig.user("ana", "Europe/Berlin", "08:00")
    await rig.user("ben", "Europe/Berlin", "08:00")
    clock.set(at(2025, 1, 15, 7, 0))
    await db.run(lambda c: rig.claims.claim(c, clock(), (CHANNEL,), 100))
    clock.advance(minutes=10)
    # The re-send is claimed and the process dies again.
    again = await db.run(lambda c: rig.claims.claim(c, clock(), (CHANNEL,), 100))
    assert {c.attempt for c in again} == {2}
    clock.advance(minutes=10)
    stats = ClaimStats()
    assert await db.run(lambda c: rig.claims.claim(c, clock(), (CHANNEL,), 100, stats)) == []
    assert stats.expired == 2
    await rig.run_until(at(2025, 1, 15, 23))
    assert not rig.received
    # The next day is a new day.
    await rig.run_until(at(2025, 1, 16, 8))
    assert [len(rig.received[n]) for n in ("ana", "ben")] == [1, 1]


async def test_after_downtime_a_check_in_within_grace_is_sent_once_and_older_ones_are_skipped(
    db: Database, brain
) -> None:
    clock = Clock(at(2025, 1, 15, 5))
    rig = Rig(db, brain, clock)
    await rig.user("early", "Europe/Berlin", "06:00")   # due 05:00 UTC
    await rig.user("late", "Europe/Berlin", "09:00")    # due 08:00 UTC
    # The bot is down from 04:59 until 10:30 UTC.
    clock.set(at(2025, 1, 15, 10, 30))
    await rig.tick()
    await rig.tick()
    assert "early" not in rig.received  # 5.5 hours late: skipped
    assert rig.local_times("late", "Europe/Berlin") == ["2025-01-15 11:30"]  # 2.5 hours late: sent once
    await rig.run_until(at(2025, 1, 16, 9))
    assert rig.local_times("early", "Europe/Berlin") == ["2025-01-16 06:00"]
    assert rig.local_times("late", "Europe/Berlin") == ["2025-01-15 11:30", "2025-01-16 09:00"]


async def test_snooze_asks_again_once_later_the_same_day(db: Database, brain) -> None:
    clock = Clock(at(2025, 1, 15, 6))
    rig = Rig(db, brain, clock)
    await rig.user("ana", "Europe/Berlin", "08:00")
    await rig.run_until(at(2025, 1, 15, 7, 5))
    await rig.press("ana", "Later, please")
    assert (await rig.rows("ana"))[0]["status"] == "snoozed"
    await rig.run_until(at(2025, 1, 15, 8, 10))
    assert rig.local_times("ana", "Europe/Berlin") == ["2025-01-15 08:00", "2025-01-15 09:05"]
    await rig.run_until(at(2025, 1, 15, 23))
    assert len(rig.received["ana"]) == 2
    assert [r["status"] for r in await rig.rows("ana")] == ["sent"]


async def test_pause_and_blocking_stop_check_ins_until_turned_on_or_start(db: Database, brain) -> None:
    clock = Clock(at(2025, 1, 15, 6))
    rig = Rig(db, brain, clock)
    await rig.user("ana", "Europe/Berlin", "08:00")
    await rig.user("ben", "Europe/Berlin", "08:00")
    await rig.run_until(at(2025, 1, 15, 7, 5))
    await rig.press("ana", "Pause check-ins")
    assert await rig.next_at("ana") is None
    await rig.chat.mark_blocked(UserKey(CHANNEL, "ben"))  # Telegram said Forbidden
    assert await rig.next_at("ben") is None
    await rig.run_until(at(2025, 1, 17, 8))
    assert [len(rig.received[n]) for n in ("ana", "ben")] == [1, 1]
    await rig.event("ana", CheckinCommand("on"))
    await rig.event("ben", Start())
    assert (await rig.record("ben")).active
    await rig.run_until(at(2025, 1, 18, 8))
    assert [len(rig.received[n]) for n in ("ana", "ben")] == [2, 2]


def _race(database_url: str, brain, start: datetime, names: list[str], batch: int) -> tuple[list[str], list]:
    """Two dispatchers, each in its own thread, event loop and connection pool (as
    two bot processes would be), ticking at the same instants on one database."""
    sent: list[str] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def process() -> None:
        async def main() -> None:
            db = Database(database_url)
            clock = Clock(start)
            rig = Rig(db, brain, clock, batch_size=batch)
            original = rig.send

            async def send(claim):
                status = await original(claim)
                await asyncio.sleep(0)  # let the other process in between sends
                with lock:
                    sent.append(claim.external_id)
                return status

            rig.dispatcher.send = send
            try:
                barrier.wait(timeout=30)
                for _ in range(3):
                    await rig.tick()
                    clock.advance(minutes=1)
            finally:
                await db.dispose()

        try:
            asyncio.run(main())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=process) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return sent, errors


async def test_two_dispatchers_racing_on_one_database_send_exactly_once_per_user(
    db: Database, brain, database_url: str
) -> None:
    start = at(2025, 1, 15, 6)
    setup = Rig(db, brain, Clock(start - timedelta(minutes=10)))
    names = [f"u{i:02d}" for i in range(40)]
    for name in names:
        await setup.user(name, "Europe/Berlin", "07:00")  # all due at 06:00 UTC, when the race starts
    sent, errors = await asyncio.to_thread(_race, database_url, brain, start, names, 5)
    assert not errors, errors
    assert sorted(sent) == names
    for name in names[:3] + names[-3:]:
        assert [r["status"] for r in await setup.rows(name)] == ["sent"]


async def test_the_unique_user_and_day_row_is_what_decides_a_claim(db: Database, brain) -> None:
    clock = Clock(at(2025, 1, 15, 6))
    rig = Rig(db, brain, clock)
    await rig.user("ana", "Europe/Berlin", "08:00")
    await rig.user("ben", "Europe/Berlin", "08:00")
    ana, ben = (await rig.record("ana")).id, (await rig.record("ben")).id

    def row(user_id: int) -> dict:
        return {"user_id": user_id, "local_date": date(2025, 1, 15), "due_at": clock(), "status": "claimed",
                "attempts": 1, "claimed_at": clock(), "resend_at": clock(), "created_at": clock()}

    from bot.storage import checkins as store

    first = await db.run(lambda c: store.insert_claims(c, [row(ana)]))
    second = await db.run(lambda c: store.insert_claims(c, [row(ana), row(ben)]))
    assert list(first) == [ana] and list(second) == [ben]
