"""The project community (learning-making community): students propose projects, mentors
(experts with a mentor profile) offer to guide them or are matched by subject, and each project
has a space of its own with members and posts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class ProjectStatus(StrEnum):
    """``proposed``: looking for a mentor; ``active``: mentored; then ``completed`` or
    ``withdrawn`` by its owner."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class ProjectRole(StrEnum):
    OWNER = "owner"
    MEMBER = "member"
    MENTOR = "mentor"


class OfferStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class MentorProfile(Base):
    """Makes an account a mentor: the subjects they guide and how many projects at once."""

    __tablename__ = "mentor_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    subjects: Mapped[list[Any]] = mapped_column(JSON, default=list)
    bio: Mapped[str] = mapped_column(Text, default="")
    accepting: Mapped[bool] = mapped_column(default=True)
    max_projects: Mapped[int] = mapped_column(default=3)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Project(Base):
    __tablename__ = "project"
    __table_args__ = (
        UniqueConstraint("proposer_id", "client_id"),
        Index("ix_project_status_subject", "status", "subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(100))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), index=True)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[ProjectStatus] = mapped_column(
        str_enum(ProjectStatus, "project_status"), default=ProjectStatus.PROPOSED
    )
    client_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProjectMember(Base):
    __tablename__ = "project_member"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[ProjectRole] = mapped_column(str_enum(ProjectRole, "project_member_role"))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class MentorOffer(Base):
    """A mentor's offer to guide a project; its owner accepts or declines."""

    __tablename__ = "mentor_offer"
    __table_args__ = (UniqueConstraint("project_id", "mentor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[OfferStatus] = mapped_column(
        str_enum(OfferStatus, "mentor_offer_status"), default=OfferStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


class ProjectPost(Base):
    __tablename__ = "project_post"
    __table_args__ = (UniqueConstraint("project_id", "author_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    client_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
