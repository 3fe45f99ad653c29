"""Automatic attendance: raw join/leave intervals, the derived status, and its audit trail."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class LeaveReason(StrEnum):
    LEFT = "left"
    REMOVED = "removed"
    NETWORK_LOST = "network_lost"
    SESSION_ENDED = "session_ended"
    NODE_SHUTDOWN = "node_shutdown"


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"


class AttendanceInterval(Base):
    """One stretch of time a participant was in the room. ``left_at`` is null while inside."""

    __tablename__ = "attendance_interval"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None]
    leave_reason: Mapped[LeaveReason | None] = mapped_column(str_enum(LeaveReason, "leave_reason"))


class AttendanceRecord(Base):
    """The status of one enrolled student for one session, computed when the session ends."""

    __tablename__ = "attendance_record"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(
        str_enum(AttendanceStatus, "status")
    )
    computed_status: Mapped[AttendanceStatus] = mapped_column(
        str_enum(AttendanceStatus, "computed_status")
    )
    first_join_at: Mapped[datetime | None]
    seconds_present: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AttendanceCorrection(Base):
    """Every change a teacher makes to a status: who, when, old, new, why. Never deleted."""

    __tablename__ = "attendance_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("attendance_record.id"), index=True)
    changed_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    old_status: Mapped[AttendanceStatus] = mapped_column(
        str_enum(AttendanceStatus, "old_status")
    )
    new_status: Mapped[AttendanceStatus] = mapped_column(
        str_enum(AttendanceStatus, "new_status")
    )
    reason: Mapped[str] = mapped_column(String(500))
