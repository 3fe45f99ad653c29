"""Gradebook and attendance book over REST: every endpoint checked for every role, the files'
headers, and validation."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import (
    AttendanceRecord,
    AttendanceStatus,
    CourseRole,
    Enrolment,
    LiveSession,
    LiveSessionStatus,
)
from tests.api.conftest import LoginAs, World
from tests.api.helpers import assert_error

READERS = {"teacher": 200, "admin": 200, "sa_a": 200}
OUTSIDERS = {"sa_b": 403, "teacher2": 403, "teacher_b": 403, "student1": 403}


@pytest.fixture
async def taken(db: async_sessionmaker[AsyncSession], world: World) -> int:
    """The world's session, ended, with student1 present and student2 absent."""
    start = datetime(2026, 3, 9, 0, 0, tzinfo=UTC)
    async with db() as s, s.begin():
        await s.execute(
            update(LiveSession)
            .where(LiveSession.id == world.session)
            .values(
                status=LiveSessionStatus.ENDED, scheduled_start=start, started_at=start,
                ended_at=start + timedelta(minutes=40),
            )
        )  # fmt: skip
        for login, status in (("student1", "present"), ("student2", "absent")):
            s.add(
                AttendanceRecord(
                    session_id=world.session, user_id=world.users[login],
                    status=AttendanceStatus(status), computed_status=AttendanceStatus(status),
                )
            )  # fmt: skip
    return world.session


async def item(app_client: TestClient, login_as: LoginAs, world: World, **body) -> dict:
    payload = {"title": "수행평가", "max_points": 10, "client_id": "i1", **body}
    response = await app_client.post(
        f"/api/courses/{world.course}/grade-items", json=payload, headers=await login_as("teacher")
    )
    assert response.status in (200, 201), await response.text()
    return await response.json()


async def test_gradebook_is_read_by_teachers_and_school_admins_only(
    app_client: TestClient, login_as: LoginAs, world: World
) -> None:
    url = f"/api/courses/{world.course}/gradebook"
    for login, status in {**READERS, **OUTSIDERS}.items():
        response = await app_client.get(url, headers=await login_as(login))
        assert response.status == status, (login, await response.text())
    assert (await app_client.get(url)).status == 401
    response = await app_client.get(
        "/api/courses/999999/gradebook", headers=await login_as("admin")
    )
    assert response.status == 404
    body = await (await app_client.get(url, headers=await login_as("teacher"))).json()
    assert body["can_edit"] is True
    assert [row["login"] for row in body["students"]] == ["student1", "student2"]
    body = await (await app_client.get(url, headers=await login_as("sa_a"))).json()
    assert body["can_edit"] is False


async def test_items_and_grades_are_edited_by_the_course_teachers_only(
    app_client: TestClient, login_as: LoginAs, world: World, db
) -> None:
    created = await item(app_client, login_as, world, weight=2)
    assert created["source_kind"] == "manual" and created["weight"] == 2
    retry = await item(app_client, login_as, world, weight=2)
    assert retry["id"] == created["id"]
    url = f"/api/courses/{world.course}/grade-items"
    body = {"title": "x", "max_points": 5, "client_id": "i2"}
    for login in ("sa_a", "admin", "student1", "teacher2"):
        response = await app_client.post(url, json=body, headers=await login_as(login))
        assert response.status == 403, login
    for bad in ({**body, "max_points": 0}, {**body, "extra": 1}, {**body, "weight": -1},
                {**body, "title": ""}):  # fmt: skip
        response = await app_client.post(url, json=bad, headers=await login_as("teacher"))
        assert response.status == 400, bad
        assert_error(await response.json(), "invalid_input")

    grade_url = f"/api/grade-items/{created['id']}/grades/{world.users['student1']}"
    response = await app_client.put(
        grade_url, json={"points": 11}, headers=await login_as("teacher")
    )
    assert response.status == 400
    assert "grade out of range" in (await response.json())["error"]["message"]
    for login in ("sa_a", "admin", "student1", "teacher2"):
        response = await app_client.put(
            grade_url, json={"points": 3}, headers=await login_as(login)
        )
        assert response.status == 403, login
    response = await app_client.put(
        grade_url, json={"points": 7.5, "feedback": "좋아요"}, headers=await login_as("teacher")
    )
    assert response.status == 200
    grade = await response.json()
    assert (grade["points"], grade["feedback"], grade["overridden"]) == (7.5, "좋아요", False)

    # A co-teacher edits too.
    async with db() as s, s.begin():
        s.add(Enrolment(course_id=world.course, user_id=world.users["teacher2"],
                        role=CourseRole.CO_TEACHER))  # fmt: skip
    response = await app_client.patch(
        f"/api/grade-items/{created['id']}", json={"weight": 3, "hidden": True},
        headers=await login_as("teacher2"),
    )  # fmt: skip
    assert response.status == 200 and (await response.json())["weight"] == 3
    response = await app_client.patch(
        f"/api/grade-items/{created['id']}", json={"weight": 1}, headers=await login_as("sa_a")
    )
    assert response.status == 403
    response = await app_client.delete(f"{grade_url}/override", headers=await login_as("teacher"))
    assert response.status == 409
    for login in ("sa_a", "admin", "student1", "teacher_b"):
        response = await app_client.delete(f"{grade_url}/override", headers=await login_as(login))
        assert response.status == 403, login

    history_url = f"/api/grades/{grade['id']}/history"
    response = await app_client.get(history_url, headers=await login_as("sa_a"))
    entries = (await response.json())["items"]
    assert [(e["old_points"], e["new_points"]) for e in entries] == [(None, 7.5)]
    for login in ("student1", "sa_b"):
        response = await app_client.get(history_url, headers=await login_as(login))
        assert response.status == 403, login


async def test_a_student_reads_only_their_own_grades(
    app_client: TestClient, login_as: LoginAs, world: World
) -> None:
    shown = await item(app_client, login_as, world)
    hidden = await item(app_client, login_as, world, title="숨김", client_id="i2", hidden=True)
    teacher = await login_as("teacher")
    for target in (shown, hidden):
        response = await app_client.put(
            f"/api/grade-items/{target['id']}/grades/{world.users['student1']}",
            json={"points": 5}, headers=teacher,
        )  # fmt: skip
        assert response.status == 200
    mine = f"/api/courses/{world.course}/grades/{world.users['student1']}"
    response = await app_client.get(mine, headers=await login_as("student1"))
    body = await response.json()
    assert [line["item"]["title"] for line in body["lines"]] == ["수행평가"]
    assert body["lines"][0]["grade"]["points"] == 5 and body["total_percent"] == 50.0
    response = await app_client.get(mine, headers=await login_as("student2"))
    assert response.status == 403
    for login, status in {**READERS, "sa_b": 403, "teacher2": 403}.items():
        response = await app_client.get(mine, headers=await login_as(login))
        assert response.status == status, login
    response = await app_client.get(
        f"/api/courses/{world.course}/grades/{world.users['teacher']}", headers=teacher
    )
    assert response.status == 404


def disposition_name(header: str) -> str:
    return header.split("filename*=UTF-8''", 1)[1]


async def test_gradebook_export_files(
    app_client: TestClient, login_as: LoginAs, world: World
) -> None:
    target = await item(app_client, login_as, world)
    await app_client.put(
        f"/api/grade-items/{target['id']}/grades/{world.users['student2']}",
        json={"points": 10}, headers=await login_as("teacher"),
    )  # fmt: skip
    url = f"/api/courses/{world.course}/gradebook/export"
    response = await app_client.get(f"{url}?format=csv", headers=await login_as("sa_a"))
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    header = response.headers["Content-Disposition"]
    assert header.startswith('attachment; filename="gradebook-')
    assert disposition_name(header) == quote("성적부-5학년 과학.csv")
    data = await response.read()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert data.startswith(b"\xef\xbb\xbf")
    assert rows[2] == ["Student2", "student2", "10", "100"]
    response = await app_client.get(url, headers=await login_as("teacher"))
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(await response.read())).active
    assert sheet["A3"].value == "Student2" and sheet["C3"].value == 10
    for login in ("student1", "sa_b", "teacher2"):
        response = await app_client.get(url, headers=await login_as(login))
        assert response.status == 403, login
    response = await app_client.get(f"{url}?format=pdf", headers=await login_as("teacher"))
    assert response.status == 400


async def test_attendance_book_rights_and_files(
    app_client: TestClient, login_as: LoginAs, world: World, taken: int
) -> None:
    url = f"/api/courses/{world.course}/attendance-book"
    for login, status in {**READERS, **OUTSIDERS}.items():
        response = await app_client.get(url, headers=await login_as(login))
        assert response.status == status, login
    body = await (
        await app_client.get(f"{url}?month=2026-03", headers=await login_as("teacher"))
    ).json()
    assert body["can_correct"] is True and body["months"] == ["2026-03"]
    assert [s["id"] for s in body["sessions"]] == [taken]
    cells = {row["login"]: row["cells"][str(taken)]["status"] for row in body["rows"]}
    assert cells == {"student1": "present", "student2": "absent"}
    assert body["summaries"][0]["totals"]["rate"] == 50.0
    response = await app_client.get(f"{url}?month=2026-3", headers=await login_as("teacher"))
    assert response.status == 400
    response = await app_client.get(f"{url}?month=2026-03&x=1", headers=await login_as("teacher"))
    assert response.status == 400

    # The correction path stays the existing one, and the book shows its result.
    record_id = next(r for r in body["rows"] if r["login"] == "student2")["cells"][str(taken)]
    response = await app_client.post(
        f"/api/attendance/{record_id['record_id']}/corrections",
        json={"status": "excused", "reason": "진료 확인서"}, headers=await login_as("teacher"),
    )  # fmt: skip
    assert response.status == 201
    body = await (await app_client.get(url, headers=await login_as("sa_a"))).json()
    cell = next(r for r in body["rows"] if r["login"] == "student2")["cells"][str(taken)]
    assert (cell["status"], cell["computed_status"], cell["corrected"]) == (
        "excused", "absent", True,
    )  # fmt: skip

    export = f"{url}/export?format=xlsx&month=2026-03"
    response = await app_client.get(export, headers=await login_as("teacher"))
    assert response.status == 200
    assert disposition_name(response.headers["Content-Disposition"]) == quote(
        "출석부-5학년 과학-2026-03.xlsx"
    )
    workbook = load_workbook(io.BytesIO(await response.read()))
    assert [c.value for c in workbook["출석부"][3]][:3] == ["Student2", "student2", "인정결석"]
    response = await app_client.get(f"{url}/export?format=csv", headers=await login_as("admin"))
    assert (await response.read()).startswith(b"\xef\xbb\xbf")
    for login in ("student1", "sa_b"):
        response = await app_client.get(export, headers=await login_as(login))
        assert response.status == 403, login


async def test_a_student_reads_only_their_own_attendance(
    app_client: TestClient, login_as: LoginAs, world: World, taken: int
) -> None:
    mine = f"/api/courses/{world.course}/attendance-book/students/{world.users['student1']}"
    response = await app_client.get(mine, headers=await login_as("student1"))
    assert response.status == 200
    body = await response.json()
    assert [row["login"] for row in body["rows"]] == ["student1"]
    assert body["rows"][0]["totals"]["present"] == 1 and body["can_correct"] is False
    for login, status in {"student2": 403, "sa_b": 403, "teacher2": 403, **READERS}.items():
        response = await app_client.get(mine, headers=await login_as(login))
        assert response.status == status, login


async def test_a_new_maximum_says_what_becomes_of_the_grades(
    app_client: TestClient, login_as: LoginAs, world: World
) -> None:
    created = await item(app_client, login_as, world)
    teacher = await login_as("teacher")
    for login, points in (("student1", 8), ("student2", 4)):
        response = await app_client.put(
            f"/api/grade-items/{created['id']}/grades/{world.users[login]}",
            json={"points": points},
            headers=teacher,
        )
        assert response.status == 200
    url = f"/api/grade-items/{created['id']}"

    async def points() -> dict[str, float]:
        response = await app_client.get(f"/api/courses/{world.course}/gradebook", headers=teacher)
        book = await response.json()
        return {
            row["login"]: row["grades"][str(created["id"])]["points"] for row in book["students"]
        }

    response = await app_client.patch(url, json={"max_points": 5}, headers=teacher)
    assert response.status == 400
    body = await response.json()
    assert_error(body, "invalid_input")
    assert body["error"]["details"]["field"] == "rescale"
    response = await app_client.patch(
        url, json={"max_points": 5, "rescale": False}, headers=teacher
    )
    assert response.status == 409
    body = await response.json()
    assert_error(body, "conflict")
    assert body["error"]["details"]["exceeding"] == 1
    assert "1 grade(s) would be above the new maximum of 5" in body["error"]["message"]
    assert await points() == {"student1": 8, "student2": 4}
    response = await app_client.patch(url, json={"max_points": 5, "rescale": True}, headers=teacher)
    assert response.status == 200 and (await response.json())["max_points"] == 5
    assert await points() == {"student1": 4, "student2": 2}
    response = await app_client.patch(
        url, json={"max_points": 50, "rescale": False}, headers=teacher
    )
    assert response.status == 200 and (await response.json())["max_points"] == 50
    assert await points() == {"student1": 4, "student2": 2}
    response = await app_client.patch(url, json={"rescale": "maybe"}, headers=teacher)
    assert response.status == 400
