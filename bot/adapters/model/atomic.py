"""One way to write a cache file: whole or not at all.

The caches beside the model (vectors, probes, the parsed corpus) are read at
every start; a crash in the middle of writing one must never leave half a
file that the next start would trust. So each is written to a temporary file
in the same folder and renamed over the old one (atomic on POSIX).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """``write`` fills the file; readable by everyone (it may be package data)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            write(stream)
        os.chmod(temp, 0o644)  # mkstemp's 0600 would make package data unreadable to others
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
