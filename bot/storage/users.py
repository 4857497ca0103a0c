"""Queries on users and their journal. Synchronous Core functions: see database.py."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.core.identity import UserKey
from bot.storage import sqlite_raw as raw
from bot.storage.tables import journal, users

__all__ = ["UserKey", "UserRecord"]


@dataclass
class UserRecord:
    id: int
    channel: str
    external_id: str
    chat_id: int | None
    state: dict[str, Any]
    active: bool
    discreet: bool
    timezone: str | None
    checkin_time: str | None
    checkin_enabled: bool
    next_checkin_at: datetime | None
    extra: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    #: True when this unit of work created the row.
    is_new: bool = False


_COLUMNS = (
    users.c.id, users.c.channel, users.c.external_id, users.c.chat_id, users.c.state, users.c.active,
    users.c.discreet, users.c.timezone, users.c.checkin_time, users.c.checkin_enabled,
    users.c.next_checkin_at, users.c.extra, users.c.created_at,
)


def _record(row: sa.Row[Any] | Any, is_new: bool = False) -> UserRecord:
    data = row._asdict()
    return UserRecord(
        **{**data, "state": data["state"] or {}, "extra": data["extra"] or {}}, is_new=is_new
    )


def _insert(conn: Connection) -> Any:
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(users)


# Hot-path statements are built once: building and cache-keying a statement
# on every update cost more than running it (see bench/README.md).
_FIND = sa.select(*_COLUMNS).where(
    users.c.channel == sa.bindparam("channel"), users.c.external_id == sa.bindparam("external_id")
)
# FOR NO KEY UPDATE serialises turns of one user across processes on
# PostgreSQL (it conflicts with itself), yet lets other transactions check a
# foreign key to this user (FOR KEY SHARE). Plain FOR UPDATE blocked those: a
# partner accepting an invite holds their own row and writes the other's id
# into the link (partner_id), so two partners accepting each other's invites
# at once each waited for the other's user row, a deadlock. SQLite ignores it
# and needs none (one writer at a time).
_FIND_LOCKED = _FIND.with_for_update(key_share=True)
_SAVE_STATE = (
    sa.update(users)
    .where(users.c.id == sa.bindparam("user_id"))
    .values(state=sa.bindparam("state", type_=sa.JSON), updated_at=sa.bindparam("now"))
)


# The same two statements, run raw on SQLite (see sqlite_raw.py): every update
# runs them. SQLite compiles FOR UPDATE to nothing: it has no row locks and
# needs none (one writer at a time).
_RAW_FIND = raw.compiled(_FIND, ("channel", "external_id"))
_RAW_SAVE_STATE = raw.compiled(_SAVE_STATE, ("now", "state", "user_id"))
#: A new user's row: one in ten updates of the benchmark's mix is someone's first.
_CREATE_COLUMNS = ("channel", "external_id", "chat_id", "created_at", "updated_at", "state", "active", "discreet",
                   "checkin_enabled", "extra")
_RAW_CREATE = raw.compiled(
    sqlite.insert(users).values({name: sa.bindparam(name) for name in _CREATE_COLUMNS})
    .on_conflict_do_nothing(index_elements=["channel", "external_id"]),
    _CREATE_COLUMNS,
)


def _raw_record(row: tuple[Any, ...]) -> UserRecord:
    """A raw ``_COLUMNS`` row, converted as SQLAlchemy's column types would."""
    (id_, channel, external_id, chat_id, state, active, discreet, timezone, checkin_time, checkin_enabled,
     next_checkin_at, extra, created_at) = row
    return UserRecord(
        id=id_, channel=channel, external_id=external_id, chat_id=chat_id,
        state=raw.text_json(state) or {}, active=bool(active), discreet=bool(discreet), timezone=timezone,
        checkin_time=checkin_time, checkin_enabled=bool(checkin_enabled),
        next_checkin_at=raw.text_datetime(next_checkin_at), extra=raw.text_json(extra) or {},
        created_at=raw.text_datetime(created_at),
    )


def find(conn: Connection, key: UserKey, *, lock: bool = False) -> UserRecord | None:
    if raw.is_sqlite(conn):
        rows = raw.fetch_all(conn, _RAW_FIND, (key.channel, key.external_id))
        return _raw_record(rows[0]) if rows else None
    row = conn.execute(_FIND_LOCKED if lock else _FIND,
                       {"channel": key.channel, "external_id": key.external_id}).first()
    return _record(row) if row else None


def get_or_create(conn: Connection, key: UserKey, now: datetime, *, chat_id: int | None = None) -> UserRecord:
    """The user's row, locked for this transaction; created on first contact."""
    found = find(conn, key, lock=True)
    if found is not None:
        if chat_id is not None and found.chat_id != chat_id:
            conn.execute(sa.update(users).where(users.c.id == found.id).values(chat_id=chat_id))
            found.chat_id = chat_id
        return found
    if raw.is_sqlite(conn):
        created_at = raw.datetime_text(now)
        raw.execute(conn, _RAW_CREATE, (key.channel, key.external_id, chat_id, created_at, created_at,
                                        raw.json_text({}), True, False, True, raw.json_text({})))
    else:
        conn.execute(
            _insert(conn)
            .values(
                channel=key.channel, external_id=key.external_id, chat_id=chat_id, created_at=now,
                updated_at=now, state={}, extra={}, active=True, discreet=False, checkin_enabled=True,
            )
            .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        )
    created = find(conn, key, lock=True)
    assert created is not None
    created.is_new = True
    return created


def _optional_datetime_text(value: datetime | None) -> str | None:
    return None if value is None else raw.datetime_text(value)


#: How a value of each column ``update`` may change is stored on SQLite, as
#: SQLAlchemy's column types store it (sqlite_raw.py); booleans, text and
#: numbers go to sqlite3 as they are. A column missing here takes SQLAlchemy's path.
_RAW_VALUE: dict[str, Callable[[Any], Any]] = {
    "state": raw.json_text, "extra": raw.json_text, "next_checkin_at": _optional_datetime_text,
    **{name: lambda value: value for name in (
        "chat_id", "active", "discreet", "timezone", "checkin_time", "checkin_enabled")},
}


@functools.cache
def _raw_update(columns: frozenset[str]) -> tuple[str, tuple[str, ...]]:
    """``UPDATE users SET updated_at, <columns> WHERE id`` and its parameters'
    order, compiled once per set of columns."""
    statement = (sa.update(users).where(users.c.id == sa.bindparam("user_id"))
                 .values({"updated_at": sa.bindparam("now"), **{name: sa.bindparam(name) for name in columns}}))
    return raw.compiled_with_order(statement)


def update(conn: Connection, user_id: int, now: datetime, **values: Any) -> None:
    if values.keys() == {"state"}:  # every turn: the prebuilt statement
        if raw.is_sqlite(conn):
            raw.execute(conn, _RAW_SAVE_STATE, (raw.datetime_text(now), raw.json_text(values["state"]), user_id))
            return
        conn.execute(_SAVE_STATE, {"user_id": user_id, "state": values["state"], "now": now})
        return
    if raw.is_sqlite(conn) and values.keys() <= _RAW_VALUE.keys():
        # Settings and check-in bookkeeping: building this statement with
        # SQLAlchemy cost more than a whole turn's other SQL.
        sql, order = _raw_update(frozenset(values))
        bound = {name: _RAW_VALUE[name](value) for name, value in values.items()}
        bound.update(now=raw.datetime_text(now), user_id=user_id)
        raw.execute(conn, sql, [bound[name] for name in order])
        return
    conn.execute(sa.update(users).where(users.c.id == user_id).values(updated_at=now, **values))


def add_journal(conn: Connection, user_id: int, name: str, node: str, text: str, now: datetime) -> None:
    conn.execute(sa.insert(journal).values(user_id=user_id, name=name, node=node, text=text, created_at=now))


def journal_entries(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(journal.c.name, journal.c.node, journal.c.text, journal.c.created_at)
        .where(journal.c.user_id == user_id)
        .order_by(journal.c.id)
    )
    return [row._asdict() for row in rows]


def set_active(conn: Connection, key: UserKey, active: bool, now: datetime) -> None:
    conn.execute(
        sa.update(users)
        .where(users.c.channel == key.channel, users.c.external_id == key.external_id)
        .values(active=active, updated_at=now)
    )
