"""The Telegram front end on python-telegram-bot 22: a thin adapter over the chat service."""
