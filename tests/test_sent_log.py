"""The sent-id log: turns finishing together share one commit, and each
caller returns only once its ids are stored (quick exit relies on it)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy.engine import Connection

from bot.core.identity import UserKey
from bot.service.sent_log import SentIds, SentLog
from bot.storage import privacy, users
from bot.storage.database import Database

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


async def _users(db: Database, count: int) -> list[int]:
    def work(conn: Connection) -> list[int]:
        return [users.get_or_create(conn, UserKey("test", str(n)), NOW, chat_id=n).id for n in range(count)]

    return await db.run(work)


async def test_ids_are_stored_when_record_returns(db: Database) -> None:
    [user] = await _users(db, 1)
    log = SentLog(db)
    await log.record(SentIds(user, 0, (11, 12), NOW))
    assert await db.run(lambda conn: privacy.message_ids(conn, user)) == [11, 12]


async def test_turns_finishing_together_share_one_commit(db: Database) -> None:
    ids = await _users(db, 8)
    log = SentLog(db)
    await asyncio.gather(*(log.record(SentIds(user, n, (100 + n,), NOW)) for n, user in enumerate(ids)))
    assert sum(log.group_sizes) == 8 and len(log.group_sizes) < 8
    for n, user in enumerate(ids):
        assert await db.run(lambda conn, user=user: privacy.message_ids(conn, user)) == [100 + n]


async def test_a_failed_commit_is_raised_in_every_caller_of_its_group(db: Database) -> None:
    [user] = await _users(db, 1)
    log = SentLog(db)
    missing_user = user + 1000  # violates the foreign key: the whole group fails
    results = await asyncio.gather(
        log.record(SentIds(user, 0, (1,), NOW)), log.record(SentIds(missing_user, 0, (2,), NOW)),
        return_exceptions=True,
    )
    assert all(isinstance(r, Exception) for r in results)
    # The log keeps working afterwards.
    await log.record(SentIds(user, 0, (3,), NOW))
    assert await db.run(lambda conn: privacy.message_ids(conn, user)) == [3]


async def test_nothing_sent_writes_nothing(db: Database) -> None:
    log = SentLog(db)
    await log.record(SentIds(1, 0, (), NOW))
    assert log.group_sizes == []
