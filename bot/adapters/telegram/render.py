"""Core replies -> Telegram message parts. Plain text: no parse mode, so nothing
a writer or a user types can ever be rejected as malformed markup."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.core import callbacks
from bot.core.messages import Button, Reply

#: Distinct keyboards whose JSON text is kept (steps, FAQ choices, safety
#: questions: bot content and action ids, never what a user typed).
KEYBOARDS_KEPT = 4096


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The keyboard as a PTB object, for the typed methods (files, pictures)."""
    return InlineKeyboardMarkup.de_json(_markup(reply.buttons), None) if reply.buttons else None


def keyboard_text(reply: Reply) -> str | None:
    """The keyboard as the JSON text ``sendMessage`` takes, for the plain-JSON send path.

    Why text: PTB passes a text parameter through as it is, and JSON-encodes
    anything else on every call; the keyboards repeat (a step's is the same
    for everyone), so each distinct one is encoded once, as
    :func:`bot.core.callbacks.encode` keeps each button's data. Encoding was
    ~4% of the event loop's time under load (bench_updates.py, py-spy).
    """
    return _encoded(reply.buttons) if reply.buttons else None


@lru_cache(maxsize=KEYBOARDS_KEPT)
def _encoded(buttons: tuple[Button, ...]) -> str:
    return json.dumps(_markup(buttons))


def _markup(buttons: tuple[Button, ...]) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": b.label, "callback_data": callbacks.encode(b.action)}] for b in buttons]}
