"""Quizzes outside the live class over REST: set, attempt with autosave, grade by hand."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from lms.db import utcnow
from lms.models import AttemptState, CourseQuiz, QuizAttemptQuestion
from lms.services import course_quizzes
from server.auth import require_user
from server.route import ID, Route
from server.schemas import course_quizzes as s
from server.schemas import dump
from server.views.common import json, path_id, read_body, unit_of_work

REVIEW_FIELDS = ("correct", "is_correct", "auto_points", "manual_points", "manual_comment")


def settings(body: s.QuizSave) -> course_quizzes.QuizSettings:
    return course_quizzes.QuizSettings(**body.model_dump())


def quiz_out(quiz: CourseQuiz, question_ids: list[int] | None = None) -> dict[str, Any]:
    return dump(s.QuizOut, quiz, question_ids=question_ids)


def question_out(question: QuizAttemptQuestion, review: bool) -> dict[str, Any]:
    """The answer key and grades only in review: a finished attempt, or a teacher."""
    out = dump(s.AttemptQuestionOut, question)
    if not review:
        for field in REVIEW_FIELDS:
            out[field] = None
    return out


def attempt_out(view: course_quizzes.AttemptView, teaches: bool) -> dict[str, Any]:
    review = teaches or view.attempt.state is AttemptState.FINISHED
    return {
        "attempt": dump(s.AttemptSummary, view.attempt),
        "quiz": quiz_out(view.quiz),
        "questions": [question_out(question, review) for question in view.questions],
        # The client counts down from the server's clock, not its own (tablets drift).
        "server_time": utcnow().isoformat().replace("+00:00", "Z"),
    }


async def list_quizzes(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await course_quizzes.list_quizzes(db, identity.user, course_id)
        items = [quiz_out(quiz) for quiz in found]
    return json({"items": items})


async def create_quiz(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.QuizSave)
        quiz = await course_quizzes.create_quiz(db, identity.user, course_id, settings(body))
        result = quiz_out(quiz, list(body.question_ids))
    return json(result, status=201)


async def get_quiz(request: web.Request) -> web.Response:
    quiz_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        quiz, teaches = await course_quizzes.get_quiz(db, identity.user, quiz_id)
        ids = await course_quizzes.slot_question_ids(db, quiz.id) if teaches else None
        result = quiz_out(quiz, ids)
    return json(result)


async def update_quiz(request: web.Request) -> web.Response:
    quiz_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.QuizSave)
        quiz = await course_quizzes.update_quiz(db, identity.user, quiz_id, settings(body))
        result = quiz_out(quiz, list(body.question_ids))
    return json(result)


async def start_attempt(request: web.Request) -> web.Response:
    quiz_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        view, created = await course_quizzes.start_attempt(db, identity.user, quiz_id)
        result = attempt_out(view, teaches=False)
    return json(result, status=201 if created else 200)


async def my_attempts(request: web.Request) -> web.Response:
    quiz_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await course_quizzes.my_attempts(db, identity.user, quiz_id)
        items = [dump(s.AttemptSummary, attempt) for attempt in found]
    return json({"items": items})


async def quiz_attempts(request: web.Request) -> web.Response:
    quiz_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await course_quizzes.attempts_of_quiz(db, identity.user, quiz_id)
        items = [
            dump(s.StudentAttempt, attempt, display_name=user.display_name)
            for attempt, user in found
        ]
    return json({"items": items})


async def get_attempt(request: web.Request) -> web.Response:
    attempt_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        view, teaches = await course_quizzes.attempt_view(db, identity.user, attempt_id)
        result = attempt_out(view, teaches)
    return json(result)


async def save_answer(request: web.Request) -> web.Response:
    attempt_id = path_id(request)
    position = path_id(request, "position")
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.AnswerSave)
        question, applied = await course_quizzes.save_answer(
            db,
            identity.user,
            attempt_id,
            position=position,
            response=body.response,
            client_id=body.client_id,
            seq=body.seq,
        )
        result = dump(s.AnswerSaved, question, applied=applied)
    return json(result)


async def submit_attempt(request: web.Request) -> web.Response:
    attempt_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await course_quizzes.submit_attempt(db, identity.user, attempt_id)
        view, teaches = await course_quizzes.attempt_view(db, identity.user, attempt_id)
        result = attempt_out(view, teaches)
    return json(result)


async def grade_question(request: web.Request) -> web.Response:
    attempt_id = path_id(request)
    position = path_id(request, "position")
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, s.QuestionGrade)
        await course_quizzes.grade_question(
            db, identity.user, attempt_id, position, points=body.points, comment=body.comment
        )
        view, teaches = await course_quizzes.attempt_view(db, identity.user, attempt_id)
        result = attempt_out(view, teaches)
    return json(result)


T = "course quizzes"
Q = f"/api/course-quizzes/{ID}"
ATT = f"/api/quiz-attempts/{ID}"
POS = r"{position:\d+}"
# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", f"/api/courses/{ID}/course-quizzes", list_quizzes,
          "A course's quizzes outside class (students: those that have opened)", T, s.QuizList,
          errors=(403, 404)),
    Route("POST", f"/api/courses/{ID}/course-quizzes", create_quiz,
          "Set a quiz from the question bank (teachers)", T, s.QuizOut, s.QuizSave,
          status=201, errors=(403, 404)),
    Route("GET", Q, get_quiz, "One quiz (teachers also get its question ids)", T, s.QuizOut,
          errors=(403, 404)),
    Route("PUT", Q, update_quiz, "Change a quiz; started attempts keep their questions", T,
          s.QuizOut, s.QuizSave, errors=(403, 404)),
    Route("POST", f"{Q}/attempts", start_attempt,
          "Start an attempt, or return the one in progress (students)", T, s.AttemptOut,
          status=201, errors=(403, 404, 409)),
    Route("GET", f"{Q}/my-attempts", my_attempts, "The caller's attempts", T, s.MyAttempts,
          errors=(403, 404)),
    Route("GET", f"{Q}/attempts", quiz_attempts, "Every attempt, by student (teachers)", T,
          s.AttemptList, errors=(403, 404)),
    Route("GET", ATT, get_attempt,
          "An attempt with its saved answers (keys once finished, or for teachers)", T,
          s.AttemptOut, errors=(404,)),
    Route("PUT", f"{ATT}/answers/{POS}", save_answer,
          "Autosave one answer (idempotent on client_id; an older seq is not applied)", T,
          s.AnswerSaved, s.AnswerSave, errors=(400, 404, 409)),
    Route("POST", f"{ATT}/submit", submit_attempt, "Finish the attempt and see the review", T,
          s.AttemptOut, errors=(404,)),
    Route("POST", f"{ATT}/questions/{POS}/grade", grade_question,
          "Override one question's points (manual grading; null returns to automatic)", T,
          s.AttemptOut, s.QuestionGrade, errors=(400, 403, 404, 409)),
)
# fmt: on
