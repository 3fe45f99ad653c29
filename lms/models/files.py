"""The platform's file store: one row per upload, the bytes on disk by their sha256.

Rows are what people own and what permissions are checked on; the blob they point at is shared
by every row with the same content (content-addressed), so the same worksheet uploaded by three
teachers is stored once. The client's file name is kept for display and downloads only; the
type is what the content says it is (``mime``), never the name or the client's Content-Type.

Each blob also has a row of its own (``StoredBlob``): the lock that uploads and removals of the
same content queue on, so a removal never takes away bytes an upload is about to commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow


class StoredFile(Base):
    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The course the file belongs to (documents, media, lesson files, submissions); null for a
    # person's own files.
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), index=True)
    # What the file is for ("document", "media", "submission"…): decides who else may read it.
    purpose: Mapped[str] = mapped_column(String(32), default="general")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str] = mapped_column(String(100))
    original_name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredBlob(Base):
    """One content in the store, shared by every ``StoredFile`` with its sha256.

    Written in the same transaction as the first row that uses the content and removed with the
    last one. Its row is what writers lock (``lms.services.files``): placing a blob on disk and
    removing one happen only while holding it.
    """

    __tablename__ = "stored_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
