"""The gradebook: grade items, grades and their history.

Revision ID: 0601_gradebook
Revises: 0002_open_room_event_kinds
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lms.db

revision: str = "0601_gradebook"
down_revision: str | None = "0002_open_room_event_kinds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = lms.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "grade_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "source_kind",
            sa.Enum(
                "manual",
                "assignment",
                "quiz",
                "live_quiz",
                name="grade_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("max_points", sa.Float(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_grade_item_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_grade_item_created_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_item")),
        sa.UniqueConstraint(
            "course_id", "source_kind", "source_id",
            name=op.f("uq_grade_item_course_id_source_kind_source_id"),
        ),
        sa.UniqueConstraint(
            "course_id", "client_id", name=op.f("uq_grade_item_course_id_client_id")
        ),
    )  # fmt: skip
    op.create_index(op.f("ix_grade_item_course_id"), "grade_item", ["course_id"], unique=False)
    op.create_table(
        "grade",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("graded_by", sa.Integer(), nullable=True),
        sa.Column("graded_at", WHEN, nullable=True),
        sa.Column("overridden", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["graded_by"], ["user_account.id"], name=op.f("fk_grade_graded_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["grade_item.id"], name=op.f("fk_grade_item_id_grade_item")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_grade_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade")),
        sa.UniqueConstraint("item_id", "user_id", name=op.f("uq_grade_item_id_user_id")),
    )
    op.create_index(op.f("ix_grade_item_id"), "grade", ["item_id"], unique=False)
    op.create_index(op.f("ix_grade_user_id"), "grade", ["user_id"], unique=False)
    op.create_table(
        "grade_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grade_id", sa.Integer(), nullable=False),
        sa.Column("old_points", sa.Float(), nullable=True),
        sa.Column("new_points", sa.Float(), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("overridden", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.Column("changed_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by"],
            ["user_account.id"],
            name=op.f("fk_grade_history_changed_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["grade_id"], ["grade.id"], name=op.f("fk_grade_history_grade_id_grade")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_history")),
    )
    op.create_index(op.f("ix_grade_history_grade_id"), "grade_history", ["grade_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_grade_history_grade_id"), table_name="grade_history")
    op.drop_table("grade_history")
    op.drop_index(op.f("ix_grade_user_id"), table_name="grade")
    op.drop_index(op.f("ix_grade_item_id"), table_name="grade")
    op.drop_table("grade")
    op.drop_index(op.f("ix_grade_item_course_id"), table_name="grade_item")
    op.drop_table("grade_item")
