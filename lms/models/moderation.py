"""Moderation of a live class: the room's rules, its waiting room, private messages, the log.

The rules live in the database rather than in a node's memory, so a lock, a waiting room, a
teacher's mute or the rule against student cameras holds across a node restart and on every
node serving the class. The log is append-only: a school can later see who muted, removed,
admitted or denied whom, and when.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class PrivateChat(StrEnum):
    """Who students may message privately (teachers may always message anyone)."""

    NONE = "none"  # nobody: private messages from students are refused
    TEACHERS = "teachers"  # a student may write to the class's teachers only
    ALL = "all"  # a student may also write to another student


class WaitingStatus(StrEnum):
    WAITING = "waiting"
    ADMITTED = "admitted"
    DENIED = "denied"
    LEFT = "left"  # stopped waiting (closed the page) before anyone decided


class MediaSource(StrEnum):
    """What a participant publishes; a teacher's mute holds one of them."""

    CAMERA = "camera"
    MICROPHONE = "microphone"
    SCREEN = "screen"


class ModerationAction(StrEnum):
    """What a moderator did. Unconstrained in the database, like room event kinds."""

    SETTINGS = "settings"
    ADMIT = "admit"
    DENY = "deny"
    READMIT = "readmit"
    REMOVE = "remove"
    MUTE = "mute"
    UNMUTE = "unmute"
    MUTE_ALL = "mute_all"
    UNMUTE_ALL = "unmute_all"
    CAMERAS = "cameras"
    SCREENS = "screens"
    LOWER_HAND = "lower_hand"
    LOWER_ALL_HANDS = "lower_all_hands"


class RoomSettings(Base):
    """One live session's rules; absent means the defaults (open room, chat allowed).

    The two media rules are changed by their own events (``moderation:cameras`` /
    ``moderation:screens``, ``lms.services.media_holds``), not by ``moderation:settings``.
    """

    __tablename__ = "room_settings"

    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"), primary_key=True)
    waiting_room: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)
    student_chat: Mapped[bool] = mapped_column(default=True)
    private_chat: Mapped[PrivateChat] = mapped_column(
        str_enum(PrivateChat, "private_chat"), default=PrivateChat.TEACHERS
    )
    reactions: Mapped[bool] = mapped_column(default=True)
    student_cameras_allowed: Mapped[bool] = mapped_column(default=True, server_default=true())
    student_screens_allowed: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class MediaHold(Base):
    """A teacher's hold on one person's microphone, camera or screen in one live session.

    A row exists while the hold applies: a teacher's unmute deletes it, and so does the end
    of the session. Whatever the person publishes meanwhile, on any node and after any
    reconnect, starts paused; the person cannot lift it. Who held and lifted it, and when, is
    in the moderation log.
    """

    __tablename__ = "media_hold"
    __table_args__ = (UniqueConstraint("session_id", "user_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    source: Mapped[MediaSource] = mapped_column(str_enum(MediaSource, "media_source"))
    held_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    held_at: Mapped[datetime] = mapped_column(default=utcnow)


class WaitingEntry(Base):
    """One person's request to enter one session, and the teacher's answer.

    One row per person and session: asking again after a denial reopens the same row.
    ``removal_event_id`` is the removal (a ``room_event``) this request answers: set, the
    person was removed earlier and an admission readmits them past that removal only.
    """

    __tablename__ = "waiting_entry"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[WaitingStatus] = mapped_column(
        str_enum(WaitingStatus, "waiting_status"), default=WaitingStatus.WAITING
    )
    removal_event_id: Mapped[int | None] = mapped_column(ForeignKey("room_event.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class PrivateMessage(Base):
    """A message between two participants of a session, seen by those two only."""

    __tablename__ = "private_message"
    __table_args__ = (
        UniqueConstraint("session_id", "sender_id", "client_id"),
        Index("ix_private_message_session_recipient", "session_id", "recipient_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"), index=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModerationLogEntry(Base):
    """One moderation action: who did what to whom, when, with what details."""

    __tablename__ = "moderation_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[ModerationAction] = mapped_column(
        str_enum(ModerationAction, "moderation_action", constrained=False)
    )
    target_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
