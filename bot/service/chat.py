"""The chat service: load a user's state, run a turn, store it, then deliver.

State is committed before any reply goes out, under the user's lock: if the
process dies after the commit, the user's next tap continues from the new
step; if it dies before, nothing happened. Replies are delivered inside the
lock so that a user's messages arrive in the order of their taps.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.engine import Connection

from bot.core.clock import Clock, utc_now
from bot.core.dialog.engine import DialogState
from bot.core.dialog.schema import UiTexts
from bot.core.identity import UserKey
from bot.core.messages import DueCheckIn, Event, Notice, Outcome, Reply, Start, Text
from bot.core.render import render
from bot.core.routing import Route, route
from bot.core.turn import Brain, respond
from bot.core.understanding.reader import decided_by_rules, rule_findings
from bot.scheduler.dispatcher import Dispatcher, Send
from bot.service import journal
from bot.service.charts import draw_charts
from bot.service.checkin_claims import CheckinClaims
from bot.service.checkins import CheckinConfig, CheckinHooks
from bot.service.effects import apply_effects
from bot.service.in_flight import InFlight
from bot.service.locks import KeyedLocks
from bot.service.partner import PartnerService, partner_content, purge_expired_invites
from bot.service.privacy import handle_privacy
from bot.service.sent_log import SentIds, SentLog
from bot.storage import checkins as checkin_store
from bot.storage import privacy, users
from bot.storage.database import Database

__all__ = ["ChatService", "Clock", "Deliver", "utc_now"]

#: Sends an outcome; returns the ids of the messages it sent (for quick exit).
Deliver = Callable[[Outcome], Awaitable["list[int] | None"]]
#: Sends a message to a linked partner; returns the ids it sent.
Notify = Callable[[Notice], Awaitable["list[int] | None"]]

log = logging.getLogger(__name__)
#: Embeds one typed text off the event loop and weighs it for the reader (the model adapter's worker).
Embed = Callable[[str], Awaitable[Any]]


@dataclass(frozen=True)
class _Handled:
    """What one event did: its outcome, whose row it concerned (None once
    deleted), and whether that user wants discreet rendering."""

    outcome: Outcome
    user_id: int | None
    discreet: bool


class ChatService:
    def __init__(self, db: Database, brain: Brain, clock: Clock = utc_now,
                 admins: frozenset[UserKey] = frozenset(), checkins: CheckinHooks | None = None,
                 partner: PartnerService | None = None, embed: Embed | None = None,
                 on_close: Callable[[], Awaitable[None]] | None = None):
        #: Reads a typed text with the model, off the loop (None: the rules alone).
        self.embed = embed
        self._on_close = on_close
        self.db = db
        self.brain = brain
        self.clock = clock
        self.admins = admins
        self.locks = KeyedLocks()
        #: Check-in storage for turns (insights, moods, next_checkin_at); defaults from config otherwise.
        self.checkins = checkins or CheckinHooks(CheckinConfig(), brain.graph, brain.faq)
        #: Linking partners; ``notify`` is set by a front end that can reach other users.
        self.partner = partner or PartnerService(partner_content(), brain.graph.ui, self.checkins)
        self.notify: Notify | None = None
        #: The ids of sent messages, committed in groups (quick exit erases them).
        self.sent_log = SentLog(db)
        #: Turns that have replied and are committing their sent ids (each holds its user's lock).
        self._settling = InFlight()

    async def handle(
        self, key: UserKey, event: Event, deliver: Deliver, *,
        chat_id: int | None = None, message_id: int | None = None, shown: int | None = None,
    ) -> Outcome:
        """One event of one user, start to finish. ``message_id`` is the user's
        own message, kept (its id only) so a quick exit can erase it too;
        ``shown`` the bot's message whose button was pressed (a quick exit
        erases up to it even if its id was never stored)."""
        # One user's events in the order they came, a typed text's reading
        # included: a tap, a quick exit above all, never overtakes the text
        # typed before it (and no reply to that text can follow the exit).
        # Other users never wait for this one's reading.
        release = await self.locks.acquire(key)
        handed_over = False
        try:
            if isinstance(event, Text) and event.vector is None:
                event = await self._read(event)
            handled = await self.db.run(
                lambda conn: self._dispatch(conn, key, event, chat_id, message_id, shown))
            outcome = await draw_charts(render(handled.outcome, self.ui, discreet=handled.discreet))
            user_id = handled.user_id
            sent = await deliver(outcome)
            if sent and chat_id is not None and user_id is not None and not outcome.erase:
                ids = SentIds(user_id, chat_id, tuple(sent), self.clock())
                if not outcome.notices:
                    # The reply is out: the turn returns now, and its ids are
                    # committed after, still under the lock, so the user's next
                    # turn (a quick exit maybe) finds them.
                    self._settle(ids, release)
                    handed_over = True
                    return outcome
                await self.sent_log.record(ids)
            if outcome.notices:
                await self._send_notices(outcome.notices)
            return outcome
        finally:
            if not handed_over:
                release()

    async def _read(self, event: Text) -> Text:
        """The rules first, once (handed to the reading): danger they are sure
        of never waits for the model. Otherwise the model, if any, reads it,
        off the loop and before the transaction: other users' buttons never
        wait for it."""
        found = rule_findings(event.text)
        event = replace(event, found=found)
        if decided_by_rules(found) or self.embed is None:
            return event
        try:
            return replace(event, vector=await self.embed(event.text))
        except Exception:
            log.warning("embedding failed; reading by rules only")
            return event

    def _settle(self, ids: SentIds, release: Callable[[], None]) -> None:
        """Commit a turn's sent ids in the background (with the group of turns
        finishing now), then release its user. A callback, not a task per
        turn: under load that task was a visible share of each update."""
        def committed(stored: asyncio.Future[None]) -> None:
            release()
            if not stored.cancelled() and (exc := stored.exception()) is not None:
                log.warning("could not store sent message ids for user %s: %s", ids.user_id, type(exc).__name__)

        stored = self.sent_log.record_soon(ids)
        stored.add_done_callback(committed)
        self._settling.add(stored)

    async def settled(self) -> None:
        """Wait until every finished turn's sent ids are committed (close, tests)."""
        await self._settling.settled()

    @property
    def ui(self) -> UiTexts:
        """The bot's own short texts, for adapters that answer without a turn."""
        return self.brain.graph.ui

    async def health(self) -> bool:
        """Whether the database answers: the webhook's /healthz."""
        try:
            await self.db.run(lambda conn: conn.exec_driver_sql("SELECT 1").scalar())
        except Exception:
            return False
        return True

    async def close(self) -> None:
        """Commit the sent ids still pending, stop the model's worker (if any), then the database."""
        await self.settled()
        if self._on_close is not None:
            await self._on_close()
        await self.db.dispose()

    def dispatcher(self, send: Send, *, channels: Sequence[str], max_per_second: float | None,
                   budget: float | None) -> Dispatcher:
        """The check-in dispatcher on this service's database, clock and check-in rules."""
        return Dispatcher(self.db, CheckinClaims(self.checkins.config), send, channels=channels, clock=self.clock,
                          max_per_second=max_per_second, budget=budget)

    def _dispatch(self, conn: Connection, key: UserKey, event: Event,
                  chat_id: int | None, message_id: int | None, shown: int | None) -> _Handled:
        match route(event):
            case Route.PRIVACY:
                before = users.find(conn, key)
                outcome = handle_privacy(conn, self.ui, key, event, is_admin=key in self.admins,
                                         incoming=message_id, shown=shown)
                after = users.find(conn, key)
                return _Handled(outcome, after.id if after else None, bool(before and before.discreet))
            case Route.PARTNER:
                return self._partner(conn, key, event, chat_id, message_id)
            case _:
                return self._turn(conn, key, event, chat_id, message_id)

    async def purge_expired_invites(self) -> None:
        """Expired partner invites go, with the inviter's first name (the front
        end's job queue runs this now and then)."""
        await purge_expired_invites(self.db, self.clock())

    async def say(self, key: UserKey, text: str, deliver: Deliver) -> None:
        """A short reply that changes nothing (help, "I only read text"), rendered
        like every other reply, so discreet mode covers it too. Read-only: a
        stranger writing to the bot gets no row."""
        found = await self.db.run(lambda conn: users.find(conn, key))
        await deliver(render(Outcome(replies=(Reply(text),)), self.ui, discreet=bool(found and found.discreet)))

    async def _record_sent(self, user_id: int, chat_id: int, sent: list[int]) -> None:
        """Keep the ids of messages sent into someone's chat, for their quick exit."""
        await self.sent_log.record(SentIds(user_id, chat_id, tuple(sent), self.clock()))

    async def _send_notices(self, notices: tuple[Notice, ...]) -> None:
        """Messages for a linked partner, after the sender's own; a failure here
        never undoes or hides the sender's turn."""
        for notice in notices:
            if self.notify is None:
                return
            try:
                sent = await self.notify(notice)
                if sent and notice.chat_id is not None:
                    await self._record_sent(notice.user_id, notice.chat_id, sent)
            except Exception as exc:
                log.warning("could not send a partner notice to user %s: %s", notice.user_id, type(exc).__name__)

    def _partner(self, conn: Connection, key: UserKey, event: Event,
                 chat_id: int | None, message_id: int | None) -> _Handled:
        """A partner event, then the welcome for someone new who came by an invite link."""
        outcome, user_id, follow = self.partner.handle(conn, key, event, chat_id, self.clock())
        discreet = bool((found := users.find(conn, key)) and found.discreet)
        if follow is None:
            if message_id is not None and chat_id is not None:
                privacy.record_messages(conn, user_id, chat_id, [message_id], self.clock())
            return _Handled(outcome, user_id, discreet)
        more = self._turn(conn, key, follow, chat_id, message_id).outcome
        joined = Outcome(replies=outcome.replies + more.replies, notices=outcome.notices + more.notices)
        return _Handled(joined, user_id, discreet)

    async def mark_blocked(self, key: UserKey) -> None:
        """Telegram said the user blocked the bot: send them nothing more until /start."""
        now = self.clock()

        def work(conn: Connection) -> None:
            users.set_active(conn, key, False, now)
            checkin_store.unschedule(conn, key)

        await self.db.run(work)

    def _turn(self, conn: Connection, key: UserKey, event: Event,
              chat_id: int | None, message_id: int | None = None) -> _Handled:
        now = self.clock()
        if isinstance(event, DueCheckIn):
            # A check-in goes to someone who exists; never create a user for it.
            found = users.find(conn, key, lock=True)
            if found is None:
                return _Handled(Outcome(), None, discreet=False)
            user = found
        else:
            user = users.get_or_create(conn, key, now, chat_id=chat_id)
        prepared = self.checkins.prepare(conn, user, event, now)
        if prepared is None:
            return _Handled(Outcome(), user.id, user.discreet)
        prepared = journal.prepare(conn, user, prepared)  # /journal, /safetyplan: the user's own entries
        early = self.partner.before_turn(conn, user, prepared, now)
        if early is not None:
            if message_id is not None and chat_id is not None:
                privacy.record_messages(conn, user.id, chat_id, [message_id], now)
            return _Handled(early, user.id, user.discreet)
        state = DialogState.from_json(user.state)
        step = respond(self.brain, state, prepared, self.checkins.profile(user))
        changes: dict[str, Any] = {"state": step.state.to_json()}
        if isinstance(event, Start) and not user.active:
            changes["active"] = True
        users.update(conn, user.id, now, **changes)
        apply_effects(conn, user, step.outcome.effects, now,
                      lambda c, u, e, t: journal.apply(c, u, e, t) or self.checkins.apply(c, u, e, t))
        self.checkins.after_turn(conn, user, state.role, step.state.role, step.outcome.effects,
                                 "active" in changes, now)
        if message_id is not None and chat_id is not None:
            privacy.record_messages(conn, user.id, chat_id, [message_id], now)
        return _Handled(self.partner.after_turn(conn, user, prepared, step.outcome, now), user.id, user.discreet)

