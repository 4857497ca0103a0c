"""WAL checkpoints in a thread of their own, never on the event loop.

With ``journal_mode=WAL`` every commit appends to the write-ahead log, and by
default the connection whose commit takes the log past 1,000 pages copies it
back into the database file and fsyncs it, inside that commit. On SQLite the
bot's units of work run on the event loop, so that fsync stopped every update
for as long as the disk took: at 200 updates/s beside the model, stalls of
one to two seconds (bench/bench_latency.py). So the bot's connection does not
checkpoint (``wal_autocheckpoint=0``) and this thread runs a PASSIVE
checkpoint every second on its own connection: it never blocks a writer or a
reader, and sqlite3 releases the GIL while it copies and syncs. Durability is
unchanged: a commit is in the log before ``run`` returns, checkpoint or not.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

#: Seconds between checkpoints: the log stays small (a second of commits).
INTERVAL = 1.0


class WalCheckpointer:
    """``start()`` once; ``stop()`` runs a last checkpoint and ends the thread."""

    def __init__(self, path: Path, interval: float | None = None) -> None:
        self.path = path
        self.interval = INTERVAL if interval is None else interval
        self.checkpoints = 0  # tests read it
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> WalCheckpointer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="trustbot-wal-checkpoint", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=10)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, timeout=5.0, check_same_thread=True)
        except sqlite3.Error as exc:
            log.warning("WAL checkpoints disabled: %s", type(exc).__name__)
            return
        try:
            while not self._stop.wait(self.interval):
                self._checkpoint(conn)
            self._checkpoint(conn)
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.checkpoints += 1
        except sqlite3.Error as exc:  # busy or locked: the next round will do
            log.debug("WAL checkpoint skipped: %s", type(exc).__name__)
