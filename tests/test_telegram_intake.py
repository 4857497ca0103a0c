"""Incoming updates are trimmed of what trustbot never reads, and only that."""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import pytest
from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot.adapters.telegram.intake import PRESSED, UpdatesRequest, Where, lean_update, where
from bot.adapters.telegram.requests import POOL_SIZE, BotRequest

USER = {"id": 5, "is_bot": False, "first_name": "Ann", "language_code": "en"}
PRESSED_UNDER = {
    "message_id": 99, "date": 1_700_000_000, "chat": {"id": 5, "type": "private", "first_name": "Ann"},
    "from": {"id": 1, "is_bot": True, "first_name": "Trust"}, "text": "What would help most today?",
    "entities": [{"type": "bold", "offset": 0, "length": 4}],
    "reply_markup": {"inline_keyboard": [[{"text": f"Option {i}", "callback_data": f"1:p:n:b{i}"}]
                                         for i in range(4)]},
}
PRESS = {"update_id": 7, "callback_query": {"id": "42", "from": USER, "chat_instance": "-1", "data": "1:p:n:b1",
                                            "message": PRESSED_UNDER}}
TEXT = {"update_id": 8, "message": {"message_id": 100, "date": 1_700_000_001, "from": USER,
                                    "chat": {"id": 5, "type": "private"}, "text": "hello"}}
BOT = Bot("123456:" + "A" * 35)


def test_a_press_keeps_only_the_id_and_chat_of_the_message_it_was_under() -> None:
    before = copy.deepcopy(PRESS)
    lean = lean_update(PRESS)
    assert before == PRESS  # the input is not changed
    assert "message" not in lean["callback_query"]
    assert lean["callback_query"][PRESSED] == {"message_id": 99, "chat": {"id": 5, "type": "private"}}
    assert {k: v for k, v in lean["callback_query"].items() if k != PRESSED} == {
        k: v for k, v in PRESS["callback_query"].items() if k != "message"}
    update = Update.de_json(lean, BOT)
    assert update.callback_query is not None and update.callback_query.data == "1:p:n:b1"
    assert update.effective_user is not None and update.effective_user.id == 5
    assert where(update) == Where(chat_id=5, private=True, pressed=99)


def test_where_reads_an_untrimmed_press_and_other_updates_alike() -> None:
    assert where(Update.de_json(copy.deepcopy(PRESS), BOT)) == Where(chat_id=5, private=True, pressed=99)
    assert where(Update.de_json(copy.deepcopy(TEXT), BOT)) == Where(chat_id=5, private=True)
    group = {**TEXT, "message": {**TEXT["message"], "chat": {"id": -7, "type": "group", "title": "G"}}}
    assert where(Update.de_json(group, BOT)) == Where(chat_id=-7, private=False)
    group_press = lean_update({**PRESS, "callback_query": {
        **PRESS["callback_query"], "message": {**PRESSED_UNDER, "chat": {"id": -7, "type": "supergroup"}}}})
    assert where(Update.de_json(group_press, BOT)) == Where(chat_id=-7, private=False, pressed=99)
    inline = {"update_id": 9, "callback_query": {"id": "43", "from": USER, "chat_instance": "-1",
                                                 "inline_message_id": "abc", "data": "x"}}
    assert where(Update.de_json(inline, BOT)) is None


def test_a_press_unlike_what_telegram_sends_is_left_for_the_parser() -> None:
    odd = {**PRESS, "callback_query": {**PRESS["callback_query"], "message": {"message_id": "x", "chat": {}}}}
    assert lean_update(odd) == odd
    no_chat_id = {**PRESS, "callback_query": {**PRESS["callback_query"], "message": {
        "message_id": 99, "date": 1_700_000_000, "chat": {"type": "private"}}}}
    assert lean_update(no_chat_id) == no_chat_id


def test_everything_else_passes_as_it_came() -> None:
    inline = {"update_id": 9, "callback_query": {"id": "43", "from": USER, "chat_instance": "-1",
                                                 "inline_message_id": "abc", "data": "x"}}
    for update in (TEXT, inline, {"update_id": 10, "edited_message": TEXT["message"]}):
        assert lean_update(update) == update
    assert lean_update(["not", "an", "update"]) == ["not", "an", "update"]


def test_polling_decodes_every_update_of_an_answer_lean() -> None:
    payload = json.dumps({"ok": True, "result": [PRESS, TEXT]}).encode()
    data: dict[str, Any] = UpdatesRequest.parse_json_payload(payload)
    assert data["result"] == [lean_update(PRESS), TEXT]
    error = json.dumps({"ok": False, "error_code": 409, "description": "Conflict"}).encode()
    assert UpdatesRequest.parse_json_payload(error) == json.loads(error)


def test_the_runner_polls_through_the_lean_request() -> None:
    from bot.adapters.telegram.runner import build_application
    from bot.config import DatabaseSettings, Settings, TelegramSettings

    settings = Settings(telegram=TelegramSettings(token="123456:" + "A" * 35),
                        database=DatabaseSettings(url="sqlite://"))
    app = build_application(settings)
    assert isinstance(app.bot._request[0], UpdatesRequest)  # PTB keeps (getUpdates, everything else)
    assert isinstance(app.bot._request[1], BotRequest)
    assert app.bot._request[1]._client_kwargs["limits"].max_connections == POOL_SIZE  # PTB's default


def test_a_webhook_bot_sends_through_the_bot_request_too() -> None:
    from bot.adapters.telegram.runner import build_application
    from bot.config import DatabaseSettings, Settings, TelegramSettings

    settings = Settings(telegram=TelegramSettings(token="123456:" + "A" * 35),
                        database=DatabaseSettings(url="sqlite://"))
    app = build_application(settings, webhook=True)
    assert isinstance(app.bot._request[1], BotRequest)


def test_answers_decode_to_what_ptbs_decoding_gives() -> None:
    answers = [
        {"ok": True, "result": {"message_id": 5, "chat": {"id": 1, "type": "private"}, "text": "Привет 💔 \u2028"}},
        {"ok": True, "result": True},
        {"ok": False, "error_code": 429, "description": "Too Many Requests", "parameters": {"retry_after": 3}},
    ]
    for answer in answers:
        for payload in (json.dumps(answer).encode(), json.dumps(answer, ensure_ascii=False).encode()):
            assert BotRequest.parse_json_payload(payload) == HTTPXRequest.parse_json_payload(payload) == answer
    broken = b'{"ok":true,"result":{"text":"\xff\xfe half"}}'
    assert BotRequest.parse_json_payload(broken) == HTTPXRequest.parse_json_payload(broken)


def test_an_answer_that_is_not_json_is_refused_without_logging_it(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG), pytest.raises(TelegramError, match="Invalid server response"):
        BotRequest.parse_json_payload(b"<html>my secret words</html>")
    assert not any("secret" in record.getMessage() for record in caplog.records)
