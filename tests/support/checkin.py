"""A check-in test rig: a fake clock, the chat service and a dispatcher on one database.

Nothing sleeps: time moves only when a test calls :meth:`Clock.advance`, and
the dispatcher ticks only when the test says so. What the "user" receives is
collected per user, with the instant it was sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.messages import CheckinCommand, DueCheckIn, Event, Outcome, Press, Start, TimezoneCommand
from bot.core.turn import Brain
from bot.scheduler.dispatcher import Dispatcher
from bot.service.chat import ChatService
from bot.service.checkin_claims import CheckinClaims, Claim
from bot.service.checkins import CheckinConfig, CheckinHooks
from bot.storage import checkins as store
from bot.storage import users
from bot.storage.database import Database
from bot.storage.users import UserKey

CHANNEL = "test"


def at(*args: int) -> datetime:
    """A UTC instant: ``at(2025, 3, 30, 1)``."""
    return datetime(*args, tzinfo=UTC)


class Clock:
    def __init__(self, start: datetime):
        assert start.tzinfo is not None
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, instant: datetime) -> None:
        self.now = instant.astimezone(UTC)


@dataclass
class Received:
    """One check-in as the user got it."""

    at: datetime
    local_date: date
    texts: list[str]
    buttons: list[str]


@dataclass
class Rig:
    db: Database
    brain: Brain
    clock: Clock
    config: CheckinConfig = field(default_factory=CheckinConfig)
    batch_size: int = 100
    received: dict[str, list[Received]] = field(default_factory=dict)
    #: The latest outcome delivered to each user (their screen).
    screen: dict[str, Outcome] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.checkins = CheckinHooks(self.config, self.brain.graph, self.brain.faq)
        self.chat = ChatService(self.db, self.brain, clock=self.clock, checkins=self.checkins)
        self.claims = CheckinClaims(self.config)
        self.dispatcher = Dispatcher(self.db, self.claims, self.send, channels=(CHANNEL,), clock=self.clock,
                                     batch_size=self.batch_size, max_per_second=None)

    async def send(self, claim: Claim) -> str:
        name = claim.external_id
        outcome = await self.chat.handle(claim.key, DueCheckIn(claim.checkin_id, claim.attempt),
                                         self._deliver(name))
        if not outcome.replies:
            return "skipped"
        self.received.setdefault(name, []).append(Received(
            self.clock(), claim.local_date, [r.text for r in outcome.replies],
            [b.label for r in outcome.replies for b in r.buttons],
        ))
        return "sent"

    def _deliver(self, name: str):
        async def deliver(outcome: Outcome) -> None:
            self.screen[name] = outcome
        return deliver

    async def event(self, name: str, event: Event) -> Outcome:
        return await self.chat.handle(UserKey(CHANNEL, name), event, self._deliver(name))

    async def press(self, name: str, label: str) -> Outcome:
        """Press a button by its label on the user's latest message with buttons."""
        outcome = self.screen[name]
        for reply in reversed(outcome.replies):
            for button in reply.buttons:
                if button.label == label:
                    return await self.event(name, button.action)
        raise AssertionError(f"no button {label!r} for {name}: {[b.label for r in outcome.replies for b in r.buttons]}")

    async def user(self, name: str, zone: str, at: str = "08:00", role: str = "broke_trust") -> None:
        """A user as onboarding makes them: /start, a role, a zone, a time."""
        await self.event(name, Start())
        await self.event(name, Press(self.brain.graph.role_choice, f"role_{role}"))
        await self.event(name, TimezoneCommand(zone))
        await self.event(name, CheckinCommand(at))

    async def tick(self):
        return await self.dispatcher.tick()

    async def record(self, name: str) -> users.UserRecord:
        found = await self.db.run(lambda c: users.find(c, UserKey(CHANNEL, name)))
        assert found is not None
        return found

    async def rows(self, name: str) -> list[dict]:
        user = await self.record(name)

        def work(conn):
            import sqlalchemy as sa

            from bot.storage.tables import checkins
            result = conn.execute(sa.select(checkins).where(checkins.c.user_id == user.id).order_by(checkins.c.id))
            return [dict(r._mapping) for r in result]

        return await self.db.run(work)

    async def next_at(self, name: str) -> datetime | None:
        return store.utc((await self.record(name)).next_checkin_at)

    def local_times(self, name: str, zone: str) -> list[str]:
        tz = ZoneInfo(zone)
        return [r.at.astimezone(tz).strftime("%Y-%m-%d %H:%M") for r in self.received.get(name, [])]

    async def run_until(self, end: datetime, step: timedelta = timedelta(minutes=5)) -> None:
        """Tick every ``step`` of fake time until ``end``."""
        while self.clock() < end:
            self.clock.advance(seconds=step.total_seconds())
            await self.tick()
