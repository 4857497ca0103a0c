"""Check-in settings through Telegram: a shared location, /checkin and /timezone answers."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.botapi_emulator import BotApiEmulator
from tests.support.telegram_inproc import InProcessBot, InProcessChat
from tests.telegram.conftest import assert_clean_log


async def test_sharing_a_location_sets_the_time_zone(emulator: BotApiEmulator, bot: InProcessBot) -> None:
    chat = InProcessChat(bot, 7102)
    await chat.send("/start")
    seen = await chat.do(emulator.send_location, 35.68, 139.69)
    assert "Asia/Tokyo" in seen[0].text
    seen = await chat.send("/checkin")
    assert "Asia/Tokyo" in seen[0].text
    seen = await chat.send("/checkin 25:99")
    assert "25:99" in seen[0].text and "23:59" in seen[0].text
    seen = await chat.send("/timezone Atlantis")
    assert "couldn't find" in seen[0].text
    assert_clean_log(bot.log())


async def test_the_index_of_places_is_built_off_the_loop_at_start_not_at_the_first_typed_city(
    bot: InProcessBot,
) -> None:
    from bot.core.checkin import places

    assert bot.app is not None
    building = bot.app.bot_data["places"]
    assert isinstance(building, asyncio.Future)
    await building  # built off the loop (in a child process); a typed city then finds it ready
    assert places._INDEX is not None
    assert places.resolve("Lisbon").zone == "Europe/Lisbon"


async def test_the_running_bot_hands_the_gil_back_to_the_event_loop_quickly(bot: InProcessBot) -> None:
    import sys

    from bot.adapters.telegram.runner import SWITCH_INTERVAL

    assert bot.app is not None
    assert SWITCH_INTERVAL < 0.005  # Python's default
    assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
