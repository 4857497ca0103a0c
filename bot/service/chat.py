"""The chat service: load a user's state, run a turn, store it, then deliver.

State is committed before any reply goes out, under the user's lock: if the
process dies after the commit, the user's next tap continues from the new
step; if it dies before, nothing happened. Replies are delivered inside the
lock so that a user's messages arrive in the order of their taps.
"""

from __future__ import annotations

from datetime import datetime, timezone
import logging
from dataclasses import replace
from typing import Any, Awaitable, Callable

from sqlalchemy.engine import Connection

from bot.core.dialog.engine import DialogState
from bot.core.messages import DueCheckIn, Event, Outcome, Start, Text
from bot.core.profile import Profile
from bot.core.turn import Brain, respond
from bot.service.checkins import CheckinConfig, CheckinService
from bot.service.effects import apply_effects
from bot.service.privacy import PRIVACY_EVENTS, handle_privacy
from bot.service.locks import KeyedLocks
from bot.storage import checkins as checkin_store
from bot.storage import privacy, users
from bot.storage.database import Database
from bot.storage.users import UserKey

Clock = Callable[[], datetime]
#: Sends an outcome; returns the ids of the messages it sent (for quick exit).
Deliver = Callable[[Outcome], Awaitable["list[int] | None"]]
#: Embeds one typed text off the event loop (the model adapter's worker).
Embed = Callable[[str], Awaitable[Any]]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class ChatService:
    def __init__(self, db: Database, brain: Brain, clock: Clock = utc_now,
                 admins: frozenset[UserKey] = frozenset(), checkins: CheckinService | None = None,
                 embed: Embed | None = None):
        self.embed = embed
        self.db = db
        self.brain = brain
        self.clock = clock
        self.admins = admins
        self.locks = KeyedLocks()
        #: Check-in storage for turns (insights, moods, next_checkin_at); defaults from config otherwise.
        self.checkins = checkins or CheckinService(CheckinConfig(), brain.graph, brain.faq)

    async def handle(
        self, key: UserKey, event: Event, deliver: Deliver, *,
        chat_id: int | None = None, message_id: int | None = None,
    ) -> Outcome:
        """One event of one user, start to finish. ``message_id`` is the user's
        own message, kept (its id only) so a quick exit can erase it too."""
        if isinstance(event, Text) and self.embed is not None and event.vector is None:
            # Read before the transaction, off the loop; buttons never wait for the model.
            try:
                event = replace(event, vector=await self.embed(event.text))
            except Exception:  # noqa: BLE001 - the rules still read it; never log the text
                logging.getLogger(__name__).warning("embedding failed; reading by rules only")
        async with self.locks.hold(key):
            outcome, user_id = await self.db.run(
                lambda conn: self._dispatch(conn, key, event, chat_id, message_id))
            sent = await deliver(outcome)
            if sent and chat_id is not None and user_id is not None and not outcome.erase:
                now = self.clock()
                await self.db.run(lambda conn: privacy.record_messages(conn, user_id, chat_id, sent, now))
            return outcome

    def _dispatch(self, conn: Connection, key: UserKey, event: Event,
                  chat_id: int | None, message_id: int | None) -> tuple[Outcome, int | None]:
        """The outcome, and the id of the user row it concerns (None once deleted)."""
        if isinstance(event, PRIVACY_EVENTS):
            outcome = handle_privacy(conn, self.brain.graph.ui, key, event,
                                     is_admin=key in self.admins, incoming=message_id)
            user = users.find(conn, key)
            return outcome, user.id if user else None
        return self._turn(conn, key, event, chat_id, message_id)

    async def mark_blocked(self, key: UserKey) -> None:
        """Telegram said the user blocked the bot: send them nothing more until /start."""
        now = self.clock()

        def work(conn: Connection) -> None:
            users.set_active(conn, key, False, now)
            checkin_store.unschedule(conn, key)

        await self.db.run(work)

    def _turn(self, conn: Connection, key: UserKey, event: Event,
              chat_id: int | None, message_id: int | None = None) -> tuple[Outcome, int | None]:
        now = self.clock()
        if isinstance(event, DueCheckIn):
            # A check-in goes to someone who exists; never create a user for it.
            found = users.find(conn, key, lock=True)
            if found is None:
                return Outcome(), None
            user = found
        else:
            user = users.get_or_create(conn, key, now, chat_id=chat_id)
        prepared = self.checkins.prepare(conn, user, event, now)
        if prepared is None:
            return Outcome(), user.id
        state = DialogState.from_json(user.state)
        step = respond(self.brain, state, prepared, self.checkins.profile(user))
        changes: dict = {"state": step.state.to_json()}
        if isinstance(event, Start) and not user.active:
            changes["active"] = True
        users.update(conn, user.id, now, **changes)
        apply_effects(conn, user, step.outcome.effects, now, self.checkins.apply)
        self.checkins.after_turn(conn, user, state.role, step.state.role, step.outcome.effects,
                                 "active" in changes, now)
        if message_id is not None and chat_id is not None:
            privacy.record_messages(conn, user.id, chat_id, [message_id], now)
        return step.outcome, user.id


def profile_of(user: users.UserRecord) -> Profile:
    return Profile(
        timezone=user.timezone,
        checkin_time=user.checkin_time,
        checkin_enabled=user.checkin_enabled,
        discreet=user.discreet,
    )
