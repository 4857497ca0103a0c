"""The webhook refuses what is not a Telegram update with a 400, never a traceback."""

from __future__ import annotations

import json

import httpx
import pytest
from starlette.applications import Starlette
from telegram import Update

from bot.adapters.telegram.intake import Where, already_answered, where
from bot.adapters.telegram.runner import build_application
from bot.adapters.telegram.types import App
from bot.adapters.telegram.webhook import SECRET_HEADER, make_asgi
from bot.config import DatabaseSettings, Settings, TelegramSettings, WebhookSettings

SECRET = "webhook-secret-0123456789"


SETTINGS = Settings(
    telegram=TelegramSettings(token="123456:" + "A" * 35, webhook=WebhookSettings(enabled=True, secret_token=SECRET)),
    database=DatabaseSettings(url="sqlite://"))


@pytest.fixture
def app() -> App:
    return build_application(SETTINGS, webhook=True)


@pytest.fixture
def asgi(app: App) -> Starlette:
    return make_asgi(app, SETTINGS)


async def _post_read(asgi: Starlette, body: bytes, secret: str = SECRET) -> tuple[int, bytes]:
    # raise_app_exceptions: a traceback in the endpoint fails the test rather than become a 500.
    transport = httpx.ASGITransport(app=asgi, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        answer = await client.post("/telegram", content=body, headers={SECRET_HEADER: secret})
        return answer.status_code, answer.content


async def _post(asgi: Starlette, body: bytes, secret: str = SECRET) -> int:
    return (await _post_read(asgi, body, secret))[0]


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "5", "null", "{}", "{not json"])
async def test_garbage_gets_a_400(asgi: Starlette, body: str, caplog: pytest.LogCaptureFixture) -> None:
    assert await _post(asgi, body.encode()) == 400
    logged = "\n".join(caplog.messages)  # the messages, not the record's file and line number
    assert "Traceback" not in caplog.text and body not in logged


async def test_a_wrong_secret_gets_a_403(asgi: Starlette) -> None:
    assert await _post(asgi, b"{}", secret="wrong") == 403


async def test_a_press_arrives_lean_and_is_answered_in_the_webhooks_reply(app: App, asgi: Starlette) -> None:
    press = {"update_id": 7, "callback_query": {
        "id": "42", "from": {"id": 5, "is_bot": False, "first_name": "Ann"}, "chat_instance": "-1", "data": "1:p:n:b1",
        "message": {"message_id": 99, "date": 1_700_000_000, "chat": {"id": 5, "type": "private"},
                    "text": "What would help most today?"}}}
    status, body = await _post_read(asgi, json.dumps(press).encode())
    assert status == 200 and json.loads(body) == {"method": "answerCallbackQuery", "callback_query_id": "42"}
    update = app.update_queue.get_nowait()
    assert isinstance(update, Update) and update.callback_query is not None
    assert update.callback_query.message is None  # PTB built no Message for it
    assert where(update) == Where(chat_id=5, private=True, pressed=99)
    assert already_answered(update.callback_query)  # so the turn does not answer it again


async def test_a_text_gets_an_empty_reply(app: App, asgi: Starlette) -> None:
    text = {"update_id": 8, "message": {"message_id": 100, "date": 1_700_000_001, "text": "hello",
                                        "from": {"id": 5, "is_bot": False, "first_name": "Ann"},
                                        "chat": {"id": 5, "type": "private"}}}
    assert await _post_read(asgi, json.dumps(text).encode()) == (200, b"")
    update = app.update_queue.get_nowait()
    assert isinstance(update, Update) and update.message is not None and update.message.text == "hello"
