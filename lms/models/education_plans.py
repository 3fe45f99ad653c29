"""Individual education plans (개별화교육계획) in the hospital classroom, and who read them.

A plan belongs to one admission (a stay: student, class, home school) and one semester. Health
notes live in their own table so that a query for a plan never carries them by accident: they
are read only by those allowed (``lms.services.education_plans``), and every read of a plan or
of its health notes writes a row to ``education_plan_access``, as does every refused attempt.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class AccommodationKind(StrEnum):
    SHORTER_SESSIONS = "shorter_sessions"
    CAMERA_OFF_ALLOWED = "camera_off_allowed"
    REST_BREAKS = "rest_breaks"
    EXTENDED_TIME = "extended_time"
    REDUCED_WORKLOAD = "reduced_workload"
    FLEXIBLE_ATTENDANCE = "flexible_attendance"
    ASSISTIVE_TECHNOLOGY = "assistive_technology"
    INFECTION_CONTROL = "infection_control"
    OTHER = "other"


class PlanAccessAction(StrEnum):
    """What was done: reads (with or without health notes), exports, and every write."""

    READ_PLAN = "read_plan"
    READ_HEALTH_NOTES = "read_health_notes"
    EXPORT = "export"
    CREATE = "create"
    UPDATE = "update"
    ADD_HEALTH_NOTE = "add_health_note"
    RETRACT_HEALTH_NOTE = "retract_health_note"
    GRANT_HEALTH_NOTES = "grant_health_notes"
    REVOKE_HEALTH_NOTES = "revoke_health_notes"


class PlanAccessOutcome(StrEnum):
    """Whether the access happened, or was refused for want of the right."""

    ALLOWED = "allowed"
    REFUSED = "refused"


class EducationPlan(Base):
    __tablename__ = "education_plan"
    __table_args__ = (
        UniqueConstraint("admission_id", "semester"),
        UniqueConstraint("created_by", "client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("hospital_programme.id"), index=True)
    admission_id: Mapped[int] = mapped_column(ForeignKey("hospital_admission.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    semester: Mapped[str] = mapped_column(String(16))
    # [{"area": "수학", "goal": "...", "measure": "..."}]
    goals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"kind": AccommodationKind, "detail": "..."}]
    accommodations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    instructor_notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    client_id: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class HealthNote(Base):
    """A dated health note; retracted notes are kept (hidden from the plan, kept for audit)."""

    __tablename__ = "education_plan_health_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("education_plan.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retracted_at: Mapped[datetime | None]
    retracted_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class HealthNoteGrant(Base):
    """A programme admin lets one home-school teacher read one plan's health notes."""

    __tablename__ = "education_plan_health_grant"
    __table_args__ = (UniqueConstraint("plan_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("education_plan.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    granted_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanAccess(Base):
    """One access to a plan: who, when, what, allowed or refused.

    An allowed access is written in the same transaction as the read or write; a refused one in
    a transaction of its own, since the refused request's transaction rolls back.
    """

    __tablename__ = "education_plan_access"
    __table_args__ = (Index("ix_education_plan_access_programme", "programme_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("hospital_programme.id"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("education_plan.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[PlanAccessAction] = mapped_column(
        str_enum(PlanAccessAction, "education_plan_access_action")
    )
    outcome: Mapped[PlanAccessOutcome] = mapped_column(
        str_enum(PlanAccessOutcome, "education_plan_access_outcome"),
        default=PlanAccessOutcome.ALLOWED,
        server_default=PlanAccessOutcome.ALLOWED.value,
    )
    detail: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
