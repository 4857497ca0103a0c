"""When check-ins are due: the pure schedule, across DST and the date line."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.checkin.schedule import effective, next_due, parse_hhmm, plan_due, wall_clock_to_utc

GRACE = timedelta(hours=3)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected_utc", "expected_local"),
    [
        # Spring forward: 02:30 does not exist; it is sent when the clock has jumped (03:30).
        ("Europe/Berlin", date(2025, 3, 30), time(2, 30), utc(2025, 3, 30, 1, 30), "03:30"),
        ("America/New_York", date(2025, 3, 9), time(2, 30), utc(2025, 3, 9, 7, 30), "03:30"),
        # Fall back: 02:30 (Berlin) / 01:30 (New York) happen twice; the first one counts.
        ("Europe/Berlin", date(2025, 10, 26), time(2, 30), utc(2025, 10, 26, 0, 30), "02:30"),
        ("America/New_York", date(2025, 11, 2), time(1, 30), utc(2025, 11, 2, 5, 30), "01:30"),
        # Ordinary days either side keep the wall-clock hour.
        ("Europe/Berlin", date(2025, 3, 29), time(8, 0), utc(2025, 3, 29, 7, 0), "08:00"),
        ("Europe/Berlin", date(2025, 3, 31), time(8, 0), utc(2025, 3, 31, 6, 0), "08:00"),
        # The two ends of the clock: UTC+14 is a day ahead of UTC-11 at the same instant.
        ("Pacific/Kiritimati", date(2025, 6, 1), time(8, 0), utc(2025, 5, 31, 18, 0), "08:00"),
        ("Pacific/Pago_Pago", date(2025, 6, 1), time(8, 0), utc(2025, 6, 1, 19, 0), "08:00"),
    ],
)
def test_wall_clock_times_map_to_the_right_instant(zone, day, at, expected_utc, expected_local) -> None:
    due = wall_clock_to_utc(day, at, ZoneInfo(zone))
    assert due == expected_utc
    assert due.astimezone(ZoneInfo(zone)).strftime("%H:%M") == expected_local


@pytest.mark.parametrize(
    ("zone", "start", "at"),
    [
        ("Europe/Berlin", utc(2025, 3, 28, 12), time(2, 30)),
        ("Europe/Berlin", utc(2025, 10, 24, 12), time(2, 30)),
        ("America/New_York", utc(2025, 3, 7, 12), time(2, 30)),
        ("America/New_York", utc(2025, 10, 31, 12), time(1, 30)),
        ("Pacific/Kiritimati", utc(2025, 6, 1), time(8, 0)),
        ("Pacific/Pago_Pago", utc(2025, 6, 1), time(8, 0)),
    ],
)
def test_following_next_due_gives_exactly_one_instant_per_local_day(zone, start, at) -> None:
    tz = ZoneInfo(zone)
    instants, last = [], None
    now = start
    for _ in range(6):
        due = next_due(now, at, tz, last)
        assert due > now
        instants.append(due)
        last = due.astimezone(tz).date()
        now = due
    days = [i.astimezone(tz).date() for i in instants]
    assert days == [days[0] + timedelta(days=n) for n in range(6)]
    gaps = {(b - a) for a, b in itertools.pairwise(instants)}
    assert gaps <= {timedelta(hours=23), timedelta(hours=24), timedelta(hours=25)}


def test_the_repeated_hour_of_fall_back_is_not_a_second_check_in() -> None:
    tz, at = ZoneInfo("Europe/Berlin"), time(2, 30)
    first = utc(2025, 10, 26, 0, 30)  # 02:30 CEST
    plan = plan_due(first, first, effective("02:30", "Europe/Berlin"), None, GRACE)
    assert plan.send and plan.local_date == date(2025, 10, 26)
    # An hour later the wall clock reads 02:30 again (CET); the day is used.
    assert plan.next_at == wall_clock_to_utc(date(2025, 10, 27), at, tz)
    again = plan_due(utc(2025, 10, 26, 1, 30), utc(2025, 10, 26, 1, 30), effective("02:30", "Europe/Berlin"),
                     date(2025, 10, 26), GRACE)
    assert not again.send and again.reason == "day already used"


def test_a_check_in_late_within_the_grace_window_is_sent_and_older_is_skipped() -> None:
    settings = effective("08:00", "Europe/Berlin")
    due = utc(2025, 1, 15, 7)
    late = plan_due(due, due + timedelta(hours=2, minutes=59), settings, None, GRACE)
    assert late.send and late.next_at == utc(2025, 1, 16, 7)
    missed = plan_due(due, due + timedelta(hours=3, minutes=1), settings, None, GRACE)
    assert not missed.send and missed.reason == "missed beyond grace"
    assert missed.next_at == utc(2025, 1, 16, 7)


def test_unusable_stored_settings_fall_back_to_the_defaults() -> None:
    settings = effective("25:99", "Mars/Olympus_Mons", time(7, 15), "Europe/Lisbon")
    assert settings.hhmm == "07:15" and settings.zone_name == "Europe/Lisbon"
    assert parse_hhmm("25:99") is None and parse_hhmm("7.05") == time(7, 5)
