"""``trustbot run``: the Telegram bot."""

from __future__ import annotations

import argparse

from bot.config import load_settings, require_token


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("run", help="run the Telegram bot")
    parser.add_argument("--config", help="config file (default: config.yaml if present)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    require_token(settings)
    from bot.adapters.telegram.runner import run_polling

    return run_polling(settings)
