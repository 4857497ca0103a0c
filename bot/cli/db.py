"""``trustbot db upgrade|current``: manage the database schema (Alembic)."""

from __future__ import annotations

import argparse
import asyncio

from bot.bootstrap import private_files
from bot.cli.subcommands import Subcommands
from bot.config import load_settings
from bot.storage import migrate
from bot.storage.database import Database


def register(commands: Subcommands) -> None:
    parser = commands.add_parser("db", help="database schema: upgrade, current")
    parser.add_argument("action", choices=("upgrade", "current"))
    parser.add_argument("--config", help="config file (default: config.yaml if present)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    private_files()

    async def main() -> str | None:
        db = Database(settings.database.url)
        try:
            if args.action == "upgrade":
                await migrate.upgrade(db)
            return await db.run(migrate.current)
        finally:
            await db.dispose()

    revision = asyncio.run(main())
    print(f"schema at {revision or 'nothing'} (this release: {migrate.head()})")
    return 0
