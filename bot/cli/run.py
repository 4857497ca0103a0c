"""``trustbot run``: the Telegram bot."""

from __future__ import annotations

import argparse

from bot.cli.subcommands import Subcommands
from bot.config import load_settings, require_token


def register(commands: Subcommands) -> None:
    parser = commands.add_parser("run", help="run the Telegram bot")
    parser.add_argument("--config", help="config file (default: config.yaml if present)")
    parser.add_argument("--webhook", action="store_true", help="receive updates by webhook (telegram.webhook.*)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    if args.webhook:
        settings.telegram.webhook.enabled = True
    require_token(settings)
    from bot.adapters.telegram.runner import run

    return run(settings)
