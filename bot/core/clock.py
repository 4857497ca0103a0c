"""Time as a value passed in, never read from the system inside the core.

The service and the scheduler take a :data:`Clock`, so tests can stand on a
DST boundary or a crash window without waiting or patching.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock: an aware UTC instant."""
    return datetime.now(UTC)
