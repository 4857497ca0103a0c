"""Give freed memory back to the system after loading.

Why: loading reads and parses files far larger than what is kept (the
model's 72 MB file, the corpus, the examples' vectors). Python frees those
objects, but glibc's allocator keeps the freed pages of its heap for reuse,
so the process stays as large as at its peak. ``malloc_trim`` returns them:
10 MB in the model's process, measured with bench/bench_memory.py.
Nothing happens where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None
    return trim


def give_back() -> bool:
    """Collect garbage, then return the heap's free pages; True if trimmed."""
    gc.collect()
    trim = _malloc_trim()
    return trim is not None and trim(0) == 1
