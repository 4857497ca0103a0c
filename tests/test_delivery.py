"""The Telegram error policy: retry only what provably never left, never send twice."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from bot.adapters.telegram import delivery
from bot.adapters.telegram.delivery import Blocked, call
from bot.core.callbacks import encode
from bot.core.messages import Button, OpenMenu, Outcome, Press, Reply


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


class _Query:
    """A pressed button whose answer takes a while (a slow round trip)."""

    id = "q1"

    def __init__(self, log: list[str]) -> None:
        self.log = log
        self.release = asyncio.Event()

    async def answer(self, text: str | None = None) -> bool:
        self.log.append("answer sent")
        await self.release.wait()
        self.log.append("answer done")
        return True


class _Bot:
    def __init__(self, log: list[str], query: _Query) -> None:
        self.log, self.query, self.ids = log, query, iter(range(100, 200))

    async def do_api_request(self, endpoint: str, api_kwargs: dict[str, object]) -> object:
        if endpoint == delivery.ANSWER_CALLBACK:
            assert api_kwargs == {"callback_query_id": self.query.id}
            return await self.query.answer()
        self.log.append(f"{endpoint} {api_kwargs['text']}")
        self.query.release.set()  # the answer's round trip ends only after the reply went out
        return {"message_id": next(self.ids)}


async def test_a_button_is_answered_alongside_the_reply_not_before_it() -> None:
    log: list[str] = []
    query = _Query(log)
    deliver = delivery.Delivery(_Bot(log, query), 7, query=query)  # type: ignore[arg-type]
    sent = await asyncio.wait_for(deliver(Outcome(replies=(Reply("next step"),))), 5)
    assert sent == [100]
    # The reply went out while the answer was still on its way (not after it).
    assert sorted(log[:2]) == ["answer sent", "sendmessage next step"] and log[2:] == ["answer done"]


async def test_a_block_seen_by_the_answer_alone_still_marks_the_user_blocked() -> None:
    class Blocking(_Query):
        async def answer(self, text: str | None = None) -> bool:
            raise Forbidden("bot was blocked by the user")

    log: list[str] = []
    query = Blocking(log)
    marked: list[str] = []

    async def mark() -> None:
        marked.append("blocked")

    deliver = delivery.Delivery(_Bot(log, query), 7, query=query, on_late_block=mark)  # type: ignore[arg-type]
    await deliver(Outcome(replies=(Reply("next step"),)))
    # The turn does not wait for the answer: if it was still in flight, the block is reported late.
    blocked_at_return = deliver.blocked
    await delivery.answers_settled()
    assert deliver.blocked
    assert blocked_at_return or marked == ["blocked"]


async def test_a_keyboard_goes_as_json_text_encoded_once_per_distinct_keyboard() -> None:
    """PTB passes a text parameter through as it is: the keyboard is the JSON
    the Bot API expects, the same for every reply with the same buttons."""
    sent: list[dict[str, object]] = []

    class _Recorder:
        async def do_api_request(self, endpoint: str, api_kwargs: dict[str, object]) -> object:
            sent.append(api_kwargs)
            return {"message_id": len(sent)}

    buttons = (Button("Go on", Press("step_one", "next")), Button("Menu", OpenMenu()))
    for text in ("first", "second"):
        await delivery.send_text(_Recorder(), 7, Reply(text, buttons))  # type: ignore[arg-type]
    await delivery.send_text(_Recorder(), 7, Reply("no keyboard"))  # type: ignore[arg-type]
    first, second, bare = sent
    assert isinstance(first["reply_markup"], str) and first["reply_markup"] is second["reply_markup"]
    assert json.loads(first["reply_markup"]) == {"inline_keyboard": [
        [{"text": "Go on", "callback_data": encode(Press("step_one", "next"))}],
        [{"text": "Menu", "callback_data": encode(OpenMenu())}]]}
    assert "reply_markup" not in bare
