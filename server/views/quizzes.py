"""The question bank (course teachers only) and the quiz runs of a session."""

from __future__ import annotations

from aiohttp import web

from lms.services import question_bank, quizzes
from server import keys
from server.auth import require_user
from server.route import ID, Route
from server.schemas import OkResponse, dump
from server.schemas.quizzes import (
    QuestionCreate,
    QuestionList,
    QuestionOut,
    QuestionWrite,
    QuizRunList,
)
from server.views.common import path_id, read_body, unit_of_work


async def list_questions(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = await question_bank.list_questions(db, identity.user, course_id)
        items = [dump(QuestionOut, question) for question in found]
    return web.json_response({"items": items})


async def create_question(request: web.Request) -> web.Response:
    course_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, QuestionCreate)
        question, created = await question_bank.create_question(
            db,
            identity.user,
            course_id,
            kind=body.kind,
            prompt=body.prompt,
            options=body.options,
            correct=body.correct,
            points=body.points,
            client_id=body.client_id,
        )
        out = dump(QuestionOut, question)
    return web.json_response(out, status=201 if created else 200)


async def get_question(request: web.Request) -> web.Response:
    question_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        out = dump(QuestionOut, await question_bank.get_question(db, identity.user, question_id))
    return web.json_response(out)


async def update_question(request: web.Request) -> web.Response:
    question_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        body = await read_body(request, QuestionWrite)
        question = await question_bank.update_question(
            db,
            identity.user,
            question_id,
            kind=body.kind,
            prompt=body.prompt,
            options=body.options,
            correct=body.correct,
            points=body.points,
        )
        out = dump(QuestionOut, question)
    return web.json_response(out)


async def delete_question(request: web.Request) -> web.Response:
    question_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        await question_bank.delete_question(db, identity.user, question_id)
    return web.json_response({"ok": True})


async def session_runs(request: web.Request) -> web.Response:
    session_id = path_id(request)
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        items = await quizzes.session_runs(db, identity.user, session_id, live_ledger(request))
    return web.json_response({"items": items})


def live_ledger(request: web.Request) -> quizzes.AnonymousLedger | None:
    """This node's record of who answered its open anonymous runs, if it runs the live class."""
    namespace = getattr(request.app.get(keys.LIVE), "namespace", None)
    tool = namespace.tool("quiz") if namespace is not None else None
    ledger = getattr(tool, "ledger", None)
    return ledger if isinstance(ledger, quizzes.AnonymousLedger) else None


# fmt: off
ROUTES: tuple[Route, ...] = (
    Route("GET", f"/api/courses/{ID}/questions", list_questions,
          "The course's question bank (its teachers only)", "quizzes", QuestionList,
          errors=(403, 404)),
    Route("POST", f"/api/courses/{ID}/questions", create_question,
          "Add a question to the bank (idempotent on client_id)", "quizzes", QuestionOut,
          QuestionCreate, status=201, errors=(403, 404)),
    Route("GET", f"/api/questions/{ID}", get_question, "One bank question", "quizzes",
          QuestionOut, errors=(403, 404)),
    Route("PUT", f"/api/questions/{ID}", update_question,
          "Replace a bank question (runs already launched keep their copy)", "quizzes",
          QuestionOut, QuestionWrite, errors=(403, 404)),
    Route("DELETE", f"/api/questions/{ID}", delete_question, "Delete a bank question",
          "quizzes", OkResponse, errors=(403, 404)),
    Route("GET", f"/api/sessions/{ID}/quiz-runs", session_runs,
          "Quizzes and polls of a session (teachers: results and grades; students: their own)",
          "quizzes", QuizRunList, errors=(403, 404)),
)
# fmt: on
