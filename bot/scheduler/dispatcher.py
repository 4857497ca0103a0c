"""The check-in dispatcher: claim due check-ins in the database, send them, record them.

The database is the source of truth, not the scheduler: APScheduler (PTB's
JobQueue) only wakes :meth:`Dispatcher.tick` every few seconds, and nothing
about who is due lives in memory. So a restart loses nothing, a crash between
claim and send is covered by the claim's lease, and several bot processes on
one PostgreSQL database can each run a dispatcher (their claims never
overlap: ``FOR UPDATE SKIP LOCKED`` and the unique (user, local day) row).

Sending is paced (``max_per_second``) below Telegram's broadcast limit of
about 30 messages a second, so a popular hour does not crowd out replies to
people who are talking to the bot right then.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from functools import partial

from sqlalchemy.engine import Connection

from bot.core.clock import Clock, utc_now
from bot.service.checkin_claims import CheckinClaims, Claim, ClaimStats
from bot.storage.database import Database

log = logging.getLogger(__name__)

#: Sends one claimed check-in; returns how it ended: sent, blocked, failed or skipped.
Send = Callable[[Claim], Awaitable[str]]

SENT, BLOCKED, FAILED, SKIPPED = "sent", "blocked", "failed", "skipped"


@dataclass
class TickReport(ClaimStats):
    """Counts only (never who or what), for the log and the tests: the claim
    counts of every batch, plus how the sends ended."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    batches: int = 0

    def add(self, stats: ClaimStats) -> None:
        for f in fields(ClaimStats):
            setattr(self, f.name, getattr(self, f.name) + getattr(stats, f.name))

    @property
    def busy(self) -> bool:
        return bool(self.claimed or self.resent or self.skipped or self.expired)


class Dispatcher:
    def __init__(
        self,
        db: Database,
        checkins: CheckinClaims,
        send: Send,
        *,
        channels: Sequence[str] = ("telegram",),
        clock: Clock = utc_now,
        batch_size: int = 100,
        concurrency: int = 8,
        max_per_second: float | None = 12.0,
        budget: float | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.db = db
        self.checkins = checkins
        self.send = send
        self.channels = tuple(channels)
        self.clock = clock
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.interval = 1.0 / max_per_second if max_per_second else 0.0
        #: Stop claiming new batches after this many seconds, so one tick never
        #: runs into the next (the rest waits for the next tick).
        self.budget = budget
        self.sleep = sleep
        self.monotonic = monotonic
        self._next_start = 0.0

    async def tick(self) -> TickReport:
        """Claim and send until nothing is due (or the budget is spent)."""
        report = TickReport()
        started = self.monotonic()
        while True:
            now = self.clock()
            claims, stats = await self.db.run(partial(self._claim, now=now))
            report.add(stats)
            if not claims and not stats.skipped and not stats.expired:
                break
            report.batches += 1
            if claims:
                results = await self._send_all(claims)
                done = self.clock()
                await self.db.run(partial(self.checkins.finish, results=results, now=done))
                report.sent += sum(status == SENT for _, status in results)
                report.blocked += sum(status == BLOCKED for _, status in results)
                report.failed += sum(status == FAILED for _, status in results)
            if self.budget is not None and self.monotonic() - started >= self.budget:
                break
        if report.busy:
            log.info("check-ins: claimed %d, re-sent %d, sent %d, blocked %d, failed %d, skipped %d, expired %d",
                     report.claimed, report.resent, report.sent, report.blocked, report.failed, report.skipped,
                     report.expired)
        return report

    def _claim(self, conn: Connection, *, now: datetime) -> tuple[list[Claim], ClaimStats]:
        """One batch of claims and its counts, counted afresh each time the
        transaction runs (``Database.run`` runs an aborted one again)."""
        stats = ClaimStats()
        return self.checkins.claim(conn, now=now, channels=self.channels, limit=self.batch_size, stats=stats), stats

    async def _send_all(self, claims: list[Claim]) -> list[tuple[Claim, str]]:
        gate = asyncio.Semaphore(self.concurrency)

        async def one(claim: Claim) -> tuple[Claim, str]:
            async with gate:
                await self._pace()
                try:
                    return claim, await self.send(claim)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.error("check-in for user %s failed: %s", claim.user_id, type(exc).__name__)
                    return claim, FAILED

        return list(await asyncio.gather(*(one(c) for c in claims)))

    async def _pace(self) -> None:
        if not self.interval:
            return
        now = self.monotonic()
        start = max(now, self._next_start)
        self._next_start = start + self.interval
        if start > now:
            await self.sleep(start - now)
