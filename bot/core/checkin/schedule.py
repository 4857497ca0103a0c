"""When is a user's next check-in? Wall-clock time in their own zone, in UTC.

A check-in time is a time on the user's wall clock ("08:00 in Berlin"), not a
fixed UTC instant, so it stays right across DST changes and moves with the
user when they change zone. Two edge cases need a rule:

- spring forward: a time that does not exist that day (02:30 in Berlin on the
  last Sunday of March) is sent as late as the clock jumped (03:30);
- fall back: a time that happens twice (02:30 on the last Sunday of October)
  is sent at its first occurrence; the once-per-local-day record stops the
  second.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.h]?([0-5]\d)$")


def parse_hhmm(text: str) -> time | None:
    """``"8:05"``, ``"08:05"``, ``"0805"``, ``"8.05"`` -> 08:05; None when not a time of day."""
    match = _HHMM.match(text.strip().lower())
    if not match:
        return None
    return time(int(match.group(1)), int(match.group(2)))


def zone(name: str) -> ZoneInfo | None:
    """The IANA zone of that exact name, or None (never an exception)."""
    if not name or ".." in name or name.startswith("/"):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


_ZONES_LOWER: dict[str, str] | None = None


def canonical_zone(name: str) -> str | None:
    """Case-insensitive match of an IANA name: ``"europe/berlin"`` -> ``"Europe/Berlin"``."""
    global _ZONES_LOWER
    if _ZONES_LOWER is None:
        _ZONES_LOWER = {z.lower(): z for z in available_timezones()}
    return _ZONES_LOWER.get(name.strip().lower().replace(" ", "_"))


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def wall_clock_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``at`` on ``day`` in ``tz``, with the DST rules above.

    PEP 495's ``fold=0`` gives both rules at once: an ambiguous time resolves
    to its first occurrence, and a time inside a gap is read with the offset
    before the jump, which lands it the length of the gap later (02:30 -> 03:30).
    """
    return datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(UTC)


def next_due(after: datetime, at: time, tz: ZoneInfo, last_sent_day: date | None) -> datetime:
    """The first check-in instant strictly after ``after`` on a day after ``last_sent_day``."""
    day = local_date(after, tz)
    if last_sent_day is not None and day <= last_sent_day:
        day = last_sent_day + timedelta(days=1)
    for _ in range(3):
        due = wall_clock_to_utc(day, at, tz)
        if due > after:
            return due
        day += timedelta(days=1)
    raise AssertionError("unreachable: a wall-clock time recurs within three days")


# --- what the dispatcher does with one due user --------------------------------

DEFAULT_TIME = time(8, 0)
DEFAULT_ZONE = "UTC"


@dataclass(frozen=True)
class CheckinSchedule:
    """A user's effective check-in settings: their own, or the configured defaults."""

    at: time
    tz: ZoneInfo

    @property
    def zone_name(self) -> str:
        return self.tz.key

    @property
    def hhmm(self) -> str:
        return f"{self.at.hour:02d}:{self.at.minute:02d}"


@functools.lru_cache(maxsize=1024)
def effective(checkin_time: str | None, timezone_name: str | None,
              default_time: time = DEFAULT_TIME, default_zone: str = DEFAULT_ZONE) -> CheckinSchedule:
    """Stored values can be missing or stale (a zone renamed by a tzdata
    release): anything unusable falls back to the default, never an error.
    Every turn asks (the user's profile): the answers for the settings seen
    recently are kept (times and zone names only)."""
    at = parse_hhmm(checkin_time) if checkin_time else None
    tz = zone(timezone_name) if timezone_name else None
    return CheckinSchedule(at or default_time, tz or zone(default_zone) or ZoneInfo("UTC"))


@dataclass(frozen=True)
class DuePlan:
    """What to do with a user whose ``next_checkin_at`` has come.

    ``send``: claim the check-in of ``local_date`` and send it. Otherwise the
    day was already used (e.g. after a zone change) or the check-in is older
    than the grace window (downtime), and it is skipped. Either way the user's
    next check-in moves to ``next_at``.
    """

    send: bool
    local_date: date
    next_at: datetime
    reason: str = ""


def plan_due(due_at: datetime, now: datetime, settings: CheckinSchedule, last_day: date | None,
             grace: timedelta) -> DuePlan:
    day = local_date(due_at, settings.tz)
    if last_day is not None and day <= last_day:
        return DuePlan(False, day, next_due(now, settings.at, settings.tz, last_day), "day already used")
    if now - due_at > grace:
        return DuePlan(False, day, next_due(now, settings.at, settings.tz, last_day), "missed beyond grace")
    return DuePlan(True, day, next_due(now, settings.at, settings.tz, day))


def schedule_after(now: datetime, settings: CheckinSchedule, last_day: date | None) -> datetime:
    """``next_checkin_at`` after a change of time, zone or on/off: the first
    occurrence from now on, on a local day that has not had its check-in yet."""
    return next_due(now, settings.at, settings.tz, last_day)
