"""The real bot process against the Bot API emulator, used the way people use it."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.core.dialog.loader import load_dir
from tests.conftest import DIALOGS, make_brain
from tests.e2e.conftest import assert_clean_log
from tests.support.botapi_emulator import BotApiEmulator
from tests.support.botprocess import TOKEN, BotProcess
from tests.support.chat import EngineChat
from tests.support.telegram_chat import TelegramChat
from tests.support.walks import mirrored_walk

GRAPH = load_dir(DIALOGS)
ROLE_BROKE = next(b.label for b in GRAPH.nodes[GRAPH.role_choice].buttons if b.role == "broke_trust")
ROLE_HURT = next(b.label for b in GRAPH.nodes[GRAPH.role_choice].buttons if b.role == "hurt_partner")


async def test_the_next_tap_after_a_sigkill_restart_continues_at_the_same_step(
    emulator: BotApiEmulator, bot: BotProcess
) -> None:
    chat = TelegramChat(emulator, 1001)
    await chat.send("/start")
    await chat.press(ROLE_HURT)
    menu_buttons = chat.buttons
    await chat.press(menu_buttons[0])
    step_buttons = chat.buttons
    bot.kill()
    bot.start()
    # Replay against the pure engine to know what the next tap must show.
    mirror = EngineChat(make_brain(GRAPH))
    await mirror.send("/start")
    await mirror.press(ROLE_HURT)
    await mirror.press(menu_buttons[0])
    expected = await mirror.press(step_buttons[0])
    seen = await chat.press(step_buttons[0])
    assert [s.text for s in seen] == [s.text for s in expected]
    assert not any("earlier step" in s.text for s in seen)
    assert_clean_log(bot.log())


async def test_stale_and_forged_buttons_get_the_current_step(emulator: BotApiEmulator, bot: BotProcess) -> None:
    chat = TelegramChat(emulator, 1002)
    await chat.send("/start")
    role_message = emulator.bot_messages(1002)[-1]
    await chat.press(ROLE_BROKE)
    menu_buttons = chat.last.buttons
    # The role-choice message is still on screen; its button is now stale.
    stale_data = role_message["reply_markup"]["inline_keyboard"][1][0]["callback_data"]
    seen = await chat.do(emulator.press, role_message["message_id"], stale_data)
    assert "earlier step" in seen[0].text and seen[-1].buttons == menu_buttons
    for forged in ("1:p:br_menu:../../etc", "9:x", "1:p:hp_menu:hp_forg", "x" * 64, "1:f"):
        seen = await chat.do(emulator.press, role_message["message_id"], forged)
        assert seen[-1].buttons == menu_buttons, forged
    answers = emulator.callback_answers
    assert len(answers) == 7 and all(a for a in answers)
    assert_clean_log(bot.log())


@pytest.mark.parametrize(
    "action",
    [
        ("sticker", lambda e, u: e.send_sticker(u)),
        ("photo", lambda e, u: e.send_photo(u)),
        ("voice", lambda e, u: e.send_voice(u)),
        ("document", lambda e, u: e.send_document(u, file_name="notes.txt", data=b"secret notes")),
        ("location", lambda e, u: e.send_location(u, 52.52, 13.40)),
        ("long text", lambda e, u: e.send_text(u, "I keep thinking about it. " * 200)),
        ("emoji only", lambda e, u: e.send_text(u, "😢💔")),
        ("unknown command", lambda e, u: e.send_text(u, "/frobnicate")),
    ],
    ids=lambda a: a[0] if isinstance(a, tuple) else "",
)
async def test_odd_inputs_get_a_kind_reply_and_lose_nothing(emulator: BotApiEmulator, bot: BotProcess, action) -> None:
    user = 2000 + abs(hash(action[0])) % 1000
    chat = TelegramChat(emulator, user)
    await chat.send("/start")
    await chat.press(ROLE_HURT)
    menu = emulator.bot_messages(user)[-1]
    seen = await chat.do(lambda u: action[1](emulator, u))
    assert seen and all(s.text.strip() for s in seen)
    # Nothing was lost: the menu on screen still works from where the user was.
    first_button = menu["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    after = await chat.do(emulator.press, menu["message_id"], first_button)
    assert not any("earlier step" in s.text for s in after)
    assert_clean_log(bot.log())


async def test_an_edited_message_gets_a_note(emulator: BotApiEmulator, bot: BotProcess) -> None:
    chat = TelegramChat(emulator, 1003)
    await chat.send("/start")
    mine = emulator.user_messages(1003)[-1]
    seen = await chat.do(lambda u: emulator.edit_text(u, mine["message_id"], "/start again"))
    assert "edited" in seen[0].text


async def test_in_a_group_the_bot_says_it_is_for_private_chats(emulator: BotApiEmulator, bot: BotProcess) -> None:
    emulator.send_group_text(-500, 1004, "/start")
    messages = emulator.wait_for_messages(-500, 1)
    assert "private" in messages[0]["text"]
    assert_clean_log(bot.log())


async def test_commands_are_registered_with_telegram(emulator: BotApiEmulator, bot: BotProcess) -> None:
    names = {c["command"] for c in emulator.get_commands()}
    assert {"start", "menu", "role", "help", "faq"} <= names


async def test_help_lists_the_commands(emulator: BotApiEmulator, bot: BotProcess) -> None:
    chat = TelegramChat(emulator, 1005)
    seen = await chat.send("/help")
    assert "/menu" in seen[0].text and "/role" in seen[0].text


def test_twenty_users_at_once_each_get_their_own_replies(emulator: BotApiEmulator, bot: BotProcess) -> None:
    """Each user's chat must equal what the pure engine says to that user alone."""
    errors: list[str] = []
    lock = threading.Lock()

    def one_user(user_id: int) -> None:
        import asyncio

        chat = TelegramChat(emulator, user_id, quiet=0.5, timeout=30)
        try:
            asyncio.run(mirrored_walk(chat, EngineChat(make_brain(GRAPH)), user_id, 29, GRAPH.ui.quick_exit_button))
        except AssertionError as exc:
            with lock:
                errors.append(str(exc)[:500])

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(one_user, range(3001, 3021)))
    assert not errors, (errors, bot.log()[-3000:])
    for user_id in range(3001, 3021):
        for message in emulator.bot_messages(user_id):
            assert message["chat_id"] == user_id
    assert_clean_log(bot.log())


def _run(env: dict, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    import os

    full = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTBOT_")}
    full.update(env)
    return subprocess.run([sys.executable, "-m", "bot", "run", *args], env=full, cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def test_a_missing_token_is_one_clear_line_and_exit_status_2(tmp_path: Path) -> None:
    result = _run({}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["trustbot: config error: telegram.token: missing (set it in the config file or TRUSTBOT_TOKEN)"]


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"TRUSTBOT_TOKEN": "not-a-token"}, "telegram.token"),
        ({"TRUSTBOT_TOKEN": TOKEN, "TRUSTBOT_TELEGRAM_BASE_URL": "ftp:/nope"}, "telegram.base_url"),
        ({"TRUSTBOT_TOKEN": TOKEN, "TRUSTBOT_TELEGRAM_POLL_INTERVAL": "soon"}, "telegram.poll_interval"),
        ({"TRUSTBOT_TOKEN": TOKEN, "TRUSTBOT_LOG_LEVEL": "LOUD"}, "log.level"),
        ({"TRUSTBOT_TOKEN": TOKEN, "TRUSTBOT_DATABASE_URL": "mysql://x"}, "database.url"),
    ],
)
def test_an_invalid_setting_names_its_key(tmp_path: Path, env: dict, key: str) -> None:
    env = {"TRUSTBOT_DIALOGS_DIR": str(DIALOGS), "TRUSTBOT_TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot", **env}
    result = _run(env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and key in lines[0], result.stderr
    assert "Traceback" not in result.stderr and "not-a-token" not in result.stderr


def test_a_config_file_that_is_not_yaml_is_named(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("telegram: [unclosed\n")
    result = _run({}, "--config", str(tmp_path / "bad.yaml"), cwd=tmp_path)
    assert result.returncode == 2 and "bad.yaml" in result.stderr and "Traceback" not in result.stderr


def test_a_token_telegram_rejects_stops_with_a_clear_line(emulator: BotApiEmulator, tmp_path: Path) -> None:
    env = {"TRUSTBOT_TOKEN": "999999:WRONG-TOKEN-abcdefghijklmnop", "TRUSTBOT_TELEGRAM_BASE_URL": emulator.base_url,
           "TRUSTBOT_DIALOGS_DIR": str(DIALOGS), "TRUSTBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    result = _run(env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "telegram.token" in result.stderr.strip().splitlines()[-1]
    assert "WRONG-TOKEN" not in result.stderr


async def test_flood_control_waits_and_delivers_each_reply_once(emulator: BotApiEmulator, bot: BotProcess) -> None:
    chat = TelegramChat(emulator, 1100)
    emulator.fail_next("sendMessage", "retry_after", retry_after=1)
    seen = await chat.send("/start")
    mirror = EngineChat(make_brain(GRAPH))
    assert [s.text for s in seen] == [s.text for s in await mirror.send("/start")]
    assert_clean_log(bot.log())


async def test_a_reply_that_timed_out_after_delivery_is_not_sent_twice(emulator: BotApiEmulator, bot: BotProcess) -> None:
    chat = TelegramChat(emulator, 1101, quiet=1.5, timeout=20)
    emulator.fail_next("sendMessage", "slow", delay=6.5)  # longer than the bot's 5 s read timeout
    seen = await chat.send("/start")
    texts = [s.text for s in seen]
    assert len(texts) == len(set(texts)), texts  # delivered once, never duplicated
    await chat.send("/menu")  # and the bot carries on
    assert "Traceback" not in bot.log()
