"""Telegram updates -> core events, one handler per kind of update.

Handlers only translate: who is this (a :class:`UserKey`), what did they mean
(an event), where do replies go (a :class:`Delivery`). Everything else happens
in the chat service, which the console and the tests use too.
"""

from __future__ import annotations

import logging
from functools import partial

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.adapters.commands import COMMANDS, HELP_COMMAND, HIDDEN_COMMANDS, command_event
from bot.adapters.telegram.checkins import location_handler
from bot.adapters.telegram.delivery import Blocked, Delivery, call
from bot.adapters.telegram.intake import already_answered, where
from bot.adapters.telegram.partner import with_first_name
from bot.adapters.telegram.types import App
from bot.core import callbacks
from bot.core.dialog.schema import UiTexts
from bot.core.identity import UserKey
from bot.core.messages import Event, Outcome, Press, Reply, Text
from bot.service.chat import ChatService

log = logging.getLogger(__name__)

#: A press no step can match: the engine answers it as a stale button.
FORGED = Press("", "")


def user_key(update: Update) -> UserKey:
    assert update.effective_user is not None
    return UserKey("telegram", str(update.effective_user.id))


class TelegramFrontEnd:
    def __init__(self, service: ChatService, command_list: list[tuple[str, str]]):
        self.service = service
        self.command_list = command_list

    @property
    def ui(self) -> UiTexts:
        return self.service.ui

    def install(self, app: App) -> None:
        private = filters.ChatType.PRIVATE
        app.add_handler(MessageHandler(filters.ChatType.GROUPS, self.on_group))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(MessageHandler(filters.UpdateType.EDITED, self.on_edited))
        for name in [*COMMANDS, *HIDDEN_COMMANDS]:
            app.add_handler(CommandHandler(name, self.on_command, filters=private))
        app.add_handler(CommandHandler(HELP_COMMAND[0], self.on_help, filters=private))
        app.add_handler(MessageHandler(private & filters.COMMAND, self.on_unknown_command))
        app.add_handler(MessageHandler(private & filters.TEXT, self.on_text))
        # A shared location sets the time zone.
        app.add_handler(MessageHandler(private & filters.LOCATION, location_handler(self)))
        app.add_handler(MessageHandler(private, self.on_not_text))
        app.add_error_handler(self.on_error)

    async def turn(self, update: Update, context: ContextTypes.DEFAULT_TYPE, event: Event) -> Outcome:
        place = where(update)
        assert place is not None
        key = user_key(update)
        query = update.callback_query
        # A press the webhook's reply already answered is not answered again.
        unanswered = None if query is None or already_answered(query) else query
        delivery = Delivery(context.bot, place.chat_id, query=unanswered, ui=self.ui,
                            on_late_block=partial(self.service.mark_blocked, key))
        message = update.effective_message if query is None else None
        outcome = await self.service.handle(
            key, event, delivery, chat_id=place.chat_id,
            message_id=message.message_id if message else None, shown=place.pressed,
        )
        if delivery.blocked:
            await self.service.mark_blocked(key)
        return outcome

    async def say(self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
        """A reply that needs no state: nothing is read or written."""
        place = where(update)
        if place is None:
            return
        delivery = Delivery(context.bot, place.chat_id, ui=self.ui)
        if update.effective_user is None:
            await delivery(Outcome(replies=(Reply(text),)))
            return
        await self.service.say(user_key(update), text, delivery)
        if delivery.blocked:
            await self.service.mark_blocked(user_key(update))

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        event = command_event(update.effective_message.text or "")
        if event is None:
            await self.on_unknown_command(update, context)
            return
        await self.turn(update, context, with_first_name(event, update))

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        commands = "\n".join(f"/{name} — {description}" for name, description in self.command_list)
        await self.say(update, context, self.ui.help.replace("{commands}", commands))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await self.turn(update, context, Text(update.effective_message.text or ""))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        place = where(update)
        if place is None or not place.private:
            if not already_answered(query):
                await call(lambda: query.answer(), what="answerCallbackQuery")
            return
        try:
            event = callbacks.decode(query.data)
        except callbacks.BadCallback:
            log.info("unrecognised button data from user %s", query.from_user.id)
            event = FORGED
        await self.turn(update, context, event)

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.say(update, context, self.ui.unknown_command)

    async def on_not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.say(update, context, self.ui.not_text)

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        place = where(update)
        if place is not None and place.private:
            await self.say(update, context, self.ui.edited)

    async def on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.say(update, context, self.ui.group)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure without any message text, and tell the user kindly."""
        error = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        if isinstance(error, Blocked):
            return
        log.error("error while handling update %s: %s", update_id, type(error).__name__, exc_info=error)
        if not isinstance(update, Update) or (place := where(update)) is None or not place.private:
            return
        try:
            await self.say(update, context, self.ui.error)
        except Exception:
            log.warning("could not tell user about the error")
