"""Linking partners on Telegram: the inviter's first name in, notices out.

Thin: the first name is read from the update at /invite (the only moment it
is needed), and a notice for the other partner is one more :class:`Delivery`
to their chat, under the same error policy (a partner who blocked the bot is
marked so and gets nothing more).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Bot, Update
from telegram.ext import Application, ContextTypes

from bot.adapters.telegram.delivery import Delivery
from bot.core.messages import Event, Notice, Outcome
from bot.core.partner.content import PartnerContent
from bot.core.partner.events import Invite
from bot.service.chat import ChatService
from bot.storage.users import UserKey


def with_first_name(event: Event, update: Update) -> Event:
    """/invite carries the inviter's Telegram first name, shown to the person they invite."""
    if isinstance(event, Invite) and update.effective_user is not None:
        return Invite(update.effective_user.first_name or "")
    return event


def notifier(bot: Bot, service: ChatService) -> Callable[[Notice], Awaitable[list[int] | None]]:
    async def notify(notice: Notice) -> list[int] | None:
        if notice.chat_id is None:
            return None
        delivery = Delivery(bot, notice.chat_id, ui=service.ui)
        sent = await delivery(Outcome(replies=notice.replies))
        if delivery.blocked:
            await service.mark_blocked(UserKey(notice.channel, notice.external_id))
        return sent

    return notify


#: How often expired invites (and the first names they hold) are swept away.
PURGE_SECONDS = 600


def install(app: Application, service: ChatService, content: PartnerContent) -> None:  # type: ignore[type-arg]
    """Deep links name the bot (from getMe, done by the Application at start);
    notices reach the other partner; expired invites are swept on the JobQueue."""
    service.partner.use(content)
    service.partner.bot_username = app.bot.username
    service.notify = notifier(app.bot, service)

    async def purge(_: ContextTypes.DEFAULT_TYPE) -> None:
        await service.purge_expired_invites()

    if app.job_queue is not None:
        app.job_queue.run_repeating(purge, interval=PURGE_SECONDS, first=PURGE_SECONDS, name="partner-invites")
