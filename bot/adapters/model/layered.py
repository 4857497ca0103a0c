"""Entries by key from layered files: memory, the shipped file, the data directory's.

The probes and the parsed corpus are cached the same way (the vectors too,
with their own per-text layout in ``cache.py``): what the shipped content
needs is package data written by ``python -m bot.adapters.model.prebuilt``;
what an edited content adds is computed once and written to the bot's data
directory (its own entries win); a directory that cannot be written costs
one warning and the work again at the next start, never the start itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class LayeredFiles(Generic[T]):
    """``added`` counts the entries computed in this process (tests read it)."""

    def __init__(self, name: str, directory: Path | None, prebuilt: Path | None, *,
                 read: Callable[[Path], dict[str, T]], write: Callable[[Path, dict[str, T]], None],
                 what: str) -> None:
        self.path = None if directory is None else Path(directory) / name
        self.prebuilt = None if prebuilt is None else Path(prebuilt) / name
        self.added = 0
        self.used: dict[str, T] = {}
        self._read, self._write, self._what = read, write, what
        self._known: dict[str, T] | None = None

    def _load(self) -> dict[str, T]:
        if self._known is None:
            self._known = {}
            for source in (self.prebuilt, self.path):  # the data directory's own file wins
                if source is not None:
                    self._known.update(self._read(source))
        return self._known

    def get(self, key: str) -> T | None:
        value = self._load().get(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: str, value: T) -> None:
        self.added += 1
        self._load()[key] = value
        self.used[key] = value

    def save(self) -> None:
        """Write the entries this process used to the data directory, if any was computed."""
        if self.path is None or not self.added:
            return
        try:
            self._write(self.path, self.used)
        except OSError as exc:
            log.warning("%s cache directory %s is not writable (%s): computed again at the next start",
                        self._what, self.path.parent, type(exc).__name__)
