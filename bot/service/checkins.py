"""Check-ins inside a user's turn: what a turn needs from the database.

Filling in a check-in's insight and open promise (:meth:`CheckinHooks.prepare`),
storing what a check-in button recorded (:meth:`CheckinHooks.apply`), and
keeping ``users.next_checkin_at`` right whenever the hour, the zone, on/off,
the role or "active" change (:meth:`CheckinHooks.after_turn`). The
dispatcher's claims are :mod:`bot.service.checkin_claims`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from bot.core.checkin import choices, places
from bot.core.checkin.insights import Insight, next_insight, pools
from bot.core.checkin.names import CheckinAction, Choice, TypedAnswer
from bot.core.checkin.progress import WEEKS
from bot.core.checkin.schedule import (
    DEFAULT_TIME,
    DEFAULT_ZONE,
    CheckinSchedule,
    effective,
    local_date,
    parse_hhmm,
    schedule_after,
    zone,
)
from bot.core.dialog.engine import OPEN_PROMISE, DialogState
from bot.core.dialog.graph import DialogGraph
from bot.core.faq.model import FaqBook
from bot.core.messages import (
    ButtonAction,
    CheckIn,
    DueCheckIn,
    Effect,
    Event,
    SaveAnswer,
    SaveChoice,
    ShowProgress,
    UpdateProfile,
)
from bot.core.profile import Profile
from bot.core.roles import Role
from bot.storage import checkins as store
from bot.storage import users
from bot.storage.users import UserRecord

if TYPE_CHECKING:
    from bot.config import CheckinSettings, Settings
    from bot.core.turn import Brain

log = logging.getLogger(__name__)

#: How much of a promise a check-in quotes back.
PROMISE_QUOTE = 200
#: users.extra key holding the insight ids already shown.
SHOWN = "insights_shown"
#: Profile columns whose change moves the next check-in.
_SCHEDULE_COLUMNS = frozenset({"timezone", "checkin_time", "checkin_enabled", "active"})


@dataclass(frozen=True)
class CheckinConfig:
    default_time: time = DEFAULT_TIME
    default_zone: str = DEFAULT_ZONE
    #: A check-in later than this (downtime) is skipped, not sent.
    grace: timedelta = timedelta(hours=3)
    snooze: timedelta = timedelta(minutes=60)
    #: How long a claim may stay unsent before another dispatcher may send it.
    lease: timedelta = timedelta(minutes=5)

    @classmethod
    def from_settings(cls, section: CheckinSettings) -> CheckinConfig:
        return cls(
            default_time=parse_hhmm(section.default_time) or DEFAULT_TIME,
            default_zone=section.default_timezone,
            grace=timedelta(hours=section.grace_hours),
            snooze=timedelta(minutes=section.snooze_minutes),
            lease=timedelta(minutes=section.lease_minutes),
        )

    def schedule_of(self, checkin_time: str | None, timezone_name: str | None) -> CheckinSchedule:
        """A user's effective check-in time and zone: their own, or these defaults."""
        return effective(checkin_time, timezone_name, self.default_time, self.default_zone)


@dataclass
class CheckinHooks:
    """What a check-in needs inside a user's turn, in the chat service's transaction."""

    config: CheckinConfig
    graph: DialogGraph
    faq: FaqBook | None = None
    _pools: dict[Role, tuple[Insight, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._pools = pools(self.graph, self.faq)

    def profile(self, user: UserRecord) -> Profile:
        """The user's settings with the configured defaults filled in, so the
        core can always say when and in which zone check-ins come."""
        settings = self.config.schedule_of(user.checkin_time, user.timezone)
        return Profile(timezone=settings.zone_name, checkin_time=settings.hhmm,
                       checkin_enabled=user.checkin_enabled, discreet=user.discreet)

    def prepare(self, conn: Connection, user: UserRecord, event: Event, now: datetime) -> Event | None:
        """Fill in what an event needs from storage; None: nothing to do."""
        if isinstance(event, DueCheckIn):
            return self._checkin_event(conn, user, event, now)
        if isinstance(event, ShowProgress) and event.today is None:
            today = local_date(now, self.config.schedule_of(user.checkin_time, user.timezone).tz)
            since = today - timedelta(days=WEEKS * 7 - 1)
            return ShowProgress(today, tuple(store.moods_since(conn, user.id, since)),
                                tuple(store.promises_since(conn, user.id, since)))
        return event

    def _checkin_event(self, conn: Connection, user: UserRecord, event: DueCheckIn,
                       now: datetime) -> CheckIn | None:
        row = store.get(conn, event.checkin_id)
        if row is None or row.user_id != user.id or row.attempts != event.attempt or row.status != store.CLAIMED:
            return None  # no longer this claim: finished or taken over elsewhere
        role = DialogState.from_json(user.state).role
        spec = self.graph.checkin
        if not (user.active and user.checkin_enabled and role and spec and role in spec.entry):
            return None
        insight, shown = next_insight(self._pools.get(role, ()), user.extra.get(SHOWN, []), str(user.id))
        users.update(conn, user.id, now, extra={**user.extra, SHOWN: shown})
        promise = ""
        if self._asks_about_promise(role):
            found = store.open_promise(conn, user.id)
            if found:
                promise = found[1] if len(found[1]) <= PROMISE_QUOTE else found[1][: PROMISE_QUOTE - 1] + "…"
        return CheckIn(insight.text if insight else "", promise)

    def _asks_about_promise(self, role: Role) -> bool:
        """Only a role whose check-in branches on the open promise is reminded of it."""
        spec = self.graph.checkin
        node = self.graph.nodes.get(spec.entry[role]) if spec else None
        return node is not None and node.branch is not None and node.branch.counter == OPEN_PROMISE

    def apply(self, conn: Connection, user: UserRecord, effect: Effect, now: datetime) -> bool:
        """Store a check-in effect; False leaves it to the default handling (the journal)."""
        if isinstance(effect, SaveChoice):
            self._choice(conn, user, effect, now)
            return True
        if isinstance(effect, ButtonAction):
            self._action(conn, user, effect.name, now)
            return True
        if isinstance(effect, SaveAnswer) and effect.name == TypedAnswer.PROMISE:
            latest = store.latest(conn, user.id)
            zone_now = self.config.schedule_of(user.checkin_time, user.timezone).tz
            day = latest.local_date if latest else local_date(now, zone_now)
            store.add_promise(conn, user.id, latest.id if latest else None, day, effect.text.strip()[:1000], now)
            return True
        if isinstance(effect, SaveAnswer) and effect.name == TypedAnswer.TIMEZONE:
            # A typed city: only the zone it resolves to is kept, never the text.
            found = places.resolve(effect.text).zone
            if found:
                users.update(conn, user.id, now, timezone=found)
            return True
        return False

    def _choice(self, conn: Connection, user: UserRecord, effect: SaveChoice, now: datetime) -> None:
        rule = choices.CHOICES.get(effect.name)
        if rule is None or not rule[0](effect.value):
            log.warning("ignored a recorded choice %s for user %s", effect.name, user.id)
            return
        if effect.name == Choice.MOOD:
            latest = store.latest(conn, user.id)
            if latest is not None:
                store.set_mood(conn, latest.id, int(effect.value))
        elif effect.name == Choice.PROMISE_KEPT:
            found = store.open_promise(conn, user.id)
            if found is not None:
                store.answer_promise(conn, found[0], effect.value, now)
        elif effect.name == Choice.TIMEZONE and zone(effect.value):
            users.update(conn, user.id, now, timezone=effect.value)
        elif effect.name == Choice.CHECKIN_TIME:
            users.update(conn, user.id, now, checkin_time=effect.value, checkin_enabled=True)
        elif effect.name == Choice.DISCREET:
            users.update(conn, user.id, now, discreet=effect.value == "on")

    def _action(self, conn: Connection, user: UserRecord, name: CheckinAction, now: datetime) -> None:
        if name is CheckinAction.SNOOZE:
            latest = store.latest(conn, user.id)
            if latest is not None and latest.status == store.SENT:
                store.snooze(conn, latest.id, now + self.config.snooze)
        else:
            users.update(conn, user.id, now, checkin_enabled=name is CheckinAction.RESUME)

    def after_turn(self, conn: Connection, user: UserRecord, role_before: str | None, role_after: str | None,
                   effects: tuple[Effect, ...], reactivated: bool, now: datetime) -> None:
        """Move ``next_checkin_at`` when something it depends on changed."""
        changed = reactivated or role_before != role_after or any(_moves_schedule(e) for e in effects)
        unscheduled = user.next_checkin_at is None and role_after is not None and user.checkin_enabled
        if changed or unscheduled:
            self.reschedule(conn, user.id, role_after, now)

    def reschedule(self, conn: Connection, user_id: int, role: str | None, now: datetime) -> None:
        row = store.schedule_row(conn, user_id)
        if row is None:
            return
        next_at = None
        if row.active and row.checkin_enabled and role is not None:
            settings = self.config.schedule_of(row.checkin_time, row.timezone)
            next_at = schedule_after(now, settings, store.last_day(conn, user_id))
        store.set_next(conn, [(user_id, next_at)])


def _moves_schedule(effect: Effect) -> bool:
    if isinstance(effect, UpdateProfile):
        return any(name in _SCHEDULE_COLUMNS for name, _ in effect.changes)
    if isinstance(effect, SaveChoice):
        return effect.name in (Choice.TIMEZONE, Choice.CHECKIN_TIME)
    if isinstance(effect, ButtonAction):
        return effect.name in (CheckinAction.PAUSE, CheckinAction.RESUME)
    if isinstance(effect, SaveAnswer):
        return effect.name == TypedAnswer.TIMEZONE
    return False


def checkin_hooks(settings: Settings, brain: Brain) -> CheckinHooks:
    """The check-in hooks as configured (``checkin:`` in the config) for this content."""
    return CheckinHooks(CheckinConfig.from_settings(settings.checkin), brain.graph, brain.faq)
