"""What the bot and the model's process say to each other, over two pipes.

Messages are tuples pickled by :class:`multiprocessing.connection.Connection`:

- bot → child: ``(Ask.EMBED, texts)``, ``(Ask.READER, (weighing, matcher,
  top_k))`` (what weighing reads of the reader: ``layout.Weighing``, the
  FAQ's word matcher, the reader's ``top_k``), ``(Ask.WEIGH, texts)``;
- child → bot: first ``(Reply.READY, model_id, dim)`` or
  ``(Reply.FAILED, kind, message)``; then one reply per request:
  ``(Reply.ROWS, matrix)``, ``(Reply.OK,)``, ``(Reply.WEIGHED, matrix,
  [detached evidence])`` or ``(Reply.ERROR, exception type name)``.

Kept apart from ``child.py`` so that both sides name the same classes
(what the child pickles must be importable by the bot under its real name).
"""

from __future__ import annotations

import enum


class Ask(enum.StrEnum):
    EMBED = "embed"
    READER = "reader"
    WEIGH = "weigh"


class Reply(enum.StrEnum):
    READY = "ready"
    FAILED = "failed"
    ROWS = "rows"
    OK = "ok"
    WEIGHED = "weighed"
    ERROR = "error"
