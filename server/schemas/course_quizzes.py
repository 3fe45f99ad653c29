"""REST shapes of quizzes outside the live class (``docs/course-quizzes.md``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from lms.models import AttemptState, FinishReason, QuestionKind
from server.schemas import AwareUTC, Body, Out, UTCDatetime


class QuizSave(Body):
    title: str = Field(min_length=1, max_length=200)
    intro: str = Field("", max_length=10_000)
    question_ids: list[int] = Field(min_length=1, max_length=100)
    opens_at: AwareUTC | None = None
    closes_at: AwareUTC | None = None
    time_limit_seconds: int | None = Field(None, ge=60, le=6 * 3600)
    attempts_allowed: int = Field(1, ge=1, le=10)


class QuizOut(Out):
    id: int
    course_id: int
    title: str
    intro: str
    opens_at: UTCDatetime | None
    closes_at: UTCDatetime | None
    time_limit_seconds: int | None
    attempts_allowed: int
    question_ids: list[int] | None = None  # teachers only


class QuizList(Out):
    items: list[QuizOut]


class AttemptSummary(Out):
    id: int
    quiz_id: int
    user_id: int
    number: int
    state: AttemptState
    finish_reason: FinishReason | None
    started_at: UTCDatetime
    deadline: UTCDatetime | None
    finished_at: UTCDatetime | None
    points: float | None
    max_points: int
    needs_review: bool


class StudentAttempt(AttemptSummary):
    display_name: str


class AttemptList(Out):
    items: list[StudentAttempt]


class MyAttempts(Out):
    items: list[AttemptSummary]


class AttemptQuestionOut(Out):
    position: int
    kind: QuestionKind
    prompt: str
    options: list[str]
    points: int
    response: dict[str, Any] | None
    saved_at: UTCDatetime | None
    # Shown once the attempt is finished (to the student) or always (to teachers).
    correct: list[Any] | None = None
    is_correct: bool | None = None
    auto_points: int | None = None
    manual_points: float | None = None
    manual_comment: str | None = None


class AttemptOut(Out):
    attempt: AttemptSummary
    quiz: QuizOut
    questions: list[AttemptQuestionOut]
    server_time: UTCDatetime


class AnswerSave(Body):
    response: dict[str, Any]
    client_id: str = Field(min_length=1, max_length=64)
    seq: int = Field(gt=0, lt=2**62)


class AnswerSaved(Out):
    position: int
    applied: bool
    response: dict[str, Any] | None
    saved_at: UTCDatetime | None


class QuestionGrade(Body):
    points: float | None
    comment: str = Field("", max_length=5000)
