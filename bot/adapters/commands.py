"""Slash commands every front end understands, mapped to core events.

One table, so /menu means the same in Telegram, the console and the tests.
"""

from __future__ import annotations

from typing import Callable

from bot.core.messages import ChooseRole, Event, ListFaq, OpenMenu, Start

#: name -> (the event for the command's argument text, description for /help).
COMMANDS: dict[str, tuple[Callable[[str], Event], str]] = {
    "start": (lambda _: Start(), "Begin, or begin again"),
    "menu": (lambda _: OpenMenu(), "Your menu"),
    "role": (lambda _: ChooseRole(), "Choose or switch your role"),
    "faq": (lambda _: ListFaq(), "Questions I can answer"),
}


def command_event(text: str) -> Event | None:
    """The event a typed command means, or None when it is not one we know."""
    parsed = parse_command(text)
    if parsed is None or parsed[0] not in COMMANDS:
        return None
    name, args = parsed
    return COMMANDS[name][0](args)

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
