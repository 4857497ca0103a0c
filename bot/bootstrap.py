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


def setup_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log.level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
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
