"""Privacy through the real process: what it writes to its log, and the modes of the files it creates.

Export, deletion, quick exit, discreet mode and isolation are tested in-process (tests/telegram/test_privacy.py).
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.conftest import shipped_graph
from tests.e2e.conftest import assert_clean_log
from tests.support.botapi_emulator import BotApiEmulator
from tests.support.botprocess import TOKEN, BotProcess
from tests.support.content import mirror
from tests.support.telegram_chat import TelegramChat
from tests.support.walks import journal_an_apology

pytestmark = pytest.mark.slow

GRAPH = shipped_graph()
APOLOGY = "I lied about where I was in March, and I'm ashamed of it"
QUESTION = "can a relationship really survive an affair like mine"




async def test_the_log_holds_no_message_text_and_no_token(emulator: BotApiEmulator, tmp_path: Path) -> None:
    process = BotProcess(emulator, f"sqlite:///{tmp_path / 'bot.sqlite3'}", tmp_path, TRUSTBOT_LOG_LEVEL="DEBUG")
    process.start()
    try:
        chat = TelegramChat(emulator, 7005, mirror=mirror())
        typed = [APOLOGY, QUESTION, "my partner hit me and I am scared", "I need honesty today"]
        await journal_an_apology(chat, GRAPH, typed[0])
        for text in typed[1:]:
            await chat.send(text)
        chat.mirror = None  # the service answers /export, not the pure engine: one document
        await chat.send("/export")
    finally:
        process.stop()
    log = process.log()
    assert "safety flag" in log  # the flag is logged...
    for text in typed:
        assert text not in log  # ...never the words
    for fragment in (TOKEN, TOKEN.split(":")[1]):
        assert fragment not in log
    assert_clean_log(log)


async def test_the_database_files_are_readable_by_their_owner_only(emulator: BotApiEmulator, tmp_path: Path) -> None:
    path = tmp_path / "data" / "bot.sqlite3"
    process = BotProcess(emulator, f"sqlite:///{path}", tmp_path)
    process.start()
    try:
        await TelegramChat(emulator, 7300, mirror=mirror()).send("/start")
        files = [path, *path.parent.glob(path.name + "-*")]
        assert len(files) >= 2  # the database and its write-ahead log
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    finally:
        process.stop()
