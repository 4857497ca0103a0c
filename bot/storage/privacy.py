"""Everything stored about one user: find it, export it, delete it.

The tables are discovered from the schema (every table with a ``user_id``),
so a table added later is exported and deleted without anyone remembering to
list it here.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.storage import sqlite_raw as raw
from bot.storage.tables import chat_messages, metadata, users

#: Columns that are bookkeeping for the bot, not something the user told it.
_INTERNAL = {"id", "user_id"}


def user_tables() -> list[sa.Table]:
    """Tables holding rows of one user, children before parents."""
    return [t for t in reversed(metadata.sorted_tables) if "user_id" in t.c]


def _about_user(table: sa.Table, user_id: int) -> sa.ColumnElement[bool]:
    """Rows that are the user's own (``user_id``) or that point at them through
    another key to ``users`` (a partner link's other side): deletion removes
    both, export only the former."""
    columns = [c for c in table.c if c.name == "user_id" or any(fk.column is users.c.id for fk in c.foreign_keys)]
    return sa.or_(*(c == user_id for c in columns))


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def export_user(conn: Connection, user_id: int) -> dict[str, Any]:
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).mappings().first()
    if row is None:
        return {}
    document: dict[str, Any] = {"profile": {k: _plain(v) for k, v in row.items() if k not in _INTERNAL}}
    for table in user_tables():
        if table is chat_messages:
            continue  # message ids only; nothing the user wrote
        rows = conn.execute(sa.select(table).where(table.c.user_id == user_id).order_by(*table.primary_key.columns))
        document[table.name] = [
            {k: _plain(v) for k, v in r.items() if k not in _INTERNAL} for r in rows.mappings()
        ]
    return document


def delete_user(conn: Connection, user_id: int) -> None:
    """Remove every row of the user from every table (not relying on CASCADE alone)."""
    for table in user_tables():
        conn.execute(sa.delete(table).where(_about_user(table, user_id)))
    conn.execute(sa.delete(users).where(users.c.id == user_id))


def rows_of_user(conn: Connection, user_id: int) -> dict[str, int]:
    """How many rows each table holds for the user (what a deletion must bring to zero)."""
    counts = {"users": conn.execute(sa.select(sa.func.count()).where(users.c.id == user_id)).scalar_one()}
    for table in user_tables():
        counts[table.name] = conn.execute(
            sa.select(sa.func.count()).select_from(table).where(_about_user(table, user_id))
        ).scalar_one()
    return counts


_RECORD = sa.insert(chat_messages)
#: Every update inserts its message ids: raw SQL on SQLite (see sqlite_raw.py).
_RECORD_KEYS = ["user_id", "chat_id", "message_id", "created_at"]
_RAW_RECORD = raw.compiled(_RECORD, _RECORD_KEYS, column_keys=_RECORD_KEYS)


def record_messages(conn: Connection, user_id: int, chat_id: int, message_ids: list[int], now: datetime) -> None:
    record_many(conn, [(user_id, chat_id, m, now) for m in message_ids])


def record_many(conn: Connection, rows: Sequence[tuple[int, int, int, datetime]]) -> None:
    """Store ``(user_id, chat_id, message_id, at)`` rows in one statement: the
    sent-id log writes a whole group of turns at once."""
    if not rows:
        return
    if raw.is_sqlite(conn):
        raw.execute_many(conn, _RAW_RECORD, [(u, c, m, raw.datetime_text(at)) for u, c, m, at in rows])
    else:
        conn.execute(_RECORD, [
            {"user_id": u, "chat_id": c, "message_id": m, "created_at": at} for u, c, m, at in rows
        ])


def message_ids(conn: Connection, user_id: int) -> list[int]:
    rows = conn.execute(
        sa.select(chat_messages.c.message_id).where(chat_messages.c.user_id == user_id).order_by(chat_messages.c.id)
    )
    return [r[0] for r in rows]


def counts(conn: Connection) -> dict[str, int]:
    """Numbers only, for /stats: never a name, id or word a user wrote."""
    result = {
        "users": conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one(),
        "active users": conn.execute(sa.select(sa.func.count()).where(users.c.active.is_(True))).scalar_one(),
    }
    for table in user_tables():
        if table is not chat_messages:
            result[f"{table.name} rows"] = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    return result
