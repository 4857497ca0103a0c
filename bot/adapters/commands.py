"""Slash commands every front end understands, mapped to core events.

One table, so /menu means the same in Telegram, the console and the tests.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.care.events import CareView, OpenCare, OpenJournal, ShowPlan
from bot.core.messages import (
    AskDelete,
    CheckinCommand,
    ChooseRole,
    Event,
    ExportData,
    ListFaq,
    OpenMenu,
    QuickExit,
    SetDiscreet,
    ShowProgress,
    ShowStats,
    Start,
    TimezoneCommand,
)
from bot.core.partner.events import Invite, OpenInvite, ShowPartner, Unlink


def _start(arg: str) -> Event:
    """``/start``, or ``/start <token>`` from an invite link."""
    return OpenInvite(arg) if arg else Start()


#: name -> (the event for the command's argument text, description for /help).
COMMANDS: dict[str, tuple[Callable[[str], Event], str]] = {
    "start": (_start, "Begin, or begin again"),
    "menu": (lambda _: OpenMenu(), "Your menu"),
    "safety": (lambda _: OpenCare(CareView.SAFETY.value), "If you don't feel safe: help lines and your safety plan"),
    "role": (lambda _: ChooseRole(), "Choose or switch your role"),
    "faq": (lambda _: ListFaq(), "Questions I can answer"),
    "discreet": (SetDiscreet, "Neutral message previews for a shared phone (on/off)"),
    "export": (lambda _: ExportData(), "Everything I hold about you, as a file"),
    "delete": (lambda _: AskDelete(), "Delete everything I hold about you"),
    "exit": (lambda _: QuickExit(), "Quick exit: erase this chat and your data at once"),
    "checkin": (CheckinCommand, "Your daily check-in: its time (/checkin 07:30), off or on"),
    "timezone": (TimezoneCommand, "Your time zone, by city or name (/timezone Lisbon)"),
    "progress": (lambda _: ShowProgress(), "Your mood, kept promises and the parts of the guide you've seen"),
    "safetyplan": (lambda _: ShowPlan(), "Your own safety plan, as you wrote it"),
    "journal": (lambda _: OpenJournal(), "What you've written here: read it, or delete an entry"),
    "invite": (lambda _: Invite(), "Invite your partner to link (a one-time link, 24 hours)"),
    "partner": (lambda _: ShowPartner(), "Your link: its status, what is shared and what never is"),
    "unlink": (lambda _: Unlink(), "End the link at once; your partner is not told"),
}

#: Commands that work but are not advertised in the menu.
HIDDEN_COMMANDS: dict[str, tuple[Callable[[str], Event], str]] = {
    "stats": (lambda _: ShowStats(), "Counts for admins"),
}


def command_event(text: str) -> Event | None:
    """The event a typed command means, or None when it is not one we know."""
    parsed = parse_command(text)
    if parsed is None:
        return None
    name, args = parsed
    known = COMMANDS.get(name) or HIDDEN_COMMANDS.get(name)
    return known[0](args) if known else None

HELP_COMMAND = ("help", "What I can do and how to use me")


def parse_command(text: str) -> tuple[str, str] | None:
    """``"/menu@TrustBot extra"`` -> ``("menu", "extra")``; None for ordinary text."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, rest = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    if not name.replace("_", "").isalnum():
        return None
    return name, rest.strip()
