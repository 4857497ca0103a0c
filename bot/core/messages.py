"""The vocabulary between front ends and the core: what comes in, what goes out.

Front ends (Telegram, the console, tests) turn whatever their transport gives
them into one of these events, and render :class:`Reply` objects back. A button
carries the event it will send when pressed, so a front end never needs to know
what a button means, only how to encode it (see :mod:`bot.core.callbacks`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.core.care.events import (
    AskDeleteEntry,
    ConfirmDeleteEntry,
    DeleteEntry,
    OpenCare,
    OpenEntry,
    OpenJournal,
    ShowPlan,
    WithEntries,
)
from bot.core.checkin.names import CheckinAction
from bot.core.partner.events import PartnerEvent
from bot.core.understanding.reading import SafetyCategory


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
    """Anything typed. ``vector`` is its embedding, or the reader's evidence
    weighed from it off the loop (:mod:`bot.core.understanding.evidence`),
    added by the service before the turn (None: read by rules only); never
    compared or printed. ``found``: what the safety rules found in it, when
    the service has checked already (``reader.rule_findings``; categories
    only), so the reading does not check again."""

    text: str
    vector: Any = field(default=None, compare=False, repr=False)
    found: frozenset[SafetyCategory] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class SafetyAnswer:
    """A button under "Are you safe right now?": not_safe, okay or not_sure."""

    choice: str


@dataclass(frozen=True)
class OpenTool:
    """A short exercise, e.g. "grounding" (the node ``tool_grounding``)."""

    name: str


@dataclass(frozen=True)
class ShowSupport:
    """"Talk to someone": support lines without alarm."""


@dataclass(frozen=True)
class SkipStep:
    """Leave a step that waits for typed words without answering it."""


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


# --- check-ins ---------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    """The morning check-in: enters the check-in step of the user's role.

    The service fills it in, because it needs storage: ``insight`` is today's
    thought (none repeats until all were shown), ``promise`` the promise still
    waiting for a yes / partly / no ("" when there is none).
    """

    insight: str
    promise: str = ""


@dataclass(frozen=True)
class DueCheckIn:
    """A check-in the dispatcher claimed. The service checks the claim is still
    this one (``attempt``) and turns it into a :class:`CheckIn`, or into nothing."""

    checkin_id: int
    attempt: int


@dataclass(frozen=True)
class CheckinCommand:
    """/checkin [HH:MM|on|off]: the daily check-in's hour, on or off."""

    arg: str


@dataclass(frozen=True)
class TimezoneCommand:
    """/timezone [zone or city]."""

    arg: str


@dataclass(frozen=True)
class SharedLocation:
    """A location the user shared: only its time zone is kept, never the place."""

    latitude: float
    longitude: float


@dataclass(frozen=True)
class ShowProgress:
    """/progress. The service adds the user's recent check-ins before the core
    sees it: ``moods`` as (local date, 1-5), ``promises`` as (local date, kept)."""

    today: date | None = None
    moods: tuple[tuple[date, int], ...] = ()
    promises: tuple[tuple[date, str | None], ...] = ()


Event = (Start | Resume | OpenMenu | ChooseRole | Press | Text | OpenSection | OpenFaq | ListFaq | ShowSafetyPlan
         | ExportData | AskDelete | ConfirmDelete | QuickExit | ShowStats | SetDiscreet
         | CheckIn | DueCheckIn | CheckinCommand | TimezoneCommand | SharedLocation | ShowProgress
         # the user's own views: bot/core/care/events.py
         | OpenCare | ShowPlan | OpenJournal | OpenEntry | AskDeleteEntry | ConfirmDeleteEntry | WithEntries
         # linking partners: bot/core/partner/events.py
         | PartnerEvent
         # answers to what the bot heard: bot/core/heard.py
         | SafetyAnswer | OpenTool | ShowSupport | SkipStep)


@dataclass(frozen=True)
class ProgressChart:
    """The /progress picture as plain data: mood per day over the last
    weeks, and promises per week by outcome, with the labels to print."""

    today: date
    weeks: int
    moods: tuple[tuple[date, int], ...]
    promises: tuple[tuple[date, str | None], ...]
    mood_title: str
    promises_title: str
    kept_label: str
    partly_label: str
    missed_label: str


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
    #: A picture (PNG) to show with ``text`` as its caption, e.g. the /progress chart.
    image: bytes | None = None
    #: A chart to draw and send as the image (the service draws it).
    chart: ProgressChart | None = None


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


@dataclass(frozen=True)
class SaveChoice:
    """Effect: a button recorded a value (``save_as``/``value``), e.g. mood "3"."""

    name: str
    value: str
    node: str


@dataclass(frozen=True)
class ButtonAction:
    """Effect: a button asked for a built-in action (snooze, pause, resume)."""

    name: CheckinAction
    node: str


Effect = SaveAnswer | SafetyFlag | UpdateProfile | SaveChoice | ButtonAction | DeleteEntry


@dataclass(frozen=True)
class Notice:
    """Messages for someone other than the sender: their linked partner.

    Sent after the sender's own replies, only for what the sender chose to
    share; ``user_id`` lets the service keep the message ids for that
    person's quick exit."""

    user_id: int
    channel: str
    external_id: str
    chat_id: int | None
    replies: tuple[Reply, ...]


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
    #: Messages for a linked partner (see :class:`Notice`).
    notices: tuple[Notice, ...] = ()
