"""The Bot API emulator, checked against the real python-telegram-bot client.

The end-to-end tests trust the emulator to behave like Telegram: if it accepted
something Telegram rejects, a broken bot would pass; if its responses were the
wrong shape, PTB would fail for reasons that have nothing to do with the bot.
So every behaviour here is exercised through ``telegram.Bot`` over real HTTP.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from tests.support.botapi_emulator import BotApiEmulator, utf16_len

pytestmark = pytest.mark.timeout(30)

TOKEN = "123456789:TEST-TOKEN"
USER = 4242


@pytest.fixture
def emu() -> Iterator[BotApiEmulator]:
    with BotApiEmulator(token=TOKEN) as emulator:
        yield emulator
    assert emulator.server_exceptions == [], "emulator bug: " + "\n".join(
        emulator.server_exceptions
    )


def make_bot(emu: BotApiEmulator, token: str = TOKEN) -> telegram.Bot:
    return telegram.Bot(token, base_url=emu.base_url, base_file_url=emu.base_file_url)


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def raw_post(emu: BotApiEmulator, method: str, body: bytes, content_type: str) -> tuple[int, Any]:
    """Talk HTTP directly, for inputs PTB would never produce."""
    request = urllib.request.Request(
        f"{emu.base_url}{TOKEN}/{method}",
        data=body,
        headers={"Content-Type": content_type},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


# ---------------------------------------------------------------- identity and tokens


@pytest.mark.asyncio
async def test_get_me_answers_with_the_bot_named_by_the_token(emu: BotApiEmulator) -> None:
    """PTB calls getMe on initialize; the bot's id must come from the token like Telegram."""
    async with make_bot(emu) as bot:
        me = await bot.get_me()
    assert me.id == 123456789
    assert me.is_bot
    assert me.username == emu.bot_username


@pytest.mark.asyncio
async def test_unknown_token_is_rejected_as_invalid_token(emu: BotApiEmulator) -> None:
    """A misconfigured token must fail loudly at startup, as with the real API."""
    with pytest.raises(InvalidToken):
        async with make_bot(emu, token="999:WRONG"):
            pass
    assert emu.calls[-1].status == 401


@pytest.mark.asyncio
async def test_unknown_method_answers_404_not_found(emu: BotApiEmulator) -> None:
    """Calling something the emulator does not model must not silently succeed."""
    async with make_bot(emu) as bot:
        with pytest.raises(telegram.error.EndPointNotFound):
            await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": USER})
    assert emu.errors[-1].status == 404


# ---------------------------------------------------------------- sending


@pytest.mark.asyncio
async def test_send_message_round_trip_builds_a_full_message(emu: BotApiEmulator) -> None:
    """The bot reads message_id/chat/markup back from results, so they must be realistic."""
    emu.send_text(USER, "hi", first_name="Ann")
    async with make_bot(emu) as bot:
        first = await bot.send_message(USER, "Hello!", reply_markup=keyboard([("Yes", "y")]))
        second = await bot.send_message(USER, "Bold & co", entities=[MessageEntity("bold", 0, 4)])
    assert first.chat.type == "private" and first.chat.first_name == "Ann"
    assert first.from_user is not None and first.from_user.id == 123456789
    assert first.reply_markup == keyboard([("Yes", "y")])
    assert second.message_id == first.message_id + 1 > 1  # the user's "hi" was message 1
    assert second.text == "Bold & co"
    assert second.entities[0].type == "bold"
    records = emu.bot_messages(USER)
    assert [r["text"] for r in records] == ["Hello!", "Bold & co"]
    assert records[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "y"
    assert records[1]["source"] == "Bold & co"
    assert emu.last_reply(USER)["message_id"] == second.message_id


@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["", "   \n\t "])
async def test_empty_or_blank_text_is_rejected(emu: BotApiEmulator, text: str) -> None:
    """Telegram refuses empty messages; a bot rendering an empty template must notice."""
    emu.send_text(USER, "hi")
    async with make_bot(emu) as bot:
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await bot.send_message(USER, text)
    assert emu.bot_messages(USER) == []
    assert emu.errors[-1].status == 400


@pytest.mark.asyncio
async def test_length_limit_counts_utf16_units(emu: BotApiEmulator) -> None:
    """4096 is counted like Telegram: emoji count twice (UTF-16)."""
    emu.send_text(USER, "hi")
    async with make_bot(emu) as bot:
        await bot.send_message(USER, "😀" * 2048)
        await bot.send_message(USER, "<" * 4096)
        await bot.send_message(USER, "x" * 4096)
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(USER, "😀" * 2048 + "x")
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(USER, "x" * 4097)
    assert utf16_len("😀") == 2
    assert len(emu.bot_messages(USER)) == 3


@pytest.mark.asyncio
@pytest.mark.parametrize("data", ["", "x" * 65, "é" * 33])
async def test_callback_data_outside_1_to_64_bytes_is_rejected(
    emu: BotApiEmulator, data: str
) -> None:
    """callback_data is limited in UTF-8 bytes, not characters: é*33 is 66 bytes."""
    emu.send_text(USER, "hi")
    async with make_bot(emu) as bot:
        await bot.send_message(USER, "ok", reply_markup=keyboard([("A", "é" * 32)]))
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(USER, "menu", reply_markup=keyboard([("A", data)]))


@pytest.mark.asyncio
async def test_more_than_100_buttons_is_rejected(emu: BotApiEmulator) -> None:
    """Telegram caps inline keyboards at 100 buttons."""
    emu.send_text(USER, "hi")
    rows = [[(f"B{r}{c}", f"b{r}{c}") for c in range(5)] for r in range(20)]
    async with make_bot(emu) as bot:
        await bot.send_message(USER, "100 is fine", reply_markup=keyboard(*rows))
        with pytest.raises(BadRequest, match=r"(?i)reply markup is too long"):
            await bot.send_message(USER, "101", reply_markup=keyboard(*rows, [("X", "x")]))


@pytest.mark.asyncio
async def test_a_parse_mode_is_refused_because_the_bot_sends_plain_text(emu: BotApiEmulator) -> None:
    """The emulator parses no markup: a parse mode appearing in the bot must show in its tests."""
    emu.send_text(USER, "hi")
    async with make_bot(emu) as bot:
        with pytest.raises(BadRequest, match=r"(?i)unsupported parse_mode"):
            await bot.send_message(USER, "<b>bold</b>", parse_mode="HTML")
    assert emu.bot_messages(USER) == []


@pytest.mark.asyncio
async def test_unknown_chat_is_chat_not_found(emu: BotApiEmulator) -> None:
    """A bot can only write to users who wrote to it first."""
    async with make_bot(emu) as bot:
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(777, "hello?")


@pytest.mark.asyncio
async def test_blocked_user_gets_forbidden_until_unblocked(emu: BotApiEmulator) -> None:
    """Reminders to users who blocked the bot must be handled, not crash the job."""
    emu.send_text(USER, "hi")
    emu.block(USER)
    async with make_bot(emu) as bot:
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await bot.send_message(USER, "still there?")
        with pytest.raises(Forbidden):
            await bot.send_chat_action(USER, "typing")
        emu.unblock(USER)
        await bot.send_message(USER, "welcome back")
    kinds = [
        u["my_chat_member"]["new_chat_member"]["status"]
        for u in emu.pending_updates()
        if "my_chat_member" in u
    ]
    assert kinds == ["kicked", "member"]


# ---------------------------------------------------------------- editing, deleting


@pytest.mark.asyncio
async def test_edits_and_deletes_follow_telegram_rules(emu: BotApiEmulator) -> None:
    """Edits of missing or unchanged messages fail on Telegram; the bot must avoid them."""
    emu.send_text(USER, "hi")
    async with make_bot(emu) as bot:
        sent = await bot.send_message(USER, "Pick", reply_markup=keyboard([("A", "a")]))
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("x", chat_id=USER, message_id=999)
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text(
                "Pick",
                chat_id=USER,
                message_id=sent.message_id,
                reply_markup=keyboard([("A", "a")]),
            )
        edited = await bot.edit_message_text("Picked", chat_id=USER, message_id=sent.message_id)
        assert edited.text == "Picked" and edited.reply_markup is None
        assert edited.edit_date is not None
        await bot.edit_message_reply_markup(
            USER, sent.message_id, reply_markup=keyboard([("B", "b")])
        )
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_reply_markup(
                USER, sent.message_id, reply_markup=keyboard([("B", "b")])
            )
        assert await bot.delete_message(USER, sent.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
            await bot.delete_message(USER, sent.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("gone", chat_id=USER, message_id=sent.message_id)
    (record,) = emu.bot_messages(USER)
    assert record["edited"] and record["deleted"]
    assert record["text"] == "Picked"
    assert emu.last_reply(USER) is None


# ---------------------------------------------------------------- updates


@pytest.mark.asyncio
async def test_get_updates_long_polls_until_an_update_arrives(emu: BotApiEmulator) -> None:
    """The bot's poll must be woken by a user message sent from another thread."""
    async with make_bot(emu) as bot:
        timer = threading.Timer(0.3, emu.send_text, args=(USER, "/start"))
        started = time.monotonic()
        timer.start()
        updates = await bot.get_updates(timeout=5)
        elapsed = time.monotonic() - started
    timer.join()
    assert 0.2 < elapsed < 3
    (update,) = updates
    assert update.message is not None and update.message.text == "/start"
    assert update.message.entities[0].type == "bot_command"
    assert update.effective_user is not None and update.effective_user.id == USER


@pytest.mark.asyncio
async def test_get_updates_returns_empty_after_its_timeout(emu: BotApiEmulator) -> None:
    """A quiet poll must end after `timeout`, neither at once nor never."""
    async with make_bot(emu) as bot:
        started = time.monotonic()
        assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 3


@pytest.mark.asyncio
async def test_offset_confirms_updates_and_limit_caps_batches(emu: BotApiEmulator) -> None:
    """Without offset handling the bot would see the same update twice after a restart."""
    for text in ("one", "two", "three"):
        emu.send_text(USER, text)
    async with make_bot(emu) as bot:
        first = await bot.get_updates(limit=2)
        assert [u.message.text for u in first] == ["one", "two"]
        again = await bot.get_updates()
        assert [u.message.text for u in again] == ["one", "two", "three"]
        rest = await bot.get_updates(offset=first[-1].update_id + 1)
        assert [u.message.text for u in rest] == ["three"]
        assert await bot.get_updates(offset=rest[-1].update_id + 1, timeout=0) == ()
    assert emu.pending_updates() == []
    emu.wait_until_delivered(timeout=0.1)


@pytest.mark.asyncio
async def test_every_user_side_helper_produces_updates_ptb_can_parse(emu: BotApiEmulator) -> None:
    """Tests drive the bot only through these helpers, so PTB must de-json all of them."""
    emu.send_text(USER, "hello", first_name="Ann", username="ann")
    emu.send_sticker(USER)
    emu.send_photo(USER, caption="look")
    emu.send_voice(USER, duration=4)
    emu.send_document(USER, file_name="a.pdf", data=b"%PDF", caption="doc")
    emu.send_location(USER, 52.5, 13.4)
    emu.edit_text(USER, 1, "hello again")
    emu.send_group_text(-100, USER, "/help@trustbot_test_bot", title="Friends")
    emu.send_update(
        {"message": {"message_id": 50, "date": 0, "chat": {"id": 5, "type": "private"}}}
    )
    async with make_bot(emu) as bot:
        updates = await bot.get_updates()
    assert len(updates) == 9
    assert all(isinstance(u, Update) and not u.api_kwargs for u in updates)
    assert updates[1].message.sticker.emoji == "👍"
    assert updates[2].message.photo[-1].file_id and updates[2].message.caption == "look"
    assert updates[3].message.voice.file_id.startswith("AwAC")
    assert updates[4].message.document.file_name == "a.pdf"
    assert updates[5].message.location.latitude == 52.5
    assert updates[6].edited_message.text == "hello again"
    assert updates[7].message.chat.type == "group" and updates[7].message.chat.title == "Friends"
    assert updates[7].message.entities[0].length == len("/help@trustbot_test_bot")
    assert updates[8].update_id > updates[7].update_id


# ---------------------------------------------------------------- callbacks


@pytest.mark.asyncio
async def test_pressing_a_button_delivers_a_callback_query_that_can_be_answered_once(
    emu: BotApiEmulator,
) -> None:
    """The main way users move through dialogs; answers must be tracked and single-use."""
    emu.send_text(USER, "hi")
    async with make_bot(emu) as bot:
        sent = await bot.send_message(
            USER, "Ready?", reply_markup=keyboard([("Yes 👍", "yes"), ("No", "no")])
        )
        await bot.get_updates()
        pressed = emu.press_button(USER, "Yes")
        (update,) = await bot.get_updates(offset=pressed["update_id"])
        query = update.callback_query
        assert query is not None and query.data == "yes"
        assert query.message.message_id == sent.message_id
        assert query.message.reply_markup == sent.reply_markup
        await bot.answer_callback_query(query.id, text="Noted")
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query(query.id)
        with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
            await bot.answer_callback_query("12345")
    (answer,) = emu.callback_answers
    assert answer["callback_query_id"] == query.id and answer["text"] == "Noted"
    with pytest.raises(AssertionError, match=r"(?i)available labels.*Yes 👍.*No"):
        emu.press_button(USER, "Maybe")


@pytest.mark.asyncio
async def test_press_uses_the_message_as_it_is_now(emu: BotApiEmulator) -> None:
    """After an edit, a press carries the edited message, as Telegram does."""
    emu.send_text(USER, "hi")
    async with make_bot(emu) as bot:
        sent = await bot.send_message(USER, "v1", reply_markup=keyboard([("Go", "go")]))
        await bot.edit_message_text(
            "v2", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard([("Go", "go")])
        )
    update = emu.press(USER, sent.message_id, "stale-data")
    assert update["callback_query"]["message"]["text"] == "v2"
    assert update["callback_query"]["data"] == "stale-data"


# ---------------------------------------------------------------- commands


@pytest.mark.asyncio
async def test_set_my_commands_validates_and_stores_per_scope(emu: BotApiEmulator) -> None:
    """A bad command list makes setMyCommands fail at startup on Telegram."""
    emu.send_text(USER, "hi")
    async with make_bot(emu) as bot:
        await bot.set_my_commands([("start", "Begin"), ("help", "Help me")])
        await bot.set_my_commands(
            [("menu", "Menü")], scope=telegram.BotCommandScopeChat(USER), language_code="de"
        )
        with pytest.raises(BadRequest):
            await bot.set_my_commands([("Start", "Capital letters")])
        with pytest.raises(BadRequest):
            await bot.set_my_commands([("with-dash", "Dash")])
        with pytest.raises(BadRequest):
            await bot.set_my_commands([("empty", "")])
        with pytest.raises(BadRequest):
            await bot.set_my_commands([("long", "x" * 257)])
        fetched = await bot.get_my_commands()
    assert [c.command for c in fetched] == ["start", "help"]
    assert emu.get_commands() == [
        {"command": "start", "description": "Begin"},
        {"command": "help", "description": "Help me"},
    ]
    assert emu.commands[(f"chat:{USER}", "de")] == [{"command": "menu", "description": "Menü"}]


# ---------------------------------------------------------------- files


@pytest.mark.asyncio
async def test_multipart_uploads_become_documents_and_photos(emu: BotApiEmulator) -> None:
    """sendDocument/sendPhoto uploads are multipart; the bytes must arrive intact."""
    emu.send_text(USER, "hi")
    payload = bytes(range(256)) * 4 + b"\r\n--not-a-boundary\r\n"
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x00\x80" + b"\x00" * 16
    async with make_bot(emu) as bot:
        doc = await bot.send_document(
            USER, document=payload, filename="Notizen ü.bin", caption="your notes",
            caption_entities=[MessageEntity("italic", 0, 4)],
        )
        photo = await bot.send_photo(USER, photo=png, caption="chart")
        again = await bot.send_photo(USER, photo=photo.photo[-1].file_id)
        file = await bot.get_file(doc.document.file_id)
        downloaded = await file.download_as_bytearray()
    assert doc.document.file_name == "Notizen ü.bin"
    assert doc.caption == "your notes" and doc.caption_entities[0].type == "italic"
    assert emu.file_bytes(doc.document.file_id) == payload
    assert bytes(downloaded) == payload
    assert (photo.photo[-1].width, photo.photo[-1].height) == (256, 128)
    assert again.photo == photo.photo
    assert [r["kind"] for r in emu.bot_messages(USER)] == ["document", "photo", "photo"]
    upload = emu.calls_to("sendDocument")[0].params["document"]
    assert upload["size"] == len(payload)


# ---------------------------------------------------------------- fault injection


@pytest.mark.asyncio
async def test_injected_faults_surface_as_ptb_exceptions(emu: BotApiEmulator) -> None:
    """Flood control and outages must be survivable; PTB maps them to these errors."""
    emu.send_text(USER, "hi")
    async with make_bot(emu) as bot:
        emu.fail_next("sendMessage", "retry_after")
        with pytest.raises(RetryAfter):
            await bot.send_message(USER, "flood")
        emu.fail_next("sendMessage", "server_error", status=502)
        with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
            await bot.send_message(USER, "outage")
        emu.fail_next("sendMessage", "drop")
        with pytest.raises(NetworkError):
            await bot.send_message(USER, "dropped")
        await bot.send_message(USER, "finally")
    assert [m["text"] for m in emu.bot_messages(USER)] == ["finally"]
    statuses = [c.status for c in emu.calls_to("sendMessage")]
    assert statuses == [429, 502, -1, 200]
    assert emu.errors == []  # injected faults are not the client's mistakes


@pytest.mark.asyncio
async def test_slow_response_times_out_but_the_message_was_delivered(emu: BotApiEmulator) -> None:
    """Like Telegram: a client timeout does not mean the message was not sent."""
    emu.send_text(USER, "hi")
    async with make_bot(emu) as bot:
        emu.fail_next("sendMessage", "slow", delay=1.0)
        with pytest.raises(TimedOut):
            await bot.send_message(USER, "late", read_timeout=0.2)
    assert [m["text"] for m in emu.bot_messages(USER)] == ["late"]


# ---------------------------------------------------------------- waiting and robustness


@pytest.mark.asyncio
async def test_waits_return_when_the_bot_replies_and_explain_timeouts(emu: BotApiEmulator) -> None:
    """E2E tests block on these; a timeout must say what did arrive and what failed."""
    emu.send_text(USER, "hi")
    async with make_bot(emu) as bot:
        waiter = asyncio.ensure_future(emu.async_wait_for_messages(USER, 2, timeout=5))
        await bot.send_message(USER, "one")
        await asyncio.sleep(0.05)
        assert not waiter.done()
        await bot.send_message(USER, "two")
        messages = await waiter
        assert [m["text"] for m in messages] == ["one", "two"]
        with pytest.raises(BadRequest):
            await bot.send_message(USER, "")
    with pytest.raises(AssertionError, match=r"(?i)got 2: .*'one'.*message text is empty"):
        emu.wait_for_messages(USER, 3, timeout=0.2)
    assert emu.wait_for(lambda: emu.last_reply(USER), timeout=0.1)["text"] == "two"


def test_bad_requests_get_telegram_shaped_400s_without_killing_the_server(
    emu: BotApiEmulator,
) -> None:
    """Garbage input must produce an answer, never a dead server thread."""
    assert raw_post(emu, "sendMessage", b"{not json", "application/json") == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: can't parse JSON object"},
    )
    status, body = raw_post(
        emu, "sendMessage", b'{"chat_id": 1, "reply_markup": "[x"}', "application/json"
    )
    assert status == 400 and body["ok"] is False
    status, body = raw_post(emu, "sendMessage", b"\xff\xfe", "multipart/form-data")
    assert status == 400
    emu.send_text(USER, "hi")
    status, body = raw_post(
        emu,
        "sendMessage",
        f"chat_id={USER}&text=form+encoded".encode(),
        "application/x-www-form-urlencoded",
    )
    assert status == 200 and body["result"]["text"] == "form encoded"
    status, body = raw_post(emu, "getMe", b"", "application/json")
    assert status == 200 and body["result"]["id"] == 123456789


def test_stop_releases_long_polls_promptly() -> None:
    """A hanging server thread would stall the whole test session at teardown."""
    emulator = BotApiEmulator(token=TOKEN).start()
    results: list[Any] = []

    def poll() -> None:
        results.append(raw_post(emulator, "getUpdates", b'{"timeout": 30}', "application/json"))

    thread = threading.Thread(target=poll)
    thread.start()
    emulator.wait_until_polling(timeout=5)
    started = time.monotonic()
    emulator.stop()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert time.monotonic() - started < 2
    assert results == [(200, {"ok": True, "result": []})]


def test_a_second_poller_terminates_the_first_with_409_conflict(emu: BotApiEmulator) -> None:
    """Two bot instances polling one token is a real deployment bug Telegram reports."""
    results: list[Any] = []
    first = threading.Thread(
        target=lambda: results.append(
            raw_post(emu, "getUpdates", b'{"timeout": 10}', "application/json")
        )
    )
    first.start()
    emu.wait_until_polling(timeout=5)
    assert raw_post(emu, "getUpdates", b'{"timeout": 0}', "application/json")[0] == 200
    first.join(timeout=5)
    assert results[0][0] == 409 and "Conflict" in results[0][1]["description"]
    assert emu.errors == []  # an orphaned poll's conflict is not the bot's mistake


@pytest.mark.asyncio
async def test_a_polling_ptb_application_replies_and_confirms_updates_on_shutdown(
    emu: BotApiEmulator,
) -> None:
    """The real bot runs a polling Application; its whole lifecycle must work end to end."""
    from telegram.ext import Application, CallbackQueryHandler, CommandHandler

    async def start(update: Update, context: Any) -> None:
        await update.effective_message.reply_text("Hi!", reply_markup=keyboard([("Go", "go")]))

    async def pressed(update: Update, context: Any) -> None:
        await update.callback_query.answer("ok")
        await update.callback_query.edit_message_text("Went.")

    app = Application.builder().token(TOKEN).base_url(emu.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        await app.updater.start_polling(timeout=5)
        await emu.async_wait_until_polling(timeout=5)
        emu.send_text(USER, "/start")
        (reply,) = await emu.async_wait_for_messages(USER, 1, timeout=5)
        assert reply["text"] == "Hi!"
        emu.press_button(USER, "Go")
        await emu.async_wait_for(lambda: emu.callback_answers, timeout=5)
        await emu.async_wait_for(lambda: emu.last_reply(USER)["text"] == "Went.", timeout=5)
        await app.updater.stop()
        await app.stop()
    assert emu.pending_updates() == []  # the shutdown getUpdates confirmed everything
    assert emu.errors == []
    assert {c.method for c in emu.calls} >= {"getMe", "deleteWebhook", "getUpdates"}
