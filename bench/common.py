"""Shared by the update benchmarks: an in-memory Bot API, update factories,
the real trustbot Application and a bare echo bot built on the same request.

Nothing here talks to the network. ``MemoryRequest`` is a
``telegram.request.BaseRequest`` whose ``do_request`` answers from memory, the
way python-telegram-bot's own test suite runs an Application offline; it does
encode every request as ``HTTPXRequest`` would (``RequestData.json_parameters``)
and PTB decodes every JSON answer as usual, so only the socket is missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, MessageHandler, filters  # noqa: E402
from telegram.request import BaseRequest, RequestData  # noqa: E402

from bot.adapters.telegram.intake import lean_update  # noqa: E402
from bot.adapters.telegram.requests import BotRequest  # noqa: E402

TOKEN = "123456:" + "A" * 35
BOT_ID = 123456
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Bench", "username": "bench_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
#: Button actions a realistic user mix never presses: quick exit and confirmed
#: deletion wipe the user (and quick exit deletes every message), which would
#: turn the run into a deletion benchmark.
SKIPPED_TAGS = ("1:x", "1:d")
LIMITER_MODES = ("none", "uncapped", "real")


# --- the in-memory Bot API ---------------------------------------------------

@dataclass
class Keyboard:
    message_id: int
    text: str
    buttons: list[tuple[str, str]]  # (label, callback data)


class MemoryRequest(BaseRequest):
    """Answers every Bot API method from memory, like PTB's offline tests.

    Remembers, per chat, the last inline keyboard the bot sent, so the traffic
    can press a button of the previous reply, and counts calls per method.
    """

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.keyboards: dict[int, Keyboard] = {}
        self._parsed: dict[str, list[tuple[str, str]]] = {}
        self._ids = itertools.count(10_000_000)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        name = _CANONICAL.get(name.lower(), name)  # Bot API method names are case-insensitive
        self.calls[name] += 1
        if request_data is not None:
            encoded = request_data.json_parameters  # the encoding HTTPXRequest does on every call
            params = request_data.parameters
        else:
            encoded, params = {}, {}
        if name in ("sendMessage", "sendDocument"):
            return 200, b'{"ok":true,"result":' + self._message(params, encoded) + b"}"
        if name == "getMe":
            return 200, json.dumps({"ok": True, "result": BOT_USER}).encode()
        return 200, _TRUE  # answerCallbackQuery, deleteMessage, setMyCommands, ...

    def _buttons(self, markup: dict[str, Any] | str) -> list[tuple[str, str]]:
        """(label, callback data) of a keyboard, sent as JSON or as JSON text.
        A text is parsed once per distinct keyboard: the server's work, which
        must not weigh on the bot that sent it."""
        if isinstance(markup, str):
            if markup not in self._parsed:
                self._parsed[markup] = self._buttons(json.loads(markup))
            return self._parsed[markup]
        rows = markup.get("inline_keyboard") or []
        return [(b["text"], b["callback_data"]) for row in rows for b in row if "callback_data" in b]

    def _message(self, params: dict[str, Any], encoded: dict[str, str]) -> bytes:
        """The sent message as Telegram answers it (with its keyboard). The
        server's work, not the bot's: built from the request's own encoded
        parameters rather than encoded again, which the bots would pay for."""
        chat_id = int(params["chat_id"])
        message_id = next(self._ids)
        text = params.get("text") or params.get("caption") or ""
        markup = params.get("reply_markup")
        if markup:
            self.keyboards[chat_id] = Keyboard(message_id, text, self._buttons(markup))
        keyboard = b',"reply_markup":' + encoded["reply_markup"].encode() if markup else b""
        return (b'{"message_id":%d,"date":%d,"from":%s,"chat":{"id":%d,"type":"private","first_name":"User"},'
                b'"text":%s%s}' % (message_id, int(time.time()), _BOT_USER_JSON, chat_id,
                                   json.dumps(text).encode(), keyboard))


class BotMemoryRequest(MemoryRequest):
    """``MemoryRequest`` decoding answers as trustbot's own connection does
    (orjson, bot/adapters/telegram/requests.py): the in-memory stand-in for
    the request object the runner builds. The echo bot, bare PTB, keeps
    PTB's decoding."""

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        return BotRequest.parse_json_payload(payload)


_TRUE = b'{"ok":true,"result":true}'
_BOT_USER_JSON = json.dumps(BOT_USER).encode()
_CANONICAL = {name.lower(): name for name in (
    "sendMessage", "sendDocument", "sendPhoto", "getMe", "answerCallbackQuery", "deleteMessage", "deleteMessages")}


# --- updates -----------------------------------------------------------------

class UpdateFactory:
    """Bot API update JSON as Telegram sends it (parse with ``Update.de_json``)."""

    def __init__(self) -> None:
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)

    @staticmethod
    def _user(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"U{user_id}", "language_code": "en"}

    def message(self, user_id: int, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids), "date": int(time.time()), "text": text,
            "chat": {"id": user_id, "type": "private", "first_name": f"U{user_id}"},
            "from": self._user(user_id),
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": next(self._update_ids), "message": message}

    def callback(self, user_id: int, data: str, keyboard: Keyboard) -> dict[str, Any]:
        update_id = next(self._update_ids)
        return {"update_id": update_id, "callback_query": {
            "id": str(update_id), "from": self._user(user_id), "chat_instance": str(user_id), "data": data,
            "message": {
                "message_id": keyboard.message_id, "date": int(time.time()), "from": BOT_USER,
                "chat": {"id": user_id, "type": "private", "first_name": f"U{user_id}"}, "text": keyboard.text,
            },
        }}


def faq_questions() -> list[str]:
    """Typed text as people type it, ~700 distinct lines, so the model reads
    most of them (its cache of recent texts only helps with real repeats):
    the FAQ evaluation set's questions and off-topic lines, and the
    development set's questions, feelings, small talk, off-topic and
    sad-but-safe lines (not its danger lines: those send a user into the
    safety answer, a different path measured in bench_understanding.py)."""
    import yaml

    data = yaml.safe_load((ROOT / "tests" / "data" / "faq_eval.yaml").read_text(encoding="utf-8"))
    texts = [q for qs in data["faq"].values() for q in qs] + list(data.get("off_topic", []))
    dev = yaml.safe_load((ROOT / "dialogs" / "corpus" / "dev.yaml").read_text(encoding="utf-8"))
    for part in ("faq", "feelings", "small_talk", "off_topic", "sad_but_safe"):
        texts += [item if isinstance(item, str) else item["text"] for item in dev.get(part, [])]
    return sorted(set(texts))


#: The real mix, as a guided dialog is used: mostly buttons; some typed text
#: (answers, questions, feelings), all of it read by the model; some commands.
#: Each user's first update is /start.
PRESS_SHARE, TEXT_SHARE = 0.8, 0.1


class Traffic:
    """A realistic mix for many users: each user starts with /start, then mostly
    presses a button of the bot's previous reply (callback data taken from that
    reply's keyboard), sometimes types a question, sometimes a command."""

    def __init__(self, request: MemoryRequest, *, seed: int = 7, press: float = PRESS_SHARE,
                 text: float = TEXT_SHARE):
        self.request = request
        self.factory = UpdateFactory()
        self.random = random.Random(seed)
        self.questions = faq_questions()
        self.press, self.text = press, press + text
        self.started: set[int] = set()
        self.kinds: Counter[str] = Counter()

    def next(self, user_id: int) -> dict[str, Any]:
        if user_id not in self.started:
            self.started.add(user_id)
            self.kinds["/start"] += 1
            return self.factory.message(user_id, "/start")
        roll = self.random.random()
        keyboard = self.request.keyboards.get(user_id)
        if roll < self.press and keyboard is not None:
            choices = [data for _, data in keyboard.buttons if not data.startswith(SKIPPED_TAGS)]
            if choices:
                self.kinds["button"] += 1
                return self.factory.callback(user_id, self.random.choice(choices), keyboard)
        if roll < self.text:
            self.kinds["typed text"] += 1
            return self.factory.message(user_id, self.random.choice(self.questions))
        self.kinds["command"] += 1
        return self.factory.message(user_id, self.random.choice(("/menu", "/faq", "/role")))


def echo_traffic(count: int, users: list[int], *, seed: int = 7) -> list[dict[str, Any]]:
    """The echo bot's input: text messages over the same users (its one handler takes text)."""
    factory, rnd, questions = UpdateFactory(), random.Random(seed), faq_questions()
    return [factory.message(users[i % len(users)], rnd.choice(questions)) for i in range(count)]


def user_ids(count: int, start: int = 100_000_001) -> list[int]:
    return list(range(start, start + count))


# --- applications ------------------------------------------------------------

def limiter_for(mode: str, configured: AIORateLimiter | None = None) -> AIORateLimiter | None:
    """``real``: the rate limiter as configured (30 messages/s overall);
    ``uncapped``: the same AIORateLimiter code path with limits no run reaches;
    ``none``: no rate limiter at all."""
    if mode == "none":
        return None
    if mode == "real":
        return configured or AIORateLimiter(max_retries=3)
    return AIORateLimiter(overall_max_rate=1_000_000_000, group_max_rate=1_000_000_000, max_retries=3)


def make_settings(database_url: str):
    from bot.config import DatabaseSettings, DialogSettings, Settings, TelegramSettings

    return Settings(telegram=TelegramSettings(token=TOKEN), database=DatabaseSettings(url=database_url),
                    dialogs=DialogSettings(dir=str(ROOT / "dialogs")))


@contextlib.asynccontextmanager
async def trustbot_app(database_url: str, request: BotMemoryRequest, *, limiter: str = "real",
                       settle: bool = True) -> AsyncIterator[Application]:
    """The real trustbot Application (runner.build_application), initialised
    and post_init run (database opened, handlers installed), on ``request``.
    ``settle``: also wait for warm-ups post_init left running in a thread."""
    from bot.adapters.telegram.runner import build_application

    app = build_application(make_settings(database_url), request=request, rate_limiter=limiter_for(limiter))
    async with app:
        assert app.post_init is not None
        await app.post_init(app)
        app.bot_data[INTAKE] = lean_update
        if settle:
            await _background_warm_up(app)
        try:
            yield app
        finally:
            if app.post_shutdown is not None:
                await app.post_shutdown(app)


#: Where an app keeps how it takes an update in: trustbot trims each one as
#: its polling and webhook do (bot/adapters/telegram/intake.py); the echo
#: bot, plain PTB, parses what came.
INTAKE = "bench_intake"


def take_in(app: Application, data: dict[str, Any]) -> Update:
    """The update as ``app``'s own intake parses it (timed, like the rest)."""
    intake = app.bot_data.get(INTAKE) if isinstance(app.bot_data, dict) else None
    return Update.de_json(intake(data) if intake is not None else data, app.bot)


async def _background_warm_up(app: Application) -> None:
    """post_init may start warming caches in a thread (the check-ins' place
    index, ~1.5 s); wait for it, so it does not compete with the measurement."""
    building = app.bot_data.get("places") if isinstance(app.bot_data, dict) else None
    if building is not None:
        await building
        return
    try:
        from bot.core.checkin import places
    except ImportError:
        return
    warm = getattr(places, "warm", None)
    if warm is not None:
        await asyncio.to_thread(warm)


def model_summary(app: Application) -> str:
    """How the app's model worker did: texts read, batches, cache hits."""
    service = app.bot_data.get("service") if isinstance(app.bot_data, dict) else None
    embed = getattr(service, "embed", None)
    worker = getattr(embed, "__self__", None)
    if worker is None:
        return "no model (TRUSTBOT_MODEL=off?)"
    sizes = worker.batch_sizes
    texts = sum(sizes)
    return (f"{texts} texts in {len(sizes)} batches (mean {texts / max(1, len(sizes)):.2f}), "
            f"{worker.cache_hits} repeats from the cache")


async def _echo(update: Update, context: Any) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


@contextlib.asynccontextmanager
async def echo_app(request: MemoryRequest, *, limiter: str = "real") -> AsyncIterator[Application]:
    """A bare PTB echo bot with the runner's builder options and the same request object."""
    builder = (ApplicationBuilder().token(TOKEN).request(request).get_updates_request(request)
               .concurrent_updates(64))
    chosen = limiter_for(limiter)
    if chosen is not None:
        builder = builder.rate_limiter(chosen)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, _echo))
    async with app:
        yield app


async def migrate_postgres(url: str) -> None:
    """trustbot migrates SQLite at start but insists PostgreSQL is migrated first."""
    from bot.storage.database import Database

    db = Database(url)
    try:
        try:
            from bot.storage import migrate
        except ImportError:
            await db.create_schema()
        else:
            await migrate.upgrade(db)
    finally:
        await db.dispose()


@contextlib.contextmanager
def database_url(kind: str, given: str | None = None) -> Iterator[str]:
    """A fresh database: a temp SQLite file (default settings), ``given``, or a
    throwaway PostgreSQL server (tests/support/postgres.py)."""
    if given:
        yield given
        return
    root = Path(tempfile.mkdtemp(prefix="trustbot-bench-"))
    try:
        if kind == "sqlite":
            yield f"sqlite:///{root / 'trustbot.sqlite3'}"
        else:
            from tests.support.postgres import start_server

            server = start_server(root)
            try:
                yield server.create_database("bench")
            finally:
                server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- numbers -----------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
