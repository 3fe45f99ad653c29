"""Individual education plans of the hospital classroom: plans, health notes kept apart,
health-note grants for home-school teachers, and the log of every access.

Revision ID: 0902_education_plans
Revises: 0801_hospital
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lms.db

revision: str = "0902_education_plans"
down_revision: str | None = "0801_hospital"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "education_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("admission_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("semester", sa.String(length=16), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("accommodations", sa.JSON(), nullable=False),
        sa.Column("instructor_notes", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=False),
        sa.Column("updated_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["admission_id"],
            ["hospital_admission.id"],
            name=op.f("fk_education_plan_admission_id_hospital_admission"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_education_plan_created_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["hospital_programme.id"],
            name=op.f("fk_education_plan_programme_id_hospital_programme"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["user_account.id"],
            name=op.f("fk_education_plan_student_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["user_account.id"],
            name=op.f("fk_education_plan_updated_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_education_plan")),
        sa.UniqueConstraint(
            "admission_id", "semester", name=op.f("uq_education_plan_admission_id_semester")
        ),
        sa.UniqueConstraint(
            "created_by", "client_id", name=op.f("uq_education_plan_created_by_client_id")
        ),
    )
    with op.batch_alter_table("education_plan", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_education_plan_admission_id"), ["admission_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_education_plan_programme_id"), ["programme_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_education_plan_student_id"), ["student_id"], unique=False
        )

    op.create_table(
        "education_plan_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "read_plan",
                "read_health_notes",
                "export",
                "create",
                "update",
                "add_health_note",
                "retract_health_note",
                "grant_health_notes",
                "revoke_health_notes",
                name="education_plan_access_action",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["education_plan.id"],
            name=op.f("fk_education_plan_access_plan_id_education_plan"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["hospital_programme.id"],
            name=op.f("fk_education_plan_access_programme_id_hospital_programme"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["user_account.id"],
            name=op.f("fk_education_plan_access_student_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_education_plan_access_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_education_plan_access")),
    )
    with op.batch_alter_table("education_plan_access", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_education_plan_access_plan_id"), ["plan_id"], unique=False
        )
        batch_op.create_index(
            "ix_education_plan_access_programme", ["programme_id", "at"], unique=False
        )

    op.create_table(
        "education_plan_health_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=False),
        sa.Column("granted_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["granted_by"],
            ["user_account.id"],
            name=op.f("fk_education_plan_health_grant_granted_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["education_plan.id"],
            name=op.f("fk_education_plan_health_grant_plan_id_education_plan"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_education_plan_health_grant_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_education_plan_health_grant")),
        sa.UniqueConstraint(
            "plan_id", "user_id", name=op.f("uq_education_plan_health_grant_plan_id_user_id")
        ),
    )
    with op.batch_alter_table("education_plan_health_grant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_education_plan_health_grant_plan_id"), ["plan_id"], unique=False
        )

    op.create_table(
        "education_plan_health_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retracted_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retracted_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_education_plan_health_note_author_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["education_plan.id"],
            name=op.f("fk_education_plan_health_note_plan_id_education_plan"),
        ),
        sa.ForeignKeyConstraint(
            ["retracted_by"],
            ["user_account.id"],
            name=op.f("fk_education_plan_health_note_retracted_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_education_plan_health_note")),
    )
    with op.batch_alter_table("education_plan_health_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_education_plan_health_note_plan_id"), ["plan_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("education_plan_health_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_education_plan_health_note_plan_id"))

    op.drop_table("education_plan_health_note")
    with op.batch_alter_table("education_plan_health_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_education_plan_health_grant_plan_id"))

    op.drop_table("education_plan_health_grant")
    with op.batch_alter_table("education_plan_access", schema=None) as batch_op:
        batch_op.drop_index("ix_education_plan_access_programme")
        batch_op.drop_index(batch_op.f("ix_education_plan_access_plan_id"))

    op.drop_table("education_plan_access")
    with op.batch_alter_table("education_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_education_plan_student_id"))
        batch_op.drop_index(batch_op.f("ix_education_plan_programme_id"))
        batch_op.drop_index(batch_op.f("ix_education_plan_admission_id"))

    op.drop_table("education_plan")
