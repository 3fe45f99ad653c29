"""Courses and who is in them (Moodle's words: course, enrolment, role)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class CourseRole(StrEnum):
    TEACHER = "teacher"
    CO_TEACHER = "co_teacher"
    STUDENT = "student"


class Course(Base):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(100), default="")
    grade_band: Mapped[str] = mapped_column(String(32), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Enrolment(Base):
    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[CourseRole] = mapped_column(str_enum(CourseRole, "course_role"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
