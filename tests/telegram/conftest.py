"""Telegram behaviour tests: the real Application in this process, on the emulator's world."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.storage import migrate
from bot.storage.database import Database
from tests.conftest import DIALOGS
from tests.support.botapi_emulator import BotApiEmulator
from tests.support.botprocess import TOKEN
from tests.support.telegram_inproc import InProcessBot

MakeBot = Callable[..., Awaitable[InProcessBot]]


@pytest.fixture
def emulator() -> BotApiEmulator:
    """The emulator's state only: no HTTP server is started, the bot calls it directly."""
    return BotApiEmulator(token=TOKEN)


@pytest_asyncio.fixture
async def make_bot(emulator: BotApiEmulator, database_url: str) -> AsyncIterator[MakeBot]:
    """Start bots with extra ``TRUSTBOT_*`` settings (or ``jobs=True``); all are stopped after the test."""
    started: list[InProcessBot] = []
    if database_url.startswith("postgresql"):
        # What an operator does first on PostgreSQL (`trustbot db upgrade`); SQLite upgrades at start.
        db = Database(database_url)
        await migrate.upgrade(db)
        await db.dispose()

    async def make(**options: Any) -> InProcessBot:
        bot = InProcessBot(emulator, database_url, DIALOGS, **options)
        started.append(await bot.start())
        return bot

    yield make
    for bot in started:
        await bot.stop()
    assert emulator.server_exceptions == []


@pytest_asyncio.fixture
async def bot(make_bot: MakeBot) -> InProcessBot:
    """The bot with default settings on a fresh database (SQLite; PostgreSQL in the slow run)."""
    return await make_bot()


def assert_clean_log(log: str) -> None:
    assert "Traceback" not in log, log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log, "the token leaked into the log"


def database_file(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'bot.sqlite3'}"
