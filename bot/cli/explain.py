"""``trustbot explain "TEXT" [--json]``: how the bot reads a message, and what it would do."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.cli.subcommands import Subcommands
from bot.core.faq.explain import explain, format_explanation
from bot.core.faq.loader import load_faq
from bot.core.faq.matcher import FaqMatcher
from bot.paths import default_dialogs_dir


def register(commands: Subcommands) -> None:
    parser = commands.add_parser("explain", help="show how the bot reads a message")
    parser.add_argument("text", help="the message, in quotes")
    parser.add_argument("--json", action="store_true", help='print one JSON object: {"safety", "faq_id", "score"}')
    parser.add_argument("--dir", type=Path, default=None,
                        help="folder with faq.yaml (default: the dialogs shipped with the bot)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    matcher = FaqMatcher(load_faq(args.dir or default_dialogs_dir()))
    result = explain(args.text, matcher)
    if args.json:
        # A safety hit means no FAQ answer is given, so no faq_id either.
        faq_id = None if result["safety"] else result["faq_id"]
        print(json.dumps({"safety": result["safety"], "faq_id": faq_id, "score": round(result["score"], 4)}))
    else:
        print(format_explanation(result))
    return 0
