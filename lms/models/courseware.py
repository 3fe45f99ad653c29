"""Course content (Moodle's course format): sections, and lessons (activities) in them.

A lesson is one of several kinds. ``live`` points at a scheduled ``LiveSession``; ``video``
plays an uploaded file or a URL and tracks each student's progress; ``document`` is a file of
the platform's file store; ``link`` is a web address. ``assignment`` and ``quiz`` are reserved
for those modules: their lessons carry the id of the module's own row in ``ref_id`` (no
foreign key, so a module can add its table without touching this one). The kind column has no
CHECK constraint, so a further kind needs no migration.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class LessonKind(StrEnum):
    LIVE = "live"
    VIDEO = "video"
    DOCUMENT = "document"
    LINK = "link"
    ASSIGNMENT = "assignment"
    QUIZ = "quiz"


class CourseSection(Base):
    """A unit of the course ("1단원 식물의 구조"), shown in ``position`` order."""

    __tablename__ = "course_section"
    __table_args__ = (Index("ix_course_section_course_position", "course_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Lesson(Base):
    __tablename__ = "lesson"
    __table_args__ = (
        UniqueConstraint("course_id", "created_by", "client_id"),
        Index("ix_lesson_section_position", "section_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("course_section.id"))
    kind: Mapped[LessonKind] = mapped_column(str_enum(LessonKind, "lesson_kind", constrained=False))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    # Hidden lessons are the teacher's drafts: students neither list nor open them.
    visible: Mapped[bool] = mapped_column(default=True)
    url: Mapped[str] = mapped_column(String(2000), default="")
    # A stored file (video or document) of the platform's file store. RESTRICT: a file a lesson
    # shows cannot be deleted (the file store refuses first, naming the lessons), so a lesson
    # never points at nothing.
    file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"), index=True
    )
    live_session_id: Mapped[int | None] = mapped_column(ForeignKey("live_session.id"))
    # The row of the module behind an ``assignment`` or ``quiz`` lesson.
    ref_id: Mapped[int | None]
    # A video's length as the teacher entered it or the first player reported it.
    duration_seconds: Mapped[int | None]
    client_id: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class LessonProgress(Base):
    """How far one student got in one lesson; only ever moves forward (except a re-watch)."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("lesson_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    position_seconds: Mapped[float] = mapped_column(default=0.0)
    watched_seconds: Mapped[float] = mapped_column(default=0.0)
    duration_seconds: Mapped[float | None]
    completed_at: Mapped[datetime | None]
    rewatch_count: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SelfEnrolment(Base):
    """A course's self-enrolment (Moodle's "self enrolment" method) and its enrolment key."""

    __tablename__ = "course_self_enrolment"

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    # Shown to the course's teachers so they can hand it out, as Moodle does.
    enrol_key: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
