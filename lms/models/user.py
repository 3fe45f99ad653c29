"""A person with an account. The platform role is separate from the role in a course."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DDL, ForeignKey, Index, String, event, func
from sqlalchemy.orm import InstrumentedAttribute, Mapped, mapped_column

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


def _trigram_index(column: InstrumentedAttribute[str]) -> Index:
    """A trigram GIN index on ``lower(column)``: PostgreSQL only (pg_trgm); SQLite scans."""
    label = f"{column.key}_lower"
    return Index(
        f"ix_user_account_{column.key}_trgm",
        func.lower(column).label(label),
        postgresql_using="gin",
        postgresql_ops={label: "gin_trgm_ops"},
    ).ddl_if(dialect="postgresql")


# The admins' search by name or login anywhere in them (``lower(…) LIKE '%term%'`` in
# ``lms.services.user_admin.list_users``), so a district of 100,000 people is not read whole for
# every search. The extension comes first wherever the table is made from the models.
_trigram_index(User.login)
_trigram_index(User.display_name)
event.listen(
    User.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)
