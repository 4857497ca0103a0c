"""The dispatcher's side of check-ins: claiming due ones, and recording how each send ended.

:meth:`CheckinClaims.claim` finds due users and claims their check-in of the
day in one transaction; :meth:`CheckinClaims.finish` records how each send
ended. Every decision about time is the pure
:func:`bot.core.checkin.schedule.plan_due`. What a check-in needs inside a
user's turn is :mod:`bot.service.checkins`' :class:`CheckinHooks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Connection

from bot.core.checkin.schedule import plan_due
from bot.core.identity import UserKey
from bot.service.checkins import CheckinConfig
from bot.storage import checkins as store

#: A claim is re-sent at most this many times in all (the first send and one retry).
MAX_ATTEMPTS = 2


@dataclass(frozen=True)
class Claim:
    """One check-in this process now owns and must send (then :meth:`CheckinClaims.finish`)."""

    checkin_id: int
    attempt: int
    user_id: int
    channel: str
    external_id: str
    chat_id: int | None
    local_date: date

    @property
    def key(self) -> UserKey:
        return UserKey(self.channel, self.external_id)


@dataclass
class ClaimStats:
    claimed: int = 0
    resent: int = 0
    skipped: int = 0
    expired: int = 0


@dataclass(frozen=True)
class CheckinClaims:
    """Claims due check-ins in the database, so several bot processes split
    the work and each check-in is sent once."""

    config: CheckinConfig

    def claim(self, conn: Connection, now: datetime, channels: tuple[str, ...], limit: int,
              stats: ClaimStats | None = None) -> list[Claim]:
        """Claim up to ``limit`` check-ins that are due now, in the caller's transaction.

        Due users get today's row inserted (the claim) and their next check-in
        moved on, in the same transaction; leftover claims whose lease ran out
        and snoozes that came due are claimed again.
        """
        stats = stats if stats is not None else ClaimStats()
        if not store.anything_due(conn, now, channels):
            return []
        store.begin_write(conn)
        claims = self._claim_due(conn, now, channels, limit, stats)
        if len(claims) < limit:
            claims += self._claim_resends(conn, now, channels, limit - len(claims), stats)
        return claims

    def _claim_due(self, conn: Connection, now: datetime, channels: tuple[str, ...], limit: int,
                   stats: ClaimStats) -> list[Claim]:
        due = store.due_users(conn, now, channels, limit)
        if not due:
            return []
        last = store.last_days(conn, [u.id for u in due])
        plans = {u.id: plan_due(u.next_checkin_at, now, self.config.schedule_of(u.checkin_time, u.timezone),
                                last.get(u.id), self.config.grace) for u in due}
        rows = [
            {"user_id": u.id, "local_date": plans[u.id].local_date, "due_at": u.next_checkin_at,
             "status": store.CLAIMED, "attempts": 1, "claimed_at": now, "resend_at": now + self.config.lease,
             "created_at": now}
            for u in due if plans[u.id].send
        ]
        inserted = store.insert_claims(conn, rows)
        store.set_next(conn, [(u.id, plans[u.id].next_at) for u in due])
        stats.skipped += len(due) - len(inserted)
        stats.claimed += len(inserted)
        return [
            Claim(inserted[u.id], 1, u.id, u.channel, u.external_id, u.chat_id, plans[u.id].local_date)
            for u in due if u.id in inserted
        ]

    def _claim_resends(self, conn: Connection, now: datetime, channels: tuple[str, ...], limit: int,
                       stats: ClaimStats) -> list[Claim]:
        claims: list[Claim] = []
        expired: list[int] = []
        for row in store.resendable(conn, now, channels, limit):
            if row.status == store.SNOOZED:
                fresh = now - row.resend_at <= self.config.grace
            else:  # a claim whose sender never finished: crashed, or cut off
                fresh = row.attempts < MAX_ATTEMPTS and now - row.due_at <= self.config.grace
            if not (fresh and row.active and row.checkin_enabled):
                expired.append(row.id)
                continue
            if store.reclaim(conn, row.id, row.attempts, now, now + self.config.lease):
                claims.append(Claim(row.id, row.attempts + 1, row.user_id, row.channel, row.external_id,
                                    row.chat_id, row.local_date))
        store.expire(conn, expired)
        stats.resent += len(claims)
        stats.expired += len(expired)
        return claims

    def finish(self, conn: Connection, results: list[tuple[Claim, str]], now: datetime) -> int:
        return store.finish(conn, [(c.checkin_id, c.attempt, status) for c, status in results], now)
