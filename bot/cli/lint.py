"""``trustbot lint [DIR]``: check dialog content; one line per problem, non-zero on any."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.subcommands import Subcommands
from bot.core.dialog.lint import lint_dir
from bot.paths import default_dialogs_dir


def register(commands: Subcommands) -> None:
    parser = commands.add_parser("lint", help="check the dialog files for mistakes")
    parser.add_argument("dir", nargs="?", type=Path, default=None,
                        help="folder of dialog YAML (default: the dialogs shipped with the bot)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    report = lint_dir(args.dir or default_dialogs_dir())
    for problem in report.problems:
        print(problem)
    print(report.summary)
    return 1 if report.problems else 0
