"""The real Telegram front end in this process: no HTTP, no polling, no waiting.

The bot is the very ``Application`` that ``trustbot run`` builds
(:func:`bot.adapters.telegram.runner.build_application`), with one change: its
transport is :class:`InProcessRequest`, a ``telegram.request.BaseRequest`` that
hands each Bot API call straight to the :class:`BotApiEmulator`'s world (the
same chats, messages, limits and Telegram wording the HTTP end-to-end tests
see) instead of sending it over a socket. Updates a test makes with the
emulator's user-side methods are fed to ``Application.process_update``, which
returns only when every handler has finished, so an input's replies are known
the moment it returns: tests never wait for a quiet period, and a whole
conversation runs in milliseconds. This is the offline ``BaseRequest`` pattern
of python-telegram-bot's own tests.

What only a real process shows (restarts, SIGKILL, two instances, the real
clock, the log it writes) stays in ``tests/e2e/``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any
from unittest.mock import patch

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.ext import Application, BaseRateLimiter
from telegram.request import BaseRequest, RequestData

import bot.adapters.model as model_adapter
from bot.adapters.telegram import runner
from bot.adapters.telegram.delivery import answers_settled
from bot.adapters.telegram.intake import lean_update
from bot.adapters.telegram.runner import (
    DEFAULT_LIMITER,
    DefaultLimiter,
    build_application,
)
from bot.config import load_settings
from tests.support.botapi_emulator import BotApiEmulator, JSONDict, _Upload
from tests.support.chat import ChatClient, Seen
from tests.support.content import cached_load_with_model

#: Any http URL passes the settings check; nothing ever connects to it.
BASE_URL = "http://telegram.inproc/bot"
BASE_FILE_URL = "http://telegram.inproc/file/bot"


class InProcessRequest(BaseRequest):
    """Answers Bot API calls from the emulator's memory.

    A ``slow`` fault of the emulator is played the way an HTTP client lives it:
    the call takes effect, and the answer comes after the fault's delay, or
    not at all (``TimedOut``) when that is longer than the read timeout.
    """

    def __init__(self, emulator: BotApiEmulator, *, read_timeout: float = 5.0) -> None:
        self.emulator = emulator
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open: there is no connection."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if not url.startswith(BASE_URL):
            raise NetworkError(f"in-process Bot API: no server at {url}")
        token, _, api_method = url[len(BASE_URL):].rpartition("/")
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        uploads: dict[str, _Upload] = {}
        if request_data is not None and request_data.contains_files:
            for name, (filename, content, mime) in request_data.multipart_data.items():
                data = content if isinstance(content, bytes) else content.read()
                uploads[name] = _Upload(name, filename, mime, data)
        status, payload, delay = self.emulator.call(token, api_method, params, uploads)
        if status == -1:
            raise NetworkError("in-process Bot API: connection dropped")
        if delay:
            timeout = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
            if timeout is not None and delay > timeout:
                await asyncio.sleep(timeout)
                raise TimedOut("in-process Bot API: read timed out")
            await asyncio.sleep(delay)
        return status, json.dumps(payload).encode("utf-8")


class _LogCapture(logging.Handler):
    """What the bot logs while it runs, tracebacks included, as one text."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


class InProcessBot:
    """The bot's Application on an emulator, configured as ``trustbot run`` would be.

    ``env`` takes the same ``TRUSTBOT_*`` settings the real process reads, so a
    test can say "with admin ids 7100" the way an operator does.
    """

    def __init__(
        self,
        emulator: BotApiEmulator,
        database_url: str,
        dialogs: Path,
        *,
        jobs: bool = False,
        rate_limiter: BaseRateLimiter[Any] | DefaultLimiter | None = None,
        read_timeout: float = 5.0,
        **env: str,
    ) -> None:
        self.emulator = emulator
        self.env: dict[str, str] = {
            "TRUSTBOT_TOKEN": emulator.token,
            "TRUSTBOT_TELEGRAM_BASE_URL": BASE_URL,
            "TRUSTBOT_TELEGRAM_BASE_FILE_URL": BASE_FILE_URL,
            "TRUSTBOT_DATABASE_URL": database_url,
            "TRUSTBOT_DIALOGS_DIR": str(dialogs),
            **env,
        }
        #: Start the JobQueue (the check-in dispatcher) too; off by default so
        #: nothing happens between a test's inputs unless the test asks for it.
        self.jobs = jobs
        self.rate_limiter = rate_limiter
        self.request = InProcessRequest(emulator, read_timeout=read_timeout)
        self.app: Application[Any, Any, Any, Any, Any, Any] | None = None
        self._log = _LogCapture()

    async def start(self) -> InProcessBot:
        settings = load_settings(env=self.env)
        limiter = DEFAULT_LIMITER if isinstance(self.rate_limiter, DefaultLimiter) else self.rate_limiter
        with patch.object(runner, "load_with_model", cached_load_with_model):
            self.app = build_application(settings, request=self.request, rate_limiter=limiter)
        logging.getLogger().addHandler(self._log)
        logging.getLogger("bot").setLevel(logging.INFO)
        await self.app.initialize()
        if self.app.post_init is not None:
            # No deadline for the model: on a loaded test machine a reading that
            # fell back to the rules after 5 s would differ from the mirror's.
            # The deadline itself has its own test (test_embedding_worker.py).
            with patch.object(model_adapter, "EmbeddingWorker", partial(model_adapter.EmbeddingWorker, timeout=None)):
                await self.app.post_init(self.app)
        if self.jobs:
            await self.app.start()
        return self

    async def stop(self) -> None:
        app, self.app = self.app, None
        if app is None:
            return
        try:
            if app.running:
                await app.stop()
            await app.shutdown()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
        finally:
            logging.getLogger().removeHandler(self._log)

    def log(self) -> str:
        return "\n".join(self._log.lines)

    async def feed(self, update: Mapping[str, Any]) -> None:
        """Process one update the emulator queued, to the end of every handler it runs."""
        assert self.app is not None, "the bot is not started"
        self._take(int(update["update_id"]))
        # As polling and the webhook take it in (bot/adapters/telegram/intake.py).
        await self.app.process_update(Update.de_json(lean_update(dict(update)), self.app.bot))
        # What the turn left in flight: its button's answer, its sent ids' commit.
        await answers_settled()
        service = self.app.bot_data.get("service")
        if service is not None:
            await service.settled()

    async def deliver(self) -> int:
        """Process every update still queued (e.g. a block's my_chat_member), in order."""
        count = 0
        while pending := self.emulator.pending_updates():
            await self.feed(pending[0])
            count += 1
        return count

    def _take(self, update_id: int) -> None:
        """Confirm the update, as a getUpdates offset would, so it is fed once."""
        self.emulator.confirm_update(update_id)


async def wait_until(
    predicate: Callable[[], Any],
    timeout: float = 10.0,  # noqa: ASYNC109 - the timeout is this test helper's API
    message: str = "",
) -> Any:
    """Poll ``predicate`` (for what a background job sends) until it is truthy."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(message or f"condition not met within {timeout}s")
        await asyncio.sleep(0.02)
    return value


def seen_from(message: JSONDict) -> Seen:
    markup = message.get("reply_markup") or {}
    labels = [b["text"] for row in markup.get("inline_keyboard", []) for b in row]
    return Seen(message.get("text") or message.get("caption") or "", labels)


class InProcessChat(ChatClient):
    """One Telegram user talking to an :class:`InProcessBot`.

    An input's replies are exactly the bot messages sent while it was
    processed: nothing is waited for, and a reply that should not come fails
    the comparison instead of being missed.
    """

    def __init__(self, bot: InProcessBot, user_id: int) -> None:
        super().__init__()
        self.bot = bot
        self.emulator = bot.emulator
        self.user_id = user_id
        #: Kept for the clients' shared walks; replies are exact here, so it is unused.
        self.expect: int | None = None

    def _count(self) -> int:
        return self.emulator.bot_message_count(self.user_id)

    async def _send(self, text: str) -> list[Seen]:
        before = self._count()
        update = self.emulator.send_text(self.user_id, text)
        await self.bot.feed(update)
        return [seen_from(m) for m in self.emulator.bot_messages(self.user_id, start=before)]

    async def _press(self, label: str) -> list[Seen]:
        before = self._count()
        update = self.emulator.press_button(self.user_id, label)
        await self.bot.feed(update)
        return [seen_from(m) for m in self.emulator.bot_messages(self.user_id, start=before)]

    async def do(self, action: Callable[..., JSONDict | Awaitable[Any] | None], *args: Any) -> list[Seen]:
        """Any emulator action for this user (a sticker, a raw press), then its replies."""
        before = self._count()
        update = action(self.user_id, *args)
        if isinstance(update, dict) and "update_id" in update:
            await self.bot.feed(update)
        await self.bot.deliver()
        seen = [seen_from(m) for m in self.emulator.bot_messages(self.user_id, start=before)]
        self.transcript.extend(seen)
        return seen
