"""Files handed in with an assignment submission.

Revision ID: 0703_submission_files
Revises: 0702_assignments_quizzes
Depends on: 0401_shared_content (the file store's ``stored_file``)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0703_submission_files"
down_revision: str | None = "0702_assignments_quizzes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0401_shared_content"


def upgrade() -> None:
    op.create_table(
        "assignment_submission_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
            name=op.f("fk_assignment_submission_file_file_id_stored_file"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["assignment_submission.id"],
            name=op.f("fk_assignment_submission_file_submission_id_assignment_submission"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_submission_file")),
        sa.UniqueConstraint(
            "submission_id",
            "file_id",
            name=op.f("uq_assignment_submission_file_submission_id_file_id"),
        ),
    )
    with op.batch_alter_table("assignment_submission_file", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignment_submission_file_submission_id"),
            ["submission_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("assignment_submission_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_submission_file_submission_id"))
    op.drop_table("assignment_submission_file")
