"""Two lanes for incoming updates, so a button press never waits behind typed text.

python-telegram-bot runs each update in a task and lets a fixed number of
them run at once (``concurrent_updates``); an update holds its slot until
its handler returns. Typed text may wait for the model first: its queue,
up to the worker's timeout (5 s), while the model reads ~150 messages a
second on its one core. With a single pool of 64 slots, a burst of typed
messages beyond that rate filled every slot, and presses, commands and
check-in answers queued behind them although the event loop itself was
idle (bench_updates: the loop idle 12–48% of a concurrent run with the
model, never with the rules alone).

So typed text has its own slots and everything else its own: a press waits
only for other presses, never for the model. The per-user lock in the chat
service still keeps one user's updates in order across both lanes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor, filters

#: Updates of each lane handled at once (the runner used 64 for all updates).
PER_LANE = 64


#: A new message's text that is not a command, as the handlers tell them
#: apart (handlers.py): the updates the model may read.
_TYPED = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND


def may_wait_for_model(update: object) -> bool:
    return isinstance(update, Update) and bool(_TYPED.check_update(update))


class LanedUpdateProcessor(BaseUpdateProcessor):
    """``ApplicationBuilder().concurrent_updates(LanedUpdateProcessor())``."""

    def __init__(self, per_lane: int = PER_LANE) -> None:
        # PTB's own bound covers both lanes; each lane bounds itself.
        super().__init__(2 * per_lane)
        self._typed = asyncio.BoundedSemaphore(per_lane)
        self._other = asyncio.BoundedSemaphore(per_lane)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        async with self._typed if may_wait_for_model(update) else self._other:
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up: the lanes are two semaphores."""

    async def shutdown(self) -> None:
        """Nothing to release: the application waits for its update tasks."""
