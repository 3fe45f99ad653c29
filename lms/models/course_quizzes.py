"""Quizzes outside the live class (Moodle's mod/quiz): timed attempts with autosave.

A quiz lists bank questions (``course_quiz_slot``). Starting an attempt copies them into
``quiz_attempt_question``, so editing the bank never changes an attempt under way or already
graded. Each question of an attempt has one current answer, overwritten by every autosave:
``last_client_id`` recognises a retried save, and ``last_seq`` (the client's save order)
keeps a late retry of an older save from overwriting a newer one. Grading reuses
``lms.quiz_grading``; a teacher may override any question's points, which is how short
answers are graded by hand.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum
from lms.models.quizzes import QuestionKind


class AttemptState(StrEnum):
    """``in_progress`` until the student submits or the time runs out (``finished``)."""

    IN_PROGRESS = "in_progress"
    FINISHED = "finished"


class FinishReason(StrEnum):
    SUBMITTED = "submitted"
    TIME_UP = "time_up"


class CourseQuiz(Base):
    __tablename__ = "course_quiz"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    time_limit_seconds: Mapped[int | None]
    attempts_allowed: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CourseQuizSlot(Base):
    __tablename__ = "course_quiz_slot"
    __table_args__ = (UniqueConstraint("quiz_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("course_quiz.id"), index=True)
    position: Mapped[int]
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_question.id", ondelete="SET NULL")
    )


class QuizAttempt(Base):
    __tablename__ = "quiz_attempt"
    __table_args__ = (UniqueConstraint("quiz_id", "user_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("course_quiz.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    number: Mapped[int]
    state: Mapped[AttemptState] = mapped_column(
        str_enum(AttemptState, "quiz_attempt_state"), default=AttemptState.IN_PROGRESS
    )
    finish_reason: Mapped[FinishReason | None] = mapped_column(
        str_enum(FinishReason, "quiz_attempt_finish_reason")
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    points: Mapped[float | None]
    max_points: Mapped[int] = mapped_column(Integer, default=0)
    needs_review: Mapped[bool] = mapped_column(default=False)


class QuizAttemptQuestion(Base):
    """A question as it was when the attempt started, and the student's current answer."""

    __tablename__ = "quiz_attempt_question"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id"), index=True)
    position: Mapped[int]
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"))
    prompt: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    correct: Mapped[list[Any]] = mapped_column(JSON, default=list)
    points: Mapped[int] = mapped_column(Integer, default=0)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_client_id: Mapped[str | None] = mapped_column(String(64))
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    saved_at: Mapped[datetime | None]
    auto_points: Mapped[int | None]
    is_correct: Mapped[bool | None]
    manual_points: Mapped[float | None]
    manual_comment: Mapped[str] = mapped_column(Text, default="")
