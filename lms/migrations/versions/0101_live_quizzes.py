"""Quizzes and polls in the live class: question bank, runs, answers, grades.

Revision ID: 0101_live_quizzes
Revises: 0002_open_room_event_kinds
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lms.db

revision: str = "0101_live_quizzes"
down_revision: str | None = "0002_open_room_event_kinds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quiz_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "single_choice",
                "multiple_choice",
                "true_false",
                "short_answer",
                name="question_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("correct", sa.JSON(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_quiz_question_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_quiz_question_created_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_question")),
        sa.UniqueConstraint(
            "course_id",
            "created_by",
            "client_id",
            name=op.f("uq_quiz_question_course_id_created_by_client_id"),
        ),
    )
    op.create_index(
        op.f("ix_quiz_question_course_id"), "quiz_question", ["course_id"], unique=False
    )
    op.create_table(
        "quiz_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "quiz",
                "poll",
                name="quiz_run_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("poll_preset", sa.String(length=16), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("graded", sa.Boolean(), nullable=False),
        sa.Column("max_points", sa.Integer(), nullable=False),
        sa.Column("time_limit_seconds", sa.Integer(), nullable=True),
        sa.Column("deadline", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "closed",
                name="quiz_run_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "close_reason",
            sa.Enum(
                "teacher",
                "time_up",
                "session_ended",
                name="quiz_close_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("launched_by", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("launched_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revealed_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_quiz_run_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["launched_by"], ["user_account.id"], name=op.f("fk_quiz_run_launched_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["live_session.id"], name=op.f("fk_quiz_run_session_id_live_session")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_run")),
        sa.UniqueConstraint(
            "session_id",
            "launched_by",
            "client_id",
            name=op.f("uq_quiz_run_session_id_launched_by_client_id"),
        ),
    )
    op.create_index(op.f("ix_quiz_run_course_id"), "quiz_run", ["course_id"], unique=False)
    op.create_index(op.f("ix_quiz_run_session_id"), "quiz_run", ["session_id"], unique=False)
    op.create_table(
        "quiz_grade",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("max_points", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("graded_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["quiz_run.id"], name=op.f("fk_quiz_grade_run_id_quiz_run")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_quiz_grade_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_grade")),
        sa.UniqueConstraint("run_id", "user_id", name=op.f("uq_quiz_grade_run_id_user_id")),
    )
    op.create_index(op.f("ix_quiz_grade_run_id"), "quiz_grade", ["run_id"], unique=False)
    op.create_index(op.f("ix_quiz_grade_user_id"), "quiz_grade", ["user_id"], unique=False)
    op.create_table(
        "quiz_run_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source_question_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "single_choice",
                "multiple_choice",
                "true_false",
                "short_answer",
                name="question_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("correct", sa.JSON(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["quiz_run.id"], name=op.f("fk_quiz_run_question_run_id_quiz_run")
        ),
        sa.ForeignKeyConstraint(
            ["source_question_id"],
            ["quiz_question.id"],
            name=op.f("fk_quiz_run_question_source_question_id_quiz_question"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_run_question")),
        sa.UniqueConstraint(
            "run_id", "position", name=op.f("uq_quiz_run_question_run_id_position")
        ),
    )
    op.create_index(
        op.f("ix_quiz_run_question_run_id"), "quiz_run_question", ["run_id"], unique=False
    )
    op.create_table(
        "quiz_anonymous_answer",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("run_question_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_question_id"],
            ["quiz_run_question.id"],
            name=op.f("fk_quiz_anonymous_answer_run_question_id_quiz_run_question"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_anonymous_answer")),
        sa.UniqueConstraint(
            "run_question_id",
            "client_id",
            name=op.f("uq_quiz_anonymous_answer_run_question_id_client_id"),
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        op.f("ix_quiz_anonymous_answer_run_question_id"),
        "quiz_anonymous_answer",
        ["run_question_id"],
        unique=False,
    )
    op.create_table(
        "quiz_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("run_question_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("is_correct", sa.Boolean(), nullable=True),
        sa.Column("points_awarded", sa.Integer(), nullable=False),
        sa.Column("answered_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["quiz_run.id"], name=op.f("fk_quiz_answer_run_id_quiz_run")
        ),
        sa.ForeignKeyConstraint(
            ["run_question_id"],
            ["quiz_run_question.id"],
            name=op.f("fk_quiz_answer_run_question_id_quiz_run_question"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_quiz_answer_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_answer")),
        sa.UniqueConstraint(
            "run_question_id",
            "user_id",
            "client_id",
            name=op.f("uq_quiz_answer_run_question_id_user_id_client_id"),
        ),
    )
    op.create_index(op.f("ix_quiz_answer_run_id"), "quiz_answer", ["run_id"], unique=False)
    op.create_index(
        op.f("ix_quiz_answer_run_question_id"), "quiz_answer", ["run_question_id"], unique=False
    )
    op.create_index(op.f("ix_quiz_answer_user_id"), "quiz_answer", ["user_id"], unique=False)
    op.create_table(
        "quiz_participation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("run_question_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["quiz_run.id"], name=op.f("fk_quiz_participation_run_id_quiz_run")
        ),
        sa.ForeignKeyConstraint(
            ["run_question_id"],
            ["quiz_run_question.id"],
            name=op.f("fk_quiz_participation_run_question_id_quiz_run_question"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_quiz_participation_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_participation")),
        sa.UniqueConstraint(
            "run_question_id", "user_id", name=op.f("uq_quiz_participation_run_question_id_user_id")
        ),
    )
    op.create_index(
        op.f("ix_quiz_participation_run_id"), "quiz_participation", ["run_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("quiz_participation")
    op.drop_table("quiz_answer")
    op.drop_table("quiz_anonymous_answer")
    op.drop_table("quiz_run_question")
    op.drop_table("quiz_grade")
    op.drop_table("quiz_run")
    op.drop_table("quiz_question")
