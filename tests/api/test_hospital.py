"""The hospital classroom over REST: the admin's set-up, and what each role may see."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from openpyxl import load_workbook

from lms.services import moment
from lms.services.hospital import seoul_day
from lms.services.hospital.demo import school_year_of
from tests.api.conftest import Headers, LoginAs, World
from tests.api.helpers import assert_error


async def call(
    client: TestClient, headers: Headers, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    response = await client.request(method, path, json=body, headers=headers)
    return response.status, await response.json()


async def set_up(client: TestClient, world: World, login_as: LoginAs) -> dict[str, Any]:
    """School A hosts the programme: teacher instructs, teacher2 follows A's students,
    teacher_b follows B's; student1 counts for school A, student2 for school B."""
    admin = await login_as("sa_a")
    year, starts_on, ends_on = school_year_of(seoul_day(moment(None)))
    status, prog = await call(
        client, admin, "POST", "/api/hospital/programmes",
        {"school_id": world.school_a, "school_year": year, "title": "병원학교",
         "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
    )  # fmt: skip
    assert status == 201, prog
    assert prog["my_roles"] == ["admin"] and prog["target_class_days"] == 204
    base = f"/api/hospital/programmes/{prog['id']}"
    for login, role, school in (
        ("teacher", "instructor", None),
        ("teacher2", "home_teacher", world.school_a),
        ("teacher_b", "home_teacher", world.school_b),
    ):
        status, body = await call(
            client, admin, "POST", f"{base}/staff",
            {"login": login, "role": role, "home_school_id": school},
        )  # fmt: skip
        assert status == 201, body
    status, klass = await call(
        client, admin, "POST", f"{base}/classes", {"name": "3반", "grade": 3}
    )
    assert status == 201 and klass["grade_label"] == "초3"
    status, klass = await call(
        client, admin, "POST", f"/api/hospital/classes/{klass['id']}/instructors",
        {"user_id": world.users["teacher"]},
    )  # fmt: skip
    assert status == 200 and [p["login"] for p in klass["instructors"]] == ["teacher"]
    stays = {}
    for login, school in (("student1", world.school_a), ("student2", world.school_b)):
        status, stay = await call(
            client, admin, "POST", f"{base}/admissions",
            {"student_login": login, "class_id": klass["id"], "home_school_id": school,
             "grade": 3, "admitted_on": starts_on.isoformat(), "client_id": f"adm-{login}",
             "guardian_phone": "010-1111-2222"},
        )  # fmt: skip
        assert status == 201, stay
        stays[login] = stay
    return {"admin": admin, "base": base, "prog": prog, "class": klass, "stays": stays}


async def test_admin_sets_up_a_programme_and_timetable(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    env = await set_up(app_client, world, login_as)
    admin, base = env["admin"], env["base"]
    status, me = await call(app_client, admin, "GET", "/api/me")
    assert status == 200 and me["capabilities"] == ["hospital_admin"]
    status, me = await call(app_client, await login_as("teacher"), "GET", "/api/me")
    assert me["capabilities"] == ["hospital_instructor"]

    # Retrying an admission with its client_id returns the stored one.
    status, again = await call(
        app_client, admin, "POST", f"{base}/admissions",
        {"student_login": "student1", "class_id": env["class"]["id"],
         "home_school_id": world.school_a, "grade": 3,
         "admitted_on": env["prog"]["starts_on"], "client_id": "adm-student1"},
    )  # fmt: skip
    assert status == 200 and again["id"] == env["stays"]["student1"]["id"]

    # A period every day of the week, generated over the next fortnight, twice.
    today = seoul_day(moment(None))
    for weekday in range(7):
        status, slot = await call(
            app_client, admin, "POST", f"/api/hospital/classes/{env['class']['id']}/slots",
            {"weekday": weekday, "period": 1, "starts_at": "09:00", "ends_at": "09:40",
             "subject": "국어"},
        )  # fmt: skip
        assert status == 201 and slot["starts_at"] == "09:00"
    span = {"start": today.isoformat(), "end": (today + timedelta(days=13)).isoformat()}
    status, first = await call(app_client, admin, "POST", f"{base}/sessions/generate", span)
    status, second = await call(app_client, admin, "POST", f"{base}/sessions/generate", span)
    assert status == 200 and first["created"] > 0 and second["created"] == 0

    # Making one of those days a holiday removes its session at once.
    day = next(today + timedelta(days=i) for i in range(1, 14)
               if (today + timedelta(days=i)).weekday() < 5)  # fmt: skip
    status, cal = await call(app_client, admin, "GET", f"{base}/calendar?month={day:%Y-%m}")
    before = cal["class_days"]
    status, cal = await call(
        app_client, admin, "PUT", f"{base}/calendar",
        {"days": [{"day": day.isoformat(), "kind": "holiday", "note": "개교기념일"}]},
    )  # fmt: skip
    assert status == 200 and cal["class_days"] == before - 1
    assert any(d["day"] == day.isoformat() and d["note"] == "개교기념일" for d in cal["items"])
    status, course_sessions = await call(
        app_client, admin, "GET", f"/api/courses/{env['class']['course_id']}/sessions"
    )
    assert status == 200  # the admin opened the course as its school's admin
    assert day.isoformat() not in {s["scheduled_start"][:10] for s in course_sessions["items"]}

    # Instructors see today's sessions of their class.
    status, todays = await call(app_client, await login_as("teacher"), "GET", f"{base}/today")
    assert status == 200 and todays["day"] == today.isoformat()
    assert all(item["class_name"] == "3반" for item in todays["items"])

    # Bad input is refused before anything is stored.
    status, body = await call(
        app_client, admin, "POST", f"{base}/classes", {"name": "x", "grade": 13}
    )
    assert status == 400
    assert_error(body, "invalid_input")
    status, body = await call(
        app_client, admin, "POST", f"{base}/notices", {"month": "2026-13", "client_id": "x"}
    )
    assert status == 400
    status, body = await call(
        app_client, admin, "POST", f"{base}/staff", {"login": "teacher", "role": "boss"}
    )
    assert status == 400


async def test_each_role_sees_only_its_own_students_and_notices(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    env = await set_up(app_client, world, login_as)
    admin, base = env["admin"], env["base"]
    month = seoul_day(moment(None)).replace(day=1)
    if not date.fromisoformat(env["prog"]["starts_on"]) <= month:
        month = date.fromisoformat(env["prog"]["starts_on"]).replace(day=1)
    status, batch = await call(
        app_client, admin, "POST", f"{base}/notices",
        {"month": f"{month:%Y-%m}", "client_id": "batch-1"},
    )  # fmt: skip
    assert status == 201 and len(batch["items"]) == 2
    by_school = {n["home_school"]["id"]: n for n in batch["items"]}
    notice_b = by_school[world.school_b]
    status, signed = await call(
        app_client, admin, "POST", f"/api/hospital/notices/{notice_b['id']}/sign-off"
    )
    assert status == 200 and signed["signed_off_by"]["login"] == "sa_a"

    home_b = await login_as("teacher_b")
    status, me = await call(app_client, home_b, "GET", "/api/me")
    assert me["capabilities"] == ["home_teacher"]
    status, stays = await call(app_client, home_b, "GET", f"{base}/admissions")
    assert status == 200 and [s["student"]["login"] for s in stays["items"]] == ["student2"]
    assert stays["items"][0]["guardian_phone"] == "010-1111-2222"
    student1 = world.users["student1"]
    status, body = await call(app_client, home_b, "GET", f"{base}/admissions?student_id={student1}")
    assert status == 404
    assert_error(body, "not_found")
    status, grid = await call(app_client, home_b, "GET", f"{base}/attendance?month={month:%Y-%m}")
    assert status == 200 and [r["student"]["login"] for r in grid["rows"]] == ["student2"]
    status, grid = await call(
        app_client, home_b, "GET",
        f"{base}/attendance?month={month:%Y-%m}&home_school_id={world.school_a}",
    )  # fmt: skip
    assert status == 200 and grid["rows"] == []
    day = f"{seoul_day(moment(None)):%Y-%m-%d}"
    status, body = await call(app_client, home_b, "GET", f"{base}/students/{student1}/days/{day}")
    assert status == 404
    student2 = world.users["student2"]
    status, detail = await call(app_client, home_b, "GET", f"{base}/students/{student2}/days/{day}")
    assert status == 200 and detail["student"]["login"] == "student2"
    assert (detail["status"], detail["sessions"]) == (None, [])  # no class held today
    status, body = await call(
        app_client, home_b, "GET", f"{base}/students/{student2}/days/2026-02-30"
    )
    assert status == 400
    status, visible = await call(app_client, home_b, "GET", f"{base}/notices")
    assert [n["id"] for n in visible["items"]] == [notice_b["id"]]
    response = await app_client.get(f"/api/hospital/notices/{notice_b['id']}/xlsx", headers=home_b)
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    data = await response.read()
    assert hashlib.sha256(data).hexdigest() == response.headers["X-Content-SHA256"]
    names = [row[0] for row in load_workbook(io.BytesIO(data))["출석"].iter_rows(values_only=True)]
    assert "Student2" in names and "Student1" not in names
    response = await app_client.get(f"/api/hospital/notices/{notice_b['id']}/pdf", headers=home_b)
    assert response.status == 200 and response.content_type == "application/pdf"
    assert (await response.read()).startswith(b"%PDF")
    # School A's home teacher: not B's notice, and A's is not signed off yet.
    home_a = await login_as("teacher2")
    for notice in by_school.values():
        response = await app_client.get(f"/api/hospital/notices/{notice['id']}/pdf", headers=home_a)
        assert response.status == 404
    # Home teachers, instructors and outsiders cannot run the programme.
    status, _ = await call(app_client, home_b, "POST", f"{base}/classes", {"name": "x", "grade": 1})
    assert status == 403
    instructor = await login_as("teacher")
    status, _ = await call(app_client, instructor, "GET", f"{base}/notices")
    assert status == 403
    status, stays = await call(app_client, instructor, "GET", f"{base}/admissions")
    assert {s["student"]["login"] for s in stays["items"]} == {"student1", "student2"}
    # A student, the platform admin and another school's admin hold no programme role.
    for outsider in ("student1", "admin", "sa_b"):
        headers = await login_as(outsider)
        status, body = await call(app_client, headers, "GET", base)
        assert status == 403, outsider
        assert_error(body, "forbidden")
        status, listing = await call(app_client, headers, "GET", "/api/hospital/programmes")
        assert status == 200 and listing["items"] == []
    status, _ = await call(app_client, admin, "GET", "/api/hospital/programmes/999999")
    assert status == 404


async def test_discharge_readmission_history_and_refusals(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    env = await set_up(app_client, world, login_as)
    admin, base = env["admin"], env["base"]
    stay = env["stays"]["student1"]
    starts_on = date.fromisoformat(env["prog"]["starts_on"])
    today = seoul_day(moment(None))
    last_day = min(today, starts_on + timedelta(days=10))

    # Only the programme admin runs admissions and the calendar.
    instructor = await login_as("teacher")
    status, _ = await call(
        app_client, instructor, "POST", f"/api/hospital/admissions/{stay['id']}/discharge",
        {"discharged_on": last_day.isoformat()},
    )  # fmt: skip
    assert status == 403
    status, _ = await call(
        app_client, instructor, "PUT", f"{base}/calendar",
        {"days": [{"day": starts_on.isoformat(), "kind": "holiday"}]},
    )  # fmt: skip
    assert status == 403
    status, body = await call(
        app_client, admin, "POST", f"/api/hospital/admissions/{stay['id']}/discharge",
        {"discharged_on": (today + timedelta(days=1)).isoformat()},
    )  # fmt: skip
    assert status == 400  # a discharge is recorded after the fact
    status, body = await call(
        app_client, admin, "POST", f"/api/hospital/admissions/{stay['id']}/discharge",
        {"discharged_on": last_day.isoformat()},
    )  # fmt: skip
    assert status == 200 and body["discharged_on"] == last_day.isoformat()
    status, body = await call(
        app_client, admin, "POST", f"/api/hospital/admissions/{stay['id']}/discharge",
        {"discharged_on": last_day.isoformat()},
    )  # fmt: skip
    assert status == 200  # a retry of the same discharge
    if last_day > starts_on:
        status, body = await call(
            app_client, admin, "POST", f"/api/hospital/admissions/{stay['id']}/discharge",
            {"discharged_on": starts_on.isoformat()},
        )  # fmt: skip
        assert status == 409  # another date: the stay has ended already
    # The student's course enrolment ended with the stay.
    status, roster = await call(
        app_client, admin, "GET", f"/api/courses/{env['class']['course_id']}/enrolments"
    )
    assert "student1" not in {e["user"]["login"] for e in roster["items"]}

    status, again = await call(
        app_client, admin, "POST", f"{base}/admissions",
        {"student_login": "student1", "class_id": env["class"]["id"],
         "home_school_id": world.school_a, "grade": 3, "admitted_on": today.isoformat(),
         "client_id": "readmit-1", "home_teacher_id": world.users["teacher2"]},
    )  # fmt: skip
    if last_day < today:
        assert status == 201, again
        assert again["home_teacher"]["login"] == "teacher2"
        student1 = world.users["student1"]
        status, history = await call(
            app_client, admin, "GET", f"{base}/admissions?student_id={student1}"
        )
        assert [(a["admitted_on"], a["discharged_on"]) for a in history["items"]] == [
            (today.isoformat(), None),
            (stay["admitted_on"], last_day.isoformat()),
        ]
        status, current = await call(app_client, admin, "GET", f"{base}/admissions?current=true")
        assert {a["student"]["login"] for a in current["items"]} == {"student1", "student2"}
    else:  # the school year began today: the old stay still covers today
        assert status == 409

    # Contact details change in place; dates and schools do not.
    stay2 = env["stays"]["student2"]
    path = f"/api/hospital/admissions/{stay2['id']}"
    status, body = await call(
        app_client, admin, "PATCH", path,
        {"guardian_phone": "010-9999-0000", "home_teacher_id": world.users["teacher_b"]},
    )  # fmt: skip
    assert status == 200, body
    assert body["guardian_phone"] == "010-9999-0000" and body["guardian_name"] == ""
    assert body["home_teacher"]["login"] == "teacher_b"
    status, body = await call(
        app_client, admin, "PATCH", path, {"home_teacher_id": world.users["teacher2"]}
    )
    assert status == 400  # teacher2 follows school A's students, student2 counts for B
    status, body = await call(app_client, admin, "PATCH", path, {"admitted_on": "2026-03-03"})
    assert status == 400
    status, _ = await call(
        app_client, await login_as("teacher_b"), "PATCH", path, {"guardian_phone": "1"}
    )
    assert status == 403

    # A twin class and an unknown student are refused.
    twin = {"name": "3반", "grade": 3}
    status, _ = await call(app_client, admin, "POST", f"{base}/classes", twin)
    assert status == 409
    status, body = await call(
        app_client, admin, "POST", f"{base}/admissions",
        {"student_login": "nobody", "class_id": env["class"]["id"],
         "home_school_id": world.school_a, "grade": 3, "admitted_on": today.isoformat(),
         "client_id": "x", "extra": 1},
    )  # fmt: skip
    assert status == 400  # unknown field, before anything is looked up


async def test_a_held_session_and_its_correction_reach_the_daily_grid(
    app_client: TestClient, world: World, login_as: LoginAs
) -> None:
    env = await set_up(app_client, world, login_as)
    admin, base = env["admin"], env["base"]
    today = seoul_day(moment(None))
    status, _ = await call(
        app_client, admin, "POST", f"/api/hospital/classes/{env['class']['id']}/slots",
        {"weekday": today.weekday(), "period": 1, "starts_at": "00:10", "ends_at": "00:50",
         "subject": "국어"},
    )  # fmt: skip
    assert status == 201
    status, _ = await call(
        app_client, admin, "PUT", f"{base}/calendar",
        {"days": [{"day": today.isoformat(), "kind": "class_day"}]},
    )  # fmt: skip
    assert status == 200
    instructor = await login_as("teacher")
    status, todays = await call(app_client, instructor, "GET", f"{base}/today")
    [session] = todays["items"]
    for action in ("start", "end"):
        status, body = await call(
            app_client, instructor, "POST", f"/api/sessions/{session['id']}/{action}"
        )
        assert status == 200, body
    status, records = await call(
        app_client, instructor, "GET", f"/api/sessions/{session['id']}/attendance"
    )
    record = next(r for r in records["items"] if r["user"]["login"] == "student1")
    assert record["status"] == "absent"  # nobody joined
    status, body = await call(
        app_client, instructor, "POST", f"/api/attendance/{record['id']}/corrections",
        {"status": "excused", "reason": "항암 치료"},
    )  # fmt: skip
    assert status == 201, body

    day, month = today.isoformat(), f"{today:%Y-%m}"
    home_a = await login_as("teacher2")
    status, grid = await call(app_client, home_a, "GET", f"{base}/attendance?month={month}")
    [row] = grid["rows"]
    assert row["student"]["login"] == "student1"
    assert row["days"][day] == "excused" and row["corrected"] == [day]
    assert row["totals"]["excused"] == 1
    student1 = world.users["student1"]
    status, detail = await call(app_client, home_a, "GET", f"{base}/students/{student1}/days/{day}")
    assert detail["status"] == "excused"
    [held] = detail["sessions"]
    assert held["computed_status"] == "absent" and held["status"] == "excused"
    assert held["corrections"][0]["reason"] == "항암 치료"
    assert held["corrections"][0]["changed_by"]["login"] == "teacher"
    status, grid = await call(app_client, admin, "GET", f"{base}/attendance?month={month}")
    days = {r["student"]["login"]: r["days"][day] for r in grid["rows"]}
    assert days == {"student1": "excused", "student2": "absent"}
