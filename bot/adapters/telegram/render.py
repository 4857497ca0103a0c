"""Core replies -> Telegram message parts. Plain text: no parse mode, so nothing
a writer or a user types can ever be rejected as malformed markup."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup

from bot.core import callbacks
from bot.core.messages import Reply


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The keyboard as a PTB object, for the typed methods (files, pictures)."""
    data = keyboard_json(reply)
    return None if data is None else InlineKeyboardMarkup.de_json(data, None)


def keyboard_json(reply: Reply) -> dict[str, Any] | None:
    """The same keyboard as Bot API JSON, for the plain-JSON send path."""
    if not reply.buttons:
        return None
    return {"inline_keyboard": [[{"text": b.label, "callback_data": callbacks.encode(b.action)}]
                                for b in reply.buttons]}
