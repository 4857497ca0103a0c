"""The names a button may record (``save_as`` with ``value``), and what each accepts.

One table shared by the linter (a writer's typo is caught before release) and
the service (which maps each name to where it is stored), so the two can never
disagree about what "mood" or "promise_kept" means.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.checkin.names import Choice
from bot.core.checkin.schedule import canonical_zone, parse_hhmm

MOODS = ("1", "2", "3", "4", "5")
KEPT = ("yes", "partly", "no")


def _is_zone(value: str) -> bool:
    return canonical_zone(value) == value


def _is_time(value: str) -> bool:
    parsed = parse_hhmm(value)
    return parsed is not None and parsed.strftime("%H:%M") == value


#: name -> (accepts a value?, what a writer should use instead).
CHOICES: dict[str, tuple[Callable[[str], bool], str]] = {
    Choice.MOOD: (lambda v: v in MOODS, "a mood from 1 to 5"),
    Choice.PROMISE_KEPT: (lambda v: v in KEPT, "yes, partly or no"),
    Choice.TIMEZONE: (_is_zone, "an IANA time zone such as Europe/Berlin"),
    Choice.CHECKIN_TIME: (_is_time, "a time written HH:MM, such as 08:30"),
    Choice.DISCREET: (lambda v: v in ("on", "off"), "on or off"),
}
