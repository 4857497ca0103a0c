"""The webhook refuses what is not a Telegram update with a 400, never a traceback."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from bot.adapters.telegram.runner import build_application
from bot.adapters.telegram.webhook import SECRET_HEADER, make_asgi
from bot.config import DatabaseSettings, Settings, TelegramSettings, WebhookSettings

SECRET = "webhook-secret-0123456789"


@pytest.fixture
def asgi() -> Starlette:
    settings = Settings(
        telegram=TelegramSettings(token="123456:" + "A" * 35,
                                  webhook=WebhookSettings(enabled=True, secret_token=SECRET)),
        database=DatabaseSettings(url="sqlite://"))
    return make_asgi(build_application(settings, webhook=True), settings)


async def _post(asgi: Starlette, body: bytes, secret: str = SECRET) -> int:
    # raise_app_exceptions: a traceback in the endpoint fails the test rather than become a 500.
    transport = httpx.ASGITransport(app=asgi, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        return (await client.post("/telegram", content=body, headers={SECRET_HEADER: secret})).status_code


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "5", "null", "{}", "{not json"])
async def test_garbage_gets_a_400(asgi: Starlette, body: str, caplog: pytest.LogCaptureFixture) -> None:
    assert await _post(asgi, body.encode()) == 400
    assert "Traceback" not in caplog.text and body not in caplog.text


async def test_a_wrong_secret_gets_a_403(asgi: Starlette) -> None:
    assert await _post(asgi, b"{}", secret="wrong") == 403
