"""Room event kinds: drop the CHECK constraint so live-class tools can add kinds freely.

Revision ID: 0002_open_room_event_kinds
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_open_room_event_kinds"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

FIRST_KINDS = ("hand_raised", "hand_lowered", "participant_removed", "session_ended")


def kind_type(constrained: bool) -> sa.Enum:
    return sa.Enum(
        *FIRST_KINDS,
        name="room_event_kind",
        native_enum=False,
        create_constraint=constrained,
        length=32,
    )


def upgrade() -> None:
    with op.batch_alter_table("room_event", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=kind_type(True), type_=kind_type(False), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("room_event", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=kind_type(False), type_=kind_type(True), existing_nullable=False
        )
