"""Assignments (Moodle's mod/assign): instructions, a due date, a late policy, one submission
per student that they may revise until it is graded, and the teacher's grade and feedback."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class LatePolicy(StrEnum):
    """After the due date: ``refuse`` submissions; ``accept`` them marked late; or accept with
    a ``penalty`` of ``late_penalty_percent`` per started day late, until ``cutoff_at``."""

    REFUSE = "refuse"
    ACCEPT = "accept"
    PENALTY = "penalty"


class SubmissionStatus(StrEnum):
    SUBMITTED = "submitted"
    GRADED = "graded"


class Assignment(Base):
    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime | None]
    due_at: Mapped[datetime]
    cutoff_at: Mapped[datetime | None]
    late_policy: Mapped[LatePolicy] = mapped_column(
        str_enum(LatePolicy, "assignment_late_policy"), default=LatePolicy.ACCEPT
    )
    late_penalty_percent: Mapped[int] = mapped_column(default=0)
    accepts_text: Mapped[bool] = mapped_column(default=True)
    accepts_files: Mapped[bool] = mapped_column(default=False)
    max_points: Mapped[float] = mapped_column(default=100.0)
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Submission(Base):
    """A student's current submission; ``revision`` counts their saves so a stale tab's
    retry is recognisable, and the grade is kept with the points the late penalty left."""

    __tablename__ = "assignment_submission"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SubmissionStatus] = mapped_column(
        str_enum(SubmissionStatus, "assignment_submission_status"),
        default=SubmissionStatus.SUBMITTED,
    )
    revision: Mapped[int] = mapped_column(default=1)
    last_client_id: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime]
    late_days: Mapped[int] = mapped_column(default=0)
    raw_points: Mapped[float | None]
    points: Mapped[float | None]
    feedback: Mapped[str] = mapped_column(Text, default="")
    graded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    graded_at: Mapped[datetime | None]


class SubmissionFile(Base):
    """A file handed in with a submission (a ``StoredFile`` of purpose ``submission``)."""

    __tablename__ = "assignment_submission_file"
    __table_args__ = (UniqueConstraint("submission_id", "file_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("assignment_submission.id"), index=True
    )
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    position: Mapped[int] = mapped_column(default=0)
