"""Core replies -> Telegram message parts. Plain text: no parse mode, so nothing
a writer or a user types can ever be rejected as malformed markup."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core import callbacks
from bot.core.messages import Reply


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=callbacks.encode(b.action))] for b in reply.buttons]
    )
