"""Courseware and administration: course requests and cross-school courses, course groups,
sections and lessons with video progress, self-enrolment keys, and the user list's index.

Revision ID: 0501_courseware
Revises: 0002_open_room_event_kinds
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lms.db

revision: str = "0501_courseware"
down_revision: str | None = "0002_open_room_event_kinds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "course_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_course_group_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_course_group_created_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_group")),
        sa.UniqueConstraint("course_id", "name", name=op.f("uq_course_group_course_id_name")),
    )
    op.create_index(op.f("ix_course_group_course_id"), "course_group", ["course_id"], unique=False)
    op.create_table(
        "course_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("grade_band", sa.String(length=32), nullable=False),
        sa.Column("schedule", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("justification", sa.String(length=2000), nullable=False),
        sa.Column("cross_school", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                "withdrawn",
                name="course_request_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_course_request_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["user_account.id"],
            name=op.f("fk_course_request_decided_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["user_account.id"],
            name=op.f("fk_course_request_requested_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_course_request_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_request")),
        sa.UniqueConstraint(
            "requested_by", "client_id", name=op.f("uq_course_request_requested_by_client_id")
        ),
    )
    op.create_index(
        op.f("ix_course_request_requested_by"), "course_request", ["requested_by"], unique=False
    )
    op.create_index(
        "ix_course_request_school_status",
        "course_request",
        ["school_id", "status", "id"],
        unique=False,
    )
    op.create_table(
        "course_school",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_course_school_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_course_school_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_school")),
        sa.UniqueConstraint(
            "course_id", "school_id", name=op.f("uq_course_school_course_id_school_id")
        ),
    )
    op.create_index(
        op.f("ix_course_school_school_id"), "course_school", ["school_id"], unique=False
    )
    op.create_table(
        "course_section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_course_section_course_id_course")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_section")),
    )
    op.create_index(
        "ix_course_section_course_position",
        "course_section",
        ["course_id", "position"],
        unique=False,
    )
    op.create_table(
        "course_self_enrolment",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("enrol_key", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=False),
        sa.Column("updated_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_course_self_enrolment_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["user_account.id"],
            name=op.f("fk_course_self_enrolment_updated_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("course_id", name=op.f("pk_course_self_enrolment")),
    )
    op.create_table(
        "course_group_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["course_group.id"],
            name=op.f("fk_course_group_member_group_id_course_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_course_group_member_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_group_member")),
        sa.UniqueConstraint(
            "group_id", "user_id", name=op.f("uq_course_group_member_group_id_user_id")
        ),
    )
    op.create_index(
        op.f("ix_course_group_member_user_id"), "course_group_member", ["user_id"], unique=False
    )
    op.create_table(
        "course_request_school",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["course_request.id"],
            name=op.f("fk_course_request_school_request_id_course_request"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_course_request_school_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_request_school")),
        sa.UniqueConstraint(
            "request_id", "school_id", name=op.f("uq_course_request_school_request_id_school_id")
        ),
    )
    op.create_index(
        op.f("ix_course_request_school_school_id"),
        "course_request_school",
        ["school_id"],
        unique=False,
    )
    op.create_table(
        "lesson",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "live",
                "video",
                "document",
                "link",
                "assignment",
                "quiz",
                name="lesson_kind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("visible", sa.Boolean(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("live_session_id", sa.Integer(), nullable=True),
        sa.Column("ref_id", sa.Integer(), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_lesson_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_lesson_created_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["live_session_id"],
            ["live_session.id"],
            name=op.f("fk_lesson_live_session_id_live_session"),
        ),
        sa.ForeignKeyConstraint(
            ["section_id"], ["course_section.id"], name=op.f("fk_lesson_section_id_course_section")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson")),
        sa.UniqueConstraint(
            "course_id",
            "created_by",
            "client_id",
            name=op.f("uq_lesson_course_id_created_by_client_id"),
        ),
    )
    op.create_index(op.f("ix_lesson_course_id"), "lesson", ["course_id"], unique=False)
    op.create_index(
        "ix_lesson_section_position", "lesson", ["section_id", "position"], unique=False
    )
    op.create_table(
        "lesson_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("position_seconds", sa.Float(), nullable=False),
        sa.Column("watched_seconds", sa.Float(), nullable=False),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("completed_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rewatch_count", sa.Integer(), nullable=False),
        sa.Column("updated_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lesson_id"], ["lesson.id"], name=op.f("fk_lesson_progress_lesson_id_lesson")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_lesson_progress_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_progress")),
        sa.UniqueConstraint(
            "lesson_id", "user_id", name=op.f("uq_lesson_progress_lesson_id_user_id")
        ),
    )
    op.create_index(
        op.f("ix_lesson_progress_user_id"), "lesson_progress", ["user_id"], unique=False
    )
    op.create_index(
        "ix_user_account_school_name",
        "user_account",
        ["school_id", "display_name", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_user_account_school_name", table_name="user_account")
    op.drop_index(op.f("ix_lesson_progress_user_id"), table_name="lesson_progress")
    op.drop_table("lesson_progress")
    op.drop_index("ix_lesson_section_position", table_name="lesson")
    op.drop_index(op.f("ix_lesson_course_id"), table_name="lesson")
    op.drop_table("lesson")
    op.drop_index(op.f("ix_course_request_school_school_id"), table_name="course_request_school")
    op.drop_table("course_request_school")
    op.drop_index(op.f("ix_course_group_member_user_id"), table_name="course_group_member")
    op.drop_table("course_group_member")
    op.drop_table("course_self_enrolment")
    op.drop_index("ix_course_section_course_position", table_name="course_section")
    op.drop_table("course_section")
    op.drop_index(op.f("ix_course_school_school_id"), table_name="course_school")
    op.drop_table("course_school")
    op.drop_index("ix_course_request_school_status", table_name="course_request")
    op.drop_index(op.f("ix_course_request_requested_by"), table_name="course_request")
    op.drop_table("course_request")
    op.drop_index(op.f("ix_course_group_course_id"), table_name="course_group")
    op.drop_table("course_group")
