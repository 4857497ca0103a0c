"""End-to-end fixtures: the Bot API emulator and the real bot process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.botapi_emulator import BotApiEmulator
from tests.support.botprocess import TOKEN, BotProcess


@pytest.fixture
def emulator():
    with BotApiEmulator(token=TOKEN) as emu:
        yield emu


@pytest.fixture
def bot(emulator: BotApiEmulator, tmp_path: Path):
    """``trustbot run`` on a fresh SQLite file, started and polling."""
    process = BotProcess(emulator, f"sqlite:///{tmp_path / 'bot.sqlite3'}", tmp_path)
    process.start()
    yield process
    process.stop()


def assert_clean_log(log: str) -> None:
    assert "Traceback" not in log, log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log, "the token leaked into the log"
