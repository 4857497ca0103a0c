"""What the core may know about a user besides their place in the dialog.

Plain data passed into a turn, so settings commands stay pure: a turn reads a
profile and returns :class:`~bot.core.messages.UpdateProfile` effects; the
service writes them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    #: IANA zone name, e.g. "Europe/Berlin"; None until the user sets one.
    timezone: str | None = None
    #: Wall-clock check-in time "HH:MM" in ``timezone``; None means the default.
    checkin_time: str | None = None
    checkin_enabled: bool = True
    #: Neutral wording for notifications and first lines (shared phones).
    discreet: bool = False


#: A user with no settings yet.
NO_PROFILE = Profile()
