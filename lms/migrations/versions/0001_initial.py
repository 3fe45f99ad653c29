"""initial schema: schools, users, courses, live sessions, attendance, chat

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25 07:47:11.524960
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lms.db

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "school",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "elementary",
                "middle",
                "high",
                "special",
                name="school_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school")),
        sa.UniqueConstraint("code", name=op.f("uq_school_code")),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "school_admin",
                "teacher",
                "student",
                name="user_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_user_account_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("login", name=op.f("uq_user_account_login")),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_account_school_id"), ["school_id"], unique=False)

    op.create_table(
        "auth_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_auth_token_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_token_token_hash")),
    )
    with op.batch_alter_table("auth_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "course",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("grade_band", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_course_created_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_course_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course")),
    )
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_school_id"), ["school_id"], unique=False)

    op.create_table(
        "enrolment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "teacher",
                "co_teacher",
                "student",
                name="course_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_enrolment_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_enrolment_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment")),
        sa.UniqueConstraint("course_id", "user_id", name=op.f("uq_enrolment_course_id_user_id")),
    )
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolment_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrolment_user_id"), ["user_id"], unique=False)

    op.create_table(
        "live_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("scheduled_start", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("scheduled_end", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "live",
                "ended",
                name="live_session_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("started_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_live_session_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["started_by"],
            ["user_account.id"],
            name=op.f("fk_live_session_started_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_session")),
    )
    with op.batch_alter_table("live_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_session_course_id"), ["course_id"], unique=False)

    op.create_table(
        "attendance_interval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("left_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "leave_reason",
            sa.Enum(
                "left",
                "removed",
                "network_lost",
                "session_ended",
                "node_shutdown",
                name="leave_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_session.id"],
            name=op.f("fk_attendance_interval_session_id_live_session"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_attendance_interval_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_interval")),
    )
    with op.batch_alter_table("attendance_interval", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendance_interval_session_id"), ["session_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attendance_interval_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "attendance_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "present",
                "late",
                "excused",
                "absent",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "computed_status",
            sa.Enum(
                "present",
                "late",
                "excused",
                "absent",
                name="computed_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("first_join_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("seconds_present", sa.Integer(), nullable=False),
        sa.Column("updated_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_session.id"],
            name=op.f("fk_attendance_record_session_id_live_session"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_attendance_record_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_record")),
        sa.UniqueConstraint(
            "session_id", "user_id", name=op.f("uq_attendance_record_session_id_user_id")
        ),
    )
    with op.batch_alter_table("attendance_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendance_record_session_id"), ["session_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_attendance_record_user_id"), ["user_id"], unique=False)

    op.create_table(
        "chat_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["user_account.id"], name=op.f("fk_chat_message_sender_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_session.id"],
            name=op.f("fk_chat_message_session_id_live_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_message")),
        sa.UniqueConstraint(
            "session_id",
            "sender_id",
            "client_id",
            name=op.f("uq_chat_message_session_id_sender_id_client_id"),
        ),
        sa.UniqueConstraint("session_id", "seq", name=op.f("uq_chat_message_session_id_seq")),
    )
    with op.batch_alter_table("chat_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chat_message_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "room_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "hand_raised",
                "hand_lowered",
                "participant_removed",
                "session_ended",
                name="room_event_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name=op.f("fk_room_event_actor_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["live_session.id"], name=op.f("fk_room_event_session_id_live_session")
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["user_account.id"], name=op.f("fk_room_event_target_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room_event")),
        sa.UniqueConstraint(
            "session_id",
            "actor_id",
            "client_id",
            name=op.f("uq_room_event_session_id_actor_id_client_id"),
        ),
        sa.UniqueConstraint("session_id", "seq", name=op.f("uq_room_event_session_id_seq")),
    )
    with op.batch_alter_table("room_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_room_event_session_id"), ["session_id"], unique=False)

    op.create_table(
        "attendance_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=False),
        sa.Column("changed_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "old_status",
            sa.Enum(
                "present",
                "late",
                "excused",
                "absent",
                name="old_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "new_status",
            sa.Enum(
                "present",
                "late",
                "excused",
                "absent",
                name="new_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by"],
            ["user_account.id"],
            name=op.f("fk_attendance_correction_changed_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["attendance_record.id"],
            name=op.f("fk_attendance_correction_record_id_attendance_record"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_correction")),
    )
    with op.batch_alter_table("attendance_correction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendance_correction_record_id"), ["record_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("attendance_correction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_correction_record_id"))

    op.drop_table("attendance_correction")
    with op.batch_alter_table("room_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_room_event_session_id"))

    op.drop_table("room_event")
    with op.batch_alter_table("chat_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_message_session_id"))

    op.drop_table("chat_message")
    with op.batch_alter_table("attendance_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_record_user_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_record_session_id"))

    op.drop_table("attendance_record")
    with op.batch_alter_table("attendance_interval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_interval_user_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_interval_session_id"))

    op.drop_table("attendance_interval")
    with op.batch_alter_table("live_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_session_course_id"))

    op.drop_table("live_session")
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolment_user_id"))
        batch_op.drop_index(batch_op.f("ix_enrolment_course_id"))

    op.drop_table("enrolment")
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_school_id"))

    op.drop_table("course")
    with op.batch_alter_table("auth_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_token_user_id"))

    op.drop_table("auth_token")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_school_id"))

    op.drop_table("user_account")
    op.drop_table("school")
