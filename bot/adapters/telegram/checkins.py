"""Check-ins on Telegram: shared locations in, check-ins out, the dispatcher's job.

Thin like the rest of the adapter: a location becomes a core event, a claimed
check-in becomes a chat-service turn delivered through :class:`Delivery`
(whose error policy marks users who blocked the bot), and the dispatcher is
put on PTB's JobQueue.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from telegram import Bot, Update
from telegram.ext import ContextTypes

from bot.adapters.telegram.delivery import Delivery
from bot.adapters.telegram.types import App, Context
from bot.config import Settings
from bot.core.messages import DueCheckIn, SharedLocation
from bot.scheduler import jobs
from bot.scheduler.dispatcher import BLOCKED, FAILED, SENT, SKIPPED, Dispatcher
from bot.service.chat import ChatService
from bot.service.checkin_claims import Claim

if TYPE_CHECKING:
    from bot.adapters.telegram.handlers import TelegramFrontEnd

log = logging.getLogger(__name__)
CHANNEL = "telegram"


def location_handler(front: TelegramFrontEnd) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """A shared location sets the time zone; the coordinates are used once and never kept."""

    async def on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        location = message.location if message is not None else None
        if location is None:
            return
        await front.turn(update, context, SharedLocation(location.latitude, location.longitude))

    return on_location


def sender(bot: Bot, service: ChatService) -> Callable[[Claim], Awaitable[str]]:
    """Deliver one claimed check-in as a turn of that user (their lock, their state)."""

    async def send(claim: Claim) -> str:
        if claim.chat_id is None:
            return FAILED
        delivery = Delivery(bot, claim.chat_id, ui=service.ui)
        outcome = await service.handle(claim.key, DueCheckIn(claim.checkin_id, claim.attempt), delivery,
                                       chat_id=claim.chat_id)
        if delivery.blocked:
            await service.mark_blocked(claim.key)
            return BLOCKED
        if not outcome.replies:
            return SKIPPED
        return SENT if delivery.sent else FAILED

    return send


def start_checkins(app: App, service: ChatService, settings: Settings) -> Dispatcher:
    """Put the dispatcher on the JobQueue. (The city index for /timezone loads on
    first use, about half a second, rather than competing with start-up.)"""
    section = settings.checkin
    dispatcher = service.dispatcher(
        sender(app.bot, service), channels=(CHANNEL,), max_per_second=section.max_per_second,
        budget=max(section.dispatch_interval * 0.8, 0.5),
    )
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    jobs.install(app.job_queue, dispatcher, section.dispatch_interval)
    return dispatcher
