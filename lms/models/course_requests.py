"""Course requests (Moodle's "course request"): a teacher asks, a school admin decides.

A request names the teacher's own school; a cross-school request (a joint curriculum) also
lists the other participating schools. The requesting teacher's school admin decides; on
approval the course opens with the teacher enrolled and the participating schools recorded in
``course_school``, whose members may then be enrolled in it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class CourseRequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class CourseRequest(Base):
    __tablename__ = "course_request"
    __table_args__ = (
        UniqueConstraint("requested_by", "client_id"),
        # The approval queue: a school's pending requests, oldest first.
        Index("ix_course_request_school_status", "school_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    title: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(100), default="")
    grade_band: Mapped[str] = mapped_column(String(32), default="")
    # Free text a teacher writes as on a timetable ("화·목 5교시"), plus the term's dates.
    schedule: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    justification: Mapped[str] = mapped_column(String(2000), default="")
    cross_school: Mapped[bool] = mapped_column(default=False)
    status: Mapped[CourseRequestStatus] = mapped_column(
        str_enum(CourseRequestStatus, "course_request_status"),
        default=CourseRequestStatus.PENDING,
    )
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(String(1000), default="")
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CourseRequestSchool(Base):
    """Another school taking part in a cross-school request."""

    __tablename__ = "course_request_school"
    __table_args__ = (UniqueConstraint("request_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("course_request.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)


class CourseSchool(Base):
    """A school other than the course's own whose members may be enrolled (cross-school)."""

    __tablename__ = "course_school"
    __table_args__ = (UniqueConstraint("course_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
