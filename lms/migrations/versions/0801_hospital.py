"""The hospital classroom: programme, calendar, staff, classes, timetable, admissions, notices.

Revision ID: 0801_hospital
Revises: 0002_open_room_event_kinds
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lms.db

revision: str = "0801_hospital"
down_revision: str | None = "0002_open_room_event_kinds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hospital_programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("target_class_days", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_hospital_programme_created_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_hospital_programme_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hospital_programme")),
        sa.UniqueConstraint(
            "school_id", "school_year", name=op.f("uq_hospital_programme_school_id_school_year")
        ),
    )
    op.create_index(
        op.f("ix_hospital_programme_school_id"), "hospital_programme", ["school_id"], unique=False
    )
    op.create_table(
        "hospital_calendar_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "class_day",
                "weekend",
                "holiday",
                "closure",
                name="hospital_day_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["hospital_programme.id"],
            name=op.f("fk_hospital_calendar_day_programme_id_hospital_programme"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["user_account.id"],
            name=op.f("fk_hospital_calendar_day_updated_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hospital_calendar_day")),
        sa.UniqueConstraint(
            "programme_id", "day", name=op.f("uq_hospital_calendar_day_programme_id_day")
        ),
    )
    op.create_index(
        op.f("ix_hospital_calendar_day_programme_id"),
        "hospital_calendar_day",
        ["programme_id"],
        unique=False,
    )
    op.create_table(
        "hospital_class",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_hospital_class_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["hospital_programme.id"],
            name=op.f("fk_hospital_class_programme_id_hospital_programme"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hospital_class")),
        sa.UniqueConstraint("course_id", name=op.f("uq_hospital_class_course_id")),
    )
    op.create_index(
        op.f("ix_hospital_class_programme_id"), "hospital_class", ["programme_id"], unique=False
    )
    op.create_table(
        "hospital_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("home_school_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(length=64), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("xlsx", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("xlsx_sha256", sa.String(length=64), nullable=False),
        sa.Column("generated_by", sa.Integer(), nullable=False),
        sa.Column("generated_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("signed_off_by", sa.Integer(), nullable=True),
        sa.Column("signed_off_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["generated_by"],
            ["user_account.id"],
            name=op.f("fk_hospital_notice_generated_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["home_school_id"], ["school.id"], name=op.f("fk_hospital_notice_home_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["hospital_programme.id"],
            name=op.f("fk_hospital_notice_programme_id_hospital_programme"),
        ),
        sa.ForeignKeyConstraint(
            ["signed_off_by"],
            ["user_account.id"],
            name=op.f("fk_hospital_notice_signed_off_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hospital_notice")),
        sa.UniqueConstraint(
            "programme_id",
            "home_school_id",
            "month",
            "version",
            name=op.f("uq_hospital_notice_programme_id_home_school_id_month_version"),
        ),
    )
    op.create_index(
        op.f("ix_hospital_notice_home_school_id"),
        "hospital_notice",
        ["home_school_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_hospital_notice_programme_id"), "hospital_notice", ["programme_id"], unique=False
    )
    op.create_table(
        "hospital_staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "instructor",
                "home_teacher",
                name="hospital_staff_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("home_school_id", sa.Integer(), nullable=True),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["home_school_id"], ["school.id"], name=op.f("fk_hospital_staff_home_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["hospital_programme.id"],
            name=op.f("fk_hospital_staff_programme_id_hospital_programme"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_hospital_staff_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hospital_staff")),
        sa.UniqueConstraint(
            "programme_id",
            "user_id",
            "role",
            name=op.f("uq_hospital_staff_programme_id_user_id_role"),
        ),
    )
    op.create_index(
        op.f("ix_hospital_staff_home_school_id"), "hospital_staff", ["home_school_id"], unique=False
    )
    op.create_index(
        op.f("ix_hospital_staff_programme_id"), "hospital_staff", ["programme_id"], unique=False
    )
    op.create_index(op.f("ix_hospital_staff_user_id"), "hospital_staff", ["user_id"], unique=False)
    op.create_table(
        "hospital_admission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("home_school_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("admitted_on", sa.Date(), nullable=False),
        sa.Column("discharged_on", sa.Date(), nullable=True),
        sa.Column("home_teacher_id", sa.Integer(), nullable=True),
        sa.Column("guardian_name", sa.String(length=100), nullable=False),
        sa.Column("guardian_phone", sa.String(length=40), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("discharged_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["hospital_class.id"],
            name=op.f("fk_hospital_admission_class_id_hospital_class"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_hospital_admission_created_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["discharged_by"],
            ["user_account.id"],
            name=op.f("fk_hospital_admission_discharged_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["home_school_id"],
            ["school.id"],
            name=op.f("fk_hospital_admission_home_school_id_school"),
        ),
        sa.ForeignKeyConstraint(
            ["home_teacher_id"],
            ["user_account.id"],
            name=op.f("fk_hospital_admission_home_teacher_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["hospital_programme.id"],
            name=op.f("fk_hospital_admission_programme_id_hospital_programme"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["user_account.id"],
            name=op.f("fk_hospital_admission_student_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hospital_admission")),
        sa.UniqueConstraint(
            "programme_id",
            "created_by",
            "client_id",
            name=op.f("uq_hospital_admission_programme_id_created_by_client_id"),
        ),
    )
    op.create_index(
        op.f("ix_hospital_admission_class_id"), "hospital_admission", ["class_id"], unique=False
    )
    op.create_index(
        op.f("ix_hospital_admission_programme_id"),
        "hospital_admission",
        ["programme_id"],
        unique=False,
    )
    op.create_index(
        "ix_hospital_admission_school",
        "hospital_admission",
        ["programme_id", "home_school_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_hospital_admission_student_id"), "hospital_admission", ["student_id"], unique=False
    )
    op.create_table(
        "hospital_timetable_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("ends_at", sa.Time(), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("instructor_id", sa.Integer(), nullable=True),
        sa.Column("removed_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["hospital_class.id"],
            name=op.f("fk_hospital_timetable_slot_class_id_hospital_class"),
        ),
        sa.ForeignKeyConstraint(
            ["instructor_id"],
            ["user_account.id"],
            name=op.f("fk_hospital_timetable_slot_instructor_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hospital_timetable_slot")),
    )
    op.create_index(
        op.f("ix_hospital_timetable_slot_class_id"),
        "hospital_timetable_slot",
        ["class_id"],
        unique=False,
    )
    op.create_table(
        "hospital_timetable_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_session.id"],
            name=op.f("fk_hospital_timetable_session_session_id_live_session"),
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["hospital_timetable_slot.id"],
            name=op.f("fk_hospital_timetable_session_slot_id_hospital_timetable_slot"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hospital_timetable_session")),
        sa.UniqueConstraint("session_id", name=op.f("uq_hospital_timetable_session_session_id")),
        sa.UniqueConstraint(
            "slot_id", "day", name=op.f("uq_hospital_timetable_session_slot_id_day")
        ),
    )
    op.create_index(
        op.f("ix_hospital_timetable_session_slot_id"),
        "hospital_timetable_session",
        ["slot_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_hospital_timetable_session_slot_id"), table_name="hospital_timetable_session"
    )
    op.drop_table("hospital_timetable_session")
    op.drop_index(op.f("ix_hospital_timetable_slot_class_id"), table_name="hospital_timetable_slot")
    op.drop_table("hospital_timetable_slot")
    op.drop_index(op.f("ix_hospital_admission_class_id"), table_name="hospital_admission")
    op.drop_index(op.f("ix_hospital_admission_programme_id"), table_name="hospital_admission")
    op.drop_index(op.f("ix_hospital_admission_student_id"), table_name="hospital_admission")
    op.drop_table("hospital_admission")
    op.drop_index(op.f("ix_hospital_staff_home_school_id"), table_name="hospital_staff")
    op.drop_index(op.f("ix_hospital_staff_programme_id"), table_name="hospital_staff")
    op.drop_index(op.f("ix_hospital_staff_user_id"), table_name="hospital_staff")
    op.drop_table("hospital_staff")
    op.drop_index(op.f("ix_hospital_notice_home_school_id"), table_name="hospital_notice")
    op.drop_index(op.f("ix_hospital_notice_programme_id"), table_name="hospital_notice")
    op.drop_table("hospital_notice")
    op.drop_index(op.f("ix_hospital_class_programme_id"), table_name="hospital_class")
    op.drop_table("hospital_class")
    op.drop_index(op.f("ix_hospital_calendar_day_programme_id"), table_name="hospital_calendar_day")
    op.drop_table("hospital_calendar_day")
    op.drop_index(op.f("ix_hospital_programme_school_id"), table_name="hospital_programme")
    op.drop_table("hospital_programme")
