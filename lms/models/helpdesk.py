"""The help desk: questions from any user (tickets with a thread of messages) and the FAQ.

A ticket keeps the requester's school at the time it was opened, so a school admin answers
their own school's questions and the ticket stays theirs if the requester later moves.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class TicketStatus(StrEnum):
    """``open``: waiting for staff; ``answered``: waiting for the requester; ``closed``."""

    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


class TicketCategory(StrEnum):
    ACCOUNT = "account"
    LIVE_CLASS = "live_class"
    COURSE = "course"
    TECHNICAL = "technical"
    OTHER = "other"


class Ticket(Base):
    __tablename__ = "helpdesk_ticket"
    __table_args__ = (
        UniqueConstraint("requester_id", "client_id"),
        Index("ix_helpdesk_ticket_school_status", "school_id", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"))
    category: Mapped[TicketCategory] = mapped_column(
        str_enum(TicketCategory, "helpdesk_ticket_category")
    )
    subject: Mapped[str] = mapped_column(String(200))
    status: Mapped[TicketStatus] = mapped_column(
        str_enum(TicketStatus, "helpdesk_ticket_status"), default=TicketStatus.OPEN
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]


class TicketMessage(Base):
    """One message in a ticket's thread; ``internal`` notes are for staff only."""

    __tablename__ = "helpdesk_message"
    __table_args__ = (UniqueConstraint("ticket_id", "author_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("helpdesk_ticket.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(default=False)
    client_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FaqEntry(Base):
    """A question answered once for everyone; unpublished entries are drafts staff still edit."""

    __tablename__ = "helpdesk_faq"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[TicketCategory] = mapped_column(
        str_enum(TicketCategory, "helpdesk_faq_category")
    )
    question: Mapped[str] = mapped_column(String(300))
    answer: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)
    published: Mapped[bool] = mapped_column(default=True)
    updated_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
