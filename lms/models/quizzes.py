"""Quizzes and polls: a course's question bank, and the runs launched from it in a live class.

A question in the bank is edited freely; a *run* (one launch in one live session) copies the
questions it asks into ``quiz_run_question`` so that an edit after the launch never changes what
students answered or how it is graded. The question types and their grading live in
``lms.quiz_grading`` so that a later asynchronous quiz can reuse both.

Answers to a named run are an append-only log (``quiz_answer``): a student may change their
answer while the run is open and the newest row counts, while a retried client id finds its own
row and changes nothing. Answers to an anonymous run are stored with no user, no time and a
random key (``quiz_anonymous_answer``); *that* someone answered is recorded separately
(``quiz_participation``, written shuffled when the run closes) so the teacher still sees who has
not answered, and nothing joins the two. When a graded run closes, each student's points are
written to ``quiz_grade``: the rows a gradebook reads.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow
from lms.models._types import str_enum


class QuestionKind(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    SHORT_ANSWER = "short_answer"


class QuizRunKind(StrEnum):
    """A quiz asks bank questions; a quick poll asks one preset question prepared on the spot."""

    QUIZ = "quiz"
    POLL = "poll"


class QuizRunStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class QuizCloseReason(StrEnum):
    """Why a run closed: the teacher, its time limit, or the end of the class."""

    TEACHER = "teacher"
    TIME_UP = "time_up"
    SESSION_ENDED = "session_ended"


class Question(Base):
    """One question in a course's bank."""

    __tablename__ = "quiz_question"
    __table_args__ = (UniqueConstraint("course_id", "created_by", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"))
    prompt: Mapped[str] = mapped_column(Text)
    # Choice labels in order (empty for true/false and short answer).
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Correct option indices, or accepted short answers; empty when the question has no key.
    correct: Mapped[list[Any]] = mapped_column(JSON, default=list)
    points: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    client_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuizRun(Base):
    """One quiz or poll launched in one live session (Moodle's word would be an attempt window)."""

    __tablename__ = "quiz_run"
    __table_args__ = (UniqueConstraint("session_id", "launched_by", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"), index=True)
    kind: Mapped[QuizRunKind] = mapped_column(str_enum(QuizRunKind, "quiz_run_kind"))
    title: Mapped[str] = mapped_column(String(200))
    # For a quick poll: which preset (yes_no, abcd, scale_5), so clients can label it.
    poll_preset: Mapped[str | None] = mapped_column(String(16))
    anonymous: Mapped[bool] = mapped_column(default=False)
    graded: Mapped[bool] = mapped_column(default=False)
    max_points: Mapped[int] = mapped_column(Integer, default=0)
    time_limit_seconds: Mapped[int | None]
    deadline: Mapped[datetime | None]
    status: Mapped[QuizRunStatus] = mapped_column(
        str_enum(QuizRunStatus, "quiz_run_status"), default=QuizRunStatus.OPEN
    )
    close_reason: Mapped[QuizCloseReason | None] = mapped_column(
        str_enum(QuizCloseReason, "quiz_close_reason")
    )
    launched_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    launched_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    revealed_at: Mapped[datetime | None]


class QuizRunQuestion(Base):
    """A question as it was when the run launched: what students answer and are graded on."""

    __tablename__ = "quiz_run_question"
    __table_args__ = (UniqueConstraint("run_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("quiz_run.id"), index=True)
    position: Mapped[int]
    source_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_question.id", ondelete="SET NULL")
    )
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"))
    prompt: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    correct: Mapped[list[Any]] = mapped_column(JSON, default=list)
    points: Mapped[int] = mapped_column(Integer, default=0)


class QuizAnswer(Base):
    """One submission to a named run; the newest per (question, student) is the answer."""

    __tablename__ = "quiz_answer"
    __table_args__ = (UniqueConstraint("run_question_id", "user_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("quiz_run.id"), index=True)
    run_question_id: Mapped[int] = mapped_column(ForeignKey("quiz_run_question.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    is_correct: Mapped[bool | None]
    points_awarded: Mapped[int] = mapped_column(Integer, default=0)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuizAnonymousAnswer(Base):
    """An answer to an anonymous run: no user, no time, a random key. Who answered is written
    to ``quiz_participation`` only when the run closes, in another transaction and shuffled."""

    __tablename__ = "quiz_anonymous_answer"
    # Without SQLite's hidden rowid the rows are kept in the order of their random keys, not
    # in the order students answered in.
    __table_args__ = (
        UniqueConstraint("run_question_id", "client_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    run_question_id: Mapped[int] = mapped_column(ForeignKey("quiz_run_question.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)


class QuizParticipation(Base):
    """That a student answered a question of an anonymous run (never what they answered),
    written when the run closes; while it is open the node keeps it in memory."""

    __tablename__ = "quiz_participation"
    __table_args__ = (UniqueConstraint("run_question_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("quiz_run.id"), index=True)
    run_question_id: Mapped[int] = mapped_column(ForeignKey("quiz_run_question.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))


class QuizGrade(Base):
    """A student's points in a graded run, written when it closes: what the gradebook reads."""

    __tablename__ = "quiz_grade"
    __table_args__ = (UniqueConstraint("run_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("quiz_run.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    points: Mapped[int] = mapped_column(Integer)
    max_points: Mapped[int] = mapped_column(Integer)
    # How many of the run's questions the student answered (0: enrolled, never answered).
    answered: Mapped[int] = mapped_column(Integer)
    graded_at: Mapped[datetime] = mapped_column(default=utcnow)
