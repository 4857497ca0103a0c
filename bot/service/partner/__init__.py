"""Linking partners against storage: invites, the link, and what each chooses to share.

Everything here runs inside the chat service's transaction for the user who
sent the event, scoped to that user's own link: an id from a button is only
ever looked up within their couple. Messages for the other partner come back
as :class:`~bot.core.messages.Notice` objects, sent after the commit. Exits
(/unlink, quick exit, /delete) and pauses send nothing to the other: they see
"not linked" the next time they look.

The service is two halves on one base: :mod:`.events` (the partner events
themselves) and :mod:`.turns` (what it adds to an ordinary dialog turn).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from bot.core.partner.content import PartnerContent, load_partner
from bot.core.partner.events import PARTNER_EVENTS
from bot.service.partner.events import PartnerEvents
from bot.service.partner.turns import PartnerTurns
from bot.storage import links
from bot.storage.database import Database

__all__ = ["PARTNER_EVENTS", "PartnerService", "partner_content", "purge_expired_invites"]


@lru_cache(maxsize=8)
def partner_content(directory: Path | None = None) -> PartnerContent:
    return load_partner(directory)


class PartnerService(PartnerEvents, PartnerTurns):
    """Partner events (:meth:`handle`) and the hooks a dialog turn calls
    (:meth:`before_turn`, :meth:`after_turn`)."""


async def purge_expired_invites(db: Database, now: datetime) -> None:
    """Expired invites go, with the inviter's first name, even if nobody opens
    or makes an invite again (run now and then by the front end's job queue)."""
    await db.run(lambda conn: links.purge_expired(conn, now))
