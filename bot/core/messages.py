"""The vocabulary between front ends and the core: what comes in, what goes out.

Front ends (Telegram, the console, tests) turn whatever their transport gives
them into one of these events, and render :class:`Reply` objects back. A button
carries the event it will send when pressed, so a front end never needs to know
what a button means, only how to encode it (see :mod:`bot.core.callbacks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Start:
    """/start: begin (again) at the welcome."""


@dataclass(frozen=True)
class Resume:
    """Show the user where they are (a front end reconnecting, e.g. the console)."""


@dataclass(frozen=True)
class OpenMenu:
    """/menu or the Menu button."""


@dataclass(frozen=True)
class ChooseRole:
    """/role: pick or switch role."""


@dataclass(frozen=True)
class Press:
    """A dialog button: ``key`` of a button on ``node``."""

    node: str
    key: str


@dataclass(frozen=True)
class Text:
    """Anything typed."""

    text: str


@dataclass(frozen=True)
class OpenSection:
    """Jump to an article section of the user's role (FAQ answers offer this)."""

    section: str


@dataclass(frozen=True)
class OpenFaq:
    """Show one FAQ answer (from /faq or a "did you mean" button)."""

    faq_id: str


@dataclass(frozen=True)
class ListFaq:
    """/faq: the topics as buttons."""


@dataclass(frozen=True)
class ShowSafetyPlan:
    """The safety plan of one kind ("partner" or "self_harm")."""

    kind: str


@dataclass(frozen=True)
class ExportData:
    """/export: everything stored about the user, as a JSON document."""


@dataclass(frozen=True)
class AskDelete:
    """/delete: ask for confirmation first."""


@dataclass(frozen=True)
class ConfirmDelete:
    """The confirmation button of /delete: remove every row of the user."""


@dataclass(frozen=True)
class QuickExit:
    """/exit or the quick-exit button: erase the chat and the data, say nothing."""


@dataclass(frozen=True)
class SetDiscreet:
    """/discreet on|off: neutral first lines for a shared phone."""

    arg: str


@dataclass(frozen=True)
class ShowStats:
    """/stats: counts only, for admins."""


Event = Union[Start, Resume, OpenMenu, ChooseRole, Press, Text, OpenSection, OpenFaq, ListFaq, ShowSafetyPlan,
              ExportData, AskDelete, ConfirmDelete, QuickExit, ShowStats, SetDiscreet]


@dataclass(frozen=True)
class Button:
    label: str
    action: Event


@dataclass(frozen=True)
class Reply:
    """One chat message. ``buttons`` are rows of one button each, in order."""

    text: str
    buttons: tuple[Button, ...] = ()
    #: A file to attach: (file name, content), e.g. the /export JSON.
    document: tuple[str, bytes] | None = None
    #: True when the first line is a neutral cover line (discreet mode), so a
    #: front end that can hide the rest from notifications does so.
    discreet: bool = False


@dataclass(frozen=True)
class SaveAnswer:
    """Effect: keep a typed answer in the user's journal."""

    name: str
    text: str
    node: str


@dataclass(frozen=True)
class SafetyFlag:
    """Effect: a safety check fired (the text itself is never recorded)."""

    categories: tuple[str, ...]


@dataclass(frozen=True)
class UpdateProfile:
    """Effect: change the user's settings (column name -> new value)."""

    changes: tuple[tuple[str, object], ...]

    @classmethod
    def of(cls, **changes: object) -> UpdateProfile:
        return cls(tuple(sorted(changes.items())))


Effect = Union[SaveAnswer, SafetyFlag, UpdateProfile]


@dataclass(frozen=True)
class Outcome:
    """What handling one event produced: messages to send and effects to store."""

    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    #: True when the event was a button from an older step (the front end may
    #: show a short notice where its transport has one, e.g. a Telegram toast).
    stale: bool = False
    #: Erase the conversation from the user's screen (quick exit): the front
    #: end deletes these message ids where its transport allows.
    erase: tuple[int, ...] = ()
