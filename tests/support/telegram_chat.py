"""The chat test client over HTTP: a user of the Bot API emulator talking to a real bot process.

Only the end-to-end tests use it (restarts, two instances, the real clock);
everything else talks to the bot in-process (tests/support/telegram_inproc.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.support.botapi_emulator import BotApiEmulator, JSONDict
from tests.support.chat import ChatClient, EngineChat, Seen
from tests.support.telegram_inproc import seen_from

__all__ = ["TelegramChat", "seen_from"]


class TelegramChat(ChatClient):
    """One Telegram user. An input's replies are the bot messages that arrive
    until their expected number is reached: from ``mirror`` (the pure engine,
    which says how many replies the same input brings), from ``expect`` set by
    the test, else at least one. Nothing waits for the chat to fall quiet."""

    def __init__(self, emulator: BotApiEmulator, user_id: int, *, timeout: float = 15.0,
                 mirror: EngineChat | None = None) -> None:
        super().__init__()
        self.emulator = emulator
        self.user_id = user_id
        self.timeout = timeout
        self.mirror = mirror
        #: How many replies the next input should bring, when the test knows.
        self.expect: int | None = None

    def _count(self) -> int:
        return self.emulator.bot_message_count(self.user_id)

    def _collect(self, before: int) -> list[Seen]:
        expect, self.expect = self.expect, None
        least = before + (expect or 1)
        self.emulator.wait_for(lambda: self._count() >= least, self.timeout,
                               message=f"user {self.user_id}: expected {least - before} replies within {self.timeout}s")
        return [seen_from(m) for m in self.emulator.bot_messages(self.user_id, start=before)]

    async def _send(self, text: str) -> list[Seen]:
        if self.mirror is not None:
            self.expect = len(await self.mirror.send(text))
        before = self._count()
        self.emulator.send_text(self.user_id, text)
        return await asyncio.to_thread(self._collect, before)

    async def _press(self, label: str) -> list[Seen]:
        if self.mirror is not None:
            self.expect = len(await self.mirror.press(label))
        before = self._count()
        self.emulator.press_button(self.user_id, label)
        return await asyncio.to_thread(self._collect, before)

    async def do(self, action: Callable[..., JSONDict | None], *args: Any) -> list[Seen]:
        """Any emulator action for this user (a sticker, a raw press), then its replies."""
        before = self._count()
        action(self.user_id, *args)
        seen = await asyncio.to_thread(self._collect, before)
        self.transcript.extend(seen)
        return seen
