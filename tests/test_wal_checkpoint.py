"""WAL checkpoints run in their own thread: the bot's connection never runs one
inside a commit (its fsync would stop the event loop), and the log is still
copied back into the database file."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.storage import checkpoint, migrate
from bot.storage.checkpoint import WalCheckpointer
from bot.storage.database import Database


async def test_the_bots_connection_never_checkpoints_and_the_thread_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoint, "INTERVAL", 0.05)
    path = tmp_path / "t.sqlite3"
    db = Database(f"sqlite:///{path}")
    await migrate.upgrade(db)
    assert await db.run(lambda conn: conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()) == 0
    for n in range(50):
        await db.run(lambda conn, n=n: conn.exec_driver_sql(
            "INSERT INTO users (channel, external_id, state, extra, active, discreet, checkin_enabled, "
            "created_at, updated_at) VALUES ('t', ?, '{}', '{}', 1, 0, 1, '2026-12-01 08:00:00.000000', "
            "'2026-12-01 08:00:00.000000')", (str(n),)))
    checkpointer = db._checkpointer
    assert checkpointer is not None
    for _ in range(50):
        if checkpointer.checkpoints >= 2:
            break
        await asyncio.sleep(0.05)
    await db.dispose()  # a last checkpoint, then the thread ends
    assert checkpointer.checkpoints >= 2
    with sqlite3.connect(path) as conn:
        busy, log, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert (busy, log) == (0, done)  # nothing left in the log that is not in the file
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 50


def test_a_checkpointer_on_a_missing_folder_gives_up_quietly(tmp_path: Path) -> None:
    checkpointer = WalCheckpointer(tmp_path / "no" / "such" / "db.sqlite3", interval=0.01).start()
    checkpointer.stop()
    assert checkpointer.checkpoints == 0
