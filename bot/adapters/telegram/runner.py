"""Build and run the python-telegram-bot Application (long polling or webhook)."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from typing import Any

from telegram import Bot, BotCommand, Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import AIORateLimiter, ApplicationBuilder, BaseRateLimiter
from telegram.request import BaseRequest

from bot.adapters.commands import COMMANDS, HELP_COMMAND
from bot.adapters.memory import give_back
from bot.adapters.places_child import warm_in_child
from bot.adapters.telegram import partner as partner_links
from bot.adapters.telegram.checkins import start_checkins
from bot.adapters.telegram.delivery import answers_settled
from bot.adapters.telegram.handlers import TelegramFrontEnd
from bot.adapters.telegram.intake import UpdatesRequest
from bot.adapters.telegram.lanes import LanedUpdateProcessor
from bot.adapters.telegram.requests import POOL_SIZE, BotRequest
from bot.adapters.telegram.types import App
from bot.bootstrap import ModelPlace, load_with_model, private_files, setup_logging, start_service
from bot.config import ConfigError, Settings, require_token, require_webhook
from bot.core.identity import UserKey
from bot.service.chat import ChatService
from bot.service.partner import partner_content

log = logging.getLogger(__name__)

#: Seconds a thread may hold the GIL while another waits (Python's default 0.005).
SWITCH_INTERVAL = 0.0005


class DefaultLimiter:
    """Marker: use the bot's own rate limiter."""


DEFAULT_LIMITER = DefaultLimiter()


def command_list() -> list[tuple[str, str]]:
    return [(name, description) for name, (_, description) in COMMANDS.items()] + [HELP_COMMAND]


def build_application(
    settings: Settings, *, webhook: bool = False,
    request: BaseRequest | None = None, rate_limiter: BaseRateLimiter[Any] | DefaultLimiter | None = DEFAULT_LIMITER,
) -> App:
    """The Application with every handler; storage opens in ``post_init``.

    Content is loaded here, before any network call, so broken dialogs stop
    the bot at once with the lint messages instead of failing on a user.
    ``request`` and ``rate_limiter`` let benchmarks run the real application
    over an in-memory transport and compare limiters; the bot uses the defaults.
    """
    # Under load the model reads in a process of its own: presses do not wait behind it.
    brain, embedder = load_with_model(settings, ModelPlace.PROCESS)
    partner = partner_content(settings.dialogs_dir())
    token = require_token(settings)

    async def post_init(app: App) -> None:
        admins = frozenset(UserKey("telegram", str(i)) for i in settings.admin_ids)
        service = await start_service(settings, brain, embedder, admins)
        app.bot_data["service"] = service
        TelegramFrontEnd(service, command_list()).install(app)
        # Check-ins: the dispatcher runs on PTB's JobQueue.
        start_checkins(app, service, settings)
        # Linking partners: deep links name the bot; notices reach the other partner.
        partner_links.install(app, service, partner)
        await app.bot.set_my_commands([BotCommand(n, d) for n, d in command_list()])
        # The index of places (typed cities) now, in a child process (memory) waited
        # for in a thread, not on the loop at the first city.
        app.bot_data["places"] = asyncio.get_running_loop().run_in_executor(None, warm_in_child)
        log.info("trustbot started as @%s", app.bot.username)
        # Everything loaded so far lives as long as the process: keep it out of
        # the collector's way (a full collection cost ~80 ms in bench_latency).
        give_back()  # and what loading freed goes back to the system (memory.py)
        gc.freeze()
        # The model thread runs some Python (the tokenizer, ~0.5 ms a message):
        # a shorter GIL switch interval lets the event loop take the GIL back
        # sooner. bench_latency at 200 updates/s, three alternated pairs:
        # presses' p99 10.0 / 10.5 / 11.0 ms against 11.0 / 13.9 / 11.4 ms.
        sys.setswitchinterval(SWITCH_INTERVAL)

    async def post_stop(app: App) -> None:
        # Button answers still in flight go out before the bot's connection closes.
        await answers_settled()

    async def post_shutdown(app: App) -> None:
        service: ChatService | None = app.bot_data.get("service")
        if service is not None:
            await service.close()

    builder = ApplicationBuilder()
    if webhook:
        # Updates arrive over our own HTTP endpoint (bot/adapters/telegram/webhook.py).
        builder = builder.updater(None)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        # PTB's own pool sizes; answers decoded with orjson (requests.py).
        builder = builder.request(BotRequest(connection_pool_size=POOL_SIZE))
        if not webhook:
            # Polling on one connection, decoding each update lean (intake.py).
            builder = builder.get_updates_request(UpdatesRequest(connection_pool_size=1))
    if rate_limiter is DEFAULT_LIMITER:
        # Telegram's broadcast limit (30 messages/s); waits out RetryAfter.
        rate_limiter = AIORateLimiter(max_retries=3)
    if isinstance(rate_limiter, BaseRateLimiter):
        builder = builder.rate_limiter(rate_limiter)
    return (
        builder
        .token(token)
        .base_url(settings.telegram.base_url)
        .base_file_url(settings.telegram.base_file_url)
        # Different users are served at once, typed text in a lane of its own
        # (lanes.py); one user's updates are kept in order by the chat
        # service's per-user lock.
        .concurrent_updates(LanedUpdateProcessor())
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )


async def preflight(settings: Settings) -> None:
    """Ask the Bot API who we are before starting, so a wrong token or an
    unreachable server is one clear line, not a library's retry loop."""
    bot = Bot(require_token(settings), base_url=settings.telegram.base_url,
              base_file_url=settings.telegram.base_file_url)
    try:
        async with bot:
            pass
    except InvalidToken:
        raise ConfigError("telegram.token: Telegram does not accept this token (check it with @BotFather)") from None
    except NetworkError as exc:
        raise Unreachable(f"cannot reach the Bot API at telegram.base_url ({type(exc).__name__})") from None


class Unreachable(Exception):
    pass


def run(settings: Settings) -> int:
    """Run the bot the way the settings say: webhook if enabled, else polling."""
    private_files()
    setup_logging(settings)
    webhook = settings.telegram.webhook.enabled
    if webhook:
        require_webhook(settings)
    app = build_application(settings, webhook=webhook)
    try:
        asyncio.run(preflight(settings))
    except Unreachable as exc:
        sys.stderr.write(f"trustbot: {exc}" + "\n")
        return 1
    if webhook:
        from bot.adapters.telegram.webhook import serve

        asyncio.run(serve(app, settings))
        return 0
    try:
        app.run_polling(
            poll_interval=settings.telegram.poll_interval,
            timeout=settings.telegram.poll_timeout,
            allowed_updates=Update.ALL_TYPES,
        )
    except InvalidToken:
        raise ConfigError("telegram.token: Telegram does not accept this token (check it with @BotFather)") from None
    except NetworkError as exc:
        sys.stderr.write(f"trustbot: cannot reach the Bot API at telegram.base_url ({type(exc).__name__})" + "\n")
        return 1
    return 0
