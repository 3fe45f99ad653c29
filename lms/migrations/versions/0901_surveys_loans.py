"""Satisfaction surveys (questionnaires, guardian links, anonymous-safe responses) and
equipment loans (inventory and loan records with one open loan per device).

Revision ID: 0901_surveys_loans
Revises: 0002_open_room_event_kinds
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lms.db

revision: str = "0901_surveys_loans"
down_revision: str | None = "0002_open_room_event_kinds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loan_device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "owner_kind",
            sa.Enum(
                "school",
                "programme",
                name="loan_device_owner_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "camera",
                "headset",
                "tablet",
                "laptop",
                "microphone",
                "other",
                name="loan_device_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("asset_tag", sa.String(length=64), nullable=False),
        sa.Column("serial", sa.String(length=100), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column(
            "condition",
            sa.Enum(
                "good",
                "fair",
                "damaged",
                "lost",
                name="loan_device_condition",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "available",
                "on_loan",
                "repair",
                "retired",
                name="loan_device_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_device")),
        sa.UniqueConstraint("asset_tag", name=op.f("uq_loan_device_asset_tag")),
    )
    with op.batch_alter_table("loan_device", schema=None) as batch_op:
        batch_op.create_index(
            "ix_loan_device_owner", ["owner_kind", "owner_id", "status"], unique=False
        )

    op.create_table(
        "device_loan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("borrower_id", sa.Integer(), nullable=False),
        sa.Column("lent_by", sa.Integer(), nullable=False),
        sa.Column("lent_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "condition_out",
            sa.Enum(
                "good",
                "fair",
                "damaged",
                "lost",
                name="device_loan_condition_out",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("returned_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("returned_to", sa.Integer(), nullable=True),
        sa.Column(
            "condition_on_return",
            sa.Enum(
                "good",
                "fair",
                "damaged",
                "lost",
                name="device_loan_condition_in",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("return_notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["user_account.id"],
            name=op.f("fk_device_loan_borrower_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["loan_device.id"], name=op.f("fk_device_loan_device_id_loan_device")
        ),
        sa.ForeignKeyConstraint(
            ["lent_by"], ["user_account.id"], name=op.f("fk_device_loan_lent_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["returned_to"],
            ["user_account.id"],
            name=op.f("fk_device_loan_returned_to_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_loan")),
        sa.UniqueConstraint("lent_by", "client_id", name=op.f("uq_device_loan_lent_by_client_id")),
    )
    with op.batch_alter_table("device_loan", schema=None) as batch_op:
        batch_op.create_index("ix_device_loan_borrower", ["borrower_id", "lent_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_device_loan_device_id"), ["device_id"], unique=False)
        batch_op.create_index(
            "uq_device_loan_open_device",
            ["device_id"],
            unique=True,
            postgresql_where=sa.text("returned_at IS NULL"),
            sqlite_where=sa.text("returned_at IS NULL"),
        )

    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "owner_kind",
            sa.Enum(
                "school",
                "programme",
                name="survey_owner_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("semester", sa.String(length=16), nullable=False),
        sa.Column("for_students", sa.Boolean(), nullable=False),
        sa.Column("for_guardians", sa.Boolean(), nullable=False),
        sa.Column("for_instructors", sa.Boolean(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("opens_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closes_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "open",
                "closed",
                name="survey_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_survey_created_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey")),
    )
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.create_index("ix_survey_owner", ["owner_kind", "owner_id", "status"], unique=False)

    op.create_table(
        "survey_guardian_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_on", sa.Date(), nullable=True),
        sa.Column("use_client_id", sa.String(length=64), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
            name=op.f("fk_survey_guardian_link_created_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_survey_guardian_link_survey_id_survey")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_guardian_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_survey_guardian_link_token_hash")),
    )
    with op.batch_alter_table("survey_guardian_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_guardian_link_survey_id"), ["survey_id"], unique=False
        )

    op.create_table(
        "survey_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "likert",
                "single_choice",
                "multi_choice",
                "text",
                name="survey_question_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("prompt", sa.String(length=500), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_survey_question_survey_id_survey")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_question")),
    )
    with op.batch_alter_table("survey_question", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_question_survey_id"), ["survey_id"], unique=False
        )

    op.create_table(
        "survey_response",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column(
            "audience",
            sa.Enum(
                "students",
                "guardians",
                "instructors",
                name="survey_response_audience",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("respondent_id", sa.Integer(), nullable=True),
        sa.Column("respondent_label", sa.String(length=100), nullable=True),
        sa.Column("submitted_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["user_account.id"],
            name=op.f("fk_survey_response_respondent_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_survey_response_survey_id_survey")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_response")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_response_survey_id"), ["survey_id"], unique=False
        )

    op.create_table(
        "survey_answer",
        sa.Column("response_id", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["survey_question.id"],
            name=op.f("fk_survey_answer_question_id_survey_question"),
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_response.id"],
            name=op.f("fk_survey_answer_response_id_survey_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "question_id", name=op.f("pk_survey_answer")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "survey_participation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column(
            "audience",
            sa.Enum(
                "students",
                "guardians",
                "instructors",
                name="survey_participation_audience",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["survey_guardian_link.id"],
            name=op.f("fk_survey_participation_link_id_survey_guardian_link"),
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_survey_participation_survey_id_survey")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_survey_participation_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_participation")),
        sa.UniqueConstraint(
            "survey_id", "link_id", name=op.f("uq_survey_participation_survey_id_link_id")
        ),
        sa.UniqueConstraint(
            "survey_id", "user_id", name=op.f("uq_survey_participation_survey_id_user_id")
        ),
    )
    with op.batch_alter_table("survey_participation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_participation_survey_id"), ["survey_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_participation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_participation_survey_id"))

    op.drop_table("survey_participation")
    op.drop_table("survey_answer")
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_response_survey_id"))

    op.drop_table("survey_response")
    with op.batch_alter_table("survey_question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_question_survey_id"))

    op.drop_table("survey_question")
    with op.batch_alter_table("survey_guardian_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_guardian_link_survey_id"))

    op.drop_table("survey_guardian_link")
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_owner")

    op.drop_table("survey")
    with op.batch_alter_table("device_loan", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_device_loan_open_device",
            postgresql_where=sa.text("returned_at IS NULL"),
            sqlite_where=sa.text("returned_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_device_loan_device_id"))
        batch_op.drop_index("ix_device_loan_borrower")

    op.drop_table("device_loan")
    with op.batch_alter_table("loan_device", schema=None) as batch_op:
        batch_op.drop_index("ix_loan_device_owner")

    op.drop_table("loan_device")
