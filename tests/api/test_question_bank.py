"""REST: the question bank per role, input validation, and a session's quiz runs."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import update

from lms.models import LiveSession, LiveSessionStatus, User
from lms.services import quizzes
from tests.api.conftest import LoginAs, World
from tests.api.helpers import assert_error

CHOICE: dict[str, Any] = {
    "kind": "single_choice",
    "prompt": "식물이 양분을 만드는 과정은?",
    "options": ["광합성", "호흡", "발아"],
    "correct": [0],
    "points": 2,
}


async def test_teacher_creates_reads_updates_and_deletes(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    headers = await login_as("teacher")
    base = f"/api/courses/{world.course}/questions"
    created = await app_client.post(base, json={**CHOICE, "client_id": "q1"}, headers=headers)
    assert created.status == 201, await created.text()
    question = await created.json()
    assert question["correct"] == [0] and question["course_id"] == world.course
    retried = await app_client.post(base, json={**CHOICE, "client_id": "q1"}, headers=headers)
    assert retried.status == 200 and (await retried.json())["id"] == question["id"]

    listed = await (await app_client.get(base, headers=headers)).json()
    assert [q["id"] for q in listed["items"]] == [question["id"]]

    url = f"/api/questions/{question['id']}"
    short = {"kind": "short_answer", "prompt": "수도는?", "correct": ["서울"], "points": 1}
    updated = await app_client.put(url, json=short, headers=headers)
    assert updated.status == 200, await updated.text()
    assert (await updated.json())["options"] == []
    assert (await (await app_client.get(url, headers=headers)).json())["kind"] == "short_answer"

    deleted = await app_client.delete(url, headers=headers)
    assert deleted.status == 200
    gone = await app_client.get(url, headers=headers)
    assert gone.status == 404
    assert_error(await gone.json(), "not_found")


async def test_only_the_course_teachers_and_its_admins_see_the_bank(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    teacher = await login_as("teacher")
    made = await app_client.post(
        f"/api/courses/{world.course}/questions", json=CHOICE, headers=teacher
    )
    question_id = (await made.json())["id"]
    for login in ("admin", "sa_a"):
        response = await app_client.get(
            f"/api/courses/{world.course}/questions", headers=await login_as(login)
        )
        assert response.status == 200, login
    for login in ("student1", "teacher2", "sa_b", "teacher_b"):
        headers = await login_as(login)
        for method, url, body in (
            ("GET", f"/api/courses/{world.course}/questions", None),
            ("POST", f"/api/courses/{world.course}/questions", CHOICE),
            ("GET", f"/api/questions/{question_id}", None),
            ("PUT", f"/api/questions/{question_id}", CHOICE),
            ("DELETE", f"/api/questions/{question_id}", None),
        ):
            response = await app_client.request(method, url, json=body, headers=headers)
            assert response.status == 403, (login, method, url)
            assert_error(await response.json(), "forbidden")
    missing = await app_client.get("/api/courses/999999/questions", headers=teacher)
    assert missing.status == 404


async def test_malformed_questions_are_400(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    headers = await login_as("teacher")
    url = f"/api/courses/{world.course}/questions"
    for body in (
        {**CHOICE, "kind": "essay"},
        {**CHOICE, "options": ["하나"]},
        {**CHOICE, "correct": [5]},
        {**CHOICE, "correct": [0, 1]},
        {**CHOICE, "points": 3, "correct": []},
        {**CHOICE, "prompt": ""},
        {**CHOICE, "points": "2"},
        {**CHOICE, "user_id": 1},
        {"kind": "true_false", "prompt": "참?", "options": ["참", "거짓"], "correct": [0]},
    ):
        response = await app_client.post(url, json=body, headers=headers)
        assert response.status == 400, body
        assert_error(await response.json(), "invalid_input")


async def test_session_quiz_runs_need_membership(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    url = f"/api/sessions/{world.session}/quiz-runs"
    for login in ("teacher", "student1", "sa_a"):
        response = await app_client.get(url, headers=await login_as(login))
        assert response.status == 200, login
        assert (await response.json()) == {"items": []}
    for login in ("teacher2", "sa_b"):
        response = await app_client.get(url, headers=await login_as(login))
        assert response.status == 403, login


async def test_a_student_reads_only_their_own_answers(
    app_client: TestClient, world: World, login_as: LoginAs, db: Any
) -> None:
    async with db() as s, s.begin():
        await s.execute(
            update(LiveSession)
            .where(LiveSession.id == world.session)
            .values(status=LiveSessionStatus.LIVE)
        )
        teacher = await s.get(User, world.users["teacher"])
        view, _ = await quizzes.launch(s, teacher, world.session, client_id="l", poll="abcd")
        for login, choice in (("student1", 0), ("student2", 3)):
            student = await s.get(User, world.users[login])
            await quizzes.submit_answer(
                s,
                student,
                view.run.id,
                view.questions[0].id,
                client_id=login,
                response={"choice": choice},
            )
    url = f"/api/sessions/{world.session}/quiz-runs"
    mine = (await (await app_client.get(url, headers=await login_as("student1"))).json())["items"]
    assert mine[0]["mine"]["answers"] == {
        str(view.questions[0].id): {"client_id": "student1", "response": {"choice": 0}}
    }
    assert "progress" not in mine[0] and "grades" not in mine[0] and "results" not in mine[0]
    taught = (await (await app_client.get(url, headers=await login_as("teacher"))).json())["items"]
    assert taught[0]["progress"]["questions"][0]["counts"] == [1, 0, 0, 1]
