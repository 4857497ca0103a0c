"""``trustbot lint [DIR]``: check dialog content; one line per problem, non-zero on any."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.subcommands import Subcommands
from bot.core.dialog.lint import lint_dir


def register(commands: Subcommands) -> None:
    parser = commands.add_parser("lint", help="check the dialog files for mistakes")
    parser.add_argument("dir", nargs="?", default="dialogs", help="folder of dialog YAML (default: dialogs)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    report = lint_dir(Path(args.dir))
    for problem in report.problems:
        print(problem)
    print(report.summary)
    return 1 if report.problems else 0
