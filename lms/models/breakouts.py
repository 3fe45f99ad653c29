"""Breakout rounds of a live session: groups, who was in which group, and each group's chat.

A round is one split of the class into groups, from the teacher's "start" to the timer or
"bring everyone back". Rounds are never deleted, and a membership is closed (``left_at``)
rather than removed when the teacher moves someone, so a teacher can later see who worked
with whom and what each group wrote.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class BreakoutMode(StrEnum):
    """How students were put into groups."""

    RANDOM = "random"
    MANUAL = "manual"
    COURSE_GROUPS = "course_groups"


class BreakoutStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class BreakoutCloseReason(StrEnum):
    TIMER = "timer"
    RECALLED = "recalled"
    SESSION_ENDED = "session_ended"


class BreakoutRound(Base):
    __tablename__ = "breakout_round"
    __table_args__ = (UniqueConstraint("session_id", "created_by", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    group_count: Mapped[int]
    mode: Mapped[BreakoutMode] = mapped_column(str_enum(BreakoutMode, "breakout_mode"))
    status: Mapped[BreakoutStatus] = mapped_column(
        str_enum(BreakoutStatus, "breakout_status"), default=BreakoutStatus.OPEN
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    close_reason: Mapped[BreakoutCloseReason | None] = mapped_column(
        str_enum(BreakoutCloseReason, "breakout_close_reason")
    )


class BreakoutGroup(Base):
    __tablename__ = "breakout_group"
    __table_args__ = (UniqueConstraint("round_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("breakout_round.id"), index=True)
    index: Mapped[int]  # 1-based position shown to the class ("모둠 1")
    name: Mapped[str] = mapped_column(String(100))
    # Highest sequence number handed to this group's chat, for replay after a reconnect.
    last_seq: Mapped[int] = mapped_column(default=0)


class BreakoutMembership(Base):
    """One person in one group for a stretch of the round; ``left_at`` set when moved out."""

    __tablename__ = "breakout_membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("breakout_round.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("breakout_group.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    assigned_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]


class BreakoutMessage(Base):
    """A group chat message: sequenced per group, idempotent on the sender's client id."""

    __tablename__ = "breakout_message"
    __table_args__ = (
        UniqueConstraint("group_id", "seq"),
        UniqueConstraint("group_id", "sender_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("breakout_group.id"), index=True)
    seq: Mapped[int]
    sender_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
