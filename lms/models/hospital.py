"""The hospital classroom: a yearly programme for hospitalised and health-impaired students.

A programme has a calendar of days, classes (each backed by a ``Course``, so the normal live-class
machinery runs them), a weekly timetable whose slots become ``LiveSession`` rows, staff with a
role in the programme (not a global account role), and admissions that tie a student to the
home school their attendance counts toward. Monthly attendance notices are archived per home
school, every version kept.

Dates (``date``) are Asia/Seoul calendar days; times of day in the timetable are Seoul local;
every timestamp is stored in UTC like the rest of the platform.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class ProgrammeRole(StrEnum):
    """A person's role within one programme; the platform role of the account is separate."""

    ADMIN = "admin"
    INSTRUCTOR = "instructor"
    HOME_TEACHER = "home_teacher"


class DayKind(StrEnum):
    """What a calendar day is: only ``class_day`` days have classes and count toward the target."""

    CLASS_DAY = "class_day"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    CLOSURE = "closure"


class DayStatus(StrEnum):
    """The per-day status reported to the home school (NEIS words: 출석, 지각, 조퇴, 결과, 결석).

    ``partial`` (결과) is a day with a missed period in the middle; ``excused`` a day whose every
    session was excused.
    """

    PRESENT = "present"
    LATE = "late"
    EARLY_LEAVE = "early_leave"
    PARTIAL = "partial"
    ABSENT = "absent"
    EXCUSED = "excused"


class HospitalProgramme(Base):
    """One school year of the hospital classroom, hosted by a school (the course owner)."""

    __tablename__ = "hospital_programme"
    __table_args__ = (UniqueConstraint("school_id", "school_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    school_year: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    target_class_days: Mapped[int] = mapped_column(default=204)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProgrammeStaff(Base):
    """Who works in a programme and as what. A home-school teacher is tied to their school."""

    __tablename__ = "hospital_staff"
    __table_args__ = (UniqueConstraint("programme_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("hospital_programme.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[ProgrammeRole] = mapped_column(str_enum(ProgrammeRole, "hospital_staff_role"))
    # Only for home-school teachers: the school whose students they see.
    home_school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarDay(Base):
    """One day of the programme's calendar; every day from start to end has a row."""

    __tablename__ = "hospital_calendar_day"
    __table_args__ = (UniqueConstraint("programme_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("hospital_programme.id"), index=True)
    day: Mapped[date]
    kind: Mapped[DayKind] = mapped_column(str_enum(DayKind, "hospital_day_kind"))
    note: Mapped[str] = mapped_column(String(200), default="")
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class HospitalClass(Base):
    """A class of the programme (e.g. 초등 3학년); a ``Course`` holds its enrolments, sessions."""

    __tablename__ = "hospital_class"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("hospital_programme.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # 1..12: elementary 1-6, middle 7-9 (중1-3), high 10-12 (고1-3).
    grade: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TimetableSlot(Base):
    """A weekly period of a class; it becomes one live session on every class day."""

    __tablename__ = "hospital_timetable_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("hospital_class.id"), index=True)
    weekday: Mapped[int]  # 0 = Monday … 6 = Sunday, as ``date.weekday()``
    period: Mapped[int]
    starts_at: Mapped[time]  # Asia/Seoul local time
    ends_at: Mapped[time]
    subject: Mapped[str] = mapped_column(String(100))
    instructor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # A removed slot is kept, so the sessions it made (and their attendance) keep their origin.
    removed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TimetableSession(Base):
    """The live session a slot made on a day; the unique pair makes generation idempotent."""

    __tablename__ = "hospital_timetable_session"
    __table_args__ = (UniqueConstraint("slot_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("hospital_timetable_slot.id"), index=True)
    day: Mapped[date]
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"), unique=True)


class Admission(Base):
    """One stay in the programme; a readmission is a new row, so the history is kept."""

    __tablename__ = "hospital_admission"
    __table_args__ = (
        Index("ix_hospital_admission_school", "programme_id", "home_school_id"),
        UniqueConstraint("programme_id", "created_by", "client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("hospital_programme.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("hospital_class.id"), index=True)
    home_school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    grade: Mapped[int]
    admitted_on: Mapped[date]
    discharged_on: Mapped[date | None]  # the last day in the programme, inclusive
    home_teacher_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    guardian_name: Mapped[str] = mapped_column(String(100), default="")
    guardian_phone: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    client_id: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    discharged_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class AttendanceNotice(Base):
    """One version of a month's attendance notice for one home school, with its files.

    ``content`` is the snapshot the files were rendered from (students, daily statuses, totals,
    flags), so a later version can say what changed since this one was issued.
    """

    __tablename__ = "hospital_notice"
    __table_args__ = (UniqueConstraint("programme_id", "home_school_id", "month", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("hospital_programme.id"), index=True)
    home_school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    month: Mapped[date]  # the first day of the month
    version: Mapped[int]
    batch: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    xlsx: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    xlsx_sha256: Mapped[str] = mapped_column(String(64))
    generated_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_off_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signed_off_at: Mapped[datetime | None]
