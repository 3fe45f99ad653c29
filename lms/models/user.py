"""A person with an account. The platform role is separate from the role in a course."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class Role(StrEnum):
    ADMIN = "admin"
    SCHOOL_ADMIN = "school_admin"
    TEACHER = "teacher"
    STUDENT = "student"


class User(Base):
    __tablename__ = "user_account"
    # The admin user list: a school's people by name, page by page (100,000 students).
    __table_args__ = (Index("ix_user_account_school_name", "school_id", "display_name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(8), default="ko")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
