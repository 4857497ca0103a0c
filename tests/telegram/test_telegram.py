"""The Telegram front end used the way people use it: odd inputs, stale and forged buttons, groups, many users."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.adapters.telegram.intake import answered_in_reply
from tests.conftest import shipped_graph
from tests.support.botapi_emulator import BotApiEmulator, JSONDict
from tests.support.content import mirror
from tests.support.telegram_inproc import InProcessBot, InProcessChat
from tests.support.walks import mirrored_walk
from tests.telegram.conftest import MakeBot, assert_clean_log

GRAPH = shipped_graph()
ROLE_BROKE = next(b.label for b in GRAPH.nodes[GRAPH.role_choice].buttons if b.role == "broke_trust")
ROLE_HURT = next(b.label for b in GRAPH.nodes[GRAPH.role_choice].buttons if b.role == "hurt_partner")


async def test_stale_and_forged_buttons_get_the_current_step(emulator: BotApiEmulator, bot: InProcessBot) -> None:
    chat = InProcessChat(bot, 1002)
    await chat.send("/start")
    role_message = emulator.bot_messages(1002)[-1]
    await chat.press(ROLE_BROKE)
    menu_buttons = chat.last.buttons
    # The role-choice message is still on screen; its button is now stale.
    stale_data = role_message["reply_markup"]["inline_keyboard"][1][0]["callback_data"]
    seen = await chat.do(emulator.press, role_message["message_id"], stale_data)
    # The notice first, then the current step with its buttons (joined into one message).
    assert "earlier step" in seen[0].parts[0] and seen[-1].buttons == menu_buttons
    for forged in ("1:p:br_menu:../../etc", "9:x", "1:p:hp_menu:hp_forg", "x" * 64, "1:f"):
        seen = await chat.do(emulator.press, role_message["message_id"], forged)
        assert seen[-1].buttons == menu_buttons, forged
    answers = emulator.callback_answers
    assert len(answers) == 7 and all(a for a in answers)
    # Each spinner stopped; a current button silently, a stale one with a short toast.
    assert answers[0]["text"] is None and answers[1]["text"] and len(answers[1]["text"]) <= 200
    assert_clean_log(bot.log())


async def test_a_press_answered_in_the_webhooks_reply_is_not_answered_again(
    emulator: BotApiEmulator, bot: InProcessBot
) -> None:
    chat = InProcessChat(bot, 1006)
    await chat.send("/start")
    role_message = emulator.bot_messages(1006)[-1]
    data = role_message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    before = len(emulator.bot_messages(1006))
    # As the webhook takes a press in: marked answered (its reply carried the answer).
    await bot.feed(answered_in_reply(emulator.press(1006, role_message["message_id"], data))[0])
    assert len(emulator.bot_messages(1006)) == before + 1  # the next step came
    assert emulator.callback_answers == []  # and the bot did not answer a second time
    assert_clean_log(bot.log())


ODD_INPUTS: list[tuple[str, Callable[[BotApiEmulator, int], JSONDict]]] = [
    ("sticker", lambda e, u: e.send_sticker(u)),
    ("photo", lambda e, u: e.send_photo(u)),
    ("voice", lambda e, u: e.send_voice(u)),
    ("document", lambda e, u: e.send_document(u, file_name="notes.txt", data=b"secret notes")),
    ("location", lambda e, u: e.send_location(u, 52.52, 13.40)),
    ("long text", lambda e, u: e.send_text(u, "I keep thinking about it. " * 200)),
    ("emoji only", lambda e, u: e.send_text(u, "😢💔")),
    ("unknown command", lambda e, u: e.send_text(u, "/frobnicate")),
]


@pytest.mark.parametrize("action", ODD_INPUTS, ids=[name for name, _ in ODD_INPUTS])
async def test_odd_inputs_get_a_kind_reply_and_lose_nothing(
    emulator: BotApiEmulator, bot: InProcessBot, action: tuple[str, Callable[[BotApiEmulator, int], JSONDict]]
) -> None:
    user = 2000 + ODD_INPUTS.index(action)
    chat = InProcessChat(bot, user)
    await chat.send("/start")
    await chat.press(ROLE_HURT)
    menu = emulator.bot_messages(user)[-1]
    seen = await chat.do(lambda u: action[1](emulator, u))
    assert seen and all(s.text.strip() for s in seen)
    # Nothing was lost: the menu on screen still works from where the user was.
    first_button = menu["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    after = await chat.do(emulator.press, menu["message_id"], first_button)
    assert after and not any("earlier step" in s.text for s in after)
    assert_clean_log(bot.log())


async def test_an_edited_message_gets_a_note(emulator: BotApiEmulator, bot: InProcessBot) -> None:
    chat = InProcessChat(bot, 1003)
    await chat.send("/start")
    mine = emulator.user_messages(1003)[-1]
    seen = await chat.do(lambda u: emulator.edit_text(u, mine["message_id"], "/start again"))
    assert "edited" in seen[0].text


async def test_in_a_group_the_bot_says_it_is_for_private_chats(emulator: BotApiEmulator, bot: InProcessBot) -> None:
    await bot.feed(emulator.send_group_text(-500, 1004, "/start"))
    messages = emulator.bot_messages(-500)
    assert len(messages) == 1 and "private" in messages[0]["text"]
    assert_clean_log(bot.log())


async def test_commands_are_registered_with_telegram(emulator: BotApiEmulator, bot: InProcessBot) -> None:
    names = {c["command"] for c in emulator.get_commands()}
    assert {"start", "menu", "role", "help", "faq"} <= names


async def test_help_lists_the_commands(bot: InProcessBot) -> None:
    chat = InProcessChat(bot, 1005)
    seen = await chat.send("/help")
    assert "/menu" in seen[0].text and "/role" in seen[0].text


async def test_twenty_users_at_once_each_get_their_own_replies(emulator: BotApiEmulator, bot: InProcessBot) -> None:
    """Each user's chat must equal what the pure engine says to that user alone.

    The twenty walks run concurrently on one loop, so their updates are
    processed interleaved, as the bot's concurrent_updates does in production.
    """
    results = await asyncio.gather(*(
        mirrored_walk(
            InProcessChat(bot, user_id), mirror(), user_id, 29, GRAPH.ui.quick_exit_button
        )
        for user_id in range(3001, 3021)
    ), return_exceptions=True)
    errors = [str(r)[:500] for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    for user_id in range(3001, 3021):
        for message in emulator.bot_messages(user_id):
            assert message["chat_id"] == user_id
    assert_clean_log(bot.log())


async def test_flood_control_waits_and_delivers_each_reply_once(emulator: BotApiEmulator, make_bot: MakeBot) -> None:
    from bot.adapters.telegram.runner import DEFAULT_LIMITER

    bot = await make_bot(rate_limiter=DEFAULT_LIMITER)  # the bot's own limiter waits out RetryAfter
    chat = InProcessChat(bot, 1100)
    emulator.fail_next("sendMessage", "retry_after", retry_after=1)
    seen = await chat.send("/start")
    engine = mirror()
    assert [s.text for s in seen] == [s.text for s in await engine.send("/start")]
    assert emulator.calls_to("sendMessage")[0].status == 429
    assert_clean_log(bot.log())


async def test_a_reply_that_timed_out_after_delivery_is_not_sent_twice(
    emulator: BotApiEmulator, make_bot: MakeBot
) -> None:
    bot = await make_bot(read_timeout=0.3)
    chat = InProcessChat(bot, 1101)
    emulator.fail_next("sendMessage", "slow", delay=0.6)  # delivered, but answered after the read timeout
    seen = await chat.send("/start")
    texts = [s.text for s in seen]
    assert texts and len(texts) == len(set(texts)), texts  # delivered once, never duplicated
    assert await chat.send("/menu")  # and the bot carries on
    assert "Traceback" not in bot.log()
