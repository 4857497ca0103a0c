"""Which messages a quick exit erases.

Telegram numbers the messages of a private chat one after another, the
user's and the bot's alike. The bot stores the id of every message it sends
and receives, but a sent message's id exists only once Telegram has answered,
after the turn's transaction: a crash in between would leave a reply on the
screen that no stored id points to. So a quick exit erases every id from the
oldest it knows to the newest it knows, and a few beyond (the rest of a turn
whose ids were lost), newest first, so the most recent words go first.
Telegram skips ids that no longer exist or are too old to delete.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Ids beyond the newest known one: more than one turn ever sends.
TAIL = 10
#: At most this many ids below the newest: far more than two days of chat
#: (Telegram lets a bot delete messages up to 48 hours old).
MAX_SPAN = 5000


def ids_to_erase(known: Iterable[int], newest: int | None = None, *,
                 tail: int = TAIL, max_span: int = MAX_SPAN) -> tuple[int, ...]:
    """``known``: every stored id of the user's chat; ``newest``: the id of the
    message that asked for the exit (typed, or the one whose button was pressed)."""
    ids = {i for i in known if i > 0}
    if newest is not None and newest > 0:
        ids.add(newest)
    if not ids:
        return ()
    high = max(ids) + tail
    low = max(min(ids), high - max_span)
    return tuple(sorted(ids.union(range(low, high + 1)), reverse=True))
