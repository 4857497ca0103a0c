"""Privacy through Telegram: export, real deletion, quick exit, discreet mode, isolation, admin counts."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.storage import privacy, users
from bot.storage.database import Database
from bot.storage.tables import metadata
from bot.storage.users import UserKey
from tests.conftest import shipped_graph
from tests.e2e.conftest import make_due_now
from tests.support.botapi_emulator import BotApiEmulator
from tests.support.telegram_inproc import (
    InProcessBot,
    InProcessChat,
    seen_from,
    wait_until,
)
from tests.support.walks import journal_an_apology
from tests.telegram.conftest import MakeBot, assert_clean_log

GRAPH = shipped_graph()
APOLOGY = "I lied about where I was in March, and I'm ashamed of it"
QUESTION = "can a relationship really survive an affair like mine"
PROMISE = "home by six and phone face down at dinner"




async def rows_of(database_url: str, telegram_id: int) -> dict[str, int] | None:
    db = Database(database_url)
    try:
        def scan(conn: Connection) -> dict[str, int] | None:
            user = users.find(conn, UserKey("telegram", str(telegram_id)))
            return privacy.rows_of_user(conn, user.id) if user else None
        return await db.run(scan)
    finally:
        await db.dispose()


async def tables_mentioning(database_url: str, needle: str) -> list[str]:
    """Tables with any cell containing ``needle`` (a full scan, every table)."""
    db = Database(database_url)
    try:
        def scan(conn: Connection) -> list[str]:
            return [table.name for table in metadata.sorted_tables
                    for row in conn.execute(sa.select(table)) if any(needle in str(v) for v in row)]
        return await db.run(scan)
    finally:
        await db.dispose()


async def test_export_holds_what_the_user_wrote_and_delete_removes_every_row(
    emulator: BotApiEmulator, make_bot: MakeBot
) -> None:
    bot = await make_bot(jobs=True, TRUSTBOT_CHECKIN_DISPATCH_INTERVAL="0.2")
    url = bot.env["TRUSTBOT_DATABASE_URL"]
    chat = InProcessChat(bot, 7001)
    await journal_an_apology(chat, GRAPH, APOLOGY)
    await chat.send(QUESTION)
    await chat.send("/timezone Berlin")
    # The morning check-in: mood, then today's small promise.
    before = emulator.bot_message_count(7001)
    await make_due_now(url, [7001])
    await wait_until(lambda: any("How are you feeling" in (m["text"] or "")
                                 for m in emulator.bot_messages(7001, start=before)), timeout=20)
    chat.transcript.extend(seen_from(m) for m in emulator.bot_messages(7001, start=before))
    await chat.press("4 · okay")
    await chat.send(PROMISE)
    seen = await chat.send("/export")
    exported = [m for m in emulator.bot_messages(7001) if m["kind"] == "document"]
    assert exported, seen
    document = json.loads(emulator.file_bytes(exported[-1]["message"]["document"]["file_id"]) or b"")
    dumped = json.dumps(document, ensure_ascii=False)
    assert APOLOGY in dumped and PROMISE in dumped
    assert document["profile"]["channel"] == "telegram" and document["profile"]["timezone"] == "Europe/Berlin"
    assert [c["mood"] for c in document["checkins"]] == [4]

    stored = await rows_of(url, 7001)
    assert stored and stored["journal"] >= 1 and stored["checkins"] == 1 and stored["promises"] == 1
    await chat.send("/delete")
    await chat.press("Yes, delete everything")
    assert await rows_of(url, 7001) is None
    assert await tables_mentioning(url, APOLOGY) == []
    assert await tables_mentioning(url, PROMISE) == []
    # The bot forgot them: the next message starts fresh.
    seen = await chat.send("/menu")
    assert any(b.startswith("I broke") for b in seen[-1].buttons)
    assert_clean_log(bot.log())


async def test_quick_exit_erases_the_chat_and_the_data_and_says_nothing(
    emulator: BotApiEmulator, bot: InProcessBot
) -> None:
    chat = InProcessChat(bot, 7002)
    await journal_an_apology(chat, GRAPH, APOLOGY)
    before = emulator.bot_message_count(7002)
    seen = await chat.do(lambda u: emulator.press_button(u, "Quick exit"))
    assert seen == [] and emulator.bot_message_count(7002) == before  # nothing new was said
    assert all(m["deleted"] for m in emulator.bot_messages(7002))
    url = bot.env["TRUSTBOT_DATABASE_URL"]
    assert await rows_of(url, 7002) is None
    assert await tables_mentioning(url, APOLOGY) == []


async def test_exit_command_erases_the_users_own_messages_too(emulator: BotApiEmulator, bot: InProcessBot) -> None:
    chat = InProcessChat(bot, 7003)
    await chat.send("/start")
    await chat.send(QUESTION)
    await chat.send("/exit")
    everything = emulator.bot_messages(7003) + emulator.user_messages(7003)
    assert everything and all(m["deleted"] for m in everything)
    assert len(emulator.user_messages(7003)) == 3


async def test_discreet_mode_opens_every_message_with_a_neutral_line_and_hides_the_rest(
    emulator: BotApiEmulator, bot: InProcessBot
) -> None:
    chat = InProcessChat(bot, 7004)
    await chat.send("/start")
    await chat.send("/discreet on")
    seen = await chat.send("/menu")
    assert seen and all(s.text.startswith("A quiet moment for you.\n") for s in seen)
    last = emulator.bot_messages(7004)[-1]
    assert any(e["type"] == "spoiler" for e in last["entities"] or [])
    await chat.send("/discreet off")
    seen = await chat.send("/menu")
    assert not seen[-1].text.startswith("A quiet moment")


async def test_another_users_data_cannot_be_reached_by_forged_buttons_or_commands(
    emulator: BotApiEmulator, bot: InProcessBot
) -> None:
    ana, ben = InProcessChat(bot, 7006), InProcessChat(bot, 7007)
    await journal_an_apology(ana, GRAPH, APOLOGY)
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
    assert APOLOGY not in (emulator.file_bytes(exported[-1]["message"]["document"]["file_id"]) or b"").decode()
    # Ben deleting himself leaves Ana untouched.
    await ben.send("/delete")
    await ben.press("Yes, delete everything")
    ana_rows = await rows_of(bot.env["TRUSTBOT_DATABASE_URL"], 7006)
    assert ana_rows is not None and ana_rows["journal"] >= 1


async def test_stats_are_counts_for_admins_and_refused_to_everyone_else(make_bot: MakeBot) -> None:
    bot = await make_bot(TRUSTBOT_ADMIN_IDS="7100")
    stranger, admin = InProcessChat(bot, 7101), InProcessChat(bot, 7100)
    await journal_an_apology(stranger, GRAPH, APOLOGY)
    refused = await stranger.send("/stats")
    assert "only for the people who run" in refused[-1].text
    counts = await admin.send("/stats")
    assert "users: " in counts[-1].text and APOLOGY not in counts[-1].text
    assert "7101" not in counts[-1].text


@pytest.mark.parametrize("command", ["/export", "/delete"])
async def test_a_stranger_asking_for_their_data_is_told_there_is_none(bot: InProcessBot, command: str) -> None:
    chat = InProcessChat(bot, 7200 + len(command))
    seen = await chat.send(command)
    assert "don't hold anything" in seen[-1].text
