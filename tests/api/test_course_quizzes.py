"""Quizzes outside the live class: attempts, autosave, the time limit, grading, permissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import QuizAttempt
from tests.api.conftest import Headers, LoginAs, World
from tests.api.helpers import assert_error

QUESTIONS = [
    {
        "kind": "single_choice",
        "prompt": "광합성이 일어나는 곳은?",
        "options": ["잎", "뿌리", "줄기"],
        "correct": [0],
        "points": 2,
    },
    {
        "kind": "multiple_choice",
        "prompt": "식물에 필요한 것을 모두 고르세요.",
        "options": ["물", "빛", "소금"],
        "correct": [0, 1],
        "points": 3,
    },
    {"kind": "short_answer", "prompt": "식물이 내보내는 기체는?", "correct": ["산소"], "points": 5},
]


async def call(
    client: TestClient, headers: Headers, method: str, path: str, body: Any = None
) -> tuple[int, dict[str, Any]]:
    response = await client.request(method, path, json=body, headers=headers)
    return response.status, await response.json()


async def make_quiz(client: TestClient, teacher: Headers, course: int, **settings: Any) -> int:
    ids = []
    for question in QUESTIONS:
        status, body = await call(
            client, teacher, "POST", f"/api/courses/{course}/questions", question
        )
        assert status == 201, body
        ids.append(body["id"])
    status, quiz = await call(
        client,
        teacher,
        "POST",
        f"/api/courses/{course}/course-quizzes",
        {"title": "단원 평가", "question_ids": ids, **settings},
    )
    assert status == 201, quiz
    return quiz["id"]


def save(response: dict[str, Any], client_id: str, seq: int) -> dict[str, Any]:
    return {"response": response, "client_id": client_id, "seq": seq}


async def test_an_attempt_is_autosaved_submitted_and_graded(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    teacher = await login_as("teacher")
    student = await login_as("student1")
    quiz = await make_quiz(app_client, teacher, world.course, attempts_allowed=2)
    status, started = await call(
        app_client, student, "POST", f"/api/course-quizzes/{quiz}/attempts"
    )
    assert status == 201
    attempt = started["attempt"]["id"]
    assert [q["correct"] for q in started["questions"]] == [None] * 3, "no keys while answering"
    status, again = await call(app_client, student, "POST", f"/api/course-quizzes/{quiz}/attempts")
    assert status == 200 and again["attempt"]["id"] == attempt, "a reconnect resumes the attempt"

    answers = f"/api/quiz-attempts/{attempt}/answers"
    status, saved = await call(
        app_client, student, "PUT", f"{answers}/0", save({"choice": 1}, "a", 10)
    )
    assert status == 200 and saved["applied"]
    status, saved = await call(
        app_client, student, "PUT", f"{answers}/0", save({"choice": 0}, "b", 20)
    )
    assert saved["applied"] and saved["response"] == {"choice": 0}
    status, stale = await call(
        app_client, student, "PUT", f"{answers}/0", save({"choice": 1}, "a", 10)
    )
    assert status == 200 and not stale["applied"], "a late retry of an older save is not applied"
    assert stale["response"] == {"choice": 0}
    await call(app_client, student, "PUT", f"{answers}/1", save({"choices": [0, 1]}, "c", 30))
    await call(app_client, student, "PUT", f"{answers}/2", save({"text": "산소 기체"}, "d", 40))
    for bad in (
        save({"choice": 7}, "e", 50),
        save({"text": "x"}, "f", 60),
        {"response": {"choice": 0}, "client_id": "g"},
    ):
        status, body = await call(app_client, student, "PUT", f"{answers}/0", bad)
        assert status == 400, bad
        assert_error(body, "invalid_input")
    status, body = await call(
        app_client, student, "PUT", f"{answers}/9", save({"choice": 0}, "h", 70)
    )
    assert status == 404

    status, view = await call(app_client, student, "GET", f"/api/quiz-attempts/{attempt}")
    assert [q["response"] for q in view["questions"]] == [
        {"choice": 0},
        {"choices": [0, 1]},
        {"text": "산소 기체"},
    ], "everything acknowledged is read back after a reconnect"

    status, done = await call(app_client, student, "POST", f"/api/quiz-attempts/{attempt}/submit")
    assert (
        done["attempt"]["state"] == "finished" and done["attempt"]["finish_reason"] == "submitted"
    )
    assert done["attempt"]["points"] == 5 and done["attempt"]["max_points"] == 10
    assert done["attempt"]["needs_review"] is True, "an unmatched short answer waits for review"
    assert done["questions"][0]["correct"] == [0], "the key is shown in review"
    status, body = await call(
        app_client, student, "PUT", f"{answers}/0", save({"choice": 1}, "i", 80)
    )
    assert status == 409

    grade = f"/api/quiz-attempts/{attempt}/questions/2/grade"
    status, body = await call(app_client, student, "POST", grade, {"points": 5})
    assert status == 403
    status, body = await call(app_client, teacher, "POST", grade, {"points": 6})
    assert status == 400 and "out of range" in body["error"]["message"]
    status, graded = await call(
        app_client, teacher, "POST", grade, {"points": 5, "comment": "기체까지 쓴 것도 정답"}
    )
    assert graded["attempt"]["points"] == 10 and graded["attempt"]["needs_review"] is False
    status, listed = await call(app_client, teacher, "GET", f"/api/course-quizzes/{quiz}/attempts")
    assert [(a["display_name"], a["points"]) for a in listed["items"]] == [("Student1", 10)]


async def test_the_time_limit_finishes_the_attempt(
    app_client: TestClient,
    world: World,
    login_as: LoginAs,
    db: async_sessionmaker[AsyncSession],
) -> None:
    teacher = await login_as("teacher")
    student = await login_as("student1")
    quiz = await make_quiz(app_client, teacher, world.course, time_limit_seconds=60)
    status, started = await call(
        app_client, student, "POST", f"/api/course-quizzes/{quiz}/attempts"
    )
    attempt = started["attempt"]["id"]
    assert started["attempt"]["deadline"] is not None
    answers = f"/api/quiz-attempts/{attempt}/answers"
    await call(app_client, student, "PUT", f"{answers}/0", save({"choice": 0}, "a", 1))
    async with db() as session, session.begin():  # the clock moves on: the minute is over
        await session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == attempt)
            .values(deadline=datetime.now(UTC) - timedelta(minutes=5))
        )
    status, body = await call(
        app_client, student, "PUT", f"{answers}/1", save({"choices": [0]}, "b", 2)
    )
    assert status == 409 and "finished" in body["error"]["message"]
    status, view = await call(app_client, student, "GET", f"/api/quiz-attempts/{attempt}")
    assert view["attempt"]["finish_reason"] == "time_up"
    assert view["attempt"]["points"] == 2, "what was saved in time is graded"
    status, body = await call(app_client, student, "POST", f"/api/course-quizzes/{quiz}/attempts")
    assert status == 409 and "no attempts left" in body["error"]["message"]


async def test_who_may_do_what(app_client: TestClient, world: World, login_as: LoginAs) -> None:
    teacher = await login_as("teacher")
    quiz = await make_quiz(app_client, teacher, world.course)
    student = await login_as("student1")
    status, started = await call(
        app_client, student, "POST", f"/api/course-quizzes/{quiz}/attempts"
    )
    attempt = started["attempt"]["id"]
    other = await login_as("student2")
    status, body = await call(app_client, other, "GET", f"/api/quiz-attempts/{attempt}")
    assert status == 404, "another student's attempt does not exist for them"
    status, body = await call(
        app_client,
        other,
        "PUT",
        f"/api/quiz-attempts/{attempt}/answers/0",
        save({"choice": 0}, "x", 1),
    )
    assert status == 404
    status, body = await call(app_client, student, "GET", f"/api/course-quizzes/{quiz}/attempts")
    assert status == 403
    status, body = await call(
        app_client,
        student,
        "POST",
        f"/api/courses/{world.course}/course-quizzes",
        {"title": "x", "question_ids": [1]},
    )
    assert status == 403
    status, quiz_view = await call(app_client, student, "GET", f"/api/course-quizzes/{quiz}")
    assert quiz_view["question_ids"] is None, "students never get the bank's ids"
    status, body = await call(app_client, teacher, "POST", f"/api/course-quizzes/{quiz}/attempts")
    assert status == 403, "teachers do not attempt"
    assert_error(body, "forbidden")
    for outsider in ("teacher_b", "sa_b"):
        status, _body = await call(
            app_client, await login_as(outsider), "GET", f"/api/course-quizzes/{quiz}"
        )
        assert status == 403, outsider


async def test_bad_quiz_settings(app_client: TestClient, world: World, login_as: LoginAs) -> None:
    teacher = await login_as("teacher")
    path = f"/api/courses/{world.course}/course-quizzes"
    status, other = await call(
        app_client,
        await login_as("teacher2"),
        "POST",
        f"/api/courses/{world.other_course}/questions",
        QUESTIONS[0],
    )
    assert status == 201
    now = datetime.now(UTC)
    for bad, code in (
        ({"title": "x", "question_ids": []}, 400),
        ({"title": "x", "question_ids": [other["id"]]}, 404),
        ({"title": "x", "question_ids": [other["id"], other["id"]]}, 400),
        ({"title": "x", "question_ids": [other["id"]], "time_limit_seconds": 5}, 400),
        ({"title": "x", "question_ids": [other["id"]], "attempts_allowed": 0}, 400),
        (
            {
                "title": "x",
                "question_ids": [other["id"]],
                "opens_at": (now + timedelta(days=2)).isoformat(),
                "closes_at": (now + timedelta(days=1)).isoformat(),
            },
            400,
        ),
    ):
        status, body = await call(app_client, teacher, "POST", path, bad)
        assert status == code, (bad, body)
    status, listed = await call(app_client, teacher, "GET", path)
    assert listed["items"] == []
