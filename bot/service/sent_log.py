"""The ids of messages the bot sent, kept for quick exit, committed in groups.

A quick exit erases every message of the chat, so the id of each message
the bot sent must be stored, and stored durably before the user can ask for
the exit: the user's lock is not released until a turn's ids are committed
(the turn itself returns once its reply is out, and the lock is released
when the commit of its ids is done: ``ChatService._settle``). Those ids only exist once Telegram has answered, after the
turn's own transaction, so they need a second one. Under load, many turns
finish sending at about the same moment; each one waiting for its own
transaction would serialise on the database's single writer. So the turns
that finish while a commit is running, or in the same pass of the event loop,
are written together in one transaction (group commit): one commit for many
turns, and each caller still returns only after its ids are on disk.

A failure to store is raised in every caller of that group, as it would have
been in each alone.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from sqlalchemy.engine import Connection

from bot.storage import privacy
from bot.storage.database import Database


@dataclass(frozen=True)
class SentIds:
    """Messages sent into one user's chat, at one moment."""

    user_id: int
    chat_id: int
    message_ids: tuple[int, ...]
    at: datetime


@dataclass
class SentLog:
    """``await log.record(SentIds(...))`` returns once the ids are committed;
    ``log.record_soon(...)`` gives the future of that, for a caller that goes
    on meanwhile (a finished turn: no task of its own per turn)."""

    db: Database
    #: Groups committed so far and their sizes (benchmarks and tests read them).
    group_sizes: list[int] = field(default_factory=list)
    _pending: list[tuple[SentIds, asyncio.Future[None]]] = field(default_factory=list)
    _writer: asyncio.Task[None] | None = None

    async def record(self, sent: SentIds) -> None:
        await self.record_soon(sent)

    def record_soon(self, sent: SentIds) -> asyncio.Future[None]:
        """Queue ``sent`` for the next group; the future is done once it is committed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if not sent.message_ids:
            future.set_result(None)
            return future
        self._pending.append((sent, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="trustbot-sent-ids")
        return future

    async def _write(self) -> None:
        # One pass of the loop: turns finishing their sends right now join this group.
        await asyncio.sleep(0)
        while self._pending:
            group, self._pending = self._pending, []
            rows = [sent for sent, _ in group]
            try:
                await self.db.run(partial(_store, group=rows))
            except Exception as exc:
                for _, future in group:
                    if not future.done():
                        future.set_exception(exc)
            else:
                self.group_sizes.append(len(group))
                for _, future in group:
                    if not future.done():
                        future.set_result(None)


def _store(conn: Connection, *, group: list[SentIds]) -> None:
    privacy.record_many(conn, [(s.user_id, s.chat_id, m, s.at) for s in group for m in s.message_ids])
