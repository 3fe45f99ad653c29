"""Moderation: a teacher's media holds (mutes) and the class's camera and screen rules are stored.

``media_hold`` keeps each teacher's mute of one person's microphone, camera or screen while it
applies; ``room_settings`` gains the rules on student cameras and screens. Until now both lived
in the media node's memory and were lost when the node restarted. Existing rows keep today's
defaults: student cameras allowed, student screens not.

Revision ID: 0202_media_holds
Revises: 0201_moderation
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lms.db

revision: str = "0202_media_holds"
down_revision: str | None = "0201_moderation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "camera",
                "microphone",
                "screen",
                name="media_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("held_by", sa.Integer(), nullable=False),
        sa.Column("held_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["held_by"], ["user_account.id"], name=op.f("fk_media_hold_held_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["live_session.id"], name=op.f("fk_media_hold_session_id_live_session")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_media_hold_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_hold")),
        sa.UniqueConstraint(
            "session_id", "user_id", "source", name=op.f("uq_media_hold_session_id_user_id_source")
        ),
    )
    with op.batch_alter_table("room_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "student_cameras_allowed", sa.Boolean(), server_default=sa.true(), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "student_screens_allowed", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("room_settings", schema=None) as batch_op:
        batch_op.drop_column("student_screens_allowed")
        batch_op.drop_column("student_cameras_allowed")
    op.drop_table("media_hold")
