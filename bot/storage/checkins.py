"""Queries for check-ins and promises. Synchronous Core functions: see database.py.

Claiming is done in bulk (one statement per batch, not per user) because a
popular hour means thousands of users due in the same minute; see
``bench/bench_dispatcher.py``. On PostgreSQL the due rows are locked with
``FOR UPDATE SKIP LOCKED`` so that several bot processes split the work
instead of queueing on each other; on SQLite the caller takes the write lock
first (``begin_write``). On both, the unique (user_id, local_date) row is
what finally decides who sends: an insert that conflicts claims nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.storage import sqlite_raw as raw
from bot.storage.tables import checkins, promises, users

CLAIMED = "claimed"
SENT = "sent"
SNOOZED = "snoozed"
#: Statuses a check-in can be re-sent from (an unfinished claim after its lease, a snooze).
RESENDABLE = (CLAIMED, SNOOZED)
#: Telegram answer or bookkeeping that ends a check-in for the day.
FINAL = frozenset({SENT, "blocked", "failed", "skipped", "expired"})


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored here is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def begin_write(conn: Connection) -> None:
    """SQLite: take the write lock now, before reading what will be claimed.

    pysqlite opens a transaction only at the first write, so the reads before
    it would see a state another process may change before our write; BEGIN
    IMMEDIATE makes read-then-claim one atomic step (other writers wait on
    busy_timeout). PostgreSQL uses row locks instead (see module docstring).
    """
    raw = conn.connection.dbapi_connection
    if conn.dialect.name == "sqlite" and raw is not None and not getattr(raw, "in_transaction", False):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def anything_due(conn: Connection, now: datetime, channels: Sequence[str]) -> bool:
    """A cheap look before claiming: most ticks find nothing, and then take no lock."""
    due = conn.execute(
        sa.select(users.c.id).where(users.c.next_checkin_at <= now, users.c.channel.in_(list(channels))).limit(1)
    ).first()
    if due is not None:
        return True
    return conn.execute(
        sa.select(checkins.c.id).where(checkins.c.resend_at <= now, checkins.c.status.in_(RESENDABLE)).limit(1)
    ).first() is not None


@dataclass(frozen=True)
class DueUser:
    id: int
    channel: str
    external_id: str
    chat_id: int | None
    next_checkin_at: datetime
    checkin_time: str | None
    timezone: str | None


def due_users(conn: Connection, now: datetime, channels: Sequence[str], limit: int) -> list[DueUser]:
    query = (
        sa.select(users.c.id, users.c.channel, users.c.external_id, users.c.chat_id, users.c.next_checkin_at,
                  users.c.checkin_time, users.c.timezone)
        .where(users.c.next_checkin_at <= now, users.c.active.is_(True), users.c.checkin_enabled.is_(True),
               users.c.channel.in_(list(channels)))
        .order_by(users.c.next_checkin_at)
        .limit(limit)
    )
    if is_postgres(conn):
        query = query.with_for_update(skip_locked=True)
    return [DueUser(*row[:4], utc(row[4]), row[5], row[6]) for row in conn.execute(query)]  # type: ignore[arg-type]


def last_days(conn: Connection, user_ids: Sequence[int]) -> dict[int, date]:
    """Each user's latest local day that had a check-in row (sent or not)."""
    if not user_ids:
        return {}
    rows = conn.execute(
        sa.select(checkins.c.user_id, sa.func.max(checkins.c.local_date))
        .where(checkins.c.user_id.in_(list(user_ids)))
        .group_by(checkins.c.user_id)
    )
    return {user_id: day for user_id, day in rows if day is not None}


_LAST_DAY = sa.select(sa.func.max(checkins.c.local_date)).where(checkins.c.user_id == sa.bindparam("user_id"))
# Rescheduling (a role chosen, a setting changed, /start) runs this and the
# two below inside a turn: raw on SQLite, like the turn's own statements.
_RAW_LAST_DAY = raw.compiled(_LAST_DAY, ("user_id",))


def last_day(conn: Connection, user_id: int) -> date | None:
    if raw.is_sqlite(conn):
        return raw.text_date(raw.fetch_all(conn, _RAW_LAST_DAY, (user_id,))[0][0])
    return last_days(conn, [user_id]).get(user_id)


def _insert(conn: Connection) -> Any:
    return (postgresql.insert if is_postgres(conn) else sqlite.insert)(checkins)


def insert_claims(conn: Connection, rows: Sequence[dict[str, Any]]) -> dict[int, int]:
    """Insert claimed rows; user_id -> new checkin id for those that did not
    conflict with an existing (user_id, local_date). Those that did are not claims."""
    if not rows:
        return {}
    # One cached statement run over many rows: SQLAlchemy's "insertmanyvalues"
    # sends it as a few multi-row INSERTs, and RETURNING names only the rows
    # that went in (a conflicting row returns nothing).
    statement = (
        _insert(conn)
        .on_conflict_do_nothing(index_elements=["user_id", "local_date"])
        .returning(checkins.c.user_id, checkins.c.id)
    )
    return {row[0]: row[1] for row in conn.execute(statement, list(rows))}


_SET_NEXT = (sa.update(users).where(users.c.id == sa.bindparam("b_id"))
             .values(next_checkin_at=sa.bindparam("b_next")))
_RAW_SET_NEXT = raw.compiled(_SET_NEXT, ("b_next", "b_id"))


def set_next(conn: Connection, pairs: Iterable[tuple[int, datetime | None]]) -> None:
    if raw.is_sqlite(conn):
        rows = [(None if next_at is None else raw.datetime_text(next_at), user_id) for user_id, next_at in pairs]
        if rows:
            raw.execute_many(conn, _RAW_SET_NEXT, rows)
        return
    params = [{"b_id": user_id, "b_next": next_at} for user_id, next_at in pairs]
    if params:
        conn.execute(_SET_NEXT, params)


@dataclass(frozen=True)
class Resendable:
    id: int
    user_id: int
    local_date: date
    due_at: datetime
    status: str
    attempts: int
    resend_at: datetime
    channel: str
    external_id: str
    chat_id: int | None
    active: bool
    checkin_enabled: bool


def resendable(conn: Connection, now: datetime, channels: Sequence[str], limit: int) -> list[Resendable]:
    """Claims whose lease ran out (the sender died) and snoozes that are due."""
    query = (
        sa.select(checkins.c.id, checkins.c.user_id, checkins.c.local_date, checkins.c.due_at, checkins.c.status,
                  checkins.c.attempts, checkins.c.resend_at, users.c.channel, users.c.external_id, users.c.chat_id,
                  users.c.active, users.c.checkin_enabled)
        .join(users, users.c.id == checkins.c.user_id)
        .where(checkins.c.resend_at <= now, checkins.c.status.in_(RESENDABLE), users.c.channel.in_(list(channels)))
        .order_by(checkins.c.resend_at)
        .limit(limit)
    )
    if is_postgres(conn):
        query = query.with_for_update(skip_locked=True, of=checkins)
    found = []
    for row in conn.execute(query):
        values = list(row)
        values[3], values[6] = utc(values[3]), utc(values[6])
        found.append(Resendable(*values))
    return found


def reclaim(conn: Connection, checkin_id: int, attempts: int, now: datetime, lease_until: datetime) -> bool:
    """Claim an existing row again; False if someone else changed it meanwhile."""
    result = conn.execute(
        sa.update(checkins)
        .where(checkins.c.id == checkin_id, checkins.c.attempts == attempts, checkins.c.status.in_(RESENDABLE))
        .values(status=CLAIMED, attempts=attempts + 1, claimed_at=now, resend_at=lease_until)
    )
    return result.rowcount == 1


def expire(conn: Connection, checkin_ids: Sequence[int]) -> None:
    if checkin_ids:
        conn.execute(
            sa.update(checkins).where(checkins.c.id.in_(list(checkin_ids)), checkins.c.status.in_(RESENDABLE))
            .values(status="expired", resend_at=None)
        )


def finish(conn: Connection, results: Iterable[tuple[int, int, str]], now: datetime) -> int:
    """Record how each claim ended: (checkin id, attempt, status). Only the
    holder of the current claim (same ``attempts``) can finish it."""
    params = [
        {"b_id": checkin_id, "b_attempt": attempt, "b_status": status, "b_sent": now if status == SENT else None}
        for checkin_id, attempt, status in results
    ]
    if not params:
        return 0
    result = conn.execute(
        sa.update(checkins)
        .where(checkins.c.id == sa.bindparam("b_id"), checkins.c.attempts == sa.bindparam("b_attempt"),
               checkins.c.status == CLAIMED)
        .values(status=sa.bindparam("b_status"), sent_at=sa.bindparam("b_sent"), resend_at=None),
        params,
    )
    return result.rowcount


@dataclass(frozen=True)
class CheckinRow:
    id: int
    user_id: int
    local_date: date
    status: str
    attempts: int
    mood: int | None


def _row(row: Any) -> CheckinRow | None:
    return CheckinRow(*row) if row is not None else None


_CHECKIN_COLUMNS = (checkins.c.id, checkins.c.user_id, checkins.c.local_date, checkins.c.status,
                    checkins.c.attempts, checkins.c.mood)


def get(conn: Connection, checkin_id: int) -> CheckinRow | None:
    return _row(conn.execute(sa.select(*_CHECKIN_COLUMNS).where(checkins.c.id == checkin_id)).first())


def latest(conn: Connection, user_id: int) -> CheckinRow | None:
    """The user's most recent check-in (the one their buttons answer)."""
    return _row(conn.execute(
        sa.select(*_CHECKIN_COLUMNS).where(checkins.c.user_id == user_id).order_by(checkins.c.id.desc()).limit(1)
    ).first())


def set_mood(conn: Connection, checkin_id: int, mood: int) -> None:
    conn.execute(sa.update(checkins).where(checkins.c.id == checkin_id).values(mood=mood))


def snooze(conn: Connection, checkin_id: int, until: datetime) -> None:
    """The user asked to be asked again later: resent once ``until`` comes."""
    conn.execute(
        sa.update(checkins).where(checkins.c.id == checkin_id, checkins.c.status == SENT)
        .values(status=SNOOZED, resend_at=until, attempts=0)
    )


def add_promise(conn: Connection, user_id: int, checkin_id: int | None, local_date: date, text: str,
                now: datetime) -> None:
    conn.execute(sa.insert(promises).values(user_id=user_id, checkin_id=checkin_id, local_date=local_date,
                                            text=text, created_at=now))


def open_promise(conn: Connection, user_id: int) -> tuple[int, str] | None:
    """The latest promise that has not been answered yet."""
    row = conn.execute(
        sa.select(promises.c.id, promises.c.text)
        .where(promises.c.user_id == user_id, promises.c.kept.is_(None))
        .order_by(promises.c.id.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def answer_promise(conn: Connection, promise_id: int, kept: str, now: datetime) -> None:
    conn.execute(sa.update(promises).where(promises.c.id == promise_id).values(kept=kept, answered_at=now))


def moods_since(conn: Connection, user_id: int, since: date) -> list[tuple[date, int]]:
    rows = conn.execute(
        sa.select(checkins.c.local_date, checkins.c.mood)
        .where(checkins.c.user_id == user_id, checkins.c.mood.isnot(None), checkins.c.local_date >= since)
        .order_by(checkins.c.local_date)
    )
    return [(day, int(mood)) for day, mood in rows]


def promises_since(conn: Connection, user_id: int, since: date) -> list[tuple[date, str | None]]:
    rows = conn.execute(
        sa.select(promises.c.local_date, promises.c.kept)
        .where(promises.c.user_id == user_id, promises.c.local_date >= since)
        .order_by(promises.c.id)
    )
    return [(day, kept) for day, kept in rows]


@dataclass(frozen=True)
class ScheduleRow:
    active: bool
    checkin_enabled: bool
    checkin_time: str | None
    timezone: str | None


_SCHEDULE_ROW = (sa.select(users.c.active, users.c.checkin_enabled, users.c.checkin_time, users.c.timezone)
                 .where(users.c.id == sa.bindparam("user_id")))
_RAW_SCHEDULE_ROW = raw.compiled(_SCHEDULE_ROW, ("user_id",))


def schedule_row(conn: Connection, user_id: int) -> ScheduleRow | None:
    if raw.is_sqlite(conn):
        rows = raw.fetch_all(conn, _RAW_SCHEDULE_ROW, (user_id,))
        if not rows:
            return None
        active, enabled, checkin_time, timezone = rows[0]
        return ScheduleRow(bool(active), bool(enabled), checkin_time, timezone)
    row = conn.execute(_SCHEDULE_ROW, {"user_id": user_id}).first()
    return ScheduleRow(*row) if row else None


def unschedule(conn: Connection, key: object) -> None:
    """No more check-ins for this user (they blocked the bot) until something reschedules them."""
    conn.execute(
        sa.update(users)
        .where(users.c.channel == key.channel, users.c.external_id == key.external_id)  # type: ignore[attr-defined]
        .values(next_checkin_at=None)
    )
