"""A button press never waits behind typed text waiting for the model."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Bot, Update

from bot.adapters.telegram.lanes import PER_LANE, LanedUpdateProcessor, may_wait_for_model

BOT = Bot("123456:" + "A" * 35)
USER = {"id": 5, "is_bot": False, "first_name": "Ann"}
CHAT = {"id": 5, "type": "private"}


def message(update_id: int, **fields: Any) -> Update:
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": update_id, "date": 1_700_000_000, "from": USER, "chat": CHAT, **fields}}, BOT)


def typed(update_id: int, text: str = "I can't stop thinking about it") -> Update:
    return message(update_id, text=text)


def command(update_id: int, name: str = "/menu") -> Update:
    """A command as Telegram sends it: the text and its bot_command entity."""
    return message(update_id, text=name, entities=[{"type": "bot_command", "offset": 0, "length": len(name)}])


def press(update_id: int) -> Update:
    return Update.de_json({"update_id": update_id, "callback_query": {
        "id": str(update_id), "from": USER, "chat_instance": "-1", "data": "1:m"}}, BOT)


def test_typed_text_is_what_may_wait_for_the_model() -> None:
    assert may_wait_for_model(typed(1))
    assert not may_wait_for_model(press(2))
    assert not may_wait_for_model(command(3))
    assert not may_wait_for_model(message(4, location={"latitude": 38.7, "longitude": -9.1}))
    assert not may_wait_for_model(message(5, caption="a photo", photo=[]))
    assert not may_wait_for_model(Update.de_json({"update_id": 6, "edited_message": {
        "message_id": 6, "date": 1, "edit_date": 2, "from": USER, "chat": CHAT, "text": "edited"}}, BOT))
    assert not may_wait_for_model("not an update")


async def test_a_press_goes_through_while_every_typed_slot_waits_for_the_model() -> None:
    processor = LanedUpdateProcessor(per_lane=2)
    model = asyncio.Event()  # a model that has not answered yet
    started: list[int] = []

    async def reading(update_id: int) -> None:
        started.append(update_id)
        await model.wait()

    async def handled(update_id: int) -> None:
        started.append(update_id)

    async with processor:
        texts = [asyncio.create_task(processor.process_update(typed(i), reading(i))) for i in (1, 2, 3)]
        await asyncio.sleep(0.01)
        assert started == [1, 2]  # the typed lane is full: the third text waits for a slot
        await asyncio.wait_for(processor.process_update(press(4), handled(4)), timeout=1)
        await asyncio.wait_for(processor.process_update(command(5), handled(5)), timeout=1)
        assert started == [1, 2, 4, 5] and not any(task.done() for task in texts)
        model.set()
        await asyncio.gather(*texts)
        assert started == [1, 2, 4, 5, 3]


async def test_presses_are_bounded_by_their_own_lane() -> None:
    processor = LanedUpdateProcessor(per_lane=1)
    release = asyncio.Event()
    running: list[int] = []

    async def held(update_id: int) -> None:
        running.append(update_id)
        await release.wait()

    async with processor:
        first = asyncio.create_task(processor.process_update(press(1), held(1)))
        second = asyncio.create_task(processor.process_update(press(2), held(2)))
        await asyncio.sleep(0.01)
        assert running == [1]
        release.set()
        await asyncio.gather(first, second)
        assert running == [1, 2]


def test_the_runner_processes_updates_in_two_lanes() -> None:
    from bot.adapters.telegram.runner import build_application
    from bot.config import DatabaseSettings, Settings, TelegramSettings

    settings = Settings(telegram=TelegramSettings(token="123456:" + "A" * 35),
                        database=DatabaseSettings(url="sqlite://"))
    app = build_application(settings)
    assert isinstance(app.update_processor, LanedUpdateProcessor)
    assert app.update_processor.max_concurrent_updates == 2 * PER_LANE


@pytest.mark.parametrize("per_lane", [0, -1])
def test_a_lane_needs_a_slot(per_lane: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        LanedUpdateProcessor(per_lane=per_lane)
