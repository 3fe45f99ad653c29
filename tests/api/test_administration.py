"""Administration and course requests over REST, permissions per role on every endpoint:
a school admin never sees or touches another school's people or requests."""

from __future__ import annotations

import base64

from aiohttp.test_utils import TestClient

from tests.api.conftest import LoginAs, World
from tests.api.helpers import PASSWORD, assert_error
from tests.api.test_courseware import Caller


def csv64(text: str, bom: bool = False) -> str:
    return base64.b64encode((b"\xef\xbb\xbf" if bom else b"") + text.encode()).decode()


async def test_user_list_is_scoped_searched_and_paged(
    app_client: TestClient, login_as: LoginAs, world: World
) -> None:
    api = Caller(app_client, login_as)
    everyone = await api("admin", "GET", "/api/admin/users?limit=3")
    assert everyone["total"] == 8 and len(everyone["items"]) == 3
    own = await api("sa_a", "GET", "/api/admin/users?limit=100")
    assert {u["school_id"] for u in own["items"]} == {world.school_a}
    found = await api("sa_a", "GET", "/api/admin/users?q=STUDENT&role=student")
    assert [u["login"] for u in found["items"]] == ["student1", "student2"]
    await api("sa_b", "GET", f"/api/admin/users?school_id={world.school_a}", status=403)
    await api.refused(("teacher", "student1"), "GET", "/api/admin/users")
    await api("admin", "GET", "/api/admin/users?limit=500", status=400)
    await api("admin", "GET", "/api/admin/users?colour=red", status=400)
    s1 = world.users["student1"]
    await api.refused(("sa_b", "teacher", "student2"), "GET", f"/api/admin/users/{s1}")
    assert (await api("sa_a", "GET", f"/api/admin/users/{s1}"))["login"] == "student1"


async def test_csv_import_reports_every_bad_row_and_stores_nothing(
    app_client: TestClient, login_as: LoginAs, world: World
) -> None:
    api = Caller(app_client, login_as)
    bad = (
        "login,display_name,role,school_code\n"
        "kim,김민지,student,A\n"
        "kim,김민수,student,A\n"
        "student1,중복,student,A\n"
        "lee,이서준,student,ZZ\n"
        "park,박,dean,A\n"
    )
    body = {"csv_base64": csv64(bad, bom=True)}
    await api.refused(("teacher", "student1"), "POST", "/api/admin/users/import", body)
    report = await api("sa_a", "POST", "/api/admin/users/import", body, 400)
    assert_error(report, "invalid_input")
    details = report["error"]["details"]
    assert details["reason"] == "bad_rows" and details["total_rows"] == 5
    assert [(e["line"], e["reason"]) for e in details["errors"]] == [
        (3, "duplicate_in_file"),
        (4, "login_taken"),
        (5, "unknown_school"),
        (6, "bad_role"),
    ]
    assert (await api("admin", "GET", "/api/admin/users?q=kim"))["total"] == 0
    wrong = await api(
        "sa_a", "POST", "/api/admin/users/import", {"csv_base64": csv64("login,name\nx,y\n")}, 400
    )
    assert wrong["error"]["details"]["reason"] == "wrong_columns"
    other = await api(
        "sa_b",
        "POST",
        "/api/admin/users/import",
        {"csv_base64": csv64("login,display_name,role,school_code\nx,엑스,student,A\n")},
        400,
    )
    assert other["error"]["details"]["errors"][0]["reason"] == "other_school"


async def test_csv_import_creates_accounts_with_one_time_passwords(
    app_client: TestClient, login_as: LoginAs, world: World
) -> None:
    api = Caller(app_client, login_as)
    good = (
        "login,display_name,role,school_code,password\n"
        "kim.minji,김민지,student,A,\n"
        "park.t,박선생,teacher,A,teacher-pass-1\n"
    )
    checked = await api(
        "sa_a", "POST", "/api/admin/users/import", {"csv_base64": csv64(good), "dry_run": True}
    )
    assert checked["status"] == "checked" and checked["users"][0]["id"] is None
    assert (await api("admin", "GET", "/api/admin/users?q=kim.minji"))["total"] == 0
    done = await api("sa_a", "POST", "/api/admin/users/import", {"csv_base64": csv64(good)}, 201)
    kim, park = done["users"]
    assert kim["one_time_password"] and park["one_time_password"] is None
    login = await app_client.post(
        "/api/auth/login", json={"login": "kim.minji", "password": kim["one_time_password"]}
    )
    assert login.status == 200
    assert (await login.json())["user"]["display_name"] == "김민지"


async def test_deactivation_per_role_and_its_effect(
    app_client: TestClient, login_as: LoginAs, world: World
) -> None:
    api = Caller(app_client, login_as)
    s1 = world.users["student1"]
    student_headers = await login_as("student1")
    await api.refused(("sa_b", "teacher", "student2"), "POST", f"/api/admin/users/{s1}/deactivate")
    await api("admin", "POST", f"/api/admin/users/{world.users['admin']}/deactivate", status=409)
    await api("sa_a", "POST", f"/api/admin/users/{world.users['sa_b']}/deactivate", status=403)
    off = await api("sa_a", "POST", f"/api/admin/users/{s1}/deactivate")
    assert off["is_active"] is False
    me = await app_client.get("/api/me", headers=student_headers)
    assert me.status == 401
    relogin = await app_client.post(
        "/api/auth/login", json={"login": "student1", "password": PASSWORD}
    )
    assert relogin.status == 401
    # the class list still holds them: records are kept
    roster = await api("teacher", "GET", f"/api/courses/{world.course}/enrolments")
    assert s1 in {row["user"]["id"] for row in roster["items"]}
    await api.refused(("sa_b", "teacher"), "POST", f"/api/admin/users/{s1}/reactivate")
    assert (await api("sa_a", "POST", f"/api/admin/users/{s1}/reactivate"))["is_active"]
    relogin = await app_client.post(
        "/api/auth/login", json={"login": "student1", "password": PASSWORD}
    )
    assert relogin.status == 200


def request_body(client_id: str, **extra: object) -> dict[str, object]:
    return {
        "client_id": client_id,
        "title": "6학년 코딩",
        "subject": "정보",
        "grade_band": "6",
        "schedule": "화 5교시",
        "starts_on": "2027-03-02",
        "ends_on": "2027-07-16",
        **extra,
    }


async def test_course_requests_per_role(
    app_client: TestClient, login_as: LoginAs, world: World
) -> None:
    api = Caller(app_client, login_as)
    await api.refused(
        ("student1", "sa_a", "admin"), "POST", "/api/course-requests", request_body("x")
    )
    await api(
        "teacher", "POST", "/api/course-requests", request_body("y", starts_on="2027-09-01"), 400
    )
    await api(
        "teacher", "POST", "/api/course-requests", request_body("y", partner_school_ids=[9999]), 404
    )
    made = await api("teacher", "POST", "/api/course-requests", request_body("r1"), 201)
    again = await api("teacher", "POST", "/api/course-requests", request_body("r1"), 200)
    assert again["id"] == made["id"] and made["status"] == "pending"
    rid = made["id"]
    cross = await api(
        "teacher",
        "POST",
        "/api/course-requests",
        request_body("r2", partner_school_ids=[world.school_b]),
        201,
    )
    assert cross["cross_school"] and cross["partner_school_ids"] == [world.school_b]

    queue = await api("sa_a", "GET", "/api/course-requests?status=pending")
    assert queue["total"] == 2
    partner_view = await api("sa_b", "GET", "/api/course-requests")
    assert [r["id"] for r in partner_view["items"]] == [cross["id"]]
    assert (await api("student1", "GET", "/api/course-requests"))["total"] == 0
    assert (await api("teacher2", "GET", "/api/course-requests"))["total"] == 0
    await api.refused(("teacher2", "student1", "teacher_b"), "GET", f"/api/course-requests/{rid}")
    await api.refused(("sa_b",), "GET", f"/api/course-requests/{rid}")

    decide_refused = ("sa_b", "teacher", "teacher2", "student1")
    await api.refused(decide_refused, "POST", f"/api/course-requests/{rid}/approve", {})
    await api.refused(
        decide_refused, "POST", f"/api/course-requests/{rid}/reject", {"reason": "no"}
    )
    await api("sa_a", "POST", f"/api/course-requests/{rid}/reject", {"reason": ""}, 400)
    approved = await api("sa_a", "POST", f"/api/course-requests/{rid}/approve", {})
    course = approved["course"]
    assert approved["request"]["course_id"] == course["id"]
    assert course["title"] == "6학년 코딩"
    mine = await api("teacher", "GET", f"/api/courses/{course['id']}")
    assert mine["my_role"] == "teacher"
    await api("sa_a", "POST", f"/api/course-requests/{rid}/reject", {"reason": "x"}, 409)

    await api.refused(("teacher2", "sa_a"), "POST", f"/api/course-requests/{cross['id']}/withdraw")
    rejected = await api(
        "admin",
        "POST",
        f"/api/course-requests/{cross['id']}/reject",
        {"reason": "협력교 일정이 맞지 않습니다"},
    )
    assert rejected["status"] == "rejected"
    teacher_view = await api("teacher", "GET", "/api/course-requests?mine=true&status=rejected")
    assert teacher_view["items"][0]["reason"] == "협력교 일정이 맞지 않습니다"
    third = await api("teacher", "POST", "/api/course-requests", request_body("r3"), 201)
    withdrawn = await api("teacher", "POST", f"/api/course-requests/{third['id']}/withdraw")
    assert withdrawn["status"] == "withdrawn"


async def test_course_list_is_searchable_and_paged(
    app_client: TestClient, login_as: LoginAs, world: World
) -> None:
    api = Caller(app_client, login_as)
    page = await api("admin", "GET", "/api/courses?limit=2")
    assert page["total"] == 3 and len(page["items"]) == 2
    found = await api("admin", "GET", "/api/courses?q=수학")
    assert [c["title"] for c in found["items"]] == ["5학년 수학"]
    scoped = await api("sa_b", "GET", "/api/courses")
    assert [c["id"] for c in scoped["items"]] == [world.course_b]
    await api("admin", "GET", "/api/courses?limit=1000", status=400)
