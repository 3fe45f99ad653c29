"""Assignments over REST: set, submit (with the late policy), grade, and who may do what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from tests.api.conftest import Headers, LoginAs, World
from tests.api.helpers import assert_error


async def call(
    client: TestClient, headers: Headers, method: str, path: str, body: Any = None
) -> tuple[int, dict[str, Any]]:
    response = await client.request(method, path, json=body, headers=headers)
    return response.status, await response.json()


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def settings(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "title": "관찰 일지",
        "instructions": "강낭콩이 자라는 모습을 일주일 동안 기록하세요.",
        "due_at": iso(now + timedelta(days=7)),
        "max_points": 20,
        **overrides,
    }


async def create(client: TestClient, teacher: Headers, course: int, **overrides: Any) -> int:
    status, body = await call(
        client, teacher, "POST", f"/api/courses/{course}/assignments", settings(**overrides)
    )
    assert status == 201, body
    return body["id"]


async def test_submit_revise_grade(app_client: TestClient, world: World, login_as: LoginAs) -> None:
    teacher = await login_as("teacher")
    student = await login_as("student1")
    assignment = await create(app_client, teacher, world.course)
    path = f"/api/assignments/{assignment}/submission"

    status, first = await call(
        app_client, student, "PUT", path, {"text": "1일차", "client_id": "a"}
    )
    assert status == 201 and first["revision"] == 1 and first["late_days"] == 0
    status, again = await call(
        app_client, student, "PUT", path, {"text": "1일차", "client_id": "a"}
    )
    assert status == 200 and again["revision"] == 1, "a retried save is not counted again"
    status, revised = await call(
        app_client, student, "PUT", path, {"text": "1~2일차", "client_id": "b"}
    )
    assert status == 201 and revised["revision"] == 2 and revised["text"] == "1~2일차"

    status, listed = await call(
        app_client, teacher, "GET", f"/api/assignments/{assignment}/submissions"
    )
    by_login = {item["display_name"]: item["submission"] for item in listed["items"]}
    assert by_login["Student1"]["text"] == "1~2일차"
    assert by_login["Student2"] is None, "who has not handed in shows as such"

    grade_path = f"/api/submissions/{revised['id']}/grade"
    for bad in (21, -1):
        status, body = await call(app_client, teacher, "POST", grade_path, {"points": bad})
        assert status == 400, bad
        assert_error(body, "invalid_input")
        assert "out of range" in body["error"]["message"]
    status, graded = await call(
        app_client, teacher, "POST", grade_path, {"points": 18, "feedback": "관찰이 꼼꼼해요"}
    )
    assert status == 200 and graded["points"] == 18 and graded["status"] == "graded"
    status, body = await call(app_client, student, "PUT", path, {"text": "3일차", "client_id": "c"})
    assert status == 409, "a graded submission is not revised without the teacher"
    status, mine = await call(app_client, student, "GET", path)
    assert mine["submission"]["feedback"] == "관찰이 꼼꼼해요"
    assert mine["submission"]["text"] == "1~2일차", "the refused save lost nothing"
    status, _ = await call(app_client, teacher, "POST", f"/api/submissions/{revised['id']}/reopen")
    assert status == 200
    status, body = await call(app_client, student, "PUT", path, {"text": "3일차", "client_id": "c"})
    assert status == 201 and body["revision"] == 3


async def test_late_policies(app_client: TestClient, world: World, login_as: LoginAs) -> None:
    teacher = await login_as("teacher")
    student = await login_as("student1")
    now = datetime.now(UTC)
    past_due = iso(now - timedelta(days=1, hours=2))
    refuse = await create(
        app_client,
        teacher,
        world.course,
        opens_at=iso(now - timedelta(days=5)),
        due_at=past_due,
        late_policy="refuse",
    )
    status, body = await call(
        app_client,
        student,
        "PUT",
        f"/api/assignments/{refuse}/submission",
        {"text": "늦었어요", "client_id": "x"},
    )
    assert status == 409
    assert_error(body, "conflict")
    assert "due date has passed" in body["error"]["message"]

    cutoff = await create(
        app_client,
        teacher,
        world.course,
        opens_at=iso(now - timedelta(days=5)),
        due_at=past_due,
        cutoff_at=iso(now - timedelta(hours=1)),
    )
    status, body = await call(
        app_client,
        student,
        "PUT",
        f"/api/assignments/{cutoff}/submission",
        {"text": "늦었어요", "client_id": "x"},
    )
    assert status == 409 and "cut-off" in body["error"]["message"]

    penalty = await create(
        app_client,
        teacher,
        world.course,
        opens_at=iso(now - timedelta(days=5)),
        due_at=past_due,
        late_policy="penalty",
        late_penalty_percent=10,
    )
    status, late = await call(
        app_client,
        student,
        "PUT",
        f"/api/assignments/{penalty}/submission",
        {"text": "늦었지만 냅니다", "client_id": "x"},
    )
    assert status == 201 and late["late_days"] == 2
    status, graded = await call(
        app_client, teacher, "POST", f"/api/submissions/{late['id']}/grade", {"points": 20}
    )
    assert graded["raw_points"] == 20 and graded["points"] == 16, "10% a day for two days"


async def test_who_may_do_what(app_client: TestClient, world: World, login_as: LoginAs) -> None:
    teacher = await login_as("teacher")
    assignment = await create(app_client, teacher, world.course)
    future = await create(
        app_client,
        teacher,
        world.course,
        opens_at=iso(datetime.now(UTC) + timedelta(days=1)),
        due_at=iso(datetime.now(UTC) + timedelta(days=3)),
    )
    student = await login_as("student1")
    status, listed = await call(
        app_client, student, "GET", f"/api/courses/{world.course}/assignments"
    )
    assert [item["id"] for item in listed["items"]] == [assignment], "not yet opened is hidden"
    status, _ = await call(app_client, student, "GET", f"/api/assignments/{future}")
    assert status == 404
    status, body = await call(
        app_client, student, "POST", f"/api/courses/{world.course}/assignments", settings()
    )
    assert status == 403
    status, body = await call(
        app_client, student, "GET", f"/api/assignments/{assignment}/submissions"
    )
    assert status == 403
    for outsider in ("teacher_b", "sa_b", "teacher2"):
        headers = await login_as(outsider)
        status, body = await call(app_client, headers, "GET", f"/api/assignments/{assignment}")
        assert status == 403, outsider
        status, body = await call(
            app_client,
            headers,
            "PUT",
            f"/api/assignments/{assignment}/submission",
            {"text": "x", "client_id": "x"},
        )
        assert status == 403, outsider
        assert_error(body, "forbidden")
    status, _body = await call(
        app_client,
        teacher,
        "PUT",
        f"/api/assignments/{assignment}/submission",
        {"text": "x", "client_id": "x"},
    )
    assert status == 403, "teachers do not submit"
    status, _ = await call(
        app_client, await login_as("sa_a"), "GET", f"/api/assignments/{assignment}/submissions"
    )
    assert status == 200, "the school admin oversees the course"


async def test_bad_settings_and_submissions(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    teacher = await login_as("teacher")
    path = f"/api/courses/{world.course}/assignments"
    now = datetime.now(UTC)
    for bad in (
        settings(due_at="2030-01-01T00:00:00"),
        settings(opens_at=iso(now + timedelta(days=8))),
        settings(cutoff_at=iso(now + timedelta(days=1))),
        settings(accepts_text=False, accepts_files=False),
        settings(late_policy="penalty"),
        settings(late_policy="sometimes"),
        settings(max_points=0),
        settings(title=""),
        settings(unknown=1),
    ):
        status, body = await call(app_client, teacher, "POST", path, bad)
        assert status == 400, bad
        assert_error(body, "invalid_input")
    status, listed = await call(app_client, teacher, "GET", path)
    assert listed["items"] == [], "no refused assignment was stored"
    files_only = await create(
        app_client, teacher, world.course, accepts_text=False, accepts_files=True
    )
    student = await login_as("student1")
    for bad in (
        {"text": "", "client_id": "e"},
        {"text": "글", "client_id": "t"},
        {"text": "x", "client_id": ""},
    ):
        status, body = await call(
            app_client, student, "PUT", f"/api/assignments/{files_only}/submission", bad
        )
        assert status == 400, bad


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def upload(
    client: TestClient, headers: Headers, assignment: int, data: bytes, name: str
) -> tuple[int, dict[str, Any]]:
    response = await client.post(
        f"/api/assignments/{assignment}/files",
        data=data,
        headers={**headers, "X-File-Name": name, "Content-Type": "application/octet-stream"},
    )
    return response.status, await response.json()


async def test_files_are_handed_in_and_read_only_by_the_author_and_teachers(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    teacher = await login_as("teacher")
    student = await login_as("student1")
    classmate = await login_as("student2")
    assignment = await create(app_client, teacher, world.course, accepts_files=True)
    text_only = await create(app_client, teacher, world.course)

    status, stored = await upload(app_client, student, assignment, PDF, "보고서.pdf")
    assert status == 201 and stored["mime"] == "application/pdf"
    status, body = await upload(
        app_client, student, assignment, b"\x7fELF\x02\x01\x01" + bytes(64), "a.pdf"
    )
    assert status == 415, "typed by content, not by name"
    status, body = await upload(app_client, student, text_only, PDF, "b.pdf")
    assert status == 400
    status, body = await upload(app_client, teacher, assignment, PDF, "c.pdf")
    assert status == 403
    assert_error(body, "forbidden")
    status, theirs = await upload(app_client, classmate, assignment, PDF, "d.pdf")
    assert status == 201

    path = f"/api/assignments/{assignment}/submission"
    status, _body = await call(
        app_client, student, "PUT", path, {"text": "", "client_id": "x", "file_ids": [theirs["id"]]}
    )
    assert status == 400, "another student's upload cannot be handed in"
    status, handed = await call(
        app_client,
        student,
        "PUT",
        path,
        {"text": "첨부합니다", "client_id": "y", "file_ids": [stored["id"]]},
    )
    assert status == 201 and [f["name"] for f in handed["files"]] == ["보고서.pdf"]

    for reader, expected in ((student, 200), (teacher, 200), (classmate, 404)):
        response = await app_client.get(f"/api/files/{stored['id']}", headers=reader)
        assert response.status == expected
    status, listed = await call(
        app_client, teacher, "GET", f"/api/assignments/{assignment}/submissions"
    )
    mine = next(i for i in listed["items"] if i["user_id"] == world.users["student1"])
    assert mine["submission"]["files"][0]["id"] == stored["id"]

    status, revised = await call(
        app_client, student, "PUT", path, {"text": "파일은 뺐어요", "client_id": "z"}
    )
    assert status == 201 and revised["files"] == [], "a revision replaces the files"


async def test_an_assignment_is_a_lesson_of_its_course(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    teacher = await login_as("teacher")
    assignment = await create(app_client, teacher, world.course)
    status, section = await call(
        app_client, teacher, "POST", f"/api/courses/{world.course}/sections", {"title": "1단원"}
    )
    assert status == 201, section
    lesson = {"client_id": "l1", "section_id": section["id"], "kind": "assignment",
              "title": "관찰 일지", "ref_id": assignment}  # fmt: skip
    status, created = await call(
        app_client, teacher, "POST", f"/api/courses/{world.course}/lessons", lesson
    )
    assert status == 201 and created["ref_id"] == assignment, created
    other = await create(app_client, await login_as("teacher2"), world.other_course)
    status, body = await call(
        app_client,
        teacher,
        "POST",
        f"/api/courses/{world.course}/lessons",
        {**lesson, "client_id": "l2", "ref_id": other},
    )
    assert status == 404, "an assignment of another course is not a lesson here"
    assert_error(body, "not_found")
