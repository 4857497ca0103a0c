"""Slash commands every front end understands, mapped to core events.

One table, so /menu means the same in Telegram, the console and the tests.
"""

from __future__ import annotations

from bot.core.messages import ChooseRole, Event, ListFaq, OpenMenu, Start

COMMANDS: dict[str, tuple[Event, str]] = {
    "start": (Start(), "Begin, or begin again"),
    "menu": (OpenMenu(), "Your menu"),
    "role": (ChooseRole(), "Choose or switch your role"),
    "faq": (ListFaq(), "Questions I can answer"),
}

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
