"""``trustbot``: one command, a subcommand per job (run, console, lint, graph, ...)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.adapters.model.integrity import ModelIntegrityError
from bot.cli import console, db, explain, graph, lint, run
from bot.config import ConfigError
from bot.core.dialog.loader import DialogError
from bot.storage.database import DatabaseError

SUBCOMMANDS = (run, console, lint, graph, explain, db)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trustbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ConfigError as exc:
        print(f"trustbot: config error: {exc}", file=sys.stderr)
        return 2
    except DatabaseError as exc:
        print(f"trustbot: {exc}", file=sys.stderr)
        return 2
    except DialogError as exc:
        print("trustbot: the dialogs have problems (run `trustbot lint`):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except ModelIntegrityError as exc:
        print(f"trustbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
