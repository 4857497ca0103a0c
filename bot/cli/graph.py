"""``trustbot graph``: the dialog graph as DOT or Mermaid text, or a rendered picture."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from bot.cli.subcommands import Subcommands
from bot.core.dialog.loader import load_dir
from bot.core.dialog.render import to_dot, to_mermaid
from bot.core.dialog.schema import ROLES
from bot.paths import default_dialogs_dir


def register(commands: Subcommands) -> None:
    parser = commands.add_parser("graph", help="draw the dialog graph")
    parser.add_argument("--role", choices=ROLES, help="only this role's tree")
    parser.add_argument("--format", choices=("dot", "mermaid"), default="dot")
    parser.add_argument("--out", type=Path, help="write here; .svg or .png is rendered with Graphviz")
    parser.add_argument("--dir", type=Path, default=None,
                        help="folder of dialog YAML (default: the dialogs shipped with the bot)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    graph = load_dir(args.dir or default_dialogs_dir())
    text = to_mermaid(graph, args.role) if args.format == "mermaid" else to_dot(graph, args.role)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    suffix = args.out.suffix.lower().lstrip(".")
    if suffix not in ("svg", "png"):
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
        return 0
    if args.format != "dot":
        print("trustbot: pictures are drawn from DOT; drop --format mermaid", file=sys.stderr)
        return 2
    dot = shutil.which("dot")
    if dot is None:
        print("trustbot: Graphviz is not installed (apt-get install graphviz); "
              "use --out FILE.dot for the text", file=sys.stderr)
        return 2
    subprocess.run([dot, f"-T{suffix}", "-o", str(args.out)], input=text.encode(), check=True)
    print(f"wrote {args.out}")
    return 0
