"""Events and effects of the user's own views: journal, safety plan, safety steps.

Kept free of other core imports so :mod:`bot.core.messages` can list these in
its ``Event`` union without a cycle. Events that can be buttons carry only
short ids (Telegram's 64-byte callback data); what storage holds comes in a
:class:`WithEntries` the service builds, never from the button itself, so a
forged id can only ever find the pressing user's own rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class CareView(StrEnum):
    """Shared steps a command or an extra button opens (see ``care:`` in the content)."""

    SAFETY = "safety"
    OPTIONS = "options"
    COUNTRY = "country"
    PLAN = "plan"


class EntryKind(StrEnum):
    """Where an entry is stored: the journal table, or the promises table."""

    JOURNAL = "j"
    PROMISE = "p"


@dataclass(frozen=True)
class OpenCare:
    """/safety, the options after a disclosure, the country picker, the plan's questions."""

    view: str


@dataclass(frozen=True)
class ShowPlan:
    """/safetyplan: the user's own safety plan, as they wrote it."""


@dataclass(frozen=True)
class OpenJournal:
    """/journal: what the user wrote, grouped by section and dated."""


@dataclass(frozen=True)
class OpenEntry:
    """Open one entry of the journal."""

    kind: str
    entry_id: int


@dataclass(frozen=True)
class AskDeleteEntry:
    """The delete button under an entry: ask first."""

    kind: str
    entry_id: int


@dataclass(frozen=True)
class ConfirmDeleteEntry:
    """The confirmation: delete that one entry, if it is the user's."""

    kind: str
    entry_id: int


@dataclass(frozen=True)
class Entry:
    """One thing the user wrote, as storage holds it."""

    kind: EntryKind
    id: int
    name: str
    node: str
    text: str
    at: datetime


JournalRequest = OpenJournal | OpenEntry | AskDeleteEntry | ConfirmDeleteEntry | ShowPlan


@dataclass(frozen=True)
class WithEntries:
    """A request, with the user's entries it needs (filled in by the service).

    For :class:`OpenJournal` and :class:`ShowPlan`: all of them, oldest first;
    for the others: the one entry asked for, or none when it is not theirs.
    """

    request: JournalRequest
    entries: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class DeleteEntry:
    """Effect: delete one entry of this user (the service scopes it to them)."""

    kind: str
    entry_id: int


CARE_EVENTS = (OpenCare, ShowPlan, OpenJournal, OpenEntry, AskDeleteEntry, ConfirmDeleteEntry, WithEntries)
JOURNAL_REQUESTS = (OpenJournal, OpenEntry, AskDeleteEntry, ConfirmDeleteEntry, ShowPlan)
