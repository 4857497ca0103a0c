"""Work that outlives the call that started it, kept until it is done.

A turn returns once its reply is out; what it left behind (the commit of its
sent ids, its button's answer) finishes after. asyncio keeps only weak
references to tasks, so such work must be held somewhere until it ends, and
shutdown (and a test counting what was sent) must be able to wait for all of
it. One small holder for both, rather than a set and a loop in each place.
"""

from __future__ import annotations

import asyncio
from typing import Any


class InFlight:
    """``add`` a future or task; ``await settled()`` waits for every one added,
    including those added meanwhile. Their failures are theirs to report."""

    def __init__(self) -> None:
        self._work: set[asyncio.Future[Any]] = set()

    def add(self, work: asyncio.Future[Any]) -> None:
        self._work.add(work)
        work.add_done_callback(self._work.discard)

    async def settled(self) -> None:
        while self._work:
            await asyncio.gather(*list(self._work), return_exceptions=True)

    def __len__(self) -> int:
        return len(self._work)
