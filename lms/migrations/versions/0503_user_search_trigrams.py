"""The admins' user search: trigram GIN indexes on ``lower(login)`` and ``lower(display_name)``.

``list_users`` matches ``lower(…) LIKE '%term%'``, which a b-tree cannot serve: over a district
of 100,000 people every search read the whole table. pg_trgm's GIN operator class can. On
PostgreSQL only; SQLite (one school) keeps scanning, and this revision does nothing there.

Revision ID: 0503_user_search_trigrams
Revises: 0502_lesson_file_key
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0503_user_search_trigrams"
down_revision: str | None = "0502_lesson_file_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("login", "display_name")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        op.create_index(
            f"ix_user_account_{column}_trgm",
            "user_account",
            [sa.text(f"lower({column}) gin_trgm_ops")],
            postgresql_using="gin",
        )


def downgrade() -> None:
    """The indexes go; the extension stays (other objects may use it)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        op.drop_index(f"ix_user_account_{column}_trgm", table_name="user_account")
