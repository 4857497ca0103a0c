"""Incoming updates, trimmed of what trustbot never reads, before PTB parses them.

Why: a button's update carries the whole message the button was under, its
text, entities, sender and the full keyboard, and python-telegram-bot turns
it into a ``Message``: about a hundred attribute sets even for a message cut
to its id, date and chat (a press parsed in ~77 µs that way, against ~26 µs
without the message; a press is 80% of the updates, and each parse is on
the event loop). Trustbot reads two things of that message: its id (a quick
exit erases up to it) and its chat. So :func:`lean_update` takes the message
out of the press and keeps those two under :data:`PRESSED`, which PTB leaves
in the query's ``api_kwargs`` as it does any field it does not know; the
handlers read them back with :func:`where`, never from ``query.message``.

Every update passes through here, polling (``UpdatesRequest``), webhook and
the in-process test client alike, so the handlers see the same update either
way. Everything else (messages, edits, locations, member changes) passes as
it came.

In webhook mode a press is answered in the webhook's own HTTP reply
(:func:`answered_in_reply`): Telegram runs the one Bot API method such a
reply names. The spinner stops before the turn even starts, and a press
costs one Bot API call, its reply message, instead of two. The update is
marked :data:`ANSWERED` so the handlers do not answer it again (an answer
can be given once); :func:`already_answered` reads the mark.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, Chat, Update

from bot.adapters.telegram.requests import BotRequest

#: The key a trimmed press keeps its message's id and chat under.
PRESSED = "trustbot_pressed"
#: The key that marks a press already answered in the webhook's reply.
ANSWERED = "trustbot_answered"
#: The Bot API method a webhook reply runs for a press.
ANSWER_METHOD = "answerCallbackQuery"


def lean_update(update: Any) -> Any:
    """``update`` with a callback query's message reduced to :data:`PRESSED`
    (anything that is not such an update passes unchanged, for the parser to
    refuse or to parse as it is)."""
    if not isinstance(update, dict):
        return update
    query = update.get("callback_query")
    if not isinstance(query, dict) or not isinstance(query.get("message"), dict):
        return update
    message = query["message"]
    chat = message.get("chat")
    if not (isinstance(chat, dict) and isinstance(chat.get("id"), int) and isinstance(message.get("message_id"), int)):
        return update  # not what Telegram sends: PTB parses it as it is
    lean = {key: value for key, value in query.items() if key != "message"}
    lean[PRESSED] = {"message_id": message["message_id"], "chat": {"id": chat.get("id"), "type": chat.get("type")}}
    return {**update, "callback_query": lean}


def answered_in_reply(update: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """For a press: the update marked :data:`ANSWERED`, and the webhook reply
    that answers it (no toast: a stale button's notice is in the reply message
    too). Anything else: the update unchanged, and no reply body."""
    query = update.get("callback_query")
    if not isinstance(query, dict) or not isinstance(query.get("id"), str):
        return update, None
    return ({**update, "callback_query": {**query, ANSWERED: True}},
            {"method": ANSWER_METHOD, "callback_query_id": query["id"]})


def already_answered(query: CallbackQuery) -> bool:
    """Whether ``query`` was answered in the webhook's reply (see :func:`answered_in_reply`)."""
    return _kept(query, ANSWERED) is True


def _kept(query: CallbackQuery, key: str) -> Any:
    """What this module kept in ``query`` under ``key`` (PTB files unknown fields under ``api_kwargs``)."""
    return (query.api_kwargs or {}).get(key)


@dataclass(frozen=True, slots=True)
class Where:
    """The chat an update came from, and the message a pressed button was under."""

    chat_id: int
    private: bool
    #: The message a pressed button was under (None for anything but a press).
    pressed: int | None = None


def where(update: Update) -> Where | None:
    """Where ``update`` came from; None when it names no chat (an inline query's press)."""
    query = update.callback_query
    if query is not None:
        kept = _kept(query, PRESSED)
        if isinstance(kept, dict):  # as lean_update made it: both ids checked there
            return Where(kept["chat"]["id"], kept["chat"]["type"] == Chat.PRIVATE, kept["message_id"])
        if query.message is not None:  # an update that did not come through lean_update
            return Where(query.message.chat.id, query.message.chat.type == Chat.PRIVATE, query.message.message_id)
        return None
    chat = update.effective_chat
    return None if chat is None else Where(chat.id, chat.type == Chat.PRIVATE)


class UpdatesRequest(BotRequest):
    """The connection ``getUpdates`` polls on: each update trimmed as it is decoded.

    ``parse_json_payload`` is python-telegram-bot's documented place to
    change how answers are decoded; this request object serves getUpdates only.
    """

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        data: dict[str, Any] = BotRequest.parse_json_payload(payload)
        result = data.get("result")
        if isinstance(result, list):
            data["result"] = [lean_update(item) for item in result]
        return data
