"""/checkin, /timezone, a shared location and /progress: pure replies and profile changes.

Settings commands answer with words from ``checkin.texts`` and change the
profile through :class:`UpdateProfile` effects; the service stores them and
moves the next check-in. A command never moves the user off their current
step, except the bare ``/checkin`` and ``/timezone``, which open the settings
steps with their buttons.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time

from bot.core.checkin import places, progress
from bot.core.checkin.schedule import CheckinSchedule, effective, parse_hhmm
from bot.core.dialog import engine
from bot.core.dialog.engine import DialogState, Step
from bot.core.dialog.graph import DialogGraph
from bot.core.dialog.schema import CheckinTexts
from bot.core.messages import (
    Button,
    CheckinCommand,
    DueCheckIn,
    Event,
    OpenMenu,
    Outcome,
    ProgressChart,
    Reply,
    SharedLocation,
    ShowProgress,
    TimezoneCommand,
    UpdateProfile,
)
from bot.core.profile import Profile

OFF_WORDS = frozenset({"off", "pause", "stop", "no", "disable"})
ON_WORDS = frozenset({"on", "resume", "start", "yes", "enable"})
STATUS_WORDS = frozenset({"", "status", "settings", "?"})
_TWELVE_HOUR = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\.?$")
#: What a reply may quote back of what the user typed.
ECHO_LIMIT = 40


def parse_time(text: str) -> time | None:
    """24-hour ("07:30", "0730") or 12-hour ("7am", "7:30 pm") clock times."""
    text = text.strip().lower()
    parsed = parse_hhmm(text)
    if parsed is not None:
        return parsed
    match = _TWELVE_HOUR.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if not 1 <= hour <= 12 or minute > 59:
        return None
    return time(hour % 12 + (12 if match.group(3) == "p" else 0), minute)


def _fill(template: str, **values: str) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def _echo(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ECHO_LIMIT else text[: ECHO_LIMIT - 1] + "…"


def respond(graph: DialogGraph, state: DialogState, event: Event, profile: Profile) -> Step:
    spec = graph.checkin
    if isinstance(event, DueCheckIn) or spec is None:
        # A claim the service did not turn into a check-in: nothing to say.
        return Step(state, Outcome())
    texts = spec.texts
    current = effective(profile.checkin_time, profile.timezone)
    menu = (Button(graph.ui.menu_button, OpenMenu()),)

    def say(text: str, *effects: UpdateProfile, chart: ProgressChart | None = None) -> Step:
        return Step(state, Outcome(replies=(Reply(text, menu, chart=chart),), effects=effects))

    if isinstance(event, CheckinCommand):
        arg = event.arg.strip().lower()
        if arg in STATUS_WORDS:
            return engine.enter(graph, state, spec.settings, (Reply(_status(texts, current, profile)),))
        if arg in OFF_WORDS:
            return say(texts.paused, UpdateProfile.of(checkin_enabled=False))
        if arg in ON_WORDS:
            return say(_fill(texts.resumed, time=current.hhmm, zone=current.zone_name),
                       UpdateProfile.of(checkin_enabled=True))
        at = parse_time(arg)
        if at is None:
            return say(_fill(texts.time_bad, text=_echo(event.arg)))
        hhmm = at.strftime("%H:%M")
        return say(_fill(texts.time_set, time=hhmm, zone=current.zone_name),
                   UpdateProfile.of(checkin_time=hhmm, checkin_enabled=True))
    if isinstance(event, TimezoneCommand):
        if not event.arg.strip():
            return engine.enter(graph, state, spec.timezone, (Reply(_status(texts, current, profile)),))
        place = places.resolve(event.arg)
        if place.zone is None:
            template = texts.zone_ambiguous if place.ambiguous else texts.zone_unknown
            return say(_fill(template, text=_echo(event.arg)))
        return say(_fill(texts.zone_set, time=current.hhmm, zone=place.zone), UpdateProfile.of(timezone=place.zone))
    if isinstance(event, SharedLocation):
        found = places.zone_at(event.latitude, event.longitude)
        if found is None:
            return say(texts.location_unknown)
        return say(_fill(texts.location_set, time=current.hhmm, zone=found), UpdateProfile.of(timezone=found))
    if isinstance(event, ShowProgress):
        return _progress(texts, event, say)
    raise ValueError(f"not a check-in event: {type(event).__name__}")


def _status(texts: CheckinTexts, current: CheckinSchedule, profile: Profile) -> str:
    template = texts.status_on if profile.checkin_enabled else texts.status_off
    return _fill(template, time=current.hhmm, zone=current.zone_name)


def _progress(texts: CheckinTexts, event: ShowProgress, say: Callable[..., Step]) -> Step:
    summary = progress.summarize(event.moods, event.promises)
    text = progress.line(texts, summary)
    if event.today is None or (summary.days == 0 and summary.promises == 0):
        return say(texts.progress_empty)
    return say(text, chart=progress.chart(texts, event.today, event.moods, event.promises))


__all__ = ["parse_time", "respond"]
