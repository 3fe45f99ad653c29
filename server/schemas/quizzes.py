"""Request and response models of the question bank and quiz results (``docs/quizzes.md``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from lms.models import QuestionKind
from lms.quiz_grading import MAX_ACCEPTED_ANSWERS, MAX_OPTIONS, MAX_POINTS, PROMPT_MAX_CHARS
from server.schemas import Body, Out, UTCDatetime


class QuestionWrite(Body):
    """A question's whole content. ``correct``: option numbers (from 0) for choice questions
    (true/false: 0 = true, 1 = false), accepted texts for a short answer; empty = no key."""

    kind: QuestionKind
    prompt: str = Field(min_length=1, max_length=PROMPT_MAX_CHARS)
    options: list[str] = Field(default_factory=list, max_length=MAX_OPTIONS)
    correct: list[int] | list[str] = Field(default_factory=list, max_length=MAX_ACCEPTED_ANSWERS)
    points: int = Field(0, ge=0, le=MAX_POINTS)


class QuestionCreate(QuestionWrite):
    # Optional idempotency key: a retried create returns the stored question.
    client_id: str | None = Field(None, min_length=1, max_length=64)


class QuestionOut(Out):
    id: int
    course_id: int
    kind: QuestionKind
    prompt: str
    options: list[str]
    correct: list[Any]
    points: int
    created_by: int
    created_at: UTCDatetime
    updated_at: UTCDatetime


class QuestionList(Out):
    items: list[QuestionOut]


class QuizRunList(Out):
    """Runs of a session; each item's shape depends on the viewer (see docs/quizzes.md)."""

    items: list[dict[str, Any]]
