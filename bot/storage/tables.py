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
