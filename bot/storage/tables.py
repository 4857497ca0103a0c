"""The database schema, one place for SQLite and PostgreSQL alike.

Every table that holds something a user wrote or did carries ``user_id`` with
``ON DELETE CASCADE``, so deleting the user row deletes all of it: deletion is
real by construction, not by a list someone has to keep up to date.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: Autoincrementing 64-bit ids on PostgreSQL, SQLite's rowid alias on SQLite.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UtcDateTime = sa.DateTime(timezone=True)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    #: Which front end the user came through ("telegram", "console").
    sa.Column("channel", sa.String(16), nullable=False),
    #: The front end's own id for the user (Telegram user id, console name).
    sa.Column("external_id", sa.String(64), nullable=False),
    #: Where replies go (the private chat id on Telegram).
    sa.Column("chat_id", sa.BigInteger, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    #: The dialog engine's state (JSON): node, role, variants, counters.
    sa.Column("state", sa.JSON, nullable=False),
    #: False once Telegram says the user blocked the bot; /start sets it back.
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("discreet", sa.Boolean, nullable=False, default=False),
    sa.Column("timezone", sa.String(64), nullable=True),
    sa.Column("checkin_time", sa.String(5), nullable=True),
    sa.Column("checkin_enabled", sa.Boolean, nullable=False, default=True),
    #: UTC instant of the next check-in; the dispatcher claims rows by it.
    sa.Column("next_checkin_at", UtcDateTime, nullable=True, index=True),
    #: Small per-user extras (insights shown, pending prompts), JSON.
    sa.Column("extra", sa.JSON, nullable=False),
    sa.UniqueConstraint("channel", "external_id", name="uq_users_channel_external_id"),
)

#: Ids (never content) of messages in the user's chat, so a quick exit can
#: erase the conversation from their screen.
chat_messages = sa.Table(
    "chat_messages",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("chat_id", sa.BigInteger, nullable=False),
    sa.Column("message_id", sa.BigInteger, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

journal = sa.Table(
    "journal",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    #: The dialog's name for the answer (``save_as``), e.g. "apology_draft".
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("node", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

# --- check-ins ---------------------------------------------------------------

#: One row per user per local day that had a check-in: the unique pair is what
#: makes "at most one a day" hold across restarts, crashes and several bot
#: processes. A row is claimed (``attempts`` counts claims and doubles as the
#: claim's token), then marked sent; ``resend_at`` is when an unfinished claim
#: (its lease) or a snooze is due again.
checkins = sa.Table(
    "checkins",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    #: The user's calendar day (in their zone at the time) this check-in belongs to.
    sa.Column("local_date", sa.Date, nullable=False),
    #: When it was due (UTC): the grace window is counted from here.
    sa.Column("due_at", UtcDateTime, nullable=False),
    #: claimed, sent, snoozed, blocked, failed, skipped, expired.
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("claimed_at", UtcDateTime, nullable=True),
    sa.Column("resend_at", UtcDateTime, nullable=True, index=True),
    sa.Column("sent_at", UtcDateTime, nullable=True),
    #: The answer to "how are you feeling today", 1-5.
    sa.Column("mood", sa.SmallInteger, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("user_id", "local_date", name="uq_checkins_user_id_local_date"),
)

#: The small promises of the partner who broke the trust, and whether each was kept.
promises = sa.Table(
    "promises",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("checkin_id", BigId, sa.ForeignKey("checkins.id", ondelete="SET NULL"), nullable=True),
    sa.Column("local_date", sa.Date, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    #: yes, partly or no; NULL until the next check-in asks.
    sa.Column("kept", sa.String(8), nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("answered_at", UtcDateTime, nullable=True),
)

# --- partners ---------------------------------------------------------------

#: One row per member of a link: each person's own side, so an export holds
#: only theirs. An invite is the inviter's row while ``pending``: the token's
#: sha256 (never the token), the inviter's first name to show the invitee, and
#: when it expires; all three are cleared once it is used. ``couple`` names one
#: link (random, never reused) and is shared by the two rows. ``partner_id``
#: points at the other member, so deleting either person deletes both rows.
partner_links = sa.Table(
    "partner_links",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    #: One row per person: one link (or one invite) at a time.
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True),
    sa.Column("partner_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True),
    sa.Column("couple", sa.BigInteger, nullable=False, index=True),
    #: pending (an invite) or active.
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=True, unique=True),
    sa.Column("inviter_name", sa.String(64), nullable=True),
    sa.Column("expires_at", UtcDateTime, nullable=True),
    #: This member's sharing is paused (after a safety hit); the other is never told.
    sa.Column("paused", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("accepted_at", UtcDateTime, nullable=True),
)

#: What a member chose to send, and their own answers to what was sent to
#: them. Each row belongs to its author (``user_id``): deleting a person
#: deletes what they shared, and what the other wrote stays theirs. Question
#: rows are the bot's (no author) and hold only the question's content key.
partner_items = sa.Table(
    "partner_items",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True),
    sa.Column("couple", sa.BigInteger, nullable=False, index=True),
    #: promise, question, answer, space, felt.
    sa.Column("kind", sa.String(16), nullable=False),
    #: promise: the promises row shared; answer: its question; felt: the promise item.
    sa.Column("ref_id", sa.BigInteger, nullable=True),
    sa.Column("text", sa.Text, nullable=True),
    #: felt: yes/partly/no/skip; answer: answered/skipped; question: revealed/skipped once closed.
    sa.Column("value", sa.String(16), nullable=True),
    sa.Column("local_date", sa.Date, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    #: One answer per person per question, one "felt kept?" per promise, one share per promise.
    sa.UniqueConstraint("kind", "ref_id", "user_id", name="uq_partner_items_kind_ref_user"),
)
