"""Every endpoint refuses callers the protocol does not name, with 403 (or 404 for nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.api.conftest import LoginAs, World
from tests.api.helpers import assert_error


async def call(
    client: TestClient, headers: dict[str, str], method: str, path: str, body: Any = None
) -> tuple[int, dict[str, Any]]:
    response = await client.request(method, path, json=body, headers=headers)
    return response.status, await response.json()


async def expect_forbidden(
    client: TestClient, headers: dict[str, str], method: str, path: str, body: Any = None
) -> None:
    status, payload = await call(client, headers, method, path, body)
    assert status == 403, (method, path, payload)
    assert_error(payload, "forbidden")


def session_body() -> dict[str, str]:
    return {"title": "보충", "scheduled_start": "2030-03-02T00:00:00Z",
            "scheduled_end": "2030-03-02T00:40:00Z"}


async def test_student_cannot_run_a_class(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    student = await login_as("student1")
    s = world.session
    await expect_forbidden(app_client, student, "POST", f"/api/sessions/{s}/start")
    await expect_forbidden(app_client, student, "POST", f"/api/sessions/{s}/end")
    await expect_forbidden(
        app_client, student, "POST", f"/api/courses/{world.course}/sessions", session_body()
    )
    await expect_forbidden(
        app_client, student, "POST", f"/api/courses/{world.course}/enrolments",
        {"user_id": world.users["student2"], "role": "teacher"},
    )
    await expect_forbidden(app_client, student, "POST", "/api/schools",
                           {"code": "Z", "name": "z", "kind": "high"})
    await expect_forbidden(app_client, student, "POST", "/api/users",
                           {"login": "x", "display_name": "x", "password": "long-enough",
                            "role": "student", "school_id": world.school_a})
    await expect_forbidden(app_client, student, "POST", "/api/courses",
                           {"school_id": world.school_a, "title": "내 강좌"})
    # ...but may read what belongs to their course.
    status, _ = await call(app_client, student, "GET", f"/api/sessions/{s}")
    assert status == 200
    status, payload = await call(app_client, student, "GET", f"/api/courses/{world.course}")
    assert status == 200 and payload["my_role"] == "student"


async def test_teacher_of_another_course_is_refused(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    other = await login_as("teacher2")
    s, c = world.session, world.course
    for method, path, body in [
        ("GET", f"/api/courses/{c}", None),
        ("GET", f"/api/courses/{c}/enrolments", None),
        ("GET", f"/api/courses/{c}/sessions", None),
        ("POST", f"/api/courses/{c}/sessions", session_body()),
        ("POST", f"/api/courses/{c}/enrolments",
         {"user_id": world.users["teacher2"], "role": "teacher"}),
        ("GET", f"/api/sessions/{s}", None),
        ("POST", f"/api/sessions/{s}/start", None),
        ("POST", f"/api/sessions/{s}/end", None),
        ("GET", f"/api/sessions/{s}/attendance", None),
        ("GET", f"/api/sessions/{s}/chat", None),
    ]:
        await expect_forbidden(app_client, other, method, path, body)


async def test_school_admin_of_another_school_is_refused(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    sa_b = await login_as("sa_b")
    c, s = world.course, world.session
    await expect_forbidden(app_client, sa_b, "GET", f"/api/courses/{c}")
    await expect_forbidden(app_client, sa_b, "POST", f"/api/sessions/{s}/start")
    await expect_forbidden(app_client, sa_b, "POST", "/api/users",
                           {"login": "intruder", "display_name": "x", "password": "long-enough",
                            "role": "teacher", "school_id": world.school_a})
    await expect_forbidden(app_client, sa_b, "POST", "/api/courses",
                           {"school_id": world.school_a, "title": "남의 강좌"})
    await expect_forbidden(app_client, sa_b, "POST", "/api/schools",
                           {"code": "Z", "name": "z", "kind": "high"})
    # Their own school's course is theirs to manage.
    status, _ = await call(app_client, sa_b, "GET", f"/api/courses/{world.course_b}")
    assert status == 200


async def test_school_admin_of_own_school_manages_it(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    sa_a = await login_as("sa_a")
    status, user = await call(app_client, sa_a, "POST", "/api/users",
                              {"login": "newteacher", "display_name": "새 선생님",
                               "password": "long-enough", "role": "teacher",
                               "school_id": world.school_a})
    assert status == 201, user
    assert user["role"] == "teacher" and user["school_id"] == world.school_a
    await expect_forbidden(app_client, sa_a, "POST", "/api/users",
                           {"login": "boss", "display_name": "x", "password": "long-enough",
                            "role": "admin", "school_id": world.school_a})
    status, _ = await call(app_client, sa_a, "POST", f"/api/sessions/{world.session}/start")
    assert status == 200


async def test_teacher_cannot_create_users_or_schools(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    teacher = await login_as("teacher")
    await expect_forbidden(app_client, teacher, "POST", "/api/users",
                           {"login": "kid", "display_name": "x", "password": "long-enough",
                            "role": "student", "school_id": world.school_a})
    await expect_forbidden(app_client, teacher, "POST", "/api/courses",
                           {"school_id": world.school_b, "title": "다른 학교"})


@pytest.mark.parametrize("who", ["student1", "teacher2"])
async def test_corrections_need_the_course_teacher(
    app_client: TestClient, world: World, login_as: LoginAs, who: str
) -> None:
    teacher = await login_as("teacher")
    await call(app_client, teacher, "POST", f"/api/sessions/{world.session}/start")
    await call(app_client, teacher, "POST", f"/api/sessions/{world.session}/end")
    _, listing = await call(app_client, teacher, "GET",
                            f"/api/sessions/{world.session}/attendance")
    record_id = listing["items"][0]["id"]
    await expect_forbidden(app_client, await login_as(who), "POST",
                           f"/api/attendance/{record_id}/corrections",
                           {"status": "present", "reason": "보았음"})


async def test_missing_objects_are_404(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    admin = await login_as("admin")
    for method, path in [
        ("GET", "/api/courses/999999"),
        ("GET", "/api/sessions/999999"),
        ("POST", "/api/sessions/999999/start"),
        ("GET", "/api/sessions/99999999999999999999"),
    ]:
        status, payload = await call(app_client, admin, method, path)
        assert status == 404, (path, payload)
        assert_error(payload, "not_found")
    status, payload = await call(app_client, admin, "POST", "/api/attendance/999999/corrections",
                                 {"status": "present", "reason": "x"})
    assert status == 404


async def test_listings_are_scoped_to_the_caller(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    _, schools = await call(app_client, await login_as("sa_b"), "GET", "/api/schools")
    assert [s["id"] for s in schools["items"]] == [world.school_b]
    _, schools = await call(app_client, await login_as("admin"), "GET", "/api/schools")
    assert {s["id"] for s in schools["items"]} == {world.school_a, world.school_b}

    _, courses = await call(app_client, await login_as("student1"), "GET", "/api/courses")
    assert [(c["id"], c["my_role"]) for c in courses["items"]] == [(world.course, "student")]
    _, courses = await call(app_client, await login_as("teacher2"), "GET", "/api/courses")
    assert [c["id"] for c in courses["items"]] == [world.other_course]
