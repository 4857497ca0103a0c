"""``trustbot console``: the bot in the terminal, on the same storage."""

from __future__ import annotations

import argparse
import asyncio

from bot.adapters.console.app import default_user, run_console
from bot.bootstrap import open_service, private_files
from bot.cli.subcommands import Subcommands
from bot.config import load_settings
from bot.core.identity import UserKey


def register(commands: Subcommands) -> None:
    parser = commands.add_parser("console", help="chat with the bot in this terminal")
    parser.add_argument("--config", help="config file (default: config.yaml if present)")
    parser.add_argument("--user", default=None, help="who you are to the bot (default: your login name)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    private_files()

    async def main() -> None:
        user = args.user or default_user()
        # Whoever sits at the console runs the bot: /stats is theirs.
        service = await open_service(settings, admins=frozenset({UserKey("console", user)}))
        try:
            await run_console(service, user)
        finally:
            await service.close()

    asyncio.run(main())
    return 0
