"""File store: a row per blob (``stored_blob``), the lock uploads and removals of it queue on.

Filled from the files already stored: one row per distinct sha256, with its size and the time
its first file was stored.

Revision ID: 0402_file_blobs
Revises: 0401_shared_content
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lms.db

revision: str = "0402_file_blobs"
down_revision: str | None = "0401_shared_content"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stored_blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_stored_blob")),
    )
    op.execute(
        "INSERT INTO stored_blob (sha256, size, created_at) "
        "SELECT sha256, MAX(size), MIN(created_at) FROM stored_file GROUP BY sha256"
    )


def downgrade() -> None:
    op.drop_table("stored_blob")
