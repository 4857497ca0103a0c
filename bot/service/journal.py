"""The journal and safety plan against storage, inside a user's turn.

:func:`prepare` fills a request with the user's own entries before the pure
core sees it; :func:`apply` carries out a deletion the core asked for. Both
go through :mod:`bot.storage.journal`, which scopes every query to the user.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Connection

from bot.core.care.events import (
    JOURNAL_REQUESTS,
    DeleteEntry,
    OpenJournal,
    ShowPlan,
    WithEntries,
)
from bot.core.care.journal import PLAN_PREFIX
from bot.core.messages import Effect, Event
from bot.storage import journal as store
from bot.storage.users import UserRecord


def prepare(conn: Connection, user: UserRecord, event: Event) -> Event:
    if not isinstance(event, JOURNAL_REQUESTS):
        return event
    if isinstance(event, ShowPlan):
        return WithEntries(event, tuple(store.entries(conn, user.id, prefix=PLAN_PREFIX)))
    if isinstance(event, OpenJournal):
        return WithEntries(event, tuple(store.entries(conn, user.id)))
    found = store.one(conn, user.id, event.kind, event.entry_id)
    return WithEntries(event, (found,) if found else ())


def apply(conn: Connection, user: UserRecord, effect: Effect, now: datetime) -> bool:
    """Store a journal effect; False leaves it to the other handlers."""
    if isinstance(effect, DeleteEntry):
        store.delete(conn, user.id, effect.kind, effect.entry_id)
        return True
    return False
