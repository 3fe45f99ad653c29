"""File store, course documents, whiteboard operations, shared content state per session.

Revision ID: 0401_shared_content
Revises: 0002_open_room_event_kinds
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lms.db

revision: str = "0401_shared_content"
down_revision: str | None = "0002_open_room_event_kinds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "stored_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_stored_file_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user_account.id"], name=op.f("fk_stored_file_owner_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_file")),
    )
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_file_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stored_file_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stored_file_sha256"), ["sha256"], unique=False)

    op.create_table(
        "course_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", _enum("document_kind", "pdf", "image"), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_course_document_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["stored_file.id"], name=op.f("fk_course_document_file_id_stored_file")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["user_account.id"],
            name=op.f("fk_course_document_uploaded_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_document")),
    )
    with op.batch_alter_table("course_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_document_course_id"), ["course_id"], unique=False
        )

    op.create_table(
        "whiteboard_op",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("board", sa.String(length=100), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("kind", _enum("whiteboard_op_kind", "stroke", "erase", "clear"), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("point_count", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name=op.f("fk_whiteboard_op_author_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_session.id"],
            name=op.f("fk_whiteboard_op_session_id_live_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whiteboard_op")),
        sa.UniqueConstraint(
            "session_id",
            "author_id",
            "client_id",
            name=op.f("uq_whiteboard_op_session_id_author_id_client_id"),
        ),
    )
    with op.batch_alter_table("whiteboard_op", schema=None) as batch_op:
        batch_op.create_index("ix_whiteboard_op_board", ["session_id", "board", "id"], unique=False)

    op.create_table(
        "shared_content_state",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("students_may_draw", sa.Boolean(), nullable=False),
        sa.Column("media_file_id", sa.Integer(), nullable=True),
        sa.Column("media_playing", sa.Boolean(), nullable=False),
        sa.Column("media_position", sa.Float(), nullable=False),
        sa.Column("media_updated_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["course_document.id"],
            name=op.f("fk_shared_content_state_document_id_course_document"),
        ),
        sa.ForeignKeyConstraint(
            ["media_file_id"],
            ["stored_file.id"],
            name=op.f("fk_shared_content_state_media_file_id_stored_file"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_session.id"],
            name=op.f("fk_shared_content_state_session_id_live_session"),
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_shared_content_state")),
    )


def downgrade() -> None:
    op.drop_table("shared_content_state")
    with op.batch_alter_table("whiteboard_op", schema=None) as batch_op:
        batch_op.drop_index("ix_whiteboard_op_board")
    op.drop_table("whiteboard_op")
    with op.batch_alter_table("course_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_document_course_id"))
    op.drop_table("course_document")
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_file_sha256"))
        batch_op.drop_index(batch_op.f("ix_stored_file_owner_id"))
        batch_op.drop_index(batch_op.f("ix_stored_file_course_id"))
    op.drop_table("stored_file")
