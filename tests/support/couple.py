"""Two (or more) users of one bot, for linking partners: what each saw, and what reached them unasked.

Built on the check-in rig (:mod:`tests.support.checkin`), so a fake clock and
the dispatcher drive check-ins, and the same users can invite, accept and
share. ``inbox`` holds the notices the bot sent a user because of what their
partner did; ``screen`` the replies to their own last action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.core.messages import ConfirmDelete, Event, Notice, Outcome, Text
from bot.core.partner.events import Invite, OpenInvite, ShowPartner
from bot.storage import users
from bot.storage.tables import partner_items, partner_links
from bot.storage.users import UserKey
from tests.support.checkin import CHANNEL, Rig

TOKEN = re.compile(r"/start ([A-Za-z0-9_-]+)")


def texts(outcome: Outcome) -> str:
    return "\n".join(r.text for r in outcome.replies)


@dataclass
class Couple:
    """Users by name on one rig; notices to each are collected in ``inbox``."""

    rig: Rig
    #: Shared between two Couple objects that stand for two instances of the bot.
    inbox: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        async def notify(notice: Notice) -> list[int]:
            self.inbox.setdefault(notice.external_id, []).extend(r.text for r in notice.replies)
            return []

        self.rig.chat.notify = notify

    async def do(self, name: str, event: Event) -> str:
        return texts(await self.rig.event(name, event))

    async def say(self, name: str, text: str) -> str:
        return texts(await self.rig.event(name, Text(text)))

    async def press(self, name: str, label: str) -> str:
        return texts(await self.rig.press(name, label))

    def button(self, name: str, label: str) -> Event:
        """The event behind a button on the user's screen (to press it through another instance)."""
        for reply in self.rig.screen[name].replies:
            for b in reply.buttons:
                if b.label == label:
                    return b.action
        raise AssertionError(f"no button {label!r} for {name}: {self.buttons(name)}")

    async def checkins_at(self, instant: datetime) -> None:
        """Move the clock to ``instant`` and let the dispatcher send what is due."""
        self.rig.clock.set(instant)
        await self.rig.dispatcher.tick()

    def received(self, name: str) -> list[str]:
        """The texts of the user's latest check-in."""
        return self.rig.received[name][-1].texts

    def buttons(self, name: str) -> list[str]:
        return [b.label for r in self.rig.screen[name].replies for b in r.buttons]

    async def invite(self, name: str, first_name: str = "Ana") -> str:
        """/invite; the token (the console form of the link)."""
        said = await self.do(name, Invite(first_name))
        found = TOKEN.search(said)
        assert found, said
        return found.group(1)

    async def link(self, inviter: str, invitee: str, first_name: str = "Ana") -> None:
        token = await self.invite(inviter, first_name)
        opened = await self.do(invitee, OpenInvite(token))
        assert f"{first_name} invited you" in opened, opened
        assert "linked" in await self.press(invitee, "Accept")

    async def partner(self, name: str) -> str:
        return await self.do(name, ShowPartner())

    async def delete(self, name: str) -> None:
        await self.rig.event(name, ConfirmDelete())

    async def user_id(self, name: str) -> int:
        found = await self.rig.db.run(lambda c: users.find(c, UserKey(CHANNEL, name)))
        assert found is not None, name
        return found.id

    async def exists(self, name: str) -> bool:
        return await self.rig.db.run(lambda c: users.find(c, UserKey(CHANNEL, name))) is not None

    async def link_rows(self, user_id: int) -> tuple[int, int]:
        """Rows of the link tables that are this user's or point at them."""
        def count(conn: sa.Connection) -> tuple[int, int]:
            links = conn.execute(sa.select(sa.func.count()).select_from(partner_links).where(
                sa.or_(partner_links.c.user_id == user_id, partner_links.c.partner_id == user_id))).scalar_one()
            items = conn.execute(sa.select(sa.func.count()).select_from(partner_items).where(
                partner_items.c.user_id == user_id)).scalar_one()
            return int(links), int(items)

        return await self.rig.db.run(count)

    async def couple_of(self, name: str) -> int | None:
        user_id = await self.user_id(name)
        return await self.rig.db.run(lambda conn: conn.execute(
            sa.select(partner_links.c.couple).where(partner_links.c.user_id == user_id)).scalar())

    async def items(self, kind: str, couple: int | None = None) -> list[dict[str, Any]]:
        """Rows of one kind (of one couple when given), oldest first."""
        def read(conn: sa.Connection) -> list[dict[str, Any]]:
            query = sa.select(partner_items).where(partner_items.c.kind == kind)
            if couple is not None:
                query = query.where(partner_items.c.couple == couple)
            rows = conn.execute(query.order_by(partner_items.c.id))
            return [dict(r._mapping) for r in rows]

        return await self.rig.db.run(read)
