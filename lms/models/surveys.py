"""Satisfaction surveys: a questionnaire sent to audiences (students, guardians, instructors).

Anonymity is a property of the stored rows, not of the screens: for an anonymous survey a
``SurveyResponse`` has no user, no link, no timestamp and no sequential id (its key is random),
and its answers are keyed by ``(response_id, question_id)``. Who has answered is recorded
apart, in ``SurveyParticipation`` (one row per person or guardian link, with the day only), and
nothing joins the two tables. On SQLite both response tables are stored ``WITHOUT ROWID`` (in
random-key order); on close, an anonymous survey's responses are rewritten in a random order
with fresh keys, so not even the physical order of rows follows the order people answered.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum
from lms.models.owner import OwnerKind


class SurveyStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class SurveyAudience(StrEnum):
    """The groups results are broken down by; guardians answer through links, not accounts."""

    STUDENTS = "students"
    GUARDIANS = "guardians"
    INSTRUCTORS = "instructors"


class SurveyQuestionKind(StrEnum):
    LIKERT = "likert"
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    TEXT = "text"


class Survey(Base):
    __tablename__ = "survey"
    __table_args__ = (Index("ix_survey_owner", "owner_kind", "owner_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_kind: Mapped[OwnerKind] = mapped_column(str_enum(OwnerKind, "survey_owner_kind"))
    owner_id: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    semester: Mapped[str] = mapped_column(String(16))
    for_students: Mapped[bool] = mapped_column(default=False)
    for_guardians: Mapped[bool] = mapped_column(default=False)
    for_instructors: Mapped[bool] = mapped_column(default=False)
    anonymous: Mapped[bool] = mapped_column(default=True)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    status: Mapped[SurveyStatus] = mapped_column(
        str_enum(SurveyStatus, "survey_status"), default=SurveyStatus.DRAFT
    )
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def audiences(self) -> list[SurveyAudience]:
        flags = (
            (self.for_students, SurveyAudience.STUDENTS),
            (self.for_guardians, SurveyAudience.GUARDIANS),
            (self.for_instructors, SurveyAudience.INSTRUCTORS),
        )
        return [audience for wanted, audience in flags if wanted]


class SurveyQuestion(Base):
    """One question; ``options`` holds the choices, or the five Likert labels (1 to 5)."""

    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    position: Mapped[int]
    kind: Mapped[SurveyQuestionKind] = mapped_column(
        str_enum(SurveyQuestionKind, "survey_question_kind")
    )
    prompt: Mapped[str] = mapped_column(String(500))
    required: Mapped[bool] = mapped_column(default=True)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)


class SurveyGuardianLink(Base):
    """A single-use response link for one guardian; only the token's sha256 is stored."""

    __tablename__ = "survey_guardian_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_on: Mapped[date | None]
    use_client_id: Mapped[str | None] = mapped_column(String(64))
    revoked: Mapped[bool] = mapped_column(default=False)


class SurveyParticipation(Base):
    """ "Has responded": one per account or guardian link. Never joined to a response."""

    __tablename__ = "survey_participation"
    __table_args__ = (
        UniqueConstraint("survey_id", "user_id"),
        UniqueConstraint("survey_id", "link_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    audience: Mapped[SurveyAudience] = mapped_column(
        str_enum(SurveyAudience, "survey_participation_audience")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("survey_guardian_link.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    responded_on: Mapped[date]


class SurveyResponse(Base):
    """One submitted questionnaire. ``respondent_id``/``submitted_at`` stay empty when anonymous."""

    __tablename__ = "survey_response"
    __table_args__ = ({"sqlite_with_rowid": False},)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random hex, never sequential
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    audience: Mapped[SurveyAudience] = mapped_column(
        str_enum(SurveyAudience, "survey_response_audience")
    )
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    respondent_label: Mapped[str | None] = mapped_column(String(100))
    submitted_at: Mapped[datetime | None]


class SurveyAnswer(Base):
    """One answer: ``value`` is an int (Likert 1-5, a choice index), a list of indexes, or text."""

    __tablename__ = "survey_answer"
    __table_args__ = ({"sqlite_with_rowid": False},)

    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id"), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
