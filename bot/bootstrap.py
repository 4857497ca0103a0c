"""Wiring shared by every entry point: settings -> logging, content, database."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from bot.config import Settings
from bot.core.dialog.loader import load_dir
from bot.core.turn import Brain
from bot.service.chat import ChatService
from bot.storage.database import Database


def private_files() -> None:
    """Files the bot creates (database, WAL, exports) are readable by their owner only."""
    os.umask(0o077)


class RedactingFormatter(logging.Formatter):
    """Masks secrets in every formatted line, tracebacks included.

    Libraries put the token in URLs and error messages (PTB's InvalidToken
    quotes it); masking at the formatter catches all of them at once.
    """

    def __init__(self, fmt: str, secrets: list[str]):
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "[token]")
        return text


def setup_logging(settings: Settings) -> None:
    token = settings.telegram.token.strip()
    # The secret half of the token alone is masked too (it appears URL-quoted nowhere else).
    secrets = [token, token.split(":", 1)[-1]] if token else []
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log.level)
    # httpx logs every request URL at INFO, and the URL holds the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def load_brain(settings: Settings) -> Brain:
    return Brain(graph=load_dir(settings.dialogs_dir()))


async def open_database(settings: Settings) -> Database:
    db = Database(settings.database.url)
    await db.create_schema()
    return db


async def open_service(settings: Settings) -> ChatService:
    brain = load_brain(settings)
    db = await open_database(settings)
    return ChatService(db, brain)


def dialogs_path(value: str | None, settings: Settings | None = None) -> Path:
    if value:
        return Path(value)
    return settings.dialogs_dir() if settings else Path("dialogs")
