"""The Telegram error policy: retry only what provably never left, never send twice."""

from __future__ import annotations

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from bot.adapters.telegram import delivery
from bot.adapters.telegram.delivery import Blocked, call


def _failing(*errors: Exception):
    calls = {"n": 0}

    async def request() -> str:
        calls["n"] += 1
        if calls["n"] <= len(errors):
            raise errors[calls["n"] - 1]
        return "sent"

    return request, calls


def _caused(error: Exception, cause: Exception) -> Exception:
    error.__cause__ = cause
    return error


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "BACKOFF_SECONDS", 0.0)


@pytest.mark.parametrize("cause", [httpx.ConnectTimeout("x"), httpx.PoolTimeout("x")])
async def test_a_timeout_before_the_request_left_is_retried(cause: Exception) -> None:
    request, calls = _failing(_caused(TimedOut(), cause))
    assert await call(request, what="sendMessage") == "sent"
    assert calls["n"] == 2


async def test_a_read_timeout_is_not_retried_because_telegram_may_have_delivered_it() -> None:
    request, calls = _failing(_caused(TimedOut(), httpx.ReadTimeout("x")))
    assert await call(request, what="sendMessage") is None
    assert calls["n"] == 1


async def test_a_refused_connection_is_retried_and_other_network_errors_are_not() -> None:
    request, calls = _failing(_caused(NetworkError("down"), httpx.ConnectError("refused")))
    assert await call(request, what="sendMessage") == "sent" and calls["n"] == 2
    request, calls = _failing(NetworkError("Bad Gateway"))
    assert await call(request, what="sendMessage") is None and calls["n"] == 1


async def test_retries_stop_after_a_few_attempts() -> None:
    request, calls = _failing(*[_caused(NetworkError("down"), httpx.ConnectError("x")) for _ in range(10)])
    assert await call(request, what="sendMessage") is None
    assert calls["n"] == delivery.RETRIES


async def test_a_blocked_user_stops_delivery_and_a_rejected_message_is_skipped() -> None:
    request, _ = _failing(Forbidden("bot was blocked by the user"))
    with pytest.raises(Blocked):
        await call(request, what="sendMessage")
    request, calls = _failing(BadRequest("message is too long"))
    assert await call(request, what="sendMessage") is None and calls["n"] == 1
