"""What an incoming event means: the one table every layer routes by.

The service asks it whether an event needs storage of its own (privacy), the
turn asks it which part of the core answers. Keeping the decision in one
table means a new event is added in one place, and no path can skip the
shared rendering (discreet mode, quick-exit tracking) by being routed
somewhere else.
"""

from __future__ import annotations

from enum import StrEnum

from bot.core.care.events import (
    AskDeleteEntry,
    ConfirmDeleteEntry,
    OpenCare,
    OpenEntry,
    OpenJournal,
    ShowPlan,
    WithEntries,
)
from bot.core.messages import (
    AskDelete,
    CheckIn,
    CheckinCommand,
    ChooseRole,
    ConfirmDelete,
    DueCheckIn,
    Event,
    ExportData,
    ListFaq,
    OpenFaq,
    OpenMenu,
    OpenSection,
    OpenTool,
    Press,
    QuickExit,
    Resume,
    SafetyAnswer,
    SetDiscreet,
    SharedLocation,
    ShowProgress,
    ShowSafetyPlan,
    ShowStats,
    ShowSupport,
    SkipStep,
    Start,
    Text,
    TimezoneCommand,
)
from bot.core.partner.events import PARTNER_EVENTS


class Route(StrEnum):
    """Which part of the bot answers an event."""

    #: A step of the guide: the dialog engine.
    DIALOG = "dialog"
    #: Typed text: safety first, then the awaited answer, then a question.
    FREE_TEXT = "free_text"
    #: Export, deletion, quick exit, admin counts: they act on storage itself.
    PRIVACY = "privacy"
    #: Check-in hour, time zone, a shared location, /progress.
    CHECKIN_SETTINGS = "checkin_settings"
    #: Discreet mode.
    SETTINGS = "settings"
    #: The FAQ's topic list and its answers.
    FAQ = "faq"
    #: The safety plan.
    SAFETY = "safety"
    #: The user's own views: /safety, the interactive plan, /journal.
    CARE = "care"
    #: Linking partners: invites, the link, what one chose to share.
    PARTNER = "partner"
    #: Answers to what the bot heard in free text: "are you safe?", a tool, support, skip.
    HEARD = "heard"


ROUTES: dict[type[Event], Route] = {
    Start: Route.DIALOG,
    Resume: Route.DIALOG,
    OpenMenu: Route.DIALOG,
    ChooseRole: Route.DIALOG,
    Press: Route.DIALOG,
    OpenSection: Route.DIALOG,
    CheckIn: Route.DIALOG,
    Text: Route.FREE_TEXT,
    ExportData: Route.PRIVACY,
    AskDelete: Route.PRIVACY,
    ConfirmDelete: Route.PRIVACY,
    QuickExit: Route.PRIVACY,
    ShowStats: Route.PRIVACY,
    CheckinCommand: Route.CHECKIN_SETTINGS,
    TimezoneCommand: Route.CHECKIN_SETTINGS,
    SharedLocation: Route.CHECKIN_SETTINGS,
    ShowProgress: Route.CHECKIN_SETTINGS,
    DueCheckIn: Route.CHECKIN_SETTINGS,
    SetDiscreet: Route.SETTINGS,
    OpenFaq: Route.FAQ,
    ListFaq: Route.FAQ,
    ShowSafetyPlan: Route.SAFETY,
    OpenCare: Route.CARE,
    ShowPlan: Route.CARE,
    OpenJournal: Route.CARE,
    OpenEntry: Route.CARE,
    AskDeleteEntry: Route.CARE,
    ConfirmDeleteEntry: Route.CARE,
    WithEntries: Route.CARE,
    **dict.fromkeys(PARTNER_EVENTS, Route.PARTNER),
    SafetyAnswer: Route.HEARD,
    OpenTool: Route.HEARD,
    ShowSupport: Route.HEARD,
    SkipStep: Route.HEARD,
}


def route(event: Event) -> Route:
    """The part of the bot that answers ``event``; a missing entry is a bug, caught by a test."""
    return ROUTES[type(event)]
