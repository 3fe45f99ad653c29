"""What the teacher shows the class: documents, the whiteboard, a shared video or recording.

A ``CourseDocument`` is a PDF or picture of the course's file store with its page count (pages
are rendered on the server on demand). Whiteboard drawing is an append-only log of operations
per board (``WhiteboardOp``): a stroke, the erasing of one stroke, or clearing the board; the
board's current picture is the strokes since the last clear that were not erased, so a late
joiner can be shown exactly what everyone sees. ``SharedContentState`` is the one row per live
session saying which document page is up and where the shared media stands.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class DocumentKind(StrEnum):
    PDF = "pdf"
    IMAGE = "image"


class CourseDocument(Base):
    __tablename__ = "course_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "document_kind"))
    page_count: Mapped[int]
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WhiteboardOpKind(StrEnum):
    STROKE = "stroke"
    ERASE = "erase"
    CLEAR = "clear"


class WhiteboardOp(Base):
    """One drawing operation on one board of a session; idempotent on the author's client id.

    ``board`` names the board: ``main`` (the class board), ``doc:<document_id>:<page>`` (notes
    on a document page), ``group:<group_id>`` (a breakout group's board).
    """

    __tablename__ = "whiteboard_op"
    __table_args__ = (
        UniqueConstraint("session_id", "author_id", "client_id"),
        Index("ix_whiteboard_op_board", "session_id", "board", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"))
    board: Mapped[str] = mapped_column(String(100))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[WhiteboardOpKind] = mapped_column(str_enum(WhiteboardOpKind, "whiteboard_op_kind"))
    # stroke: the shape (tool, colour, width, points or text); erase: {"target": op id}.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Points in the stroke: what a board holds is bounded by their sum since the last clear.
    point_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SharedContentState(Base):
    """Per live session: the document page on show and the shared media's play state."""

    __tablename__ = "shared_content_state"

    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"), primary_key=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("course_document.id"))
    page: Mapped[int] = mapped_column(default=1)
    # Whether students may draw on the class board (teachers always may).
    students_may_draw: Mapped[bool] = mapped_column(default=False)
    media_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    media_playing: Mapped[bool] = mapped_column(default=False)
    # Seconds into the media at ``media_updated_at``; while playing it advances with the clock.
    media_position: Mapped[float] = mapped_column(default=0.0)
    media_updated_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
