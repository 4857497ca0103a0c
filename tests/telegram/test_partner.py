"""Linking partners through Telegram: the real Application on the Bot API emulator.

Two Telegram users: one sends /invite and gets a t.me deep link naming the
bot (from getMe); the other opens it (``/start <token>``, as Telegram
delivers a deep link), sees the inviter's first name, and accepts with a
button. The inviter hears of it; the link cannot be used twice; a forged
button names nothing; the log holds no token. Then the whole life of a link:
a promise shared and confirmed at the other's check-in, a question revealed
once both answered, a safety hit pausing the sharing, and /delete.
"""

from __future__ import annotations

import asyncio
import re

import sqlalchemy as sa

from bot.core.dialog.loader import load_dir
from bot.storage import users
from bot.storage.database import Database
from bot.storage.tables import partner_items, partner_links
from bot.storage.users import UserKey
from tests.conftest import DIALOGS
from tests.e2e.conftest import make_due_now
from tests.support.botapi_emulator import BotApiEmulator
from tests.support.telegram_inproc import InProcessBot, InProcessChat, seen_from
from tests.telegram.conftest import MakeBot, assert_clean_log

GRAPH = load_dir(DIALOGS)
ROLE_BROKE = next(b.label for b in GRAPH.nodes[GRAPH.role_choice].buttons if b.role == "broke_trust")
ROLE_HURT = next(b.label for b in GRAPH.nodes[GRAPH.role_choice].buttons if b.role == "hurt_partner")
PROMISE = "home by six and phone face down at dinner"
DANGER = "he said he would kill me if i ever leave"
LINK = re.compile(r"https://t\.me/([A-Za-z0-9_]+)\?start=([A-Za-z0-9_-]{22,64})")


async def test_invite_by_deep_link_and_accept(emulator: BotApiEmulator, bot: InProcessBot) -> None:
    ana, ben, cat = InProcessChat(bot, 8101), InProcessChat(bot, 8102), InProcessChat(bot, 8103)
    await ana.do(lambda uid: emulator.send_text(uid, "/start", first_name="Ana"))
    await ana.press(ROLE_BROKE)
    await ana.send("/invite")
    found = LINK.search(ana.transcript[-2].text) or LINK.search(" ".join(s.text for s in ana.transcript[-3:]))
    assert found, [s.text for s in ana.transcript[-3:]]
    assert found.group(1) == emulator.bot_username
    token = found.group(2)

    # Ben is new: the deep link is his first message. He sees who invited him and what is shared.
    opened = await ben.send(f"/start {token}")
    text = "\n".join(s.text for s in opened)
    assert "Ana invited you" in text and "Never shared" in text
    assert ben.buttons == ["Accept", "Decline"]
    before = len(emulator.bot_messages(8101))
    accepted = await ben.press("Accept")
    assert "You're linked" in accepted[0].text
    assert any(b for s in accepted for b in s.buttons)  # and then the welcome, to choose where he stands
    emulator.wait_for(lambda: len(emulator.bot_messages(8101)) > before, 10, message="Ana was not told")
    assert "accepted" in emulator.bot_messages(8101)[-1]["text"]

    status = "\n".join(s.text for s in await ana.send("/partner"))
    assert "linked with your partner" in status and "Never shared" in status

    # The same link again, by someone else: it links nobody, and says so kindly.
    reused = "\n".join(s.text for s in await cat.send(f"/start {token}"))
    assert "doesn't work" in reused and "Nobody has been linked" in reused
    # A forged "Accept" with no invite opened links nobody either.
    await cat.send("/menu")
    message = emulator.bot_messages(8103)[-1]
    forged = await cat.do(emulator.press, message["message_id"], "1:Pa")
    assert "no invite waiting" in forged[0].text
    assert "not linked" in "\n".join(s.text for s in await cat.send("/partner"))

    # /unlink ends it at once; Ben is sent nothing.
    ben_count = len(emulator.bot_messages(8102))
    await ana.send("/unlink")
    assert len(emulator.bot_messages(8102)) == ben_count
    assert "not linked with a partner" in "\n".join(s.text for s in await ben.send("/partner"))
    assert token not in bot.log()
    assert_clean_log(bot.log())


async def _wait_text(emulator: BotApiEmulator, chat_id: int, fragment: str, after: int) -> None:
    await emulator.async_wait_for(lambda: any(
        fragment in (m.get("text") or "") for m in emulator.bot_messages(chat_id)[after:]), timeout=20)


async def _checkin(emulator: BotApiEmulator, bot: InProcessBot, chat: InProcessChat) -> list[str]:
    """Bring the user's check-in to now and wait for it; its texts."""
    before = len(emulator.bot_messages(chat.user_id))
    await make_due_now(bot.env["TRUSTBOT_DATABASE_URL"], [chat.user_id])
    await _wait_text(emulator, chat.user_id, "How are you feeling", before)
    await asyncio.sleep(0.5)
    seen = [seen_from(m) for m in emulator.bot_messages(chat.user_id)[before:]]
    chat.transcript.extend(seen)
    return [s.text for s in seen]


async def test_two_partners_share_confirm_answer_pause_and_delete(
    emulator: BotApiEmulator, make_bot: MakeBot
) -> None:
    bot = await make_bot(jobs=True, TRUSTBOT_CHECKIN_DISPATCH_INTERVAL="0.5")
    url = bot.env["TRUSTBOT_DATABASE_URL"]
    ana, ben = InProcessChat(bot, 8201), InProcessChat(bot, 8202)
    await ana.do(lambda uid: emulator.send_text(uid, "/start", first_name="Ana"))
    await ana.press(ROLE_BROKE)
    await ben.send("/start")
    await ben.press(ROLE_HURT)
    await ana.send("/invite")
    found = LINK.search("\n".join(s.text for s in ana.transcript[-3:]))
    assert found
    await ben.send(f"/start {found.group(2)}")
    await ben.press("Accept")

    # Ana's check-in: a promise, shared with one tap. Nothing reaches Ben yet.
    texts = await _checkin(emulator, bot, ana)
    assert any("A question for you both" in t for t in texts)
    await ana.press("4 · okay")
    offered = await ana.send(PROMISE)
    assert any("Share with my partner" in s.buttons for s in offered)
    ben_count = len(emulator.bot_messages(8202))
    assert "Shared" in (await ana.do(emulator.press_button, "Share with my partner"))[0].text
    assert len(emulator.bot_messages(8202)) == ben_count

    # Ben's check-in asks him whether it felt kept; his answer stays with him.
    texts = await _checkin(emulator, bot, ben)
    assert any(f"They promised: “{PROMISE}”. Did it feel kept?" in t for t in texts)
    ana_count = len(emulator.bot_messages(8201))
    assert "own record only" in (await ben.do(emulator.press_button, "It felt kept"))[0].text

    # The shared question: Ben answers first and Ana sees nothing; once Ana answers, both see both.
    await ben.do(emulator.press_button, "Answer privately")
    await ben.send("when you listened last night")
    assert len(emulator.bot_messages(8201)) == ana_count
    await ana.do(emulator.press_button, "Answer privately")
    revealed = await ana.send("the walk on Sunday")
    assert "Your partner: when you listened last night" in revealed[0].text
    await _wait_text(emulator, 8202, "Your partner: the walk on Sunday", ben_count)

    # A safety hit pauses Ben's sharing; Ana's "space" then reaches nobody, and she is not told.
    await ben.send(DANGER)
    assert "paused" in "\n".join(s.text for s in await ben.send("/partner"))
    ben_count = len(emulator.bot_messages(8202))
    await ana.send("/partner")
    assert "paused" not in ana.transcript[-2].text
    assert "Take the space" in (await ana.do(emulator.press_button, "I need some space today"))[0].text
    await asyncio.sleep(1)
    assert len(emulator.bot_messages(8202)) == ben_count

    # /delete: no row of Ana's left in the link tables, Ben's side gone, Ben not told; his answer is his.
    ana_id = await _user_id(url, 8201)
    await ana.send("/delete")
    await ana.press("Yes, delete everything")
    await asyncio.sleep(0.5)
    assert len(emulator.bot_messages(8202)) == ben_count
    assert await _link_rows(url, ana_id) == (0, 0)
    assert await _link_rows(url, await _user_id(url, 8202)) == (0, 2)  # his "felt kept" and his answer stay his
    assert "not linked with a partner" in "\n".join(s.text for s in await ben.send("/partner"))
    assert_clean_log(bot.log())


async def _user_id(url: str, telegram_id: int) -> int:
    db = Database(url)
    try:
        found = await db.run(lambda conn: users.find(conn, UserKey("telegram", str(telegram_id))))
        assert found is not None
        return found.id
    finally:
        await db.dispose()


async def _link_rows(url: str, user_id: int) -> tuple[int, int]:
    """(link rows that are the user's or point at them, shared-item rows the user wrote)."""
    db = Database(url)
    try:
        def count(conn: sa.Connection) -> tuple[int, int]:
            links = conn.execute(sa.select(sa.func.count()).select_from(partner_links).where(
                sa.or_(partner_links.c.user_id == user_id, partner_links.c.partner_id == user_id))).scalar_one()
            items = conn.execute(sa.select(sa.func.count()).select_from(partner_items).where(
                partner_items.c.user_id == user_id)).scalar_one()
            return int(links), int(items)

        return await db.run(count)
    finally:
        await db.dispose()
