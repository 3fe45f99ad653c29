"""Education plans over REST: every route per role, health notes absent for those who may not
see them, reads logged, and a home-school teacher of another school refused."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import (
    Admission,
    Course,
    CourseRole,
    Enrolment,
    HospitalClass,
    HospitalProgramme,
    ProgrammeRole,
    ProgrammeStaff,
    Role,
    User,
)
from tests.api.conftest import Headers, LoginAs, World
from tests.api.helpers import PASSWORD, assert_error

HEALTH = "뇌전증: 발작 시 화면을 끄고 보호자에게 연락"


@dataclass
class Ward:
    programme: int
    admission: int
    other_admission: int
    users: dict[str, int]


@pytest.fixture
async def ward(db: async_sessionmaker[AsyncSession], world: World) -> Ward:
    from lms.services import accounts

    hashed = accounts.hash_password(PASSWORD)
    async with db() as s, s.begin():
        people = {
            "padmin": (Role.TEACHER, world.school_a),
            "inst": (Role.TEACHER, world.school_a),
            "inst_other": (Role.TEACHER, world.school_a),
            "home_a": (Role.TEACHER, world.school_a),
            "home_b": (Role.TEACHER, world.school_b),
            "pupil_b": (Role.STUDENT, world.school_b),
        }
        users = {
            login: User(
                login=login, display_name=login, password_hash=hashed, role=role, school_id=school
            )
            for login, (role, school) in people.items()
        }
        s.add_all(users.values())
        programme = HospitalProgramme(
            school_id=world.school_a,
            school_year=2026,
            title="새싹 병원학교",
            starts_on=date(2026, 3, 2),
            ends_on=date(2027, 2, 28),
        )
        s.add(programme)
        await s.flush()
        classes = []
        for name in ("초3", "중1"):
            course = Course(school_id=world.school_a, title=name, subject="병원학교")
            s.add(course)
            await s.flush()
            klass = HospitalClass(
                programme_id=programme.id, course_id=course.id, name=name, grade=3
            )
            s.add(klass)
            classes.append(klass)
        await s.flush()
        staff = [
            ("padmin", ProgrammeRole.ADMIN, None),
            ("inst", ProgrammeRole.INSTRUCTOR, None),
            ("inst_other", ProgrammeRole.INSTRUCTOR, None),
            ("home_a", ProgrammeRole.HOME_TEACHER, world.school_a),
            ("home_b", ProgrammeRole.HOME_TEACHER, world.school_b),
        ]
        s.add_all(
            ProgrammeStaff(
                programme_id=programme.id, user_id=users[login].id, role=role, home_school_id=school
            )
            for login, role, school in staff
        )
        s.add(
            Enrolment(
                course_id=classes[0].course_id, user_id=users["inst"].id, role=CourseRole.TEACHER
            )
        )
        s.add(
            Enrolment(
                course_id=classes[1].course_id,
                user_id=users["inst_other"].id,
                role=CourseRole.TEACHER,
            )
        )
        admissions = [
            Admission(
                programme_id=programme.id,
                student_id=student,
                class_id=classes[0].id,
                home_school_id=school,
                grade=3,
                admitted_on=date(2026, 3, 2),
                client_id=f"a{n}",
                created_by=users["padmin"].id,
            )
            for n, (student, school) in enumerate(
                [(world.users["student1"], world.school_a), (users["pupil_b"].id, world.school_b)]
            )
        ]
        s.add_all(admissions)
        await s.flush()
        return Ward(
            programme.id,
            admissions[0].id,
            admissions[1].id,
            {login: user.id for login, user in users.items()},
        )


async def call(
    client: TestClient, headers: Headers, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    response = await client.request(method, path, json=body, headers=headers)
    if response.content_type == "application/json":
        return response.status, await response.json()
    return response.status, await response.read()


def plan_body(admission: int, client_id: str = "p1") -> dict[str, Any]:
    return {
        "admission_id": admission,
        "semester": "2026-2",
        "goals": [{"area": "국어", "goal": "짧은 글을 소리 내어 읽는다", "measure": "관찰"}],
        "accommodations": [
            {"kind": "rest_breaks", "detail": "20분마다 5분 휴식"},
            {"kind": "camera_off_allowed"},
        ],
        "instructor_notes": "오전 컨디션이 좋음",
        "client_id": client_id,
    }


async def new_plan(client: TestClient, ward: Ward, login_as: LoginAs) -> dict[str, Any]:
    padmin = await login_as("padmin")
    status, plan = await call(
        client,
        padmin,
        "POST",
        f"/api/hospital/programmes/{ward.programme}/education-plans",
        plan_body(ward.admission),
    )
    assert status == 201, plan
    status, plan = await call(
        client,
        padmin,
        "POST",
        f"/api/education-plans/{plan['id']}/health-notes",
        {"body": HEALTH},
    )
    assert status == 201, plan
    return plan


async def test_each_role_on_each_route(
    app_client: TestClient, world: World, ward: Ward, login_as: LoginAs
) -> None:
    plan = await new_plan(app_client, ward, login_as)
    pid, prog = plan["id"], ward.programme
    assert plan["health_notes"][0]["body"] == HEALTH
    # Retried creation returns the stored plan.
    status, again = await call(
        app_client,
        await login_as("padmin"),
        "POST",
        f"/api/hospital/programmes/{prog}/education-plans",
        plan_body(ward.admission),
    )
    assert status == 200 and again["id"] == pid

    # Readers: admin and the student's instructor see health notes, the home teacher does not.
    for who, notes in (("padmin", True), ("inst", True), ("home_a", False)):
        status, read = await call(
            app_client, await login_as(who), "GET", f"/api/education-plans/{pid}"
        )
        assert status == 200, (who, read)
        assert (read["health_notes"] is not None) is notes, who
        assert read["goals"][0]["area"] == "국어"
        if not notes:
            assert HEALTH not in str(read)
    # Nobody else reads it, and every refused route gives nothing away.
    outsiders = ("home_b", "inst_other", "admin", "sa_a", "student1", "teacher")
    for who in outsiders:
        headers = await login_as(who)
        for method, path, body in [
            ("GET", f"/api/education-plans/{pid}", None),
            ("PUT", f"/api/education-plans/{pid}", {"version": 2, "instructor_notes": "x"}),
            ("POST", f"/api/education-plans/{pid}/health-notes", {"body": "x"}),
            ("GET", f"/api/education-plans/{pid}/export.xlsx", None),
            ("POST", f"/api/education-plans/{pid}/health-grants", {"user_id": 1}),
        ]:
            status, error = await call(app_client, headers, method, path, body)
            assert status == 404, (who, method, path, error)
            assert_error(error, "not_found")
    # The home-school teacher reads but does not write.
    home_a = await login_as("home_a")
    for method, path, body in [
        ("PUT", f"/api/education-plans/{pid}", {"version": 2, "instructor_notes": "x"}),
        ("POST", f"/api/education-plans/{pid}/health-notes", {"body": "x"}),
        ("POST", f"/api/education-plans/{pid}/health-grants", {"user_id": ward.users["home_a"]}),
        ("GET", f"/api/hospital/programmes/{prog}/education-plan-access", None),
    ]:
        status, error = await call(app_client, home_a, method, path, body)
        assert status == 403, (method, path, error)
    status, error = await call(
        app_client,
        home_a,
        "POST",
        f"/api/hospital/programmes/{prog}/education-plans",
        plan_body(ward.admission, "home"),
    )
    assert status in (403, 409), error  # refused either way; never written
    # Lists: each sees only the students they may.
    for who, expected in (
        ("padmin", [pid]),
        ("inst", [pid]),
        ("home_a", [pid]),
        ("home_b", []),
        ("inst_other", []),
    ):
        status, listed = await call(
            app_client,
            await login_as(who),
            "GET",
            f"/api/hospital/programmes/{prog}/education-plans",
        )
        assert [item["id"] for item in listed["items"]] == expected, who
    for who in ("admin", "sa_a", "student1"):
        status, _ = await call(
            app_client,
            await login_as(who),
            "GET",
            f"/api/hospital/programmes/{prog}/education-plans",
        )
        assert status == 403, who
    status, candidates = await call(
        app_client,
        await login_as("inst"),
        "GET",
        f"/api/hospital/programmes/{prog}/education-plans/candidates",
    )
    assert {c["admission_id"] for c in candidates["items"]} == {
        ward.admission,
        ward.other_admission,
    }
    # The access log is the programme admins' alone.
    for who in ("inst", "home_b", "admin", "sa_a", "student1"):
        status, error = await call(
            app_client,
            await login_as(who),
            "GET",
            f"/api/hospital/programmes/{prog}/education-plan-access",
        )
        assert status == 403, (who, error)
    status, log = await call(
        app_client,
        await login_as("padmin"),
        "GET",
        f"/api/hospital/programmes/{prog}/education-plan-access",
    )
    assert status == 200 and log["total"] >= 1
    for who in ("admin", "student1"):
        status, _ = await call(
            app_client,
            await login_as(who),
            "GET",
            f"/api/hospital/programmes/{prog}/education-plans/candidates",
        )
        assert status == 403, who
    status, candidates = await call(
        app_client, home_a, "GET", f"/api/hospital/programmes/{prog}/education-plans/candidates"
    )
    assert candidates["items"] == []
    # Without a login: 401 everywhere.
    for method, path in [
        ("GET", f"/api/education-plans/{pid}"),
        ("GET", f"/api/hospital/programmes/{prog}/education-plans"),
        ("GET", f"/api/hospital/programmes/{prog}/education-plan-access"),
    ]:
        status, _ = await call(app_client, {}, method, path)
        assert status == 401


async def test_writes_grants_exports_and_the_log(
    app_client: TestClient, world: World, ward: Ward, login_as: LoginAs
) -> None:
    plan = await new_plan(app_client, ward, login_as)
    pid = plan["id"]
    inst = await login_as("inst")
    padmin = await login_as("padmin")
    home_a = await login_as("home_a")
    status, updated = await call(
        app_client,
        inst,
        "PUT",
        f"/api/education-plans/{pid}",
        {"version": plan["version"], "accommodations": [{"kind": "shorter_sessions"}]},
    )
    assert status == 200 and updated["version"] == plan["version"] + 1
    status, error = await call(
        app_client,
        padmin,
        "PUT",
        f"/api/education-plans/{pid}",
        {"version": plan["version"], "instructor_notes": "stale"},
    )
    assert status == 409
    assert_error(error, "conflict")
    status, error = await call(
        app_client,
        inst,
        "PUT",
        f"/api/education-plans/{pid}",
        {"version": updated["version"], "accommodations": [{"kind": "teleport"}]},
    )
    assert status == 400

    # The export carries only what the reader may see.
    status, data = await call(app_client, home_a, "GET", f"/api/education-plans/{pid}/export.xlsx")
    cells = [
        c for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True) for c in r
    ]
    assert status == 200 and "짧은 글을 소리 내어 읽는다" in cells and HEALTH not in cells
    status, data = await call(app_client, padmin, "GET", f"/api/education-plans/{pid}/export.xlsx")
    cells = [
        c for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True) for c in r
    ]
    assert HEALTH in cells

    # Granting the home-school teacher; never a teacher of another school.
    status, error = await call(
        app_client,
        padmin,
        "POST",
        f"/api/education-plans/{pid}/health-grants",
        {"user_id": ward.users["home_b"]},
    )
    assert status == 400, error
    status, _ = await call(
        app_client,
        padmin,
        "POST",
        f"/api/education-plans/{pid}/health-grants",
        {"user_id": ward.users["home_a"]},
    )
    assert status == 201
    status, read = await call(app_client, home_a, "GET", f"/api/education-plans/{pid}")
    assert [n["body"] for n in read["health_notes"]] == [HEALTH]
    status, read = await call(app_client, padmin, "GET", f"/api/education-plans/{pid}")
    assert [g["user"]["id"] for g in read["health_grants"]] == [ward.users["home_a"]]
    status, _ = await call(
        app_client,
        padmin,
        "DELETE",
        f"/api/education-plans/{pid}/health-grants/{ward.users['home_a']}",
    )
    status, read = await call(app_client, home_a, "GET", f"/api/education-plans/{pid}")
    assert read["health_notes"] is None

    # The log: every read and export, who and what, newest first.
    status, log = await call(
        app_client,
        padmin,
        "GET",
        f"/api/hospital/programmes/{ward.programme}/education-plan-access?plan_id={pid}&limit=200",
    )
    assert status == 200
    entries = [(e["user"]["display_name"], e["action"]) for e in reversed(log["items"])]
    assert ("home_a", "export") in entries and ("padmin", "export") in entries
    assert entries.count(("home_a", "read_health_notes")) == 1  # only while granted
    assert entries.count(("home_a", "read_plan")) == 2
    assert ("inst", "update") in entries
    assert entries[-2:] == [("padmin", "revoke_health_notes"), ("home_a", "read_plan")]
    assert all(e["student"]["id"] == world.users["student1"] for e in log["items"])
    # Retracting a note: the instructor may not retract the admin's note.
    status, read = await call(app_client, inst, "GET", f"/api/education-plans/{pid}")
    note_id = read["health_notes"][0]["id"]
    status, _ = await call(
        app_client, inst, "DELETE", f"/api/education-plans/{pid}/health-notes/{note_id}"
    )
    assert status == 403
    status, _ = await call(
        app_client, padmin, "DELETE", f"/api/education-plans/{pid}/health-notes/{note_id}"
    )
    assert status == 200
    status, read_note = await call(app_client, inst, "GET", f"/api/education-plans/{pid}")
    assert read_note["health_notes"] == []


async def test_a_refused_read_is_in_the_admins_log(
    app_client: TestClient, world: World, ward: Ward, login_as: LoginAs
) -> None:
    pid = (await new_plan(app_client, ward, login_as))["id"]
    padmin = await login_as("padmin")
    log_path = f"/api/hospital/programmes/{ward.programme}/education-plan-access?plan_id={pid}"
    _, before = await call(app_client, padmin, "GET", log_path)
    # A home-school teacher of another school asks for the plan and its export: 404, logged.
    home_b = await login_as("home_b")
    for path in (f"/api/education-plans/{pid}", f"/api/education-plans/{pid}/export.xlsx"):
        status, error = await call(app_client, home_b, "GET", path)
        assert status == 404, error
        assert_error(error, "not_found")
    # The student's home-school teacher may read, not write: 403, logged.
    status, error = await call(
        app_client,
        await login_as("home_a"),
        "POST",
        f"/api/education-plans/{pid}/health-notes",
        {"body": "x"},
    )
    assert status == 403, error
    # An allowed read logs as before.
    status, _ = await call(app_client, await login_as("inst"), "GET", f"/api/education-plans/{pid}")
    assert status == 200
    status, log = await call(app_client, padmin, "GET", log_path)
    assert status == 200 and log["total"] == before["total"] + 5
    newest = [
        (e["user"]["display_name"], e["action"], e["outcome"], e["detail"])
        for e in reversed(log["items"][:5])
    ]
    assert newest == [
        ("home_b", "read_plan", "refused", "not_found"),
        ("home_b", "export", "refused", "not_found"),
        ("home_a", "add_health_note", "refused", "forbidden"),
        ("inst", "read_plan", "allowed", ""),
        ("inst", "read_health_notes", "allowed", "1"),
    ]
    assert all(e["student"]["id"] == world.users["student1"] for e in log["items"])
    assert {e["outcome"] for e in before["items"]} == {"allowed"}
