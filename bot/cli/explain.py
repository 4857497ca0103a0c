"""``trustbot explain "TEXT" [--json]``: how the bot reads a message, and what it would do."""

from __future__ import annotations

import argparse
import functools
import json
from dataclasses import replace
from pathlib import Path

from bot.cli.subcommands import Subcommands
from bot.core.dialog.engine import DialogState
from bot.core.faq.explain import explain, format_explanation
from bot.core.messages import Text
from bot.core.roles import ROLES, Role
from bot.core.turn import Brain, respond
from bot.core.understanding.embedding import Embedder
from bot.core.understanding.reading import Reading
from bot.paths import default_dialogs_dir


def register(commands: Subcommands) -> None:
    parser = commands.add_parser("explain", help="show how the bot reads a message")
    parser.add_argument("text", help="the message, in quotes")
    parser.add_argument("--json", action="store_true", help='print one JSON object: {"safety", "faq_id", "score"}')
    parser.add_argument("--dir", type=Path, default=None,
                        help="folder with faq.yaml (default: the dialogs shipped with the bot)")
    parser.set_defaults(handler=handle)


def _reading(text: str, brain: Brain, embedder: Embedder | None) -> tuple[Reading, dict[Role, str]]:
    """How the bot reads the message, with the model when it loaded (rules
    only otherwise), and the first thing it would say for each role, at the
    role's menu, through the same turn a real message takes."""
    vector = embedder.embed([text])[0] if embedder is not None else None
    assert brain.reader is not None
    said = {}
    for role in ROLES:
        step = respond(brain, DialogState(node=brain.graph.menu_for(role), role=role), Text(text, vector=vector))
        said[role] = step.outcome.replies[0].text if step.outcome.replies else ""
    return brain.reader.read(text, vector), said


@functools.lru_cache(maxsize=2)
def _brain(directory: Path) -> tuple[Brain, Embedder | None]:
    """The brain on this content, reading with the model, built once per process."""
    from bot.bootstrap import build_brain, reader_with_model
    from bot.core.dialog.loader import DialogError

    brain = build_brain(directory)
    try:
        from bot.adapters.model import ModelIntegrityError, load_embedder

        embedder = load_embedder()
        return replace(brain, reader=reader_with_model(brain, embedder, None, directory)), embedder
    except (ModelIntegrityError, DialogError):
        raise  # a model that is not the pinned one, or broken content, must not answer, even here
    except Exception:  # no model on this machine: the rules alone, as the bot would
        return brain, None


def _first_line(text: str, width: int = 100) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def handle(args: argparse.Namespace) -> int:
    brain, embedder = _brain(Path(args.dir or default_dialogs_dir()))
    result = explain(args.text, brain.matcher)  # the rules and the FAQ word matcher alone
    reading, said = _reading(args.text, brain, embedder)
    if args.json:
        # ``safety``: the bot shows safety help or asks "are you safe?"; then no FAQ answer.
        safety = result["safety"] or reading.in_danger
        faq_id = None if safety else (reading.faq_id or result["faq_id"])
        print(json.dumps({
            "safety": safety, "faq_id": faq_id, "score": round(min(1.0, max(result["score"], reading.faq_score)), 4),
            "level": reading.level.value, "category": reading.category.value if reading.category else None,
            "feeling": reading.feeling.value if reading.feeling else None,
        }))
    else:
        # The rules and the word matcher alone, then what the bot goes by: the
        # reading (with the model when it loaded) and the turn's own reply.
        print(format_explanation(result))
        how = "rules and model" if embedder is not None else "rules only"
        print(f"reading ({how}): level {reading.level.value}, "
              f"category {reading.category.value if reading.category else '-'}, "
              f"feeling {reading.feeling.value if reading.feeling else '-'}, faq {reading.faq_id or '-'}")
        for role, text in said.items():
            print(f"bot says, to {role.value} at the menu: {_first_line(text)}")
    return 0
