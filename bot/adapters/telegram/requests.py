"""The bot's connection to the Bot API, decoding each answer with orjson.

Why: every call's answer is JSON that python-telegram-bot decodes with the
standard library (``BaseRequest.parse_json_payload``, its documented place
to change that); a sent message comes back whole, with its text and
keyboard. Under load that decoding was ~5% of the event loop (py-spy over
bench_updates.py); orjson does it about three times faster, into the same
values (bot/json_codec.py).
"""

from __future__ import annotations

import json
from typing import Any

from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot import json_codec

#: python-telegram-bot's own pool size for the bot's (not getUpdates') connection.
POOL_SIZE = 256


def parse_payload(payload: bytes) -> Any:
    """An answer's JSON, as ``BaseRequest.parse_json_payload`` decodes it.

    Invalid UTF-8 is decoded with replacement characters, as PTB does. An
    answer that is not JSON raises ``TelegramError`` as PTB's does, but
    without logging the payload: it can carry a user's words."""
    try:
        return json_codec.loads(payload)
    except ValueError:
        try:
            return json.loads(payload.decode("utf-8", "replace"))
        except ValueError as exc:
            raise TelegramError("Invalid server response") from exc


class BotRequest(HTTPXRequest):
    """PTB's HTTP connection, decoding answers with :func:`parse_payload`."""

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        data: dict[str, Any] = parse_payload(payload)
        return data
