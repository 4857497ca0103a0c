"""Privacy end to end: export, real deletion, quick exit, discreet mode, clean logs, isolation."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import pytest

from bot.storage import privacy, users
from bot.storage.database import Database
from bot.storage.users import UserKey
from bot.core.dialog.loader import load_dir
from tests.conftest import DIALOGS
from tests.e2e.conftest import assert_clean_log, make_due_now
from tests.support.paths import role_label, route_to_answer
from tests.support.botapi_emulator import BotApiEmulator
from tests.support.botprocess import TOKEN, BotProcess
from tests.support.telegram_chat import TelegramChat, seen_from

GRAPH = load_dir(DIALOGS)
APOLOGY = "I lied about where I was in March, and I'm ashamed of it"
QUESTION = "can a relationship really survive an affair like mine"


async def _journal_something(chat: TelegramChat, text: str) -> None:
    """Walk to the apology draft of the role that broke trust and type ``text``."""
    await chat.send("/start")
    await chat.press(role_label(GRAPH, "broke_trust"))
    await chat.press(GRAPH.ui.menu_button)  # the onboarding questions can wait
    for label in route_to_answer(GRAPH, "broke_trust", "apology_draft"):
        await chat.press(label)
    assert any("Quick exit" in b for b in chat.buttons), chat.buttons  # a step that waits for typing
    await chat.send(text)


async def _rows(database_url: str, telegram_id: int) -> dict[str, int] | None:
    db = Database(database_url)
    try:
        def scan(conn):
            user = users.find(conn, UserKey("telegram", str(telegram_id)))
            return privacy.rows_of_user(conn, user.id) if user else None
        return await db.run(scan)
    finally:
        await db.dispose()


async def _all_tables_mention(database_url: str, needle: str) -> list[str]:
    """Tables with any cell containing ``needle`` (a full scan, every table)."""
    import sqlalchemy as sa

    from bot.storage.tables import metadata

    db = Database(database_url)
    try:
        def scan(conn):
            hits = []
            for table in metadata.sorted_tables:
                for row in conn.execute(sa.select(table)):
                    if any(needle in str(v) for v in row):
                        hits.append(table.name)
            return hits
        return await db.run(scan)
    finally:
        await db.dispose()


PROMISE = "home by six and phone face down at dinner"


async def test_export_holds_what_the_user_wrote_and_delete_removes_every_row(
    emulator: BotApiEmulator, checkin_bot: BotProcess
) -> None:
    bot = checkin_bot
    chat = TelegramChat(emulator, 7001)
    await _journal_something(chat, APOLOGY)
    await chat.send(QUESTION)
    await chat.send("/timezone Berlin")
    # The morning check-in: mood, then today's small promise.
    before = len(emulator.bot_messages(7001))
    await make_due_now(bot.env["TRUSTBOT_DATABASE_URL"], [7001])
    await emulator.async_wait_for(lambda: any(
        "How are you feeling" in (m["text"] or "") for m in emulator.bot_messages(7001)[before:]), timeout=20)
    await asyncio.sleep(0.5)
    chat.transcript.extend(seen_from(m) for m in emulator.bot_messages(7001)[before:])
    await chat.press("4 · okay")
    await chat.send(PROMISE)
    seen = await chat.send("/export")
    exported = [m for m in emulator.bot_messages(7001) if m["kind"] == "document"]
    assert exported, seen
    document = json.loads(emulator.file_bytes(exported[-1]["message"]["document"]["file_id"]))
    dumped = json.dumps(document, ensure_ascii=False)
    assert APOLOGY in dumped and PROMISE in dumped
    assert document["profile"]["channel"] == "telegram" and document["profile"]["timezone"] == "Europe/Berlin"
    assert [c["mood"] for c in document["checkins"]] == [4]

    url = bot.env["TRUSTBOT_DATABASE_URL"]
    stored = await _rows(url, 7001)
    assert stored and stored["journal"] >= 1 and stored["checkins"] == 1 and stored["promises"] == 1
    await chat.send("/delete")
    await chat.press("Yes, delete everything")
    assert await _rows(url, 7001) is None
    assert await _all_tables_mention(url, APOLOGY) == []
    assert await _all_tables_mention(url, PROMISE) == []
    # The bot forgot them: the next message starts fresh.
    seen = await chat.send("/menu")
    assert any(b.startswith("I broke") for b in seen[-1].buttons)
    assert_clean_log(bot.log())


async def test_quick_exit_erases_the_chat_and_the_data_and_says_nothing(emulator: BotApiEmulator, bot: BotProcess) -> None:
    chat = TelegramChat(emulator, 7002)
    await _journal_something(chat, APOLOGY)
    before = len(emulator.bot_messages(7002))
    emulator.press_button(7002, "Quick exit")
    emulator.wait_for(lambda: all(m["deleted"] for m in emulator.bot_messages(7002)), 15)
    assert len(emulator.bot_messages(7002)) == before  # nothing new was said
    assert all(m.get("deleted") for m in emulator.bot_messages(7002))
    assert await _rows(bot.env["TRUSTBOT_DATABASE_URL"], 7002) is None
    assert await _all_tables_mention(bot.env["TRUSTBOT_DATABASE_URL"], APOLOGY) == []


async def test_exit_command_erases_the_users_own_messages_too(emulator: BotApiEmulator, bot: BotProcess) -> None:
    chat = TelegramChat(emulator, 7003)
    await chat.send("/start")
    await chat.send(QUESTION)
    emulator.send_text(7003, "/exit")
    everything = lambda: emulator.bot_messages(7003) + emulator.user_messages(7003)  # noqa: E731
    emulator.wait_for(lambda: all(m["deleted"] for m in everything()), 15)
    assert len(emulator.user_messages(7003)) == 3


async def test_discreet_mode_opens_every_message_with_a_neutral_line_and_hides_the_rest(
    emulator: BotApiEmulator, bot: BotProcess
) -> None:
    chat = TelegramChat(emulator, 7004)
    await chat.send("/start")
    await chat.send("/discreet on")
    seen = await chat.send("/menu")
    assert all(s.text.startswith("A quiet moment for you.\n") for s in seen)
    last = emulator.bot_messages(7004)[-1]
    assert any(e["type"] == "spoiler" for e in last["entities"] or [])
    await chat.send("/discreet off")
    seen = await chat.send("/menu")
    assert not seen[-1].text.startswith("A quiet moment")


async def test_the_log_holds_no_message_text_and_no_token(emulator: BotApiEmulator, tmp_path: Path) -> None:
    process = BotProcess(emulator, f"sqlite:///{tmp_path / 'bot.sqlite3'}", tmp_path, TRUSTBOT_LOG_LEVEL="DEBUG")
    process.start()
    try:
        chat = TelegramChat(emulator, 7005)
        typed = [APOLOGY, QUESTION, "my partner hit me and I am scared", "I need honesty today"]
        await _journal_something(chat, typed[0])
        for text in typed[1:]:
            await chat.send(text)
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


async def test_another_users_data_cannot_be_reached_by_forged_buttons_or_commands(
    emulator: BotApiEmulator, bot: BotProcess
) -> None:
    ana, ben = TelegramChat(emulator, 7006), TelegramChat(emulator, 7007)
    await _journal_something(ana, APOLOGY)
    ana_last = emulator.bot_messages(7006)[-1]
    await ben.send("/start")
    # Ben forges Ana's button data onto a message in his own chat.
    for row in ana_last["reply_markup"]["inline_keyboard"]:
        data = row[0]["callback_data"]
        if data == "1:x":
            continue  # quick exit would only erase Ben's own chat
        await ben.do(emulator.press, emulator.bot_messages(7007)[-1]["message_id"], data)
    await ben.send("/export")
    for message in emulator.bot_messages(7007):
        assert APOLOGY not in (message["text"] or "")
    exported = [m for m in emulator.bot_messages(7007) if m["kind"] == "document"]
    assert APOLOGY not in emulator.file_bytes(exported[-1]["message"]["document"]["file_id"]).decode()
    # Ben deleting himself leaves Ana untouched.
    await ben.send("/delete")
    await ben.press("Yes, delete everything")
    assert (await _rows(bot.env["TRUSTBOT_DATABASE_URL"], 7006))["journal"] >= 1


async def test_stats_are_counts_for_admins_and_refused_to_everyone_else(emulator: BotApiEmulator, tmp_path: Path) -> None:
    process = BotProcess(emulator, f"sqlite:///{tmp_path / 'bot.sqlite3'}", tmp_path, TRUSTBOT_ADMIN_IDS="7100")
    process.start()
    try:
        stranger, admin = TelegramChat(emulator, 7101), TelegramChat(emulator, 7100)
        await _journal_something(stranger, APOLOGY)
        refused = await stranger.send("/stats")
        assert "only for the people who run" in refused[-1].text
        counts = await admin.send("/stats")
        assert "users: " in counts[-1].text and APOLOGY not in counts[-1].text
        assert "7101" not in counts[-1].text
    finally:
        process.stop()


async def test_the_database_files_are_readable_by_their_owner_only(emulator: BotApiEmulator, tmp_path: Path) -> None:
    path = tmp_path / "data" / "bot.sqlite3"
    process = BotProcess(emulator, f"sqlite:///{path}", tmp_path)
    process.start()
    try:
        await TelegramChat(emulator, 7300).send("/start")
        files = [path, *path.parent.glob(path.name + "-*")]
        assert len(files) >= 2  # the database and its write-ahead log
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    finally:
        process.stop()


@pytest.mark.parametrize("command", ["/export", "/delete"])
async def test_a_stranger_asking_for_their_data_is_told_there_is_none(emulator: BotApiEmulator, bot: BotProcess, command: str) -> None:
    chat = TelegramChat(emulator, 7200 + len(command))
    seen = await chat.send(command)
    assert "don't hold anything" in seen[-1].text
