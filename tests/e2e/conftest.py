"""End-to-end fixtures: the Bot API emulator and the real bot process."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import pytest

from tests.support.botapi_emulator import BotApiEmulator
from tests.support.botprocess import TOKEN, BotProcess


@pytest.fixture
def emulator():
    with BotApiEmulator(token=TOKEN) as emu:
        yield emu


def upgrade_schema(database_url: str, workdir: Path) -> None:
    """``trustbot db upgrade``, as an operator runs it before starting on PostgreSQL."""
    if database_url.startswith("postgresql"):
        upgrade = subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], cwd=workdir,
                                 env={**os.environ, "TRUSTBOT_DATABASE_URL": database_url},
                                 capture_output=True, text=True, timeout=120)
        assert upgrade.returncode == 0, upgrade.stderr


@pytest.fixture
def bot(emulator: BotApiEmulator, tmp_path: Path, database_url: str):
    """``trustbot run`` on a fresh database (SQLite, then PostgreSQL), started and polling."""
    upgrade_schema(database_url, tmp_path)
    process = BotProcess(emulator, database_url, tmp_path)
    process.start()
    yield process
    process.stop()


@pytest.fixture
def checkin_bot(emulator: BotApiEmulator, tmp_path: Path, database_url: str):
    """The same, with the check-in dispatcher looking every half second instead of every 30."""
    upgrade_schema(database_url, tmp_path)
    process = BotProcess(emulator, database_url, tmp_path, TRUSTBOT_CHECKIN_DISPATCH_INTERVAL="0.5")
    process.start()
    yield process
    process.stop()


def assert_clean_log(log: str) -> None:
    assert "Traceback" not in log, log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log, "the token leaked into the log"


async def make_due_now(database_url: str, telegram_ids: list[int]) -> None:
    """Bring these users' next check-in to now, as if their hour had come.

    The real-clock path (set /checkin to the coming minute) is covered in
    test_checkin_e2e.py; elsewhere this saves a minute of waiting per test.
    """
    from datetime import datetime

    import sqlalchemy as sa

    from bot.storage.database import Database
    from bot.storage.tables import users

    db = Database(database_url)
    try:
        await db.run(lambda conn: conn.execute(
            sa.update(users)
            .where(users.c.channel == "telegram", users.c.external_id.in_([str(i) for i in telegram_ids]))
            .values(next_checkin_at=datetime.now(UTC))
        ))
    finally:
        await db.dispose()
