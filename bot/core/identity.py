"""Who a user is, independent of any front end or storage.

It lives in the core because every layer speaks of users by it: the service
locks on it, storage finds rows by it, adapters build it from their transport.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UserKey:
    """Who a user is to a front end: ``("telegram", "12345")``, ``("console", "me")``."""

    channel: str
    external_id: str
