"""Parsed corpus files, kept on disk as JSON beside the vectors and probes.

Why: the corpus (``dialogs/corpus/``, ~6,000 labelled lines) is YAML for its
writers, and PyYAML builds each line in Python: about 0.15-0.3 s of every
start, a tenth of the cold-start budget. A file's rows depend only on its
bytes (:func:`bot.core.understanding.corpus.file_key`), so they are stored
under that key: JSON reads in milliseconds. An edited file has a new key and
is parsed (and validated) again.

Sources, as for the vectors: memory, the shipped file (written by
``python -m bot.adapters.model.prebuilt``), the bot's data directory; newly
parsed files are written to the data directory (one warning if it cannot be).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from bot.adapters.model.atomic import write_atomically
from bot.adapters.model.cache import PREBUILT_DIR
from bot.adapters.model.layered import LayeredFiles
from bot.core.understanding.corpus import FORMAT, Rows
from bot.core.understanding.labels import ExampleLabel, LabelKind
from bot.core.understanding.reading import SafetyLevel

log = logging.getLogger(__name__)
FILE_NAME = "corpus-parsed.json"


def _encode(rows: Rows) -> list[list[str | None]]:
    return [[text, label.kind.value, label.value, label.level.value if label.level else None]
            for text, label in rows]


def _decode(rows: list[list[Any]]) -> Rows:
    return tuple((str(text), ExampleLabel(LabelKind(kind), str(value), SafetyLevel(level) if level else None))
                 for text, kind, value, level in rows)


def read_parsed(path: Path) -> dict[str, Rows]:
    """The parsed files a cache file holds ({} when absent, of another format or damaged)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return {}
        return {str(key): _decode(rows) for key, rows in data["files"].items()}
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("parsed corpus cache %s unreadable (%s): parsing the corpus again", path, type(exc).__name__)
        return {}


def write_parsed(path: Path, files: dict[str, Rows]) -> None:
    """Atomically, so a crash never leaves half a file."""
    data = {"format": FORMAT, "files": {key: _encode(rows) for key, rows in files.items()}}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    write_atomically(path, lambda stream: stream.write(text.encode("utf-8")))


class CorpusCache(LayeredFiles[Rows]):
    """A :class:`~bot.core.understanding.corpus.ParsedFiles` on disk;
    ``added`` counts the files that had to be parsed."""

    def __init__(self, directory: Path | None, *, prebuilt: Path | None = PREBUILT_DIR) -> None:
        super().__init__(FILE_NAME, directory, prebuilt, read=read_parsed, write=write_parsed,
                         what="parsed corpus")
