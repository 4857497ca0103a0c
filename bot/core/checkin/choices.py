"""The names a button may record (``save_as`` with ``value``), and what each accepts.

One table shared by the linter (a writer's typo is caught before release) and
the service (which maps each name to where it is stored), so the two can never
disagree about what "mood" or "promise_kept" means.
"""

from __future__ import annotations

from typing import Callable

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
    "mood": (lambda v: v in MOODS, "a mood from 1 to 5"),
    "promise_kept": (lambda v: v in KEPT, "yes, partly or no"),
    "timezone": (_is_zone, "an IANA time zone such as Europe/Berlin"),
    "checkin_time": (_is_time, "a time written HH:MM, such as 08:30"),
    #: Discreet mode for a shared phone (offered at the welcome).
    "discreet": (lambda v: v in ("on", "off"), "on or off"),
}

#: Typed answers (``ask.save_as``) the service stores somewhere other than the journal.
PROMISE = "promise"
SAFETY_NEED = "safety_need"
#: A typed city or zone name; resolved to a zone, and the text itself is never kept.
TIMEZONE = "timezone"
