"""A school: the unit a school admin is scoped to."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class SchoolKind(StrEnum):
    ELEMENTARY = "elementary"
    MIDDLE = "middle"
    HIGH = "high"
    SPECIAL = "special"


class School(Base):
    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SchoolKind] = mapped_column(str_enum(SchoolKind, "school_kind"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
