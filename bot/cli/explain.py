"""``trustbot explain "TEXT" [--json]``: how the bot reads a message, and what it would do."""

from __future__ import annotations

import argparse
import functools
import json
from pathlib import Path

from bot.cli.subcommands import Subcommands
from bot.core.faq.explain import explain, format_explanation
from bot.core.faq.loader import load_faq
from bot.core.faq.matcher import FaqMatcher
from bot.core.understanding.embedding import Embedder
from bot.core.understanding.reader import Reader
from bot.core.understanding.reading import Reading
from bot.paths import default_dialogs_dir


def register(commands: Subcommands) -> None:
    parser = commands.add_parser("explain", help="show how the bot reads a message")
    parser.add_argument("text", help="the message, in quotes")
    parser.add_argument("--json", action="store_true", help='print one JSON object: {"safety", "faq_id", "score"}')
    parser.add_argument("--dir", type=Path, default=None,
                        help="folder with faq.yaml (default: the dialogs shipped with the bot)")
    parser.set_defaults(handler=handle)


def _reading(text: str, directory: Path) -> Reading:
    """How the bot reads the message, with the model when it loads (rules only otherwise)."""
    reader, embedder = _reader(directory)
    vector = embedder.embed([text])[0] if embedder is not None else None
    return reader.read(text, vector)


@functools.lru_cache(maxsize=2)
def _reader(directory: Path) -> tuple[Reader, Embedder | None]:
    """The reader on this content and the model, built once per process."""
    from bot.bootstrap import build_brain, reader_with_model
    from bot.core.dialog.loader import DialogError

    brain = build_brain(directory)
    try:
        from bot.adapters.model import ModelIntegrityError, load_embedder

        embedder = load_embedder()
        return reader_with_model(brain, embedder, None, directory), embedder
    except (ModelIntegrityError, DialogError):
        raise  # a model that is not the pinned one, or broken content, must not answer, even here
    except Exception:  # no model on this machine: the rules alone, as the bot would
        assert brain.reader is not None
        return brain.reader, None


def handle(args: argparse.Namespace) -> int:
    matcher = FaqMatcher(load_faq(args.dir or default_dialogs_dir()))
    result = explain(args.text, matcher)
    if args.json:
        reading = _reading(args.text, Path(args.dir or default_dialogs_dir()))
        # ``safety``: the bot shows safety help or asks "are you safe?"; then no FAQ answer.
        safety = result["safety"] or reading.in_danger
        faq_id = None if safety else (reading.faq_id or result["faq_id"])
        print(json.dumps({
            "safety": safety, "faq_id": faq_id, "score": round(min(1.0, max(result["score"], reading.faq_score)), 4),
            "level": reading.level.value, "category": reading.category.value if reading.category else None,
            "feeling": reading.feeling.value if reading.feeling else None,
        }))
    else:
        print(format_explanation(result))
    return 0
