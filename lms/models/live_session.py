"""A live session: one class meeting, the unit rooms, media, attendance and chat hang on."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class LiveSessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"


class LiveSession(Base):
    __tablename__ = "live_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    scheduled_start: Mapped[datetime]
    scheduled_end: Mapped[datetime]
    status: Mapped[LiveSessionStatus] = mapped_column(
        str_enum(LiveSessionStatus, "live_session_status"), default=LiveSessionStatus.SCHEDULED
    )
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    started_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Highest sequence number handed to a durable room event (chat, hand, moderation).
    last_seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
