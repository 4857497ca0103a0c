"""The user's entries read back and deleted one at a time (/journal, /safetyplan).

Every query takes the user's id and filters on it, so an entry id from a
button (which anyone can forge) can only ever reach the pressing user's rows.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.core.care.events import Entry, EntryKind
from bot.storage.checkins import utc
from bot.storage.tables import journal, promises


def _journal_entry(row: Any) -> Entry:
    at = utc(row.created_at)
    assert at is not None
    return Entry(EntryKind.JOURNAL, row.id, row.name, row.node, row.text, at)


def _promise_entry(row: Any) -> Entry:
    at = utc(row.created_at)
    assert at is not None
    return Entry(EntryKind.PROMISE, row.id, "promise", "", row.text, at)


_JOURNAL_COLUMNS = (journal.c.id, journal.c.name, journal.c.node, journal.c.text, journal.c.created_at)
_PROMISE_COLUMNS = (promises.c.id, promises.c.text, promises.c.created_at)


def entries(conn: Connection, user_id: int, *, prefix: str | None = None) -> list[Entry]:
    """Everything the user wrote, oldest first; with ``prefix``, journal entries of those names only."""
    query = sa.select(*_JOURNAL_COLUMNS).where(journal.c.user_id == user_id)
    if prefix is not None:
        query = query.where(journal.c.name.startswith(prefix, autoescape=True))
    found = [_journal_entry(r) for r in conn.execute(query.order_by(journal.c.id))]
    if prefix is None:
        rows = conn.execute(sa.select(*_PROMISE_COLUMNS).where(promises.c.user_id == user_id)
                            .order_by(promises.c.id))
        found += [_promise_entry(r) for r in rows]
        found.sort(key=lambda e: e.at)
    return found


def one(conn: Connection, user_id: int, kind: str, entry_id: int) -> Entry | None:
    """One entry, only if it is this user's."""
    if kind == EntryKind.JOURNAL.value:
        found = conn.execute(sa.select(*_JOURNAL_COLUMNS)
                             .where(journal.c.id == entry_id, journal.c.user_id == user_id)).first()
        return _journal_entry(found) if found else None
    if kind == EntryKind.PROMISE.value:
        row = conn.execute(sa.select(*_PROMISE_COLUMNS)
                           .where(promises.c.id == entry_id, promises.c.user_id == user_id)).first()
        return _promise_entry(row) if row else None
    return None


def delete(conn: Connection, user_id: int, kind: str, entry_id: int) -> bool:
    """Delete one entry of this user; False when there was none (or not theirs)."""
    table = {EntryKind.JOURNAL.value: journal, EntryKind.PROMISE.value: promises}.get(kind)
    if table is None:
        return False
    result = conn.execute(sa.delete(table).where(table.c.id == entry_id, table.c.user_id == user_id))
    return bool(result.rowcount)
