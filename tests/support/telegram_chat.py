"""The chat test client over Telegram: a user of the Bot API emulator."""

from __future__ import annotations

import asyncio
import time

from tests.support.botapi_emulator import BotApiEmulator
from tests.support.chat import ChatClient, Seen


def seen_from(message: dict) -> Seen:
    markup = message.get("reply_markup") or {}
    labels = [b["text"] for row in markup.get("inline_keyboard", []) for b in row]
    return Seen(message.get("text") or message.get("caption") or "", labels)


class TelegramChat(ChatClient):
    """One Telegram user. An input's replies are the bot messages that arrive
    until the chat has been quiet for ``quiet`` seconds."""

    def __init__(self, emulator: BotApiEmulator, user_id: int, *, quiet: float = 0.4, timeout: float = 15.0):
        super().__init__()
        self.emulator = emulator
        self.user_id = user_id
        self.quiet = quiet
        self.timeout = timeout
        #: How many replies the next input should bring, when the test knows
        #: (from the engine): then waiting does not depend on timing at all.
        self.expect: int | None = None

    def _count(self) -> int:
        return len(self.emulator.bot_messages(self.user_id))

    def _collect(self, before: int) -> list[Seen]:
        expect, self.expect = self.expect, None
        least = before + (expect or 1)
        self.emulator.wait_for(lambda: self._count() >= least, self.timeout,
                               message=f"user {self.user_id}: expected {least - before} replies within {self.timeout}s")
        if expect is not None:
            time.sleep(0.1)  # room for an unexpected extra message to show up
            return [seen_from(m) for m in self.emulator.bot_messages(self.user_id)[before:]]
        count = self._count()
        while True:
            time.sleep(self.quiet)
            now = self._count()
            if now == count:
                break
            count = now
        return [seen_from(m) for m in self.emulator.bot_messages(self.user_id)[before:]]

    async def _send(self, text: str) -> list[Seen]:
        before = self._count()
        self.emulator.send_text(self.user_id, text)
        return await asyncio.to_thread(self._collect, before)

    async def _press(self, label: str) -> list[Seen]:
        before = self._count()
        self.emulator.press_button(self.user_id, label)
        return await asyncio.to_thread(self._collect, before)

    async def do(self, action, *args) -> list[Seen]:
        """Any emulator action for this user (a sticker, a raw press), then its replies."""
        before = self._count()
        action(self.user_id, *args)
        seen = await asyncio.to_thread(self._collect, before)
        self.transcript.extend(seen)
        return seen
