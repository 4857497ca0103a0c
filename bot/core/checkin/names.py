"""The names check-in buttons and answers use, as enums.

Content files write them as plain strings (``action: snooze``,
``save_as: mood``); the schema and the service both read them through these
enums, so a misspelt name fails validation instead of silently doing nothing.
"""

from __future__ import annotations

from enum import StrEnum


class CheckinAction(StrEnum):
    """Built-in actions a button can carry out besides moving on."""

    SNOOZE = "snooze"
    PAUSE = "pause"
    RESUME = "resume"


class Choice(StrEnum):
    """Values a button may record (``save_as`` with ``value``)."""

    MOOD = "mood"
    PROMISE_KEPT = "promise_kept"
    TIMEZONE = "timezone"
    CHECKIN_TIME = "checkin_time"
    #: Discreet mode for a shared phone (offered at the welcome).
    DISCREET = "discreet"


class TypedAnswer(StrEnum):
    """Typed answers (``ask.save_as``) stored somewhere other than the journal."""

    PROMISE = "promise"
    #: A typed city or zone name; resolved to a zone, and the text itself is never kept.
    TIMEZONE = "timezone"
