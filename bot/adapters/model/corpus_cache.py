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
import os
import tempfile
from pathlib import Path
from typing import Any

from bot.adapters.model.cache import PREBUILT_DIR
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
    """Atomically (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".corpus-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump({"format": FORMAT, "files": {k: _encode(v) for k, v in files.items()}}, stream,
                      ensure_ascii=False, separators=(",", ":"))
        os.chmod(temp, 0o644)  # package data must be readable by others
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class CorpusCache:
    """A :class:`~bot.core.understanding.corpus.ParsedFiles` on disk.

    ``parsed`` counts the files that had to be parsed, for the tests."""

    def __init__(self, directory: Path | None, *, prebuilt: Path | None = PREBUILT_DIR) -> None:
        self.path = None if directory is None else Path(directory) / FILE_NAME
        self.prebuilt = None if prebuilt is None else Path(prebuilt) / FILE_NAME
        self.parsed = 0
        self.used: dict[str, Rows] = {}
        self._known: dict[str, Rows] | None = None

    def _load(self) -> dict[str, Rows]:
        if self._known is None:
            self._known = {}
            for source in (self.prebuilt, self.path):
                if source is not None:
                    self._known.update(read_parsed(source))
        return self._known

    def get(self, key: str) -> Rows | None:
        rows = self._load().get(key)
        if rows is not None:
            self.used[key] = rows
        return rows

    def put(self, key: str, rows: Rows) -> None:
        self.parsed += 1
        self._load()[key] = rows
        self.used[key] = rows

    def save(self) -> None:
        """Write the files this corpus used to the data directory, if any was parsed."""
        if self.path is None or not self.parsed:
            return
        try:
            write_parsed(self.path, self.used)
        except OSError as exc:
            log.warning("parsed corpus cache directory %s is not writable (%s): the corpus will be parsed "
                        "again at the next start", self.path.parent, type(exc).__name__)
