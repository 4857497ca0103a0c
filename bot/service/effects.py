"""Apply a turn's effects to storage, inside the turn's transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy.engine import Connection

from bot.core.messages import Effect, SafetyFlag, SaveAnswer, UpdateProfile
from bot.storage import users
from bot.storage.users import UserRecord

log = logging.getLogger(__name__)

#: A handler for effects of one feature (check-ins: mood -> checkins.mood,
#: promise -> promises, ...); it returns True when it stored the effect itself.
EffectHandler = Callable[[Connection, UserRecord, Effect, datetime], bool]


def apply_effects(conn: Connection, user: UserRecord, effects: Iterable[Effect], now: datetime,
                  handler: EffectHandler | None = None) -> None:
    for effect in effects:
        if handler is not None and handler(conn, user, effect, now):
            continue
        if isinstance(effect, SaveAnswer):
            users.add_journal(conn, user.id, effect.name, effect.node, effect.text, now)
        elif isinstance(effect, SafetyFlag):
            # A flag, never the text: categories only, and the internal user id.
            log.warning("safety flag for user %s: %s", user.id, ",".join(effect.categories))
        elif isinstance(effect, UpdateProfile):
            users.update(conn, user.id, now, **dict(effect.changes))
