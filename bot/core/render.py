"""The last step every outcome passes before a front end shows it.

One function for every reply the bot sends, dialog and privacy alike, so a
setting that changes how messages look (discreet mode) cannot be forgotten
on one path, and every back end (Telegram, the console, tests) sees the same
messages.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.dialog.schema import UiTexts
from bot.core.messages import Outcome, Reply

#: Telegram refuses a message longer than 4096 characters, counted in UTF-16
#: code units; joined texts stay under this, with a margin to spare.
MAX_JOINED = 4000
#: Between two joined texts: a blank line, as between paragraphs.
SEPARATOR = "\n\n"


def render(outcome: Outcome, ui: UiTexts, *, discreet: bool) -> Outcome:
    """Join consecutive texts into one message (see :func:`join`), then, in
    discreet mode, open every message with the same neutral line and mark it
    to be hidden, so a glance at a lock screen shows nothing telling. Joining
    comes first, so a joined message has one cover line, at its top."""
    if not outcome.replies:
        return outcome
    if not discreet:
        return replace(outcome, replies=join(outcome.replies))
    line = ui.discreet_line
    cover = utf16_len(line) + utf16_len(SEPARATOR)
    replies = tuple(
        replace(r, text=f"{line}{SEPARATOR}{r.text}", discreet=True)
        for r in join(outcome.replies, limit=MAX_JOINED - cover)
    )
    return replace(outcome, replies=replies)


def join(replies: tuple[Reply, ...], *, limit: int = MAX_JOINED) -> tuple[Reply, ...]:
    """Consecutive plain-text replies as one message, texts a blank line apart.

    Why: each message is one Bot API call (the slowest part of a turn under
    load), one notification on the user's phone, and one more id to keep for
    a quick exit to erase. Only plain texts join: a reply with a document, an
    image or a chart stays a message of its own, in its place; a reply with
    buttons ends a group (buttons stay under the last text they came with);
    a reply already rendered (``discreet``) is left alone; and no join makes
    a text longer than ``limit`` UTF-16 code units, as Telegram counts.
    """
    joined: list[Reply] = []
    for reply in replies:
        last = joined[-1] if joined else None
        if (
            last is not None
            and _plain(last)
            and not last.buttons
            and _plain(reply)
            and utf16_len(last.text) + utf16_len(SEPARATOR) + utf16_len(reply.text) <= limit
        ):
            joined[-1] = replace(reply, text=f"{last.text}{SEPARATOR}{reply.text}")
        else:
            joined.append(reply)
    return tuple(joined)


def utf16_len(text: str) -> int:
    """A text's length as Telegram counts it: UTF-16 code units (an emoji
    outside the basic plane counts two)."""
    return len(text.encode("utf-16-le")) // 2


def _plain(reply: Reply) -> bool:
    return reply.document is None and reply.image is None and reply.chart is None and not reply.discreet
