"""Queries for partner links and shared items. Synchronous Core functions: see database.py.

Every read of a shared item names the couple it must belong to (and, where it
matters, its author or receiver), so an id from a forged button can only ever
find something of the user's own link. Rows that two people may touch at
once (an invite, a question) are read ``FOR UPDATE`` on PostgreSQL; on
SQLite the caller takes the write lock first (:func:`begin_write`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.core.partner.events import ItemKind, LinkStatus
from bot.storage.checkins import begin_write, utc
from bot.storage.tables import partner_items, partner_links, promises, users

__all__ = ["begin_write"]


@dataclass(frozen=True)
class Member:
    """One person's side of a link (or their pending invite)."""

    id: int
    user_id: int
    partner_id: int | None
    couple: int
    status: LinkStatus
    paused: bool
    token_hash: str | None
    inviter_name: str | None
    expires_at: datetime | None

    @property
    def active(self) -> bool:
        return self.status is LinkStatus.ACTIVE and self.partner_id is not None


_MEMBER = (partner_links.c.id, partner_links.c.user_id, partner_links.c.partner_id, partner_links.c.couple,
           partner_links.c.status, partner_links.c.paused, partner_links.c.token_hash,
           partner_links.c.inviter_name, partner_links.c.expires_at)


def _member(row: Any) -> Member | None:
    if row is None:
        return None
    values = list(row)
    values[4] = LinkStatus(values[4])
    values[8] = utc(values[8])
    return Member(*values)


def _locked(query: sa.Select[Any], lock: bool) -> sa.Select[Any]:
    return query.with_for_update() if lock else query


def of_user(conn: Connection, user_id: int, *, lock: bool = False) -> Member | None:
    return _member(conn.execute(
        _locked(sa.select(*_MEMBER).where(partner_links.c.user_id == user_id), lock)).first())


def by_id(conn: Connection, row_id: int, *, lock: bool = False) -> Member | None:
    return _member(conn.execute(_locked(sa.select(*_MEMBER).where(partner_links.c.id == row_id), lock)).first())


def by_token(conn: Connection, hashed: str, *, lock: bool = False) -> Member | None:
    """A pending invite by its token's hash."""
    return _member(conn.execute(_locked(
        sa.select(*_MEMBER).where(partner_links.c.token_hash == hashed,
                                  partner_links.c.status == LinkStatus.PENDING.value), lock)).first())


def purge_expired(conn: Connection, now: datetime) -> None:
    """Expired invites go, with the first name they held."""
    conn.execute(sa.delete(partner_links).where(partner_links.c.status == LinkStatus.PENDING.value,
                                                partner_links.c.expires_at < now))


def create_invite(conn: Connection, user_id: int, hashed: str, name: str, couple: int, now: datetime,
                  expires_at: datetime) -> None:
    """The user's one invite; an older one of theirs stops working."""
    conn.execute(sa.delete(partner_links).where(partner_links.c.user_id == user_id,
                                                partner_links.c.status == LinkStatus.PENDING.value))
    conn.execute(sa.insert(partner_links).values(
        user_id=user_id, partner_id=None, couple=couple, status=LinkStatus.PENDING.value, token_hash=hashed,
        inviter_name=name, expires_at=expires_at, paused=False, created_at=now))


def burn(conn: Connection, row_id: int) -> None:
    """Declined: the token no longer works and the name is gone, but to the
    inviter it still reads "not accepted yet" until it expires."""
    conn.execute(sa.update(partner_links).where(partner_links.c.id == row_id,
                                                partner_links.c.status == LinkStatus.PENDING.value)
                 .values(token_hash=None, inviter_name=None))


def activate(conn: Connection, invite: Member, partner_user_id: int, now: datetime) -> bool:
    """Turn a pending invite into a link of two rows; False if it was no longer pending.

    The acceptor's own row (their own pending invite, if they had made one)
    becomes their side of the link in place, keeping its id: someone who had
    opened that invite, their partner maybe, still finds it by that id and can
    see where it went (crossed invites, see the partner service)."""
    done = conn.execute(
        sa.update(partner_links)
        .where(partner_links.c.id == invite.id, partner_links.c.status == LinkStatus.PENDING.value,
               partner_links.c.token_hash.isnot(None))
        .values(status=LinkStatus.ACTIVE.value, partner_id=partner_user_id, token_hash=None, inviter_name=None,
                expires_at=None, accepted_at=now)
    ).rowcount == 1
    if not done:
        return False
    side = {"partner_id": invite.user_id, "couple": invite.couple, "status": LinkStatus.ACTIVE.value,
            "token_hash": None, "inviter_name": None, "expires_at": None, "paused": False, "created_at": now,
            "accepted_at": now}
    if conn.execute(sa.update(partner_links).where(partner_links.c.user_id == partner_user_id)
                    .values(**side)).rowcount == 0:
        conn.execute(sa.insert(partner_links).values(user_id=partner_user_id, **side))
    return True


def end(conn: Connection, couple: int) -> None:
    """End a link: both sides go, and the bot's questions with them. What each
    wrote stays theirs (export, deletion) and is reachable by no one else."""
    conn.execute(sa.delete(partner_links).where(partner_links.c.couple == couple))
    conn.execute(sa.delete(partner_items).where(partner_items.c.couple == couple,
                                                partner_items.c.kind == ItemKind.QUESTION.value))


def set_paused(conn: Connection, user_id: int, paused: bool) -> None:
    conn.execute(sa.update(partner_links).where(partner_links.c.user_id == user_id).values(paused=paused))


def lock_couple(conn: Connection, couple: int) -> list[Member]:
    """Both rows of a link, locked in id order (so two instances never deadlock on them)."""
    return lock(conn, couples=(couple,))


def lock(conn: Connection, *, couples: Iterable[int] = (), ids: Iterable[int] = ()) -> list[Member]:
    """The rows of these couples and these rows, locked in one statement in id order.

    PostgreSQL takes the locks as the sorted rows come out, so every
    transaction that locks link rows this way takes them in the same order:
    two that want the same rows queue instead of each holding one and waiting
    for the other (the deadlock of two partners accepting each other's invites
    at once). So every row a transaction will lock belongs in its first call: a
    later call for rows not yet held would take them out of order. SQLite: the
    caller holds the write lock (:func:`begin_write`); FOR UPDATE is not sent.
    """
    couples, ids = list(couples), list(ids)
    wanted = ([partner_links.c.couple.in_(couples)] if couples else []) + ([partner_links.c.id.in_(ids)] if ids else [])
    if not wanted:
        return []
    rows = conn.execute(sa.select(*_MEMBER).where(sa.or_(*wanted)).order_by(partner_links.c.id).with_for_update())
    return [m for m in map(_member, rows) if m is not None]


# --- shared items ----------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    id: int
    user_id: int | None
    couple: int
    kind: ItemKind
    ref_id: int | None
    text: str | None
    value: str | None
    local_date: date | None
    created_at: datetime


_ITEM = (partner_items.c.id, partner_items.c.user_id, partner_items.c.couple, partner_items.c.kind,
         partner_items.c.ref_id, partner_items.c.text, partner_items.c.value, partner_items.c.local_date,
         partner_items.c.created_at)


def _item(row: Any) -> Item | None:
    if row is None:
        return None
    values = list(row)
    values[3] = ItemKind(values[3])
    values[8] = utc(values[8])
    return Item(*values)


def add_item(conn: Connection, *, user_id: int | None, couple: int, kind: ItemKind, now: datetime,
             ref_id: int | None = None, text: str | None = None, value: str | None = None,
             local_date: date | None = None) -> int:
    result = conn.execute(sa.insert(partner_items).values(
        user_id=user_id, couple=couple, kind=kind.value, ref_id=ref_id, text=text, value=value,
        local_date=local_date, created_at=now).returning(partner_items.c.id))
    return int(result.scalar_one())


def item(conn: Connection, item_id: int, couple: int, kind: ItemKind, *, lock: bool = False) -> Item | None:
    """One item, only if it belongs to this couple and is of this kind."""
    return _item(conn.execute(_locked(
        sa.select(*_ITEM).where(partner_items.c.id == item_id, partner_items.c.couple == couple,
                                partner_items.c.kind == kind.value), lock)).first())


def own(conn: Connection, user_id: int, kind: ItemKind, ref_id: int) -> Item | None:
    """The user's own item of ``kind`` about ``ref_id`` (their answer, their "felt", their share)."""
    return _item(conn.execute(sa.select(*_ITEM).where(
        partner_items.c.user_id == user_id, partner_items.c.kind == kind.value,
        partner_items.c.ref_id == ref_id)).first())


def promise_to_confirm(conn: Connection, couple: int, author: int, receiver: int) -> Item | None:
    """The latest promise the author sent in this link that the receiver has not answered."""
    felt_alias = partner_items.alias("felt")
    answered = sa.exists().where(felt_alias.c.user_id == receiver, felt_alias.c.kind == ItemKind.FELT.value,
                                 felt_alias.c.ref_id == partner_items.c.id)
    return _item(conn.execute(
        sa.select(*_ITEM).where(partner_items.c.couple == couple, partner_items.c.user_id == author,
                                partner_items.c.kind == ItemKind.PROMISE.value, ~answered)
        .order_by(partner_items.c.id.desc()).limit(1)).first())


def felt_since(conn: Connection, user_id: int, couple: int, since: datetime) -> list[str]:
    """The user's own "did it feel kept?" answers in this link since ``since``."""
    rows = conn.execute(sa.select(partner_items.c.value).where(
        partner_items.c.user_id == user_id, partner_items.c.couple == couple,
        partner_items.c.kind == ItemKind.FELT.value, partner_items.c.created_at >= since))
    return [str(r[0]) for r in rows]


def open_question(conn: Connection, couple: int) -> Item | None:
    return _item(conn.execute(
        sa.select(*_ITEM).where(partner_items.c.couple == couple, partner_items.c.kind == ItemKind.QUESTION.value,
                                partner_items.c.value.is_(None))
        .order_by(partner_items.c.id.desc()).limit(1)).first())


def questions(conn: Connection, couple: int) -> list[Item]:
    rows = conn.execute(sa.select(*_ITEM).where(partner_items.c.couple == couple,
                                                partner_items.c.kind == ItemKind.QUESTION.value)
                        .order_by(partner_items.c.id))
    return [i for i in map(_item, rows) if i is not None]


def answers(conn: Connection, question_id: int, couple: int) -> list[Item]:
    rows = conn.execute(sa.select(*_ITEM).where(partner_items.c.couple == couple,
                                                partner_items.c.kind == ItemKind.ANSWER.value,
                                                partner_items.c.ref_id == question_id))
    return [i for i in map(_item, rows) if i is not None]


def close_question(conn: Connection, question_id: int, how: str) -> bool:
    """Close a question; True only for the one transaction that closed it."""
    return conn.execute(
        sa.update(partner_items).where(partner_items.c.id == question_id, partner_items.c.value.is_(None))
        .values(value=how)).rowcount == 1


def space_since(conn: Connection, couple: int, author: int, since: datetime) -> bool:
    return conn.execute(sa.select(partner_items.c.id).where(
        partner_items.c.couple == couple, partner_items.c.user_id == author,
        partner_items.c.kind == ItemKind.SPACE.value, partner_items.c.created_at >= since).limit(1)).first() is not None


def any_space_since(conn: Connection, couple: int, since: datetime) -> bool:
    return conn.execute(sa.select(partner_items.c.id).where(
        partner_items.c.couple == couple, partner_items.c.kind == ItemKind.SPACE.value,
        partner_items.c.created_at >= since).limit(1)).first() is not None


def own_promise(conn: Connection, user_id: int, promise_id: int) -> tuple[str, date] | None:
    """A promise of the user's own (text, day): never anyone else's."""
    row = conn.execute(sa.select(promises.c.text, promises.c.local_date)
                       .where(promises.c.id == promise_id, promises.c.user_id == user_id)).first()
    return (row[0], row[1]) if row else None


def latest_promise(conn: Connection, user_id: int) -> int | None:
    row = conn.execute(sa.select(promises.c.id).where(promises.c.user_id == user_id)
                       .order_by(promises.c.id.desc()).limit(1)).first()
    return int(row[0]) if row else None


# --- the people behind a link ------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """How to reach a member for a notice, and how they want it shown."""

    user_id: int
    channel: str
    external_id: str
    chat_id: int | None
    discreet: bool
    active: bool


def contact(conn: Connection, user_id: int) -> Contact | None:
    row = conn.execute(sa.select(users.c.id, users.c.channel, users.c.external_id, users.c.chat_id,
                                 users.c.discreet, users.c.active).where(users.c.id == user_id)).first()
    return Contact(*row) if row else None


def set_extra(conn: Connection, user_id: int, key: str, value: object | None, now: datetime) -> None:
    """Set (or with None, drop) one key of ``users.extra``, read fresh so other keys are kept."""
    row = conn.execute(sa.select(users.c.extra).where(users.c.id == user_id)).first()
    extra = dict(row[0] or {}) if row else {}
    if value is None:
        if key not in extra:
            return
        extra.pop(key)
    else:
        extra[key] = value
    conn.execute(sa.update(users).where(users.c.id == user_id).values(extra=extra, updated_at=now))
