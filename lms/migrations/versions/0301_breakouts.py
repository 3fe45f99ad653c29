"""Breakout rounds: groups of a live session, who was in which group, group chat.

Revision ID: 0301_breakouts
Revises: 0002_open_room_event_kinds
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lms.db

revision: str = "0301_breakouts"
down_revision: str | None = "0002_open_room_event_kinds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "breakout_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("group_count", sa.Integer(), nullable=False),
        sa.Column(
            "mode",
            sa.Enum(
                "random",
                "manual",
                "course_groups",
                name="breakout_mode",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "closed",
                name="breakout_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("started_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column(
            "close_reason",
            sa.Enum(
                "timer",
                "recalled",
                "session_ended",
                name="breakout_close_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"],
            ["user_account.id"],
            name=op.f("fk_breakout_round_closed_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_breakout_round_created_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_session.id"],
            name=op.f("fk_breakout_round_session_id_live_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breakout_round")),
        sa.UniqueConstraint(
            "session_id",
            "created_by",
            "client_id",
            name=op.f("uq_breakout_round_session_id_created_by_client_id"),
        ),
    )

    with op.batch_alter_table("breakout_round", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_breakout_round_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "breakout_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["breakout_round.id"],
            name=op.f("fk_breakout_group_round_id_breakout_round"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breakout_group")),
        sa.UniqueConstraint("round_id", "index", name=op.f("uq_breakout_group_round_id_index")),
    )

    with op.batch_alter_table("breakout_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_breakout_group_round_id"), ["round_id"], unique=False)

    op.create_table(
        "breakout_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.Integer(), nullable=False),
        sa.Column("joined_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("left_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_by"],
            ["user_account.id"],
            name=op.f("fk_breakout_membership_assigned_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["breakout_group.id"],
            name=op.f("fk_breakout_membership_group_id_breakout_group"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["breakout_round.id"],
            name=op.f("fk_breakout_membership_round_id_breakout_round"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_breakout_membership_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breakout_membership")),
    )

    with op.batch_alter_table("breakout_membership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_breakout_membership_group_id"), ["group_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_breakout_membership_round_id"), ["round_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_breakout_membership_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "breakout_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["breakout_group.id"],
            name=op.f("fk_breakout_message_group_id_breakout_group"),
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["user_account.id"],
            name=op.f("fk_breakout_message_sender_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breakout_message")),
        sa.UniqueConstraint(
            "group_id",
            "sender_id",
            "client_id",
            name=op.f("uq_breakout_message_group_id_sender_id_client_id"),
        ),
        sa.UniqueConstraint("group_id", "seq", name=op.f("uq_breakout_message_group_id_seq")),
    )

    with op.batch_alter_table("breakout_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_breakout_message_group_id"), ["group_id"], unique=False
        )


def downgrade() -> None:
    for table in ("breakout_message", "breakout_membership", "breakout_group", "breakout_round"):
        op.drop_table(table)
