"""Sending replies with a policy for each Telegram error.

- RetryAfter: PTB's AIORateLimiter waits and retries (configured in the runner).
- TimedOut: retried only when the request provably never left (connect or
  pool timeout). A read timeout may mean Telegram already delivered it, and a
  blind retry is how users get every message twice.
- NetworkError: retried only when the connection was never made.
- Forbidden: the user blocked the bot; they are marked inactive and nothing
  more is sent.
Nothing here logs message text.

Text messages, the bulk of what the bot sends, are posted as plain Bot API
JSON through ``Bot.do_api_request`` and only the new message's id is read
from the answer: building PTB objects for the keyboard and parsing every
answer into a ``Message`` was about a quarter of an update's CPU (bench/), and
the bot needs nothing from the answer but the id. Files and pictures, rare,
keep PTB's typed methods.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

import httpx
from telegram import Bot, CallbackQuery, MessageEntity
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from bot.adapters.telegram.render import keyboard, keyboard_text
from bot.core.dialog.schema import UiTexts
from bot.core.messages import Outcome, Reply
from bot.service.in_flight import InFlight

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Causes after which Telegram cannot have received the request.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
RETRIES = 3
#: deleteMessages takes up to 100 ids and skips those it cannot find.
DELETE_BATCH = 100
BACKOFF_SECONDS = 0.5


#: Callback answers (and late block marks) still in flight after their turn returned.
_ANSWERS = InFlight()


async def answers_settled() -> None:
    """Wait for every callback answer still in flight (shutdown, and tests
    that count answers)."""
    await _ANSWERS.settled()


class Blocked(Exception):
    """The user blocked the bot (Forbidden)."""


def provably_unsent(exc: NetworkError) -> bool:
    return isinstance(exc.__cause__, _NEVER_SENT)


async def call(request: Callable[[], Awaitable[T]], *, what: str) -> T | None:
    """Run one Bot API call under the policy above; None when it was given up."""
    for attempt in range(1, RETRIES + 1):
        try:
            return await request()
        except Forbidden as exc:
            raise Blocked() from exc
        except BadRequest as exc:
            log.warning("telegram rejected %s: %s", what, exc.message)
            return None
        except (TimedOut, NetworkError) as exc:
            if not provably_unsent(exc):
                log.warning("telegram %s failed (%s); it may have been delivered, not retrying",
                            what, type(exc).__name__)
                return None
            log.warning("telegram %s not sent (%s), attempt %d of %d",
                        what, type(exc.__cause__).__name__, attempt, RETRIES)
            await asyncio.sleep(BACKOFF_SECONDS * attempt)
    return None


@dataclass
class Delivery:
    """Where an outcome goes, and what happened to it.

    A button press is answered (answerCallbackQuery) at the same time as the
    reply is sent, so the spinner stops as the next step arrives; a stale
    button gets a short toast there. The turn does not wait for that answer
    once its reply is out: it only stops a spinner, nothing depends on it,
    and waiting cost every press another pass of the event loop. With
    webhooks the press was answered in the webhook's reply, and ``query``
    is None here (``intake.answered_in_reply``).
    """

    bot: Bot
    chat_id: int
    query: CallbackQuery | None = None
    ui: UiTexts | None = None
    #: Called when the user turns out to have blocked the bot after the turn
    #: returned (only the button's answer, still in flight, saw it).
    on_late_block: Callable[[], Awaitable[None]] | None = None
    #: Ids of the messages sent so far, for quick exit.
    sent: list[int] = field(default_factory=list)
    blocked: bool = False

    async def __call__(self, outcome: Outcome) -> list[int]:
        # The button's answer goes out alongside the reply, not before it: the
        # two are independent, so the reply arrives one round trip sooner.
        answer = asyncio.ensure_future(self._answer(outcome)) if self.query is not None else None
        try:
            for start in range(0, len(outcome.erase), DELETE_BATCH):
                batch = outcome.erase[start:start + DELETE_BATCH]
                await call(partial(self.bot.delete_messages, self.chat_id, batch), what="deleteMessages")
            for reply in outcome.replies:
                sent_id = await call(partial(self._send, reply), what="send")
                if sent_id is not None:
                    self.sent.append(sent_id)
        except Blocked:
            self.blocked = True
        finally:
            if answer is not None:
                if answer.done():
                    self._answered(answer)
                else:
                    _ANSWERS.add(answer)
                    answer.add_done_callback(partial(self._answered, late=True))
        return list(self.sent)

    def _answered(self, answer: asyncio.Future[None], *, late: bool = False) -> None:
        if answer.cancelled() or (exc := answer.exception()) is None:
            return
        if not isinstance(exc, Blocked):
            log.warning("answerCallbackQuery failed: %s", type(exc).__name__)
            return
        self.blocked = True
        if late and self.on_late_block is not None:
            _ANSWERS.add(asyncio.ensure_future(self.on_late_block()))

    async def _answer(self, outcome: Outcome) -> None:
        """answerCallbackQuery: stops the spinner; a stale button gets a short toast."""
        assert self.query is not None
        toast = self.ui.stale_toast if (outcome.stale and self.ui) else None
        params: dict[str, object] = {"callback_query_id": self.query.id}
        if toast:
            params["text"] = toast
        bot = self.bot
        # Plain JSON, as send_text: PTB's typed method cost a press ~3% more.
        await call(lambda: bot.do_api_request(ANSWER_CALLBACK, api_kwargs=params), what="answerCallbackQuery")

    async def _send(self, reply: Reply) -> int:
        """Send one reply; the new message's id."""
        if reply.document is not None:
            name, content = reply.document
            message = await self.bot.send_document(
                self.chat_id, document=content, filename=name, caption=reply.text, reply_markup=keyboard(reply)
            )
            return message.message_id
        if reply.image is not None:
            # A chart (/progress): the text is its caption, one message in the chat.
            message = await self.bot.send_photo(
                self.chat_id, photo=reply.image, caption=reply.text, reply_markup=keyboard(reply),
                caption_entities=cover_entities(reply),
            )
            return message.message_id
        return await send_text(self.bot, self.chat_id, reply)


#: The Bot API method, spelled as the API accepts it ("All methods in the Bot
#: API are case-insensitive"): ``do_api_request`` warns when the name is also a
#: ``Bot`` attribute, which is how PTB nudges callers to its typed methods.
SEND_MESSAGE = "sendmessage"
ANSWER_CALLBACK = "answercallbackquery"


async def send_text(bot: Bot, chat_id: int, reply: Reply) -> int:
    """``sendMessage`` as plain JSON; the answer's message id, nothing parsed.
    The chat id goes as text, which the Bot API takes as well as a number
    (PTB would otherwise JSON-encode the number on every call)."""
    params: dict[str, object] = {"chat_id": str(chat_id), "text": reply.text}
    markup = keyboard_text(reply)
    if markup is not None:
        params["reply_markup"] = markup
    entities = cover_entities(reply)
    if entities:
        params["entities"] = [entity.to_dict() for entity in entities]
    answer = await bot.do_api_request(SEND_MESSAGE, api_kwargs=params)
    if not isinstance(answer, dict) or not isinstance(answer.get("message_id"), int):
        raise BadRequest("sendMessage answered without a message id")
    return int(answer["message_id"])


def cover_entities(reply: Reply) -> list[MessageEntity] | None:
    """Discreet mode: everything after the neutral first line is a spoiler,
    which Telegram hides in notifications and chat-list previews."""
    if not reply.discreet or "\n" not in reply.text:
        return None
    start = reply.text.index("\n") + 1
    offset = len(reply.text[:start].encode("utf-16-le")) // 2
    length = len(reply.text[start:].encode("utf-16-le")) // 2
    return [MessageEntity(MessageEntity.SPOILER, offset, length)] if length else None
