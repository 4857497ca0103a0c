"""partner links and shared items

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "partner_links",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("partner_id", _ID, nullable=True),
        sa.Column("couple", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("inviter_name", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_partner_links_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["partner_id"], ["users.id"], name=op.f("fk_partner_links_partner_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_links")),
        sa.UniqueConstraint("user_id", name=op.f("uq_partner_links_user_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_partner_links_token_hash")),
    )
    with op.batch_alter_table("partner_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_links_partner_id"), ["partner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_partner_links_couple"), ["couple"], unique=False)

    op.create_table(
        "partner_items",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("user_id", _ID, nullable=True),
        sa.Column("couple", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("value", sa.String(length=16), nullable=True),
        sa.Column("local_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_partner_items_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_items")),
        sa.UniqueConstraint("kind", "ref_id", "user_id", name="uq_partner_items_kind_ref_user"),
    )
    with op.batch_alter_table("partner_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_items_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_partner_items_couple"), ["couple"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("partner_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_items_couple"))
        batch_op.drop_index(batch_op.f("ix_partner_items_user_id"))
    op.drop_table("partner_items")
    with op.batch_alter_table("partner_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_links_couple"))
        batch_op.drop_index(batch_op.f("ix_partner_links_partner_id"))
    op.drop_table("partner_links")
