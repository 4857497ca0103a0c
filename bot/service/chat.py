"""The chat service: load a user's state, run a turn, store it, then deliver.

State is committed before any reply goes out, under the user's lock: if the
process dies after the commit, the user's next tap continues from the new
step; if it dies before, nothing happened. Replies are delivered inside the
lock so that a user's messages arrive in the order of their taps.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Awaitable, Callable

from sqlalchemy.engine import Connection

from bot.core.dialog.engine import DialogState
from bot.core.messages import DueCheckIn, Event, Notice, Outcome, Start
from bot.core.profile import Profile
from bot.core.turn import Brain, respond
from bot.service.checkins import CheckinConfig, CheckinService
from bot.service.partner import PARTNER_EVENTS, PartnerService, partner_content
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
#: Sends a message to a linked partner (issue #13); returns the ids it sent.
Notify = Callable[[Notice], Awaitable["list[int] | None"]]

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class ChatService:
    def __init__(self, db: Database, brain: Brain, clock: Clock = utc_now,
                 admins: frozenset[UserKey] = frozenset(), checkins: CheckinService | None = None,
                 partner: PartnerService | None = None):
        self.db = db
        self.brain = brain
        self.clock = clock
        self.admins = admins
        self.locks = KeyedLocks()
        #: Check-in storage for turns (insights, moods, next_checkin_at); defaults from config otherwise.
        self.checkins = checkins or CheckinService(CheckinConfig(), brain.graph, brain.faq)
        #: Linking partners (issue #13); ``notify`` is set by a front end that can reach other users.
        self.partner = partner or PartnerService(partner_content(), brain.graph.ui, self.checkins)
        self.notify: Notify | None = None

    async def handle(
        self, key: UserKey, event: Event, deliver: Deliver, *,
        chat_id: int | None = None, message_id: int | None = None,
    ) -> Outcome:
        """One event of one user, start to finish. ``message_id`` is the user's
        own message, kept (its id only) so a quick exit can erase it too."""
        async with self.locks.hold(key):
            outcome, user_id = await self.db.run(
                lambda conn: self._dispatch(conn, key, event, chat_id, message_id))
            sent = await deliver(outcome)
            if sent and chat_id is not None and user_id is not None and not outcome.erase:
                now = self.clock()
                await self.db.run(lambda conn: privacy.record_messages(conn, user_id, chat_id, sent, now))
            if outcome.notices:
                await self._send_notices(outcome.notices)
            return outcome

    async def _send_notices(self, notices: tuple[Notice, ...]) -> None:
        """Messages for a linked partner, after the sender's own; a failure here
        never undoes or hides the sender's turn."""
        for notice in notices:
            if self.notify is None:
                return
            try:
                sent = await self.notify(notice)
                if sent and notice.chat_id is not None:
                    user_id, chat_id, now = notice.user_id, notice.chat_id, self.clock()
                    await self.db.run(lambda conn: privacy.record_messages(conn, user_id, chat_id, sent, now))
            except Exception as exc:  # noqa: BLE001 - the partner's delivery must not fail the sender's turn
                log.warning("could not send a partner notice to user %s: %s", notice.user_id, type(exc).__name__)

    def _dispatch(self, conn: Connection, key: UserKey, event: Event,
                  chat_id: int | None, message_id: int | None) -> tuple[Outcome, int | None]:
        """The outcome, and the id of the user row it concerns (None once deleted)."""
        if isinstance(event, PRIVACY_EVENTS):
            outcome = handle_privacy(conn, self.brain.graph.ui, key, event,
                                     is_admin=key in self.admins, incoming=message_id)
            user = users.find(conn, key)
            return outcome, user.id if user else None
        if isinstance(event, PARTNER_EVENTS):
            return self._partner(conn, key, event, chat_id, message_id)
        return self._turn(conn, key, event, chat_id, message_id)

    def _partner(self, conn: Connection, key: UserKey, event: Event,
                 chat_id: int | None, message_id: int | None) -> tuple[Outcome, int | None]:
        """A partner event (issue #13), then the welcome for someone new who came by an invite link."""
        outcome, user_id, follow = self.partner.handle(conn, key, event, chat_id, self.clock())
        if follow is None:
            if message_id is not None and chat_id is not None:
                privacy.record_messages(conn, user_id, chat_id, [message_id], self.clock())
            return outcome, user_id
        more, _ = self._turn(conn, key, follow, chat_id, message_id)
        return Outcome(replies=outcome.replies + more.replies, notices=outcome.notices + more.notices), user_id

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
        early = self.partner.before_turn(conn, user, prepared, now)
        if early is not None:
            if message_id is not None and chat_id is not None:
                privacy.record_messages(conn, user.id, chat_id, [message_id], now)
            return early, user.id
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
        return self.partner.after_turn(conn, user, prepared, step.outcome, now), user.id


def profile_of(user: users.UserRecord) -> Profile:
    return Profile(
        timezone=user.timezone,
        checkin_time=user.checkin_time,
        checkin_enabled=user.checkin_enabled,
        discreet=user.discreet,
    )
