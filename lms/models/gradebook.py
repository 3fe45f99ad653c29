"""The gradebook (Moodle's words): grade items of a course, each student's grade, and the grade
history that keeps every change.

A grade item is either *manual* (typed in by a teacher) or mirrors an activity that grades
(an assignment, a quiz, a graded live-class quiz run). A grade copied from its activity may be
*overridden* in the gradebook; an overridden grade is never replaced by the activity again.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class GradeSource(StrEnum):
    MANUAL = "manual"
    ASSIGNMENT = "assignment"
    QUIZ = "quiz"
    LIVE_QUIZ = "live_quiz"


class GradeItem(Base):
    """One column of the gradebook; ``weight`` counts in the weighted mean of the course total."""

    __tablename__ = "grade_item"
    __table_args__ = (
        # One item per activity: the sync finds it again, two readers cannot both create it.
        UniqueConstraint("course_id", "source_kind", "source_id"),
        UniqueConstraint("course_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    source_kind: Mapped[GradeSource] = mapped_column(str_enum(GradeSource, "grade_source"))
    source_id: Mapped[int | None]
    max_points: Mapped[float]
    weight: Mapped[float] = mapped_column(default=1.0)
    category: Mapped[str] = mapped_column(String(100), default="")
    hidden: Mapped[bool] = mapped_column(default=False)
    # A manual item is created once per client id, so a retried "add item" adds nothing.
    client_id: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Grade(Base):
    """A student's points in one item; ``points`` null means not graded yet."""

    __tablename__ = "grade"
    __table_args__ = (UniqueConstraint("item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("grade_item.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    points: Mapped[float | None]
    feedback: Mapped[str] = mapped_column(Text, default="")
    graded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    graded_at: Mapped[datetime | None]
    overridden: Mapped[bool] = mapped_column(default=False)


class GradeHistory(Base):
    """Every change to a grade: who, when, from what to what, and whether the activity did it."""

    __tablename__ = "grade_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    grade_id: Mapped[int] = mapped_column(ForeignKey("grade.id"), index=True)
    old_points: Mapped[float | None]
    new_points: Mapped[float | None]
    feedback: Mapped[str] = mapped_column(Text, default="")
    overridden: Mapped[bool] = mapped_column(default=False)
    # Null when the activity wrote the grade (an assignment graded, a quiz run closed).
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
