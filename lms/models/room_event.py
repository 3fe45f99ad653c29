"""Durable room events other than chat (hands, moderation), sequenced with chat for replay."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class RoomEventKind(StrEnum):
    """What happened in the room. Live-class tools add their kinds here; the column has no
    CHECK constraint (migration 0002), so adding one needs no migration."""

    HAND_RAISED = "hand_raised"
    HAND_LOWERED = "hand_lowered"
    PARTICIPANT_REMOVED = "participant_removed"
    SESSION_ENDED = "session_ended"
    QUIZ_LAUNCHED = "quiz_launched"
    QUIZ_CLOSED = "quiz_closed"
    QUIZ_REVEALED = "quiz_revealed"
    BREAKOUT_STARTED = "breakout_started"
    BREAKOUT_BROADCAST = "breakout_broadcast"
    BREAKOUT_CLOSED = "breakout_closed"


class RoomEvent(Base):
    __tablename__ = "room_event"
    __table_args__ = (
        UniqueConstraint("session_id", "seq"),
        UniqueConstraint("session_id", "actor_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"), index=True)
    seq: Mapped[int]
    kind: Mapped[RoomEventKind] = mapped_column(
        str_enum(RoomEventKind, "room_event_kind", constrained=False)
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    target_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    client_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
