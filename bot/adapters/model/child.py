"""The model's own process: what it does from start to exit.

Started by :class:`bot.adapters.model.process.ModelProcess` as
``python -m bot.adapters.model.child REQUESTS RESULTS THREADS``, holding
nothing but the read end of one pipe and the write end of another (the
bot's ends are closed in here: ``close_fds``). So if the bot dies, however it
dies, the next read finds the pipe closed and the child exits: it can never
outlive the bot (the places-index lesson, ``places_child.py``).

The messages are in :mod:`bot.adapters.model.pipe`. This module is run,
never imported by the package (``python -m`` would then find it imported
twice).

Privacy: no text is ever logged or sent back, only vectors and numbers; an
error names the exception's type, not its message.
"""

from __future__ import annotations

import signal
import sys
import threading
from multiprocessing.connection import Connection
from typing import Any

from bot.adapters.memory import give_back
from bot.adapters.model.pipe import Ask, Reply
from bot.adapters.model.priority import MODEL_NICE, lower_priority
from bot.core.understanding.evidence import measure

#: Exit status when the bot was gone before the child could answer.
ORPHANED = 3


def answer(embedder: Any, weighing: Any, message: tuple[Any, ...]) -> tuple[tuple[Any, ...], Any]:
    """One request's reply, and what to weigh with from now on: ``(weighing,
    matcher, top_k)``, the reader's parts that :func:`evidence.measure` reads."""
    kind, payload = message
    if kind == Ask.EMBED:
        return (Reply.ROWS, embedder.embed(payload)), weighing
    if kind == Ask.READER:
        return (Reply.OK,), payload
    if kind == Ask.WEIGH:
        if weighing is None:
            raise RuntimeError("asked to weigh before a reader was sent")
        index, matcher, top_k = weighing
        matrix = embedder.embed(payload)
        return (Reply.WEIGHED, matrix, [measure(index, matcher, text, row, top_k)
                                        for text, row in zip(payload, matrix, strict=True)]), weighing
    raise ValueError(f"unknown request {kind!r}")


def serve(requests: Connection, results: Connection, threads: int) -> int:
    """The child's whole life; its exit status."""
    from bot.adapters.model.e5_embedder import load_embedder
    from bot.adapters.model.integrity import ModelIntegrityError

    try:
        embedder = load_embedder(threads=threads)
    except ModelIntegrityError as exc:
        results.send((Reply.FAILED, "integrity", str(exc)))  # names a file and a hash, never a message
        return 1
    # The model's helper threads were niced by load_embedder; this thread,
    # which tokenises and weighs, now yields to the bot's event loop too.
    lower_priority({threading.get_native_id()}, MODEL_NICE)
    give_back()  # the model's file and its parse are freed: keep only the model
    results.send((Reply.READY, embedder.model_id, embedder.dim))
    weighing: Any = None
    while True:
        try:
            message = requests.recv()
        except (EOFError, OSError):
            return 0  # the bot closed its end, or is gone
        try:
            reply, weighing = answer(embedder, weighing, message)
            if message[0] == Ask.READER:
                give_back()  # the pickle it came in is freed
        except Exception as exc:  # the bot's callers get it; the child goes on
            reply = (Reply.ERROR, type(exc).__name__)
        try:
            results.send(reply)
        except (BrokenPipeError, ConnectionResetError, OSError):
            return ORPHANED


def main(argv: list[str]) -> int:
    # Ctrl-C in a terminal reaches the whole process group: the bot decides
    # when the model stops (it closes the pipe), not the keyboard.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests, results = Connection(int(argv[0]), writable=False), Connection(int(argv[1]), readable=False)
    try:
        return serve(requests, results, int(argv[2]))
    except (BrokenPipeError, ConnectionResetError):
        return ORPHANED
    finally:
        requests.close()
        results.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
