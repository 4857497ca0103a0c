"""The real ``trustbot run`` process over HTTP: what only a real process shows.

Telegram behaviour itself is tested in-process (tests/telegram/); here are a
SIGKILL and restart, and a read timeout on a real HTTP connection.
"""

from __future__ import annotations

import pytest

from tests.conftest import shipped_graph
from tests.e2e.conftest import assert_clean_log
from tests.support.botapi_emulator import BotApiEmulator
from tests.support.botprocess import BotProcess
from tests.support.content import mirror
from tests.support.telegram_chat import TelegramChat

pytestmark = pytest.mark.slow

GRAPH = shipped_graph()
ROLE_HURT = next(b.label for b in GRAPH.nodes[GRAPH.role_choice].buttons if b.role == "hurt_partner")


async def test_the_next_tap_after_a_sigkill_restart_continues_at_the_same_step(
    emulator: BotApiEmulator, bot: BotProcess
) -> None:
    # The pure engine, fed the same inputs, says how many replies each brings and what the next tap shows.
    engine = mirror()
    chat = TelegramChat(emulator, 1001, mirror=engine)
    await chat.send("/start")
    await chat.press(ROLE_HURT)
    menu_buttons = chat.buttons
    await chat.press(menu_buttons[0])
    step_buttons = chat.buttons
    bot.kill()
    bot.start()
    seen = await chat.press(step_buttons[0])
    expected = [s.text for s in engine.transcript[-len(seen):]]
    assert [s.text for s in seen] == expected
    assert not any("earlier step" in s.text for s in seen)
    assert_clean_log(bot.log())


async def test_a_quick_exit_after_a_sigkill_between_turns_erases_every_message(
    emulator: BotApiEmulator, bot: BotProcess
) -> None:
    # The ids of sent messages are committed in groups after delivery; a turn
    # ends only once they are stored, so a kill right after the last reply loses none.
    chat = TelegramChat(emulator, 1201, mirror=mirror())
    await chat.send("/start")
    await chat.press(ROLE_HURT)
    await chat.press(chat.buttons[0])
    bot.kill()
    bot.start()
    assert len(emulator.bot_messages(1201)) >= 3
    emulator.send_text(1201, "/exit")  # the bot says nothing: it erases

    def kept() -> list[int]:
        everything = emulator.bot_messages(1201) + emulator.user_messages(1201)
        return [m["message_id"] for m in everything if not m["deleted"]]

    await emulator.async_wait_for(lambda: not kept(), 15, message="messages left after the quick exit")
    assert_clean_log(bot.log())


async def test_a_reply_that_timed_out_after_delivery_is_not_sent_twice(
    emulator: BotApiEmulator, bot: BotProcess
) -> None:
    chat = TelegramChat(emulator, 1101, timeout=20, mirror=mirror())
    emulator.fail_next("sendMessage", "slow", delay=6.5)  # longer than the bot's 5 s read timeout
    start = await chat.send("/start")
    # The bot carries on. /menu is handled after the whole /start turn, so
    # everything before its replies is what /start sent, a late duplicate included.
    menu = await chat.send("/menu")
    texts = [m["text"] for m in emulator.bot_messages(1101)][:-len(menu)]
    assert len(texts) == len(set(texts)) == len(start), texts  # delivered once, never duplicated
    assert "Traceback" not in bot.log()
