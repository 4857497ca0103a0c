"""Apply a turn's effects to storage, inside the turn's transaction."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Iterable

from sqlalchemy.engine import Connection

from bot.core.messages import Effect, SafetyFlag, SaveAnswer, UpdateProfile
from bot.storage import users
from bot.storage.users import UserRecord

log = logging.getLogger(__name__)


def apply_effects(conn: Connection, user: UserRecord, effects: Iterable[Effect], now: datetime) -> None:
    for effect in effects:
        if isinstance(effect, SaveAnswer):
            users.add_journal(conn, user.id, effect.name, effect.node, effect.text, now)
        elif isinstance(effect, SafetyFlag):
            # A flag, never the text: categories only, and the internal user id.
            log.warning("safety flag for user %s: %s", user.id, ",".join(effect.categories))
        elif isinstance(effect, UpdateProfile):
            users.update(conn, user.id, now, **dict(effect.changes))
