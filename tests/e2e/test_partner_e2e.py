"""Linking partners through Telegram (issue #13): the real ``trustbot run`` and the Bot API emulator.

Two Telegram users: one sends /invite and gets a t.me deep link naming the
bot (from getMe); the other opens it (``/start <token>``, as Telegram
delivers a deep link), sees the inviter's first name, and accepts with a
button. The inviter hears of it; the link cannot be used twice; a forged
button names nothing; the log holds no token.
"""

from __future__ import annotations

import re

from bot.core.dialog.loader import load_dir
from tests.conftest import DIALOGS
from tests.e2e.conftest import assert_clean_log
from tests.support.botapi_emulator import BotApiEmulator
from tests.support.botprocess import BotProcess
from tests.support.telegram_chat import TelegramChat

GRAPH = load_dir(DIALOGS)
ROLE_BROKE = next(b.label for b in GRAPH.nodes[GRAPH.role_choice].buttons if b.role == "broke_trust")
LINK = re.compile(r"https://t\.me/([A-Za-z0-9_]+)\?start=([A-Za-z0-9_-]{22,64})")


async def test_invite_by_deep_link_and_accept(emulator: BotApiEmulator, bot: BotProcess) -> None:
    ana, ben, cat = TelegramChat(emulator, 8101), TelegramChat(emulator, 8102), TelegramChat(emulator, 8103)
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
